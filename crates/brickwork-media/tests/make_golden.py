#!/usr/bin/env python3
"""Writes the golden media files of brickwork-media's tests with the REAL imageio, and their manifest.

Pinned environment (see python/requirements-test.txt): imageio==2.38.1, pillow==13.0.0,
tifffile==2026.11.8, imagecodecs==2026.11.11, numpy 2.x, CPython 3.12+.

    /work/main/.venv/bin/python crates/brickwork-media/tests/make_golden.py

For every case the file is written by `imageio.v3.imwrite(BytesIO, data, extension=... | plugin=...)` (or by
Pillow/numpy directly where imageio cannot produce the variant), then decoded by `imageio.v3.imread(bytes,
extension=... | plugin=..., index=None)`. `manifest.json` records, per file:

* `imageio`: the shape, dtype and sha256 of the pixels exactly as imageio decodes them;
* `rust`: what brickwork must decode: the same as `imageio` unless a documented, deliberate difference
  applies (then `note` says which); for lossy formats a `reference` .npy (imageio's decode) and a
  `psnr_min` replace the hash, since two JPEG/WebP decoders need not agree to the bit.

Hashes are sha256 over the C-order, little-endian bytes (bool as 0/1 bytes).
"""

import hashlib
import io
import json
import os
import sys
import warnings

import imageio
import imageio.v3 as iio
import numpy as np
import PIL
from PIL import Image
import tifffile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
warnings.simplefilter("ignore")


