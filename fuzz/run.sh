#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, seeded with numcodecs' fixture files.
#   fuzz/run.sh [SECONDS] [TARGET...]      e.g. fuzz/run.sh 300 decode_zstd
# Builds all targets once (`cargo fuzz build -O`), then runs the binaries directly, so a long campaign
# does not rebuild before each target.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Findings land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}; shift || true
fixtures=../../shared/fixtures/numcodecs
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(decode_[a-z0-9_]*\)"/\1/p' Cargo.toml)
fi
cargo +nightly fuzz build -O >/dev/null
bindir=target/x86_64-unknown-linux-gnu/release
for t in "${targets[@]}"; do
  id=${t#decode_}; id=${id//_/-}
  mkdir -p "corpus/$t"
  if [ -d "$fixtures/$id" ]; then
    find "$fixtures/$id" -name 'encoded.*.dat' -size -256k -exec cp -n {} "corpus/$t/" \; 2>/dev/null || true
  fi
  echo "== $t for ${secs}s"
  start=$(date +%s)
  mkdir -p "artifacts/$t"
  "$bindir/$t" -artifact_prefix="artifacts/$t/" "corpus/$t" -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|Done|==|SUMMARY|.*ERROR)" || true
  echo "   ran $(( $(date +%s) - start ))s"
done
