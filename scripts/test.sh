#!/usr/bin/env bash
# `npm test`: from a fresh clone on Debian, install what is missing, then type-check, run the unit tests (vitest,
# on SwiftShader's WebGPU adapter in Node) and the browser end-to-end tests (headless Debian chromium).
# Every check runs even when an earlier one fails; the summary at the end lists each, and the exit status is
# non-zero when any failed.
#
#   scripts/test.sh             install what is missing, then run every check
#   scripts/test.sh --dry-run   only report what is missing and the commands that would install it; exits 0
#                               when nothing is missing
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

case "${1:-}" in
  '') ;;
  --dry-run) DRY_RUN=1 ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) warn "unknown argument: $1 (try --help)"; exit 2 ;;
esac

# "XDG_RUNTIME_DIR is invalid" warnings from Dawn and chromium are harmless; a private folder silences them.
if [[ -z "${XDG_RUNTIME_DIR:-}" || ! -d "${XDG_RUNTIME_DIR}" || ! -w "${XDG_RUNTIME_DIR}" ]]; then
  XDG_RUNTIME_DIR="$(mktemp -d)"
  chmod 700 "$XDG_RUNTIME_DIR"
  export XDG_RUNTIME_DIR
  trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
fi

started=$(date +%s)
names=() results=() times=()
failed=0 would_install=0

# At a terminal, `timeout --foreground` lets Ctrl-C reach the tests; elsewhere (CI) timeout runs them in their own
# process group, so a timeout kills the vitest workers and browsers too.
timeout_mode=()
[[ -t 0 ]] && timeout_mode=(--foreground)

# step NAME TIMEOUT_S COMMAND...: runs COMMAND, killed after TIMEOUT_S seconds as a guard against hangs (0: no
# guard, for the shell functions that install), and records how it went.
step() {
  local name="$1" limit="$2" t0 rc
  shift 2
  say "$name"
  t0=$(date +%s)
  if (( limit > 0 )); then timeout "${timeout_mode[@]}" --kill-after=15 "$limit" "$@"; else "$@"; fi
  rc=$?
  names+=("$name")
  times+=("$(( $(date +%s) - t0 ))s")
  if (( rc == 0 )); then
    results+=(PASS)
  elif [[ "$DRY_RUN" == 1 ]] && (( rc == WOULD_INSTALL )); then
    results+=("WOULD INSTALL")
    would_install=1
  elif (( rc == 124 || rc == 137 )); then
    results+=("FAIL (timed out after ${limit}s)")
    failed=1
  else
    results+=("FAIL (exit $rc)")
    failed=1
  fi
  return "$rc"
}

summary() {
  local i total=$(( $(date +%s) - started ))
  echo
  say "Summary"
  for i in "${!names[@]}"; do
    printf '  %-36s %-30s %6s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
  done
  printf '  %-36s %-30s %6s\n' "total" "" "${total}s"
  if (( failed )); then
    warn "npm test FAILED (see the steps marked FAIL above)"
  elif (( would_install )); then
    warn "dry run: something needs installing (above); nothing was installed or tested"
  elif [[ "$DRY_RUN" == 1 ]]; then
    say "dry run: everything is installed; nothing was tested"
  else
    say "npm test passed"
  fi
}

# Installs: nothing can run without them, so a failure here stops at once.
require_node || exit 1
if [[ "$DRY_RUN" == 1 ]]; then
  step "install: node_modules" 0 ensure_node_modules
  step "install: chromium, libvulkan1, torch" 0 ensure_system_packages
  summary
  exit $(( failed || would_install ))
fi
if ! step "install: node_modules" 0 ensure_node_modules \
  || ! step "install: chromium, libvulkan1, torch" 0 ensure_system_packages; then
  summary
  exit 1
fi

# Checks: each runs regardless of the others, so one run reports everything that is broken.
step "type-check (tsc --noEmit)" 300 node_modules/.bin/tsc --noEmit -p tsconfig.json
step "unit tests (vitest run)" 900 node_modules/.bin/vitest run
step "browser e2e (vitest + chromium)" 300 node_modules/.bin/vitest run --config test/e2e/vitest.config.ts
step "kernel suite in chromium (test:browser)" 600 node_modules/.bin/vitest run --config test/browser/vitest.config.ts

summary
exit "$failed"
