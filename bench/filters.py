"""brickwork vs numcodecs, one process, one run: filter and checksum throughput (encode and decode).

    .venv/bin/python bench/filters.py                 # full table -> bench/results/filters.md
    .venv/bin/python bench/filters.py --quick         # 1 MiB inputs, shorter timing
    .venv/bin/python bench/filters.py --only delta,shuffle

Both libraries build the codec from the same numcodecs config through their own get_codec and run the same
call on the same array (encode(arr), decode(encoded)). Before timing, each side's encoded bytes must equal
the other's (these codecs are deterministic) and each side must decode the other's output identically.
MB/s is of the unencoded input (best of several timed repeats, the two libraries interleaved); "×" is
brickwork's throughput divided by numcodecs'.
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

LABELS = ["ƒöõ", "ßàř", "ßāẑ", "ƪùüx"]


def inputs(nbytes: int) -> dict[str, np.ndarray]:
    """Deterministic inputs by dtype, `nbytes` each (smooth floats, small-step integers, sparse bools)."""
    rng = np.random.default_rng(0)
    f8 = 1000.0 + np.sin(np.arange(nbytes // 8) * 1e-3) + 0.01 * rng.random(nbytes // 8)
    f4 = corpus.float_field(nbytes).ravel()
    i4 = np.cumsum(rng.integers(-3, 4, nbytes // 4), dtype=np.int32)
    b1 = rng.random(nbytes) < 0.3
    u4 = np.array(LABELS + ["zz"])[rng.integers(0, 5, nbytes // 16)].astype("<U4")
    raw = corpus.text(nbytes)
    return {"<f8": f8, "<f4": f4, "<i4": i4, "|b1": b1, "<U4": u4, "|u1": raw}


# (label, numcodecs config, input dtype)
CASES = [
    ("shuffle elementsize=4", {"id": "shuffle", "elementsize": 4}, "<f4"),
    ("shuffle elementsize=8", {"id": "shuffle", "elementsize": 8}, "<f8"),
    ("delta <i4", {"id": "delta", "dtype": "<i4"}, "<i4"),
    ("delta <i4 astype <i2", {"id": "delta", "dtype": "<i4", "astype": "<i2"}, "<i4"),
    ("delta <f8", {"id": "delta", "dtype": "<f8"}, "<f8"),
    ("fixedscaleoffset <f8→|u1",
     {"id": "fixedscaleoffset", "scale": 10, "offset": 1000, "dtype": "<f8", "astype": "|u1"}, "<f8"),
    ("fixedscaleoffset <f8→<i4",
     {"id": "fixedscaleoffset", "scale": 1000, "offset": 1000, "dtype": "<f8", "astype": "<i4"}, "<f8"),
    ("quantize digits=3 <f8", {"id": "quantize", "digits": 3, "dtype": "<f8"}, "<f8"),
    ("quantize digits=3 <f8→<f4", {"id": "quantize", "digits": 3, "dtype": "<f8", "astype": "<f4"}, "<f8"),
    ("bitround keepbits=10 <f4", {"id": "bitround", "keepbits": 10}, "<f4"),
    ("bitround keepbits=20 <f8", {"id": "bitround", "keepbits": 20}, "<f8"),
    ("packbits", {"id": "packbits"}, "|b1"),
    ("astype <f8↔<f4", {"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"}, "<f8"),
    ("astype <i4↔<i2", {"id": "astype", "encode_dtype": "<i2", "decode_dtype": "<i4"}, "<i4"),
    ("categorize <U4→|u1", {"id": "categorize", "labels": LABELS, "dtype": "<U4", "astype": "|u1"}, "<U4"),
    ("crc32", {"id": "crc32"}, "|u1"),
    ("adler32", {"id": "adler32"}, "|u1"),
    ("crc32c", {"id": "crc32c"}, "|u1"),
    ("fletcher32", {"id": "fletcher32"}, "|u1"),
    ("jenkins_lookup3", {"id": "jenkins_lookup3"}, "|u1"),
]


def as_bytes(x) -> bytes:
    return np.ascontiguousarray(x).tobytes() if isinstance(x, np.ndarray) else bytes(x)


def measure(config, data, min_total, repeats):
    nc = numcodecs.get_codec(dict(config))
    ours = bw.get_codec(dict(config))
    enc_nc = nc.encode(data)
    enc_bw = ours.encode(data)
    assert as_bytes(enc_bw) == as_bytes(enc_nc), f"{config}: encoded bytes differ"
    dec_nc, dec_bw = nc.decode(enc_nc), ours.decode(enc_bw)
    assert as_bytes(ours.decode(enc_nc)) == as_bytes(dec_nc), f"{config}: decoded bytes differ"
    assert as_bytes(dec_bw) == as_bytes(dec_nc), f"{config}: decoded bytes differ"
    return {"cls": type(ours).__name__, **compare(nc, ours, data, enc_nc, enc_bw, min_total, repeats)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 MiB inputs, shorter timing")
    ap.add_argument("--only", help="comma-separated codec ids to run")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "filters.md"))
    args = ap.parse_args()

    size = (1 if args.quick else 8) * corpus.MiB
    min_total, repeats = (0.15, 3) if args.quick else (0.6, 5)
    data = inputs(size)
    only = set(args.only.split(",")) if args.only else None
    cases = [c for c in CASES if only is None or c[1]["id"] in only]

    rows = []
    for label, config, dtype in cases:
        r = measure(config, data[dtype], min_total, repeats)
        r.update(codec=label)
        rows.append(r)
        print(
            f"{label:28s} enc {r['enc_bw']:8.1f} vs {r['enc_nc']:8.1f} MB/s ({r['enc_bw'] / r['enc_nc']:5.2f}x)  "
            f"dec {r['dec_bw']:8.1f} vs {r['dec_nc']:8.1f} MB/s ({r['dec_bw'] / r['dec_nc']:5.2f}x)  [{r['cls']}]",
            flush=True,
        )

    lines = [
        "# brickwork vs numcodecs: filters and checksums",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/filters.py'] + sys.argv[1:])}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared, noisy), Python {platform.python_version()}, "
        f"numcodecs {numcodecs.__version__}, brickwork {brickwork.__version__}, NumPy {np.__version__}.  ",
        f"Inputs: {size // corpus.MiB} MiB each (bench/filters.py `inputs`). MB/s of the unencoded input, best of "
        "several repeats, both libraries in one process; × = brickwork / numcodecs. Encoded and decoded bytes "
        "were checked equal before timing.",
        "",
        "| codec | encode MB/s brickwork | numcodecs | × | decode MB/s brickwork | numcodecs | × |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['codec']} | {r['enc_bw']:.0f} | {r['enc_nc']:.0f} | {r['enc_bw'] / r['enc_nc']:.2f} "
            f"| {r['dec_bw']:.0f} | {r['dec_nc']:.0f} | {r['dec_bw'] / r['dec_nc']:.2f} |"
        )
    lines += [
        "",
        f"Geometric mean ×: encode {geomean([r['enc_bw'] / r['enc_nc'] for r in rows]):.2f}, "
        f"decode {geomean([r['dec_bw'] / r['dec_nc'] for r in rows]):.2f}.",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
