#!/usr/bin/env bash
# The hardware-GPU numbers of issue 25 in one command, for a Linux x86-64 machine with a GPU and a Vulkan driver
# but no Node, no npm and no network. It brings everything in one archive made by bench/gpu/pack.sh (Node 22, the
# bundled benchmarks and tuner, Dawn's dawn.node, the Vulkan loader as .debs) and needs only bash, tar, xz and
# coreutils' timeout there.
#
# From a session that is lent a GPU machine (/work/.library/device/README.md), after `bash bench/gpu/pack.sh` here
# (it writes bench/gpu/.pack/gpu-bench.tar.xz, about 37 MiB, git-ignored), make exactly this device call:
#
#   run(command="bash bench/gpu/run.sh", carry=["bench/gpu/.pack"], timeout_s=480)
#
# It finishes in under 7 minutes (BUDGET, 400 s, bounds every step; each step also has its own `timeout`: tune 90,
# matmul 100, attention 150, plus unpacking, the probe and 30 s kept for the summary), which leaves time in a
# 15-minute device budget for the machine's start and one rerun. It writes
# into $OUT, which the device tool brings back (at most 8 files; these are 6):
#   run.log           everything printed, the tables included
#   gpu-results.json  one JSON with all results: adapter, peak, versions, every step's outcome, the tuner's report,
#                     both benchmarks' reports, the issue's target ratios, and what did not run and why
#   tune.json, tuning.json, matmul.json, attention.json   each step's own output, rewritten as it goes, so a step
#                     stopped by its limit still leaves what it had measured
#
# Usage: bash bench/gpu/run.sh [--archive=PATH] [--out=DIR] [--quick] [--allow-software] [--keep]
#   --archive         default bench/gpu/.pack/gpu-bench.tar.xz
#   --out             default $OUT if set (the device machine sets it), else bench/gpu/results
#   --quick           small sizes everywhere (tune --quick, a few small matmuls, attention at T=256): a check of the
#                     script itself, e.g. here on SwiftShader; not the issue's numbers
#   --allow-software  go on when Dawn opens SwiftShader or llvmpipe (by default that means the GPU's Vulkan driver
#                     was not found or did not load, and the run stops with the reason instead of timing a CPU)
#   --keep            keep the unpacked archive (its path is printed)
# Environment: VK_DRIVER_FILES / VK_ICD_FILENAMES, if set, name the Vulkan driver instead of the search below;
# BUDGET (seconds for the whole run, default 400; keep it 80 s under the device call's timeout_s).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ARCHIVE="$REPO/bench/gpu/.pack/gpu-bench.tar.xz"
RESULTS="${OUT:-$REPO/bench/gpu/results}"
QUICK=0 ALLOW_SOFTWARE=0 KEEP=0
BUDGET="${BUDGET:-400}"
for arg in "$@"; do
  case "$arg" in
    --archive=*) ARCHIVE="${arg#--archive=}" ;;
    --out=*) RESULTS="${arg#--out=}" ;;
    --quick) QUICK=1 ;;
    --allow-software) ALLOW_SOFTWARE=1 ;;
    --keep) KEEP=1 ;;
    *) echo "run.sh: unknown argument '$arg' (see the top of bench/gpu/run.sh)" >&2; exit 2 ;;
  esac
done

