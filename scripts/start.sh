#!/usr/bin/env bash
# `npm start`: serve the playground with Vite on http://127.0.0.1:5173 (extra arguments go to vite, e.g.
# `npm start -- --port 8080`). On a fresh clone it runs `npm ci` first. Open the page in a browser with WebGPU
# (Chrome 113+; on Linux start it with --enable-unsafe-webgpu); without WebGPU it falls back to the CPU backend.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
require_node
ensure_node_modules
exec node_modules/.bin/vite --host 127.0.0.1 "$@"
