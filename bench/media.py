"""brickwork.media vs imageio (Pillow / tifffile / imageio-ffmpeg backends), one process, one run.

    .venv/bin/python bench/media.py            # table -> bench/results/media.md

Two deterministic images: a photograph-like 1024×768 RGB uint8 (smooth gradients, edges and fine noise) and
a microscopy-like 1024×1024 uint16 (sparse Gaussian blobs on a noisy background), plus a 30-frame 256×256
RGB clip for MP4. Each format is written by both libraries through the same call shape (imageio.v3.imwrite /
imread with the extension; brickwork's serializer with a Media of that extension), each side reads the
other's output to check compatibility, and the times are the best of --repeats runs (more for fast rows,
until 0.25 s was spent). "×" is brickwork's
throughput over imageio's; sizes are bytes written by each.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

# NumPy's OpenBLAS keeps worker threads spinning after a BLAS call, which on a 2-core machine takes
# CPU from whichever library is being timed; nothing here uses BLAS. Set before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import imageio
import imageio.v3 as iio
import numpy as np

from brickwork.media import Media, media_serializer


def photo() -> np.ndarray:
    h, w = 768, 1024
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rng = np.random.default_rng(0)
    r = 128 + 100 * np.sin(x / 90) * np.cos(y / 70)
    g = 128 + 90 * np.sin((x + y) / 130)
    b = np.where((x - 500) ** 2 + (y - 380) ** 2 < 150 ** 2, 220.0, 60.0)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 6, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def microscopy() -> np.ndarray:
    n = 1024
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    img = rng.normal(300, 20, (n, n))
    for cy, cx in rng.integers(0, n, (60, 2)):
        img += 20000 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 6.0 ** 2))
    return np.clip(img, 0, 65535).astype(np.uint16)


def clip() -> list[np.ndarray]:
    base = photo()[:256, :256]
    return [np.roll(base, 4 * i, axis=1) for i in range(30)]


def best(fn, repeats, min_total=0.25, max_runs=300):
    """Best time of at least `repeats` runs, and of more (up to `max_runs`) until `min_total` seconds
    have been spent: sub-millisecond rows (TIFF) need many runs for a stable minimum."""
    t = []
    while len(t) < repeats or (sum(t) < min_total and len(t) < max_runs):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def psnr(a, b):
    err = np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)
    return float("inf") if err == 0 else 10 * np.log10(255.0 ** 2 / err)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "media.md"))
    args = ap.parse_args()
    cases = [
        ("photo RGB u8", photo(), ".png", True),
        ("photo RGB u8", photo(), ".jpg", False),
        ("photo RGB u8", photo(), ".webp", False),
        ("photo RGB u8", photo(), ".gif", False),
        ("photo RGB u8", photo(), ".tif", True),
        ("microscopy u16", microscopy(), ".png", True),
        ("microscopy u16", microscopy(), ".tif", True),
        ("photo RGB u8", photo(), ".jp2", True),
        ("microscopy u16", microscopy(), ".jp2", True),
        ("clip 30×256×256 RGB", clip(), ".mp4", False),
    ]
    rows = [
        "| data | format | imageio write ms | brickwork write ms | × write | imageio read ms | brickwork read ms "
        "| × read | imageio bytes | brickwork bytes | cross-read |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, data, ext, lossless in cases:
        ours = media_serializer.serialize_data(Media(data=data, extension=ext))["data"]
        theirs = iio.imwrite("<bytes>", data, extension=ext)
        a = iio.imread(io.BytesIO(ours), extension=ext)          # imageio reads brickwork's bytes
        b = media_serializer.deserialize_data(                     # brickwork reads imageio's bytes
            {"data": theirs, "content_type": "", "content_encoding": None,
             "config": {"plugin": None, "extension": ext}}).data
        ref = np.stack(data) if isinstance(data, list) else data
        if ext == ".gif":
            ref = ref[None]
        check = "exact" if lossless and np.array_equal(a, ref) and np.array_equal(b, ref) else \
            f"PSNR {psnr(np.squeeze(a), np.squeeze(ref)):.1f} / {psnr(np.squeeze(b), np.squeeze(ref)):.1f} dB"
        tw_i = best(lambda: iio.imwrite("<bytes>", data, extension=ext), args.repeats)
        tw_b = best(lambda: media_serializer.serialize_data(Media(data=data, extension=ext)), args.repeats)
        tr_i = best(lambda: iio.imread(io.BytesIO(theirs), extension=ext), args.repeats)
        content = {"data": ours, "content_type": "", "content_encoding": None,
                   "config": {"plugin": None, "extension": ext}}
        tr_b = best(lambda: media_serializer.deserialize_data(content), args.repeats)
        rows.append(f"| {label} | {ext} | {tw_i * 1e3:.1f} | {tw_b * 1e3:.1f} | {tw_i / tw_b:.2f} | {tr_i * 1e3:.1f} "
                    f"| {tr_b * 1e3:.1f} | {tr_i / tr_b:.2f} | {len(theirs)} | {len(ours)} | {check} |")
        print(rows[-1], flush=True)
    # Reading TIFFs as microscopes and tifffile write them (brickwork writes uncompressed TIFFs only):
    # each compression once, in strips of 64 rows (tifffile's choice for these sizes is one strip per page,
    # which leaves nothing to decode in parallel), read by imageio (tifffile + imagecodecs) and brickwork.
    import tifffile
    rows.append("")
    rows.append("| data | compression (written by tifffile) | imageio read ms | brickwork read ms | × read | bytes "
                "| same array |")
    rows.append("|---|---|---:|---:|---:|---:|---|")
    for label, data in (("microscopy u16", microscopy()), ("photo RGB u8", photo())):
        for compression, kw in (("lzw", {}), ("lzw", {"predictor": True}), ("zlib", {}), ("zstd", {}),
                                ("packbits", {}), ("lzma", {}), ("png", {}), ("jpeg2000", {}), ("lerc", {}),
                                ("jpeg", {})):
            if compression == "jpeg" and data.dtype != np.uint8:
                continue  # tifffile's 12-bit JPEG cannot hold 16-bit samples
            f = io.BytesIO()
            tifffile.imwrite(f, data, compression=compression, rowsperstrip=64, **kw)
            raw = f.getvalue()
            content = {"data": raw, "content_type": "", "content_encoding": None,
                       "config": {"plugin": None, "extension": ".tif"}}
            same = np.array_equal(media_serializer.deserialize_data(content).data, iio.imread(raw, extension=".tif"))
            tr_i = best(lambda: iio.imread(io.BytesIO(raw), extension=".tif"), args.repeats)
            tr_b = best(lambda: media_serializer.deserialize_data(content), args.repeats)
            name = compression + (" + predictor" if kw else "")
            rows.append(f"| {label} | {name} | {tr_i * 1e3:.2f} | {tr_b * 1e3:.2f} | {tr_i / tr_b:.2f} | {len(raw)} "
                        f"| {'yes' if same else 'NO'} |")
            print(rows[-1], flush=True)
    head = ["# brickwork.media vs imageio", "",
            f"`.venv/bin/python bench/media.py` on {platform.machine()}, Python {platform.python_version()}, "
            f"imageio {imageio.__version__}; best of {args.repeats} runs or more (fast rows: until 0.25 s). "
            "Cross-read: each side decoding the other's file (exact, or PSNR of imageio-reads-brickwork / "
            "brickwork-reads-imageio against the source).", ""]
    Path(args.out).write_text("\n".join(head + rows) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
