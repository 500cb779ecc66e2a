"""brickwork vs numcodecs, one process, one run: encode/decode throughput and compression ratio.

    .venv/bin/python bench/codecs.py                 # full table -> bench/results/codecs.md
    .venv/bin/python bench/codecs.py --quick         # smaller inputs, fewer repeats
    .venv/bin/python bench/codecs.py --only zstd,lz4

Throughput is MB/s of uncompressed data (best of several timed repeats, the two libraries interleaved);
"×" is brickwork's throughput divided by numcodecs'. Ratio is uncompressed size / compressed size.
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
from timing import compare, geomean  # noqa: E402

import numcodecs  # noqa: E402
import brickwork  # noqa: E402
import brickwork.codecs as bw  # noqa: E402

# (label, numcodecs config) — each config is built by both libraries through their own get_codec.
CONFIGS = [
    ("zlib level=1", {"id": "zlib", "level": 1}),
    ("zlib level=5", {"id": "zlib", "level": 5}),
    ("zlib level=9", {"id": "zlib", "level": 9}),
    ("gzip level=1", {"id": "gzip", "level": 1}),
    ("gzip level=5", {"id": "gzip", "level": 5}),
    ("bz2 level=1", {"id": "bz2", "level": 1}),
    ("bz2 level=9", {"id": "bz2", "level": 9}),
    ("lzma preset=1", {"id": "lzma", "preset": 1}),
    ("lzma preset=6", {"id": "lzma"}),
    ("zstd level=-5", {"id": "zstd", "level": -5}),
    ("zstd level=1", {"id": "zstd", "level": 1}),
    ("zstd level=3", {"id": "zstd", "level": 3}),
    ("zstd level=9", {"id": "zstd", "level": 9}),
    ("zstd level=3 checksum", {"id": "zstd", "level": 3, "checksum": True}),
    ("lz4 acceleration=1", {"id": "lz4", "acceleration": 1}),
    ("lz4 acceleration=10", {"id": "lz4", "acceleration": 10}),
]


def measure(config, data, min_total, repeats):
    nc = numcodecs.get_codec(dict(config))
    ours = bw.get_codec(dict(config))
    enc_nc = nc.encode(data)
    enc_bw = ours.encode(data)
    # Each side must decode the other's output: a benchmark of incompatible codecs would be meaningless.
    assert bytes(ours.decode(enc_nc)) == data.tobytes(), config
    assert bytes(nc.decode(enc_bw)) == data.tobytes(), config
    return compare(nc, ours, data, enc_nc, enc_bw, min_total, repeats)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 MiB inputs, shorter timing")
    ap.add_argument("--only", help="comma-separated codec ids to run")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "codecs.md"))
    args = ap.parse_args()

    size = (1 if args.quick else 4) * corpus.MiB
    min_total, repeats = (0.15, 3) if args.quick else (0.6, 5)
    data = corpus.corpus(size)
    only = set(args.only.split(",")) if args.only else None
    configs = [(label, c) for label, c in CONFIGS if only is None or c["id"] in only]

    rows = []
    for label, config in configs:
        for dname, arr in data.items():
            r = measure(config, arr, min_total, repeats)
            r.update(codec=label, data=dname)
            rows.append(r)
            print(
                f"{label:24s} {dname:14s} enc {r['enc_bw']:8.1f} vs {r['enc_nc']:8.1f} MB/s "
                f"({r['enc_bw'] / r['enc_nc']:4.2f}x)  dec {r['dec_bw']:8.1f} vs {r['dec_nc']:8.1f} MB/s "
                f"({r['dec_bw'] / r['dec_nc']:4.2f}x)  ratio {r['ratio_bw']:7.2f} vs {r['ratio_nc']:7.2f}",
                flush=True,
            )

    lines = [
        "# brickwork vs numcodecs: byte compressors",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/codecs.py'] + sys.argv[1:])}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numcodecs {numcodecs.__version__}, brickwork {brickwork.__version__}, NumPy {np.__version__}.  ",
        f"Inputs: {', '.join(data)} ({size // corpus.MiB} MiB each; bench/corpus.py). MB/s of uncompressed data, "
        "best of several rounds timing the two libraries in alternation; × = brickwork / numcodecs.",
        "",
        "## Summary (geometric mean over the four inputs)",
        "",
        "| codec | encode × | decode × | ratio brickwork | ratio numcodecs |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, _ in configs:
        rs = [r for r in rows if r["codec"] == label]
        lines.append(
            f"| {label} | {geomean([r['enc_bw'] / r['enc_nc'] for r in rs]):.2f} "
            f"| {geomean([r['dec_bw'] / r['dec_nc'] for r in rs]):.2f} "
            f"| {geomean([r['ratio_bw'] for r in rs]):.3f} | {geomean([r['ratio_nc'] for r in rs]):.3f} |"
        )
    lines += [
        "",
        "## Every measurement",
        "",
        "| codec | input | encode MB/s brickwork | numcodecs | × | decode MB/s brickwork | numcodecs | × "
        "| ratio brickwork | numcodecs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['codec']} | {r['data']} | {r['enc_bw']:.1f} | {r['enc_nc']:.1f} | {r['enc_bw'] / r['enc_nc']:.2f} "
            f"| {r['dec_bw']:.1f} | {r['dec_nc']:.1f} | {r['dec_bw'] / r['dec_nc']:.2f} "
            f"| {r['ratio_bw']:.3f} | {r['ratio_nc']:.3f} |"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
