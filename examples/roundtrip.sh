#!/usr/bin/env bash
# Encodes examples/sample.npy (a 64x64x16 uint16 label volume) with a codec and decodes it back to a .npy,
# checking that the decoded file is byte-identical to the original.
# Usage: examples/roundtrip.sh [SPEC]   (default SPEC: zstd:level=5; BRICKWORK=path/to/brickwork to pick a binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
spec=${1:-zstd:level=5}
if [ -n "${BRICKWORK:-}" ]; then
  bw=("$BRICKWORK")
else
  bw=(cargo run --quiet --release --manifest-path "$here/../Cargo.toml" -p brickwork-cli --)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"${bw[@]}" encode --codec "$spec" "$here/sample.npy" "$work/sample.enc"
# The decoded .npy takes dtype, shape and order from the command line (the encoded bytes do not carry them).
"${bw[@]}" decode --codec "$spec" --dtype '<u2' --shape 64,64,16 --order C "$work/sample.enc" "$work/back.npy"
cmp "$here/sample.npy" "$work/back.npy"

orig=$(stat -c %s "$here/sample.npy")
enc=$(stat -c %s "$work/sample.enc")
echo "codec:    $spec"
echo "original: $orig bytes (.npy, 64x64x16 <u2)"
echo "encoded:  $enc bytes (ratio $(awk -v a="$orig" -v b="$enc" 'BEGIN { printf "%.1f", a / b }'))"
echo "decoded:  identical to the original (cmp)"