START=$(date +%s)
DEADLINE=$((START + BUDGET))
SUMMARY_RESERVE=30 # seconds kept back for the closing summary (its own limit)
mkdir -p "$RESULTS" || { echo "run.sh: cannot create $RESULTS" >&2; exit 2; }
RESULTS="$(cd "$RESULTS" && pwd)"
LOG="$RESULTS/run.log"
: >"$LOG"
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$! # bash does not wait for a process substitution: at exit, close its pipe and wait, or the log loses its tail

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gpu-bench.XXXXXX")"
cleanup() {
  if [[ "$KEEP" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exec >&- 2>&- # tee sees end of input once nothing holds the pipe, writes the rest and exits
  for _ in $(seq 50); do kill -0 "$TEE_PID" 2>/dev/null || break; sleep 0.1; done
}
trap cleanup EXIT

say() { printf '==> [%3ds] %s\n' "$(($(date +%s) - START))" "$*"; }
warn() { printf '!!! %s\n' "$*"; }

# Runs one step under `timeout`, capped by what is left of the budget; records name, exit status, seconds and
# limit in $WORK/steps.tsv for the summary. Exit status 124 means the step ran past its limit.
step() {
  local name="$1" limit="$2"
  shift 2
  local left=$((DEADLINE - $(date +%s) - SUMMARY_RESERVE))
  ((left < limit)) && limit=$left
  if ((limit < 5)); then
    warn "$name: not started, the ${BUDGET} s budget is spent"
    printf '%s\t124\t0\t%s\n' "$name" "$limit" >>"$WORK/steps.tsv"
    return 124
  fi
  say "$name (limit ${limit} s)"
  local t0 t1 rc
  t0=$(date +%s.%N)
  timeout -k 10 "$limit" "$@"
  rc=$?
  t1=$(date +%s.%N)
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')" "$limit" >>"$WORK/steps.tsv"
  ((rc == 124 || rc == 137)) && warn "$name stopped at its ${limit} s limit; what it wrote so far is kept"
  ((rc != 0 && rc != 124 && rc != 137)) && warn "$name failed (exit $rc)"
  return "$rc"
}

# 1. Unpack.
[[ -f "$ARCHIVE" ]] || { warn "no archive at $ARCHIVE: run bash bench/gpu/pack.sh first (on a machine with npm), then carry bench/gpu/.pack"; exit 2; }
for tool in tar xz timeout; do command -v "$tool" >/dev/null || { warn "$tool is not installed"; exit 2; }; done
say "unpacking $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1)) into $WORK"
xz -dc "$ARCHIVE" | tar -xf - -C "$WORK" || { warn "could not unpack $ARCHIVE"; exit 2; }
PACK="$WORK/gpu-bench"
NODE="$PACK/bin/node"
APP="$PACK/app"
cp "$PACK/MANIFEST.json" "$WORK/MANIFEST.json"
"$NODE" --version >/dev/null || { warn "the packed Node does not run here ($(uname -sm))"; exit 2; }
say "node $("$NODE" --version); built from $(sed -n 's/.*"commit": "\(.*\)".*/\1/p' "$PACK/MANIFEST.json")"

# What the driver says of the GPU, for the log (clocks and driver version explain differences between runs).
if command -v nvidia-smi >/dev/null; then
  timeout 20 nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv || warn "nvidia-smi failed"
fi

# 2. The Vulkan loader and the libraries NVIDIA's driver loads: the machine's own, or the packed .debs unpacked
#    into a private folder (never into /) and put on LD_LIBRARY_PATH.
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1 " || compgen -G "/usr/lib/x86_64-linux-gnu/$1*" >/dev/null || compgen -G "/usr/lib64/$1*" >/dev/null; }
LIBS="$WORK/sysroot/usr/lib/x86_64-linux-gnu"
mkdir -p "$WORK/sysroot"
for pair in libvulkan.so.1:libvulkan1 libGLdispatch.so.0:libglvnd0 libGLX.so.0:libglx0 libEGL.so.1:libegl1 libGL.so.1:libgl1 \
  libOpenGL.so.0:libopengl0 libGLESv2.so.2:libgles2; do
  lib="${pair%%:*}" deb="${pair##*:}"
  if have_lib "$lib"; then
    say "$lib: the machine's own"
  elif compgen -G "$PACK/debs/${deb}_*.deb" >/dev/null; then
    for f in "$PACK/debs/${deb}"_*.deb; do
      if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$f" "$WORK/sysroot"
      else (rm -rf "$WORK/deb" && mkdir -p "$WORK/deb" && cd "$WORK/deb" && ar x "$f" && tar -xf data.tar.* -C "$WORK/sysroot"); fi
    done
    say "$lib: missing on this machine; using the packed $deb from $LIBS"
  else
    warn "$lib is missing and the archive has no $deb .deb"
  fi
done
export LD_LIBRARY_PATH="$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [[ -d "$d" ]] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"; done

# 3. The Vulkan driver (ICD): the one named in the environment, else each hardware driver in the usual folders,
#    NVIDIA's first, else (only with --allow-software) SwiftShader, then any other software one. The first through
#    which Dawn opens an adapter is used. Mesa installs Intel and AMD ICDs on machines with no such GPU, so a listed
#    driver is tried, not trusted.
is_software_icd() { grep -qiE 'swiftshader|lvp|lavapipe|llvmpipe' <<<"$(basename "$1") $(grep -o '"library_path"[^,}]*' "$1" 2>/dev/null)"; }
library_of() { grep -o '"library_path"[^,}]*' "${1%%:*}" 2>/dev/null | head -1 | sed 's/"library_path": *//'; }
candidates=()
if [[ -n "${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}" ]]; then
  candidates=("${VK_DRIVER_FILES:-$VK_ICD_FILENAMES}")
  say "Vulkan driver from the environment: ${candidates[0]}"
else
  nvidia=() hardware=() swiftshader=() software=()
  for dir in /usr/local/nvidia/share/vulkan/icd.d /usr/local/nvidia/etc/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/lib/chromium; do
    for f in "$dir"/*.json; do
      [[ -f "$f" ]] || continue
      [[ "$f" == */usr/lib/chromium/* && "$f" != *vk_swiftshader_icd.json ]] && continue
      if [[ "$f" == *swiftshader* ]]; then swiftshader+=("$f")
      elif is_software_icd "$f"; then software+=("$f")
      elif [[ "$f" == *nvidia* ]]; then nvidia+=("$f")
      else hardware+=("$f"); fi
    done
  done
  say "Vulkan drivers found: NVIDIA: ${nvidia[*]:-none}; other hardware: ${hardware[*]:-none}; software: ${swiftshader[*]:-} ${software[*]:-}"
  candidates=("${nvidia[@]}" "${hardware[@]}")
  # Of the software ones, SwiftShader first: Dawn rejects Debian 12's lavapipe (see shared/HEADLESS-WEBGPU.md).
  [[ "$ALLOW_SOFTWARE" == 1 ]] && candidates+=("${swiftshader[@]}" "${software[@]}")
fi
export XDG_RUNTIME_DIR="$WORK/xdg" && mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# The tuner's winners go to a file beside the results, and the benchmarks after it load them from there.
export GPU_LEARN_TUNING="$RESULTS/tuning.json"
rm -f "$RESULTS/tuning.json" "$RESULTS/tune.json" "$RESULTS/matmul.json" "$RESULTS/attention.json" "$RESULTS/gpu-results.json"

summary() {
  say "summary"
  timeout "$SUMMARY_RESERVE" "$NODE" "$APP/summary.mjs" "$WORK" "$RESULTS" || warn "the summary failed: the step files in $RESULTS are what there is"
  say "done in $(($(date +%s) - START)) s; results in $RESULTS"
}

# 4. Which adapter Dawn opens through each candidate, the way the benchmarks will open it (bench/gpu/probe.ts).
ICD=""
probe_t0=$(date +%s)
for f in "${candidates[@]}"; do
  export VK_DRIVER_FILES="$f" VK_ICD_FILENAMES="$f"
  say "probe: Vulkan driver $f (library $(library_of "$f"))"
  if timeout 60 "$NODE" "$APP/probe.mjs" "$WORK/probe.json"; then ICD="$f" && break; fi
  warn "no WebGPU adapter through $f"
done
printf 'probe\t%s\t%s\t60\n' "$([[ -n "$ICD" ]] && echo 0 || echo 1)" "$(($(date +%s) - probe_t0))" >>"$WORK/steps.tsv"
if [[ -z "$ICD" ]]; then
  if ((${#candidates[@]} == 0)); then
    warn "no hardware Vulkan driver (ICD json) in the usual folders; set VK_DRIVER_FILES to one, or pass --allow-software"
  fi
  warn "no WebGPU adapter: Dawn found no usable Vulkan driver (tried: ${candidates[*]:-none}; loader path: $LD_LIBRARY_PATH); nothing was benchmarked"
  [[ "$ALLOW_SOFTWARE" != 1 && -n "${swiftshader[*]:-}${software[*]:-}" ]] && warn "software drivers were left out: ${swiftshader[*]:-} ${software[*]:-} (--allow-software uses them)"
  summary
  exit 1
fi
export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"
say "using Vulkan driver $ICD: $(cat "$WORK/probe.json")"
if grep -q '"software":true' "$WORK/probe.json" && [[ "$ALLOW_SOFTWARE" != 1 ]]; then
  warn "Dawn opened a software rasteriser ($(sed -n 's/.*"adapter":"\([^"]*\)".*/\1/p' "$WORK/probe.json")), not a GPU: the GPU's Vulkan"
  warn "driver was not found or did not load (driver: $ICD; loader path: $LD_LIBRARY_PATH)."
  warn "Nothing was benchmarked. Pass --allow-software to time it anyway."
  printf 'adapter-check\t3\t0\t0\n' >>"$WORK/steps.tsv"
  summary
  exit 3
fi

# 5. Tune, then the two benchmarks.
if [[ -f "$APP/tune.mjs" ]]; then
  # Only the ops the two benchmarks time: softmax and layernorm would spend the step's limit on choices unused here.
  TUNE_OPS="--ops=matmul,attention,attentionBackward"
  if [[ "$QUICK" == 1 ]]; then step tune 150 "$NODE" "$APP/tune.mjs" "$TUNE_OPS" --quick --json="$RESULTS/tune.json"
  else step tune 90 "$NODE" "$APP/tune.mjs" "$TUNE_OPS" --json="$RESULTS/tune.json"; fi
else
  warn "tune: not available (the archive was packed before scripts/tune.ts existed); the benchmarks use the built-in defaults"
  printf 'tune\t127\t0\t0\n' >>"$WORK/steps.tsv"
fi
if [[ "$QUICK" == 1 ]]; then
  step matmul 60 "$NODE" "$APP/matmul.mjs" --sizes=64,3x33x7x257,130x70x300 --reps=1 --report="$RESULTS/matmul.json"
  step attention 120 "$NODE" "$APP/attention.mjs" --T=256 --causal=true --reps=1 --impl=fused,unfused,tfjs,jax-js,onnxruntime --report="$RESULTS/attention.json"
else
  step matmul 100 "$NODE" "$APP/matmul.mjs" --set=gpu --reps=3 --report="$RESULTS/matmul.json"
  step attention 150 "$NODE" "$APP/attention.mjs" --set=gpu --report="$RESULTS/attention.json"
fi
summary
