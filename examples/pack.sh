#!/usr/bin/env bash
# The main job: cut examples/sample.npy (a 64x64x16 uint16 label volume the repository ships) into chunks,
# encode them in parallel and write a Zarr v2 store, then read the store back and check the array is
# byte-identical to the original.
# Usage: examples/pack.sh [SPEC [CHUNKS]]   (default SPEC blosc:cname=zstd,clevel=5,shuffle=2, CHUNKS 32,32,16;
#                                            BRICKWORK=path/to/brickwork to pick a binary, KEEP=dir to keep the store)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
spec=${1:-blosc:cname=zstd,clevel=5,shuffle=2}
chunks=${2:-32,32,16}
if [ -n "${BRICKWORK:-}" ]; then
  bw=("$BRICKWORK")
else
  bw=(cargo run --quiet --release --manifest-path "$here/../Cargo.toml" -p brickwork-cli --)
fi
work=${KEEP:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"

"${bw[@]}" pack "$here/sample.npy" "$work/sample.zarr" --chunks "$chunks" --codec "$spec" --overwrite
"${bw[@]}" unpack "$work/sample.zarr" "$work/back.npy"
cmp "$here/sample.npy" "$work/back.npy"
echo "unpacked: identical to the original (cmp)"
if [ -n "${KEEP:-}" ]; then
  echo "the store is kept at $work/sample.zarr: zarr.open_array('$work/sample.zarr', mode='r') reads it"
fi