def pattern(h, w, c=None, seed=1, levels=None, dtype=np.uint8):
    """A smooth gradient plus a small deterministic LCG texture."""
    y, x = np.mgrid[0:h, 0:w]
    chans = c or 1
    planes = []
    state = np.uint64(seed * 2654435761 % 2**32)
    for k in range(chans):
        base = (x * 255 // max(w - 1, 1) + y * 3 + k * 60) % 256
        n = h * w
        lcg = np.empty(n, np.uint64)
        for i in range(n):
            state = (state * np.uint64(1103515245) + np.uint64(12345)) % np.uint64(2**31)
            lcg[i] = state
        noise = (lcg >> np.uint64(16)).astype(np.int64).reshape(h, w) % 9 - 4
        planes.append(np.clip(base + noise, 0, 255))
    img = np.stack(planes, axis=-1) if c else planes[0]
    if levels:
        img = (img // (256 // levels)) * (256 // levels)
    img = img.astype(np.float64)
    if np.dtype(dtype) == np.bool_:
        return img > 127
    dt = np.dtype(dtype)
    if dt.kind == "u":
        return np.round(img * (np.iinfo(dt).max / 255.0)).astype(dt)
    if dt.kind == "i":
        info = np.iinfo(dt)
        return np.round(img / 255.0 * (float(info.max) - float(info.min)) + float(info.min)).astype(dt)
    return (img / 255.0 - 0.25).astype(dt)


def digest(a):
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    return hashlib.sha256(a.tobytes()).hexdigest()


def describe(a):
    return {"shape": list(a.shape), "dtype": np.dtype(a.dtype).newbyteorder("<").str if a.dtype.itemsize > 1 else a.dtype.str,
            "sha256": digest(a)}


manifest = []


def save(name, data, *, ext=None, plugin=None, raw=None, read_ext=None, read_plugin=None, rust=None, lossy_psnr=None,
         note=None, imread_kwargs=None):
    """Writes `name` (imwrite unless `raw` bytes are given) and records its decode."""
    if raw is None:
        kw = {"extension": ext} if ext else {"plugin": plugin}
        raw = iio.imwrite("<bytes>", data, **kw)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(raw)
    rkw = {}
    if read_plugin or (plugin and not read_ext):
        rkw["plugin"] = read_plugin or plugin
    else:
        rkw["extension"] = read_ext or ext
    got = iio.imread(raw, **rkw, **(imread_kwargs or {}))
    entry = {"file": name, **rkw, "size": len(raw), "imageio": describe(got)}
    if lossy_psnr is not None:
        ref = name + ".ref.npy"
        np.save(os.path.join(OUT, ref), got)
        entry["rust"] = {"shape": list(got.shape), "dtype": describe(got)["dtype"], "reference": ref,
                         "psnr_min": lossy_psnr}
    else:
        entry["rust"] = describe(rust(got) if rust else got)
    if note:
        entry["note"] = note
    manifest.append(entry)
    return got


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    rgb = pattern(48, 64, 3, seed=1)
    rgba = pattern(48, 64, 4, seed=2)
    gray = pattern(48, 64, seed=3)
    odd = pattern(17, 33, 3, seed=4)
    gray16 = pattern(48, 64, seed=5, dtype=np.uint16)

    # PNG
    save("rgb8.png", rgb, ext=".png")
    save("rgba8.png", rgba, ext=".png")
    save("gray8.png", gray, ext=".png")
    save("gray16.png", gray16, ext=".png")
    save("odd_rgb8.png", odd, ext=".png")
    save("bool.png", gray > 127, ext=".png")
    save("la8.png", pattern(17, 33, 2, seed=6), ext=".png")
    save("rgb8_pngpil.png", odd, plugin="PNG-PIL")
    pal = Image.fromarray(pattern(17, 33, 3, seed=7, levels=4)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    b = io.BytesIO()
    pal.save(b, format="PNG", transparency=0)
    save("palette_trns.png", None, ext=".png", raw=b.getvalue(),
         note="Pillow palette PNG with tRNS: imageio converts P to its palette mode (RGB), dropping alpha")
    frames = [pattern(17, 33, 3, seed=10 + k) for k in range(4)]
    save("anim4.png", frames, ext=".png")
    save("anim4.apng", frames, ext=".apng")
    save("anim4_gray16.png", [pattern(17, 33, seed=20 + k, dtype=np.uint16) for k in range(3)], ext=".png")

    # JPEG
    save("rgb8.jpg", rgb, ext=".jpg", lossy_psnr=38.0)
    save("gray8.jpeg", gray, ext=".jpeg", lossy_psnr=38.0)

    # GIF
    few = pattern(48, 64, 3, seed=8, levels=4)
    save("few.gif", few, ext=".gif")
    save("anim8.gif", [pattern(17, 33, 3, seed=30 + k, levels=4) for k in range(8)], ext=".gif")
    ramp = (np.arange(48 * 64).reshape(48, 64) % 256).astype(np.uint8)
    save("gray_ramp.gif", ramp, ext=".gif", note="identity gray palette: Pillow opens mode L, (N, H, W)")
    save("gray_list3.gif", [ramp, 255 - ramp, ramp // 2], ext=".gif")
    save("bool.gif", gray > 127, ext=".gif", note="Pillow writes bool as mode L 0/255 and reads uint8")
    save("few_gifpil.gif", None, raw=iio.imwrite("<bytes>", few, extension=".gif"), read_plugin="GIF-PIL",
         note="same kind of file read with plugin GIF-PIL: RGBA frames")

    # TIFF (tifffile)
    for dt in ["uint8", "uint16", "int16", "uint32", "int32", "float32", "float64", "int8", "uint64", "int64"]:
        a = pattern(17, 33, seed=9, dtype=np.dtype(dt))
        save(f"gray_{dt}.tif", a, ext=".tif")
    save("rgb8.tif", odd, ext=".tif")
    save("rgb16.tiff", pattern(17, 33, 3, seed=11, dtype=np.uint16), ext=".tiff")
    save("rgba8.tif", pattern(17, 33, 4, seed=12), ext=".tif")
    save("bool.tif", pattern(17, 33, seed=13) > 127, ext=".tif")
    save("pages10_gray16.tif", [pattern(17, 33, seed=40 + k, dtype=np.uint16) for k in range(10)], ext=".tif")
    save("pages4_rgb8.tif", [pattern(17, 33, 3, seed=50 + k) for k in range(4)], ext=".tif")
    save("stack5.tif", np.stack([pattern(17, 33, seed=60 + k) for k in range(5)]), ext=".tif")
    save("list1.tif", [odd], ext=".tif")
    save("pages3_legacy.tif", None, raw=iio.imwrite("<bytes>", [pattern(17, 33, 3, seed=70 + k) for k in range(3)],
                                                     extension=".tif"), read_plugin="TIFF",
         note="legacy TIFF plugin: first page only")

    # TIFF as microscopes write it (tifffile + imagecodecs): compressions, predictors, tiles, planar RGB
    def tifffile_bytes(a, **kw):
        b = io.BytesIO()
        tifffile.imwrite(b, a, **kw)
        return b.getvalue()

    planar = np.ascontiguousarray(np.moveaxis(odd, -1, 0))
    save("gray16_lzw_predictor.tif", None, ext=".tif", raw=tifffile_bytes(gray16, compression="lzw", predictor=True))
    save("gray_f32_zlib_predictor.tif", None, ext=".tif",
         raw=tifffile_bytes(pattern(17, 33, seed=26, dtype=np.float32), compression="zlib", predictor=True))
    save("rgb8_zstd_tiles.tif", None, ext=".tif", raw=tifffile_bytes(rgb, compression="zstd", tile=(32, 32)))
    save("planar_rgb8_deflate.tif", None, ext=".tif",
         raw=tifffile_bytes(planar, compression="adobe_deflate", planarconfig="separate", photometric="rgb"),
         note="planar RGB: tifffile returns (3, H, W)")
    save("stack3_packbits.tif", None, ext=".tif",
         raw=tifffile_bytes(np.stack([pattern(17, 33, seed=27 + k) for k in range(3)]), compression="packbits"))
    save("rgb8_jpeg.tif", None, ext=".tif", raw=tifffile_bytes(rgb, compression="jpeg"),
         note="JPEG-in-TIFF (YCbCr, tables in JPEGTables): libjpeg-turbo on both sides, exactly tifffile's pixels")
    save("rgb8_webp.tif", None, ext=".tif", raw=tifffile_bytes(rgb, compression="webp"), lossy_psnr=40.0)
    save("gray_f64_lzma_predictor.tif", None, ext=".tif",
         raw=tifffile_bytes(pattern(17, 33, seed=28, dtype=np.float64), compression="lzma", predictor=True),
         note="LZMA with the floating-point predictor")
    save("gray16_png_tiles.tif", None, ext=".tif", raw=tifffile_bytes(gray16, compression="png", tile=(16, 16)))
    save("rgb8_jpeg2000.tif", None, ext=".tif", raw=tifffile_bytes(rgb, compression="jpeg2000"),
         note="JPEG 2000 codestream per strip (34712): raw samples as imagecodecs decodes them")
    save("bands6_u16_jpeg2000_tiles.tif", None, ext=".tif",
         raw=tifffile_bytes(np.stack([gray16 // (k + 1) for k in range(6)], axis=-1), compression="jpeg2000",
                            tile=(16, 16), photometric="minisblack"),
         note="six bands per pixel, JPEG 2000 tiles")
    save("gray_f32_lerc_zstd_tiles.tif", None, ext=".tif",
         raw=tifffile_bytes(pattern(40, 36, seed=29, dtype=np.float32), compression="lerc", tile=(16, 16),
                            compressionargs={"compression": "zstd"}),
         note="LERC blobs in Zstandard frames (GeoTIFF's LercParameters compression 2)")
    save("rgb8_lerc_lossy.tif", None, ext=".tif",
         raw=tifffile_bytes(rgb, compression="lerc", compressionargs={"level": 2.0}),
         note="lossy LERC (max error 2): decoded values are imagecodecs' exactly")
    hyper = np.stack([pattern(17, 33, seed=40 + k) for k in range(24)]).reshape(2, 3, 4, 17, 33)
    save("ome_tczyx.tif", None, ext=".tif", raw=tifffile_bytes(hyper, ome=True, metadata={"axes": "TCZYX"}),
         note="OME-TIFF: series 0 shaped by its Pixels element")
    save("imagej_tzcyx.tif", None, ext=".tif", raw=tifffile_bytes(hyper, imagej=True, metadata={"axes": "TZCYX"}),
         note="ImageJ hyperstack: frames, slices, channels")

    # BMP
    save("rgb8.bmp", rgb, ext=".bmp")
    save("gray8.bmp", gray, ext=".bmp")
    save("bool.bmp", gray > 127, ext=".bmp")

    # WebP
    save("rgb8_lossy.webp", rgb, ext=".webp", lossy_psnr=40.0)
    b = io.BytesIO()
    Image.fromarray(rgb).save(b, format="WEBP", lossless=True)
    save("rgb8_lossless.webp", None, ext=".webp", raw=b.getvalue())
    b = io.BytesIO()
    Image.fromarray(rgba).save(b, format="WEBP", lossless=True)
    save("rgba8_lossless.webp", None, ext=".webp", raw=b.getvalue())
    anim = [pattern(17, 33, 3, seed=80 + k) for k in range(6)]
    b = io.BytesIO()
    Image.fromarray(anim[0]).save(b, format="WEBP", save_all=True, append_images=[Image.fromarray(f) for f in anim[1:]],
                                  lossless=True, duration=100)
    save("anim6_lossless.webp", None, ext=".webp", raw=b.getvalue(),
         rust=lambda got: iio.imread(b.getvalue(), extension=".webp", index=...),
         note="imageio (index=None) returns frame 0 only; brickwork returns all frames (= imageio index=...)")

    # Netpbm
    save("rgb8.ppm", odd, ext=".ppm")
    save("gray8.pgm", pattern(17, 33, seed=14), ext=".pgm")
    save("gray16.pgm", pattern(17, 33, seed=15, dtype=np.uint16), ext=".pgm",
         rust=lambda got: got.astype("<u2"),
         note="Pillow reads 16-bit PGM as int32; brickwork keeps uint16 (same values)")
    save("bool.pbm", None, raw=iio.imwrite("<bytes>", pattern(17, 33, seed=16) > 127, extension=".pgm"),
         ext=".pbm")

    save("gray_f32.pgm", pattern(17, 33, seed=19, dtype=np.float32), ext=".pgm", note="Pillow writes float32 as PFM Pf")

    # TGA, ICO
    save("bool.tga", pattern(17, 33, seed=21) > 127, ext=".tga", note="Pillow writes bool as 1-bit TGA")
    save("rgb8.tga", odd, ext=".tga")
    save("rgba8.tga", pattern(17, 33, 4, seed=17), ext=".tga")
    save("rgb8.ico", rgb, ext=".ico", note="Pillow shrinks to its icon sizes; both read the largest entry")

    # JPEG 2000: imageio (lossless, Pillow's defaults), then Pillow's other encoder settings (lossy 9/7 wavelet,
    # tiles, progressions, precincts, code-block sizes, colour transform, image offset, signed samples,
    # bare codestreams), all decoded by imageio through the same OpenJPEG
    save("rgb8.jp2", rgb, ext=".jp2")
    save("gray16.jp2", gray16, ext=".jp2")
    save("la8.jp2", pattern(17, 33, 2, seed=22), ext=".jp2")
    save("rgba8.jpx", pattern(17, 33, 4, seed=23), ext=".jpx")

    def pillow_j2k(name, a, ext, **opts):
        b = io.BytesIO()
        Image.fromarray(a).save(b, format="JPEG2000", **opts)
        save(name, None, ext=ext, raw=b.getvalue(), note="written by Pillow: " + repr(opts))

    pillow_j2k("rgb8_lossy.jp2", rgb, ".jp2", irreversible=True, quality_mode="rates", quality_layers=[20])
    pillow_j2k("rgb8_tiles_rpcl.jp2", pattern(70, 90, 3, seed=24), ".jp2", tile_size=(32, 32), progression="RPCL",
               codeblock_size=(16, 16), precinct_size=(32, 32), num_resolutions=3, mct=1)
    pillow_j2k("gray8_layers.j2k", gray, ".j2k", no_jp2=True, irreversible=True, quality_layers=[40, 20, 10],
               progression="RLCP")
    pillow_j2k("gray16_db.j2c", gray16, ".j2c", no_jp2=True, quality_mode="dB", quality_layers=[45],
               irreversible=True)
    pillow_j2k("rgb8_offset.jp2", odd, ".jp2", offset=(5, 3), tile_offset=(2, 1), tile_size=(16, 16))
    pillow_j2k("gray8_signed.jpc", pattern(17, 33, seed=25), ".jpc", no_jp2=True, signed=True)

    # NPZ (imageio's legacy NPZ plugin: savez_compressed, arr_0) and NPY (numpy)
    save("rgb8.npz", rgb, ext=".npz")
    b = io.BytesIO()
    np.save(b, pattern(17, 33, seed=18, dtype=np.float32))
    npy = b.getvalue()
    with open(os.path.join(OUT, "gray_f32.npy"), "wb") as f:
        f.write(npy)
    a = np.load(io.BytesIO(npy))
    manifest.append({"file": "gray_f32.npy", "extension": ".npy", "size": len(npy), "imageio": None,
                     "rust": describe(a), "note": "imageio has no .npy plugin; written by numpy.save"})

    meta = {
        "generator": "crates/brickwork-media/tests/make_golden.py",
        "python": sys.version.split()[0],
        "imageio": imageio.__version__,
        "pillow": PIL.__version__,
        "tifffile": tifffile.__version__,
        "numpy": np.__version__,
        "files": manifest,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(manifest)} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
