# Shared by scripts/test.sh and scripts/start.sh: check for (and, where allowed, install) what the project needs.
# Source it; it defines functions only. DRY_RUN=1 makes every install print its command instead of running it
# (and return $WOULD_INSTALL).
# CHROMIUM_BIN (default /usr/bin/chromium) names the browser the e2e tests drive.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json
DRY_RUN="${DRY_RUN:-0}"
WOULD_INSTALL=3 # what an ensure_* function returns in a dry run when it would have installed something

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then BOLD=$'\033[1m' RED=$'\033[1;31m' RESET=$'\033[0m'; else BOLD='' RED='' RESET=''; fi
say() { printf '%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
warn() { printf '%s!!! %s%s\n' "$RED" "$*" "$RESET" >&2; }

# Node 20 or newer (package.json's engines). Debian 12's own nodejs is 18, so name another source.
require_node() {
  local major
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    warn "node and npm are not installed. Install Node.js 20 or newer (https://nodejs.org, or NodeSource's"
    warn "Debian packages; Debian 12's own nodejs package is 18, which is too old), then run this again."
    return 1
  fi
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if (( major < 20 )); then
    warn "Node.js $(node -v) is too old: this project needs Node.js 20 or newer (package.json engines)."
    return 1
  fi
}

# `npm ci` when node_modules is missing or differs from package-lock.json; a no-op (about 0.1 s) otherwise.
ensure_node_modules() {
  local why
  if why="$(node "$REPO_ROOT/scripts/node-modules-current.mjs" "$REPO_ROOT")"; then
    say "node_modules matches package-lock.json"
    return 0
  fi
  say "node_modules needs installing ($why): npm ci"
  if [[ "$DRY_RUN" == 1 ]]; then
    echo "(dry run) would run: npm ci --no-audit --no-fund"
    return "$WOULD_INSTALL"
  fi
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund)
}

have_chromium() { [[ -x "$CHROMIUM_BIN" && -f "$SWIFTSHADER_ICD" ]]; }

have_libvulkan() {
  local ldconfig
  ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
  if [[ -x "$ldconfig" ]] && "$ldconfig" -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then return 0; fi
  dpkg-query -W -f='${Status}' libvulkan1 2>/dev/null | grep -q 'install ok installed'
}

is_debian() { [[ -r /etc/os-release ]] && grep -qx 'ID=debian' /etc/os-release && command -v apt-get >/dev/null; }

# PyTorch (Debian's python3-torch, 1.13 on CPU) is the field's reference: tests load what the project exports
# (Hugging Face checkpoints, PyTorch code) into it.
# Debian installs it for its own interpreter, which a pyenv or venv on PATH may hide: tests run TORCH_PYTHON.
export TORCH_PYTHON="${TORCH_PYTHON:-/usr/bin/python3}"
have_torch() { [[ -x "$TORCH_PYTHON" ]] && "$TORCH_PYTHON" -c 'import torch' 2>/dev/null; }

# Debian's chromium brings the headless browser and SwiftShader's Vulkan driver (the WebGPU adapter with no
# GPU); libvulkan1 is the Vulkan loader that Dawn needs in Node. See ../shared/HEADLESS-WEBGPU.md.
ensure_system_packages() {
  local missing=() cmd
  have_chromium || missing+=(chromium)
  have_libvulkan || missing+=(libvulkan1)
  have_torch || missing+=(python3-torch)
  if (( ${#missing[@]} == 0 )); then
    say "chromium (with SwiftShader), libvulkan1 and python3-torch are installed"
    return 0
  fi
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
  say "missing system packages: ${missing[*]}"
  if ! is_debian; then
    warn "Can't install ${missing[*]} here: this is not Debian with apt-get. Install Chromium with WebGPU and"
    warn "SwiftShader's Vulkan driver ($SWIFTSHADER_ICD is what Debian's chromium ships; set CHROMIUM_BIN if your"
    warn "browser lives elsewhere) and the Vulkan loader libvulkan.so.1. On Debian: sudo sh -c '$cmd'"
    return 1
  fi
  if [[ "$(id -u)" != 0 ]]; then
    warn "Can't install ${missing[*]}: that needs root. Run this, then run the tests again:"
    warn "  sudo sh -c '$cmd'"
    return 1
  fi
  if [[ "$DRY_RUN" == 1 ]]; then
    echo "(dry run) would run: $cmd"
    return "$WOULD_INSTALL"
  fi
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" || return 1
  if ! have_chromium || ! have_libvulkan || ! have_torch; then
    warn "apt-get finished, but $CHROMIUM_BIN, $SWIFTSHADER_ICD, libvulkan.so.1 or Python's torch is still missing."
    return 1
  fi
}
