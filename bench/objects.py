"""brickwork vs numcodecs, one process, one run: the text and object codecs (json2, msgpack2, vlen-utf8,
vlen-bytes, vlen-array, base64) on object arrays as numcodecs users have them.

    .venv/bin/python bench/objects.py                 # full table -> bench/results/objects.md
    .venv/bin/python bench/objects.py --quick         # smaller inputs, shorter timing

Both libraries build the codec from the same config through their own get_codec. Before timing, the
encoded bytes must be identical (all of these codecs are deterministic, and brickwork reproduces Python's
JSON and msgpack formatting) and each side must decode the other's output to equal objects. Throughput is
items per second (and MB/s of encoded output, which is what is stored); "×" is brickwork's throughput
divided by numcodecs'.
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
from timing import best_times, geomean  # noqa: E402

import numcodecs  # noqa: E402
import brickwork  # noqa: E402
import brickwork.codecs as bw  # noqa: E402

WORDS = ["neuron", "synapse", "axon", "dendrite", "soma", "glia", "ß", "µm", "细胞", "🧠", ""]


def objects(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic object arrays of `n` items: short strings, byte strings, int32 arrays."""
    rng = np.random.default_rng(seed)
    strings = np.empty(n, dtype=object)
    picks = rng.integers(0, len(WORDS), (n, 3))
    for i in range(n):
        strings[i] = "_".join(WORDS[j] for j in picks[i]) + str(i)
    blobs = np.empty(n, dtype=object)
    lengths = rng.integers(0, 64, n)
    raw = rng.integers(0, 256, int(lengths.sum()), dtype=np.uint8).tobytes()
    at = 0
    for i, k in enumerate(lengths):
        blobs[i] = raw[at : at + k]
        at += k
    arrays = np.empty(n // 4, dtype=object)
    for i in range(arrays.size):
        arrays[i] = rng.integers(-1000, 1000, int(rng.integers(0, 32)), dtype=np.int32)
    return {"strings": strings, "bytes": blobs, "int32 arrays": arrays}


# (label, config, input name)
CASES = [
    ("vlen-utf8", {"id": "vlen-utf8"}, "strings"),
    ("vlen-bytes", {"id": "vlen-bytes"}, "bytes"),
    ("vlen-array <i4", {"id": "vlen-array", "dtype": "<i4"}, "int32 arrays"),
    ("json2 strings", {"id": "json2"}, "strings"),
    ("msgpack2 strings", {"id": "msgpack2"}, "strings"),
    ("msgpack2 bytes", {"id": "msgpack2"}, "bytes"),
]


def same_objects(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    for x, y in zip(a.ravel(), b.ravel()):
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def measure(config, data, min_total, repeats):
    nc = numcodecs.get_codec(dict(config))
    ours = bw.get_codec(dict(config))
    enc_nc = bytes(nc.encode(data))
    enc_bw = bytes(ours.encode(data))
    assert enc_bw == enc_nc, f"{config}: encoded bytes differ"
    assert same_objects(np.asarray(ours.decode(enc_nc)).ravel(), data.ravel()), config
    assert same_objects(np.asarray(nc.decode(enc_bw)).ravel(), data.ravel()), config
    row = {"items": data.size, "encoded": len(enc_nc)}
    # the two libraries timed in alternation, so a burst of load on this VM hits both
    row["enc_nc"], row["enc_bw"] = best_times([lambda: nc.encode(data), lambda: ours.encode(data)],
                                              min_total, repeats)
    row["dec_nc"], row["dec_bw"] = best_times([lambda: nc.decode(enc_nc), lambda: ours.decode(enc_nc)],
                                              min_total, repeats)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="20k items, shorter timing")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "objects.md"))
    args = ap.parse_args()

    n = 20_000 if args.quick else 200_000
    min_total, repeats = (0.15, 3) if args.quick else (0.6, 5)
    data = objects(n)
    rows = []
    for label, config, dname in CASES:
        r = measure(config, data[dname], min_total, repeats)
        r.update(codec=label, data=dname)
        rows.append(r)
        print(
            f"{label:18s} {r['items']:7d} items  enc {r['enc_bw'] * 1e3:8.2f} vs {r['enc_nc'] * 1e3:8.2f} ms "
            f"({r['enc_nc'] / r['enc_bw']:5.2f}x)  dec {r['dec_bw'] * 1e3:8.2f} vs {r['dec_nc'] * 1e3:8.2f} ms "
            f"({r['dec_nc'] / r['dec_bw']:5.2f}x)",
            flush=True,
        )

    lines = [
        "# brickwork vs numcodecs: text and object codecs",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/objects.py'] + sys.argv[1:])}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numcodecs {numcodecs.__version__}, brickwork {brickwork.__version__}, NumPy {np.__version__}.  ",
        "Inputs (bench/objects.py `objects`): short UTF-8 strings (some non-ASCII), byte strings of 0–63 bytes, "
        "int32 arrays of 0–31 items. Encoded bytes were checked identical before timing; best of several "
        "rounds timing the two libraries in alternation; "
        "× = numcodecs' time / brickwork's.",
        "",
        "| codec | input | items | encoded bytes | encode ms brickwork | numcodecs | × | decode ms brickwork "
        "| numcodecs | × |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['codec']} | {r['data']} | {r['items']} | {r['encoded']} | {r['enc_bw'] * 1e3:.2f} "
            f"| {r['enc_nc'] * 1e3:.2f} | {r['enc_nc'] / r['enc_bw']:.2f} | {r['dec_bw'] * 1e3:.2f} "
            f"| {r['dec_nc'] * 1e3:.2f} | {r['dec_nc'] / r['dec_bw']:.2f} |"
        )
    enc = geomean([r["enc_nc"] / r["enc_bw"] for r in rows])
    dec = geomean([r["dec_nc"] / r["dec_bw"] for r in rows])
    lines += ["", f"Geometric mean ×: encode {enc:.2f}, decode {dec:.2f}."]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
