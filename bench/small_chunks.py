"""brickwork vs numcodecs on small chunks, one process, one run: time per call, where the fixed cost of a
call (argument handling, buffer views, output allocation, the codec's own setup) counts as much as the
work. Zarr arrays with small chunks, and object stores holding many small ones, pay it once per chunk.

    .venv/bin/python bench/small_chunks.py           # -> bench/results/small_chunks.md
    .venv/bin/python bench/small_chunks.py --quick

Each codec is built by both libraries from the same numcodecs config and called the way zarr calls it
(`encode(ndarray)`, `decode(bytes)`); the inputs are uint32 labels (bench/corpus.py) of 256 B, 4 KiB and
64 KiB. µs per call, best of several rounds timing the two libraries in alternation; "×" is numcodecs'
time divided by brickwork's. Each side must decode the other's output before timing.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

# NumPy's OpenBLAS keeps worker threads spinning after a BLAS call, which on a 2-core machine takes
# CPU from whichever library is being timed; nothing here uses BLAS. Set before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
from timing import best_times, geomean  # noqa: E402

import numcodecs  # noqa: E402
import brickwork  # noqa: E402
import brickwork.codecs as bw  # noqa: E402

SIZES = [256, 4096, 65536]
CONFIGS = [
    ("zlib level=1", {"id": "zlib", "level": 1}),
    ("gzip level=1", {"id": "gzip", "level": 1}),
    ("bz2 level=1", {"id": "bz2", "level": 1}),
    ("lzma preset=1", {"id": "lzma", "preset": 1}),
    ("zstd level=1", {"id": "zstd", "level": 1}),
    ("lz4", {"id": "lz4"}),
    ("blosc lz4 shuffle", {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}),
    ("blosc zstd bitshuffle", {"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 2}),
    ("crc32", {"id": "crc32"}),
    ("delta <u4", {"id": "delta", "dtype": "<u4"}),
    ("shuffle 4", {"id": "shuffle", "elementsize": 4}),
]


def measure(config, data, min_total, repeats):
    nc = numcodecs.get_codec(dict(config))
    ours = bw.get_codec(dict(config))
    enc_nc, enc_bw = nc.encode(data), ours.encode(data)
    raw = data.tobytes()
    assert np.asarray(ours.decode(enc_nc)).tobytes() == raw, config
    assert np.asarray(nc.decode(enc_bw)).tobytes() == raw, config
    enc = best_times([lambda: nc.encode(data), lambda: ours.encode(data)], min_total, repeats)
    dec = best_times([lambda: nc.decode(enc_nc), lambda: ours.decode(enc_bw)], min_total, repeats)
    return [t * 1e6 for t in (*enc, *dec)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="shorter timing")
    ap.add_argument("--only", help="comma-separated codec ids to run")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "small_chunks.md"))
    args = ap.parse_args()
    min_total, repeats = (0.1, 3) if args.quick else (0.5, 7)
    only = set(args.only.split(",")) if args.only else None

    rows, enc_x, dec_x = [], [], []
    for label, config in CONFIGS:
        if only and config["id"] not in only:
            continue
        for size in SIZES:
            data = corpus.labels(size)
            e_nc, e_bw, d_nc, d_bw = measure(config, data, min_total, repeats)
            enc_x.append(e_nc / e_bw)
            dec_x.append(d_nc / d_bw)
            rows.append((label, size, e_bw, e_nc, d_bw, d_nc))
            print(
                f"{label:24s} {size:6d} B  enc {e_bw:9.2f} vs {e_nc:9.2f} us ({e_nc / e_bw:5.2f}x)"
                f"  dec {d_bw:9.2f} vs {d_nc:9.2f} us ({d_nc / d_bw:5.2f}x)",
                flush=True,
            )

    lines = [
        "# brickwork vs numcodecs: small chunks (time per call)",
        "",
        "Command: `.venv/bin/python bench/small_chunks.py`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numcodecs {numcodecs.__version__}, brickwork {brickwork.__version__}, NumPy {np.__version__}.  ",
        "Input: uint32 labels (bench/corpus.py) of each size, `encode(ndarray)` and `decode(bytes)` as zarr "
        "calls them; µs per call, best of several rounds timing the two libraries in alternation; "
        "× = numcodecs' time / brickwork's.",
        "",
        "| codec | bytes | encode µs brickwork | numcodecs | × | decode µs brickwork | numcodecs | × |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, size, e_bw, e_nc, d_bw, d_nc in rows:
        lines.append(
            f"| {label} | {size} | {e_bw:.2f} | {e_nc:.2f} | {e_nc / e_bw:.2f} | "
            f"{d_bw:.2f} | {d_nc:.2f} | {d_nc / d_bw:.2f} |"
        )
    lines += ["", f"Geometric mean ×: encode {geomean(enc_x):.2f}, decode {geomean(dec_x):.2f}.", ""]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
