"""brickwork vs numcodecs Blosc, one process, one run: encode/decode throughput and compression ratio,
on one thread and on two.

    .venv/bin/python bench/blosc.py                  # full table -> bench/results/blosc.md
    .venv/bin/python bench/blosc.py --quick          # smaller inputs, shorter timing

Both libraries get the same thread count through their own module-level setting
(`numcodecs.blosc.set_nthreads`, `brickwork.codecs.blosc.set_nthreads`). Throughput is MB/s of
uncompressed data, best of several timed repeats with the two libraries interleaved; "×" is brickwork's
throughput divided by numcodecs'. Before timing, each side decodes the other's output and the one-thread
outputs are compared byte for byte.
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
import numcodecs.blosc as nc_blosc  # noqa: E402
import brickwork  # noqa: E402
import brickwork.codecs.blosc as bw_blosc  # noqa: E402

SHUFFLES = {"byte-shuffle": 1, "bit-shuffle": 2}
CNAMES = ("lz4", "zstd", "blosclz")  # numcodecs' default clevel (5) for each


def measure(cname, shuffle, data, threads, min_total, repeats):
    config = {"id": "blosc", "cname": cname, "clevel": 5, "shuffle": shuffle, "blocksize": 0}
    nc_blosc.set_nthreads(threads)
    bw_blosc.set_nthreads(threads)
    nc = numcodecs.get_codec(dict(config))
    ours = brickwork.codecs.get_codec(dict(config))
    enc_nc = nc.encode(data)
    enc_bw = ours.encode(data)
    raw = data.tobytes()
    assert bytes(ours.decode(enc_nc)) == raw, config
    assert bytes(nc.decode(enc_bw)) == raw, config
    if threads == 1 and cname != "zstd":
        assert bytes(enc_bw) == bytes(enc_nc), f"{config}: one-thread output differs from numcodecs'"
    return compare(nc, ours, data, enc_nc, enc_bw, min_total, repeats)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 MiB inputs, shorter timing")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "blosc.md"))
    args = ap.parse_args()

    size = (2 if args.quick else 8) * corpus.MiB
    min_total, repeats = (0.15, 3) if args.quick else (0.6, 5)
    inputs = {
        "float32 field": corpus.float_field(size),
        "uint32 labels": corpus.labels(size, np.uint32),
        "uint64 labels": corpus.labels(size, np.uint64),
    }
    nc_before, bw_before = nc_blosc.get_nthreads(), bw_blosc.get_nthreads()
    rows = []
    try:
        for threads in (1, 2):
            for cname in CNAMES:
                for sname, shuffle in SHUFFLES.items():
                    for dname, arr in inputs.items():
                        r = measure(cname, shuffle, arr, threads, min_total, repeats)
                        r.update(threads=threads, cname=cname, shuffle=sname, data=dname)
                        rows.append(r)
                        print(
                            f"{threads} thr {cname:8s} {sname:12s} {dname:14s} "
                            f"enc {r['enc_bw']:8.0f} vs {r['enc_nc']:8.0f} MB/s ({r['enc_bw'] / r['enc_nc']:4.2f}x)  "
                            f"dec {r['dec_bw']:8.0f} vs {r['dec_nc']:8.0f} MB/s ({r['dec_bw'] / r['dec_nc']:4.2f}x)  "
                            f"ratio {r['ratio_bw']:6.2f} vs {r['ratio_nc']:6.2f}",
                            flush=True,
                        )
    finally:
        nc_blosc.set_nthreads(nc_before)
        bw_blosc.set_nthreads(bw_before)

    lines = [
        "# brickwork vs numcodecs: Blosc",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/blosc.py'] + sys.argv[1:])}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numcodecs {numcodecs.__version__} (c-blosc {nc_blosc.VERSION_STRING}), brickwork {brickwork.__version__}, "
        f"NumPy {np.__version__}.  ",
        f"Inputs: {', '.join(inputs)} ({size // corpus.MiB} MiB each; bench/corpus.py), clevel 5, blocksize 0 "
        "(automatic). MB/s of uncompressed data, best of several rounds timing the two libraries in alternation; × = brickwork / numcodecs.",
        "",
        "## Summary (geometric mean over the inputs)",
        "",
        "| threads | cname | shuffle | encode × | decode × | ratio brickwork | ratio numcodecs |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for threads in (1, 2):
        for cname in CNAMES:
            for sname in SHUFFLES:
                rs = [r for r in rows if (r["threads"], r["cname"], r["shuffle"]) == (threads, cname, sname)]
                lines.append(
                    f"| {threads} | {cname} | {sname} "
                    f"| {geomean([r['enc_bw'] / r['enc_nc'] for r in rs]):.2f} "
                    f"| {geomean([r['dec_bw'] / r['dec_nc'] for r in rs]):.2f} "
                    f"| {geomean([r['ratio_bw'] for r in rs]):.2f} | {geomean([r['ratio_nc'] for r in rs]):.2f} |"
                )
    lines += [
        "",
        "## Every measurement",
        "",
        "| threads | cname | shuffle | input | encode MB/s brickwork | numcodecs | × | decode MB/s brickwork "
        "| numcodecs | × | ratio brickwork | numcodecs |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['threads']} | {r['cname']} | {r['shuffle']} | {r['data']} | {r['enc_bw']:.0f} | {r['enc_nc']:.0f} "
            f"| {r['enc_bw'] / r['enc_nc']:.2f} | {r['dec_bw']:.0f} | {r['dec_nc']:.0f} "
            f"| {r['dec_bw'] / r['dec_nc']:.2f} | {r['ratio_bw']:.2f} | {r['ratio_nc']:.2f} |"
        )
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
