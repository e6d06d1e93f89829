#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders the studio with a real checkpoint to a PNG under Xvfb, for the README:
#   packaging/screenshot.sh [CHECKPOINT] [OUTPUT.png]
# Defaults: ../shared/data/llama2c/stories260K.bin and docs/studio.png. The window opens the file,
# shows its first tensor's plots, runs Quantize All for the layer chart, then saves itself
# (bitlens --screenshot). BITLENS (default build/release/app/bitlens) names the binary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
checkpoint=${1:-$root/../shared/data/llama2c/stories260K.bin}
output=${2:-$root/docs/studio.png}
bitlens=${BITLENS:-$root/build/release/app/bitlens}

[[ -x "$bitlens" ]] || { echo "screenshot.sh: $bitlens not built (cmake --build build/release)" >&2; exit 1; }
[[ -f "$checkpoint" ]] || { echo "screenshot.sh: no checkpoint at $checkpoint" >&2; exit 1; }
mkdir -p "$(dirname "$output")"

# A settings folder of its own, so that the user's window layout and recent files neither shape
# the picture nor change.
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
export XDG_CONFIG_HOME=$settings XDG_CACHE_HOME=$settings XDG_RUNTIME_DIR=$settings
chmod 700 "$settings"

timeout 300 xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" \
  "$bitlens" --screenshot "$output" "$checkpoint"
echo "screenshot.sh: wrote $output"
