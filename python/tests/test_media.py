"""brickwork.media against the real thing: imageio 2.38.1 (with Pillow, tifffile, imageio-ffmpeg, pydicom),
astropy and labox 0.1.0's own ``MediaSerializer`` (versions pinned in requirements-test.txt).

Both directions for every case: brickwork writes -> imageio/pydicom/astropy read, and imageio/pydicom/astropy
write -> brickwork reads. Lossless formats must match exactly (pixels, dtype, shape); lossy video within the
error bounds of the media spec (section 7). Encoded bytes are compared across libraries for JPEG, which
brickwork writes with libjpeg-turbo and Pillow's settings, and for PNG image data (Pillow's filters and
deflate data).
"""
from __future__ import annotations

import io
import json
import mimetypes
import re
import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest

from brickwork import _native
from brickwork.errors import BrickworkError, DecodeError, InvalidInputError
from brickwork.media import Media, MediaSerializer, media_serializer

iio = pytest.importorskip("imageio.v3")
pytest.importorskip("imageio_ffmpeg")
pydicom = pytest.importorskip("pydicom")

VIDEO_EXTS = [".mp4", ".mov", ".mkv", ".avi"]


def pattern(n: int, h: int, w: int, seed: int = 1) -> np.ndarray:
    """Deterministic smooth RGB frames (gradients that move), plus a little LCG noise."""
    y, x = np.mgrid[0:h, 0:w]
    frames = []
    for k in range(n):
        r = (x * 4 + k * 3) % 256
        g = (y * 5 + k * 2) % 256
        b = ((x + y) * 2 + 40 + k) % 256
        frames.append(np.stack([r, g, b], axis=-1))
    out = np.asarray(frames, dtype=np.int64)
    state = seed
    noise = np.empty(out.size, dtype=np.int64)
    for i in range(out.size):
        state = (state * 1103515245 + 12345) % 2**31
        noise[i] = (state >> 16) % 3
    return np.clip(out + noise.reshape(out.shape), 0, 255).astype(np.uint8)


def mean_abs(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def iio_read(data: bytes, **kw) -> np.ndarray:
    return iio.imread(io.BytesIO(data), **kw)


def iio_write(arr, **kw) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iio.imwrite(buf, arr, **kw)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------
# Still images (spec section 7, #1-#16, #24-#27): brickwork's own formats against imageio + Pillow/tifffile


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def image_cases() -> dict:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    return {
        "rgb": rgb,
        "rgba": rng.integers(0, 256, (48, 64, 4), dtype=np.uint8),
        "gray": np.ascontiguousarray(rgb[..., 0]),
        "gray16": rng.integers(0, 65536, (48, 64), dtype=np.uint16),
        "bool": rgb[..., 0] > 128,
        "frames8": [rgb // (k + 1) for k in range(8)],
        "i16": rng.integers(-3000, 3000, (48, 64), dtype=np.int16),
        "u32": rng.integers(0, 2**32, (48, 64), dtype=np.uint32),
        "f32": rng.random((48, 64), dtype=np.float32),
        "f64": rng.random((48, 64)),
        "f16": rng.random((48, 64)).astype(np.float16),
        "rgb16": rng.integers(0, 65536, (48, 64, 3), dtype=np.uint16),
        "gray16-stack10": rng.integers(0, 65536, (10, 48, 64), dtype=np.uint16),
    }


# (extension, case): both directions exact, and brickwork reads imageio's bytes exactly as imageio does.
EXACT = [
    (".png", "rgb"), (".png", "rgba"), (".png", "gray"), (".png", "gray16"), (".png", "bool"), (".png", "frames8"),
    (".apng", "rgb"), (".apng", "frames8"),
    (".tif", "rgb"), (".tiff", "rgba"), (".tif", "gray"), (".tif", "gray16"), (".tif", "frames8"),
    (".tif", "i16"), (".tif", "u32"), (".tif", "f32"), (".tif", "f64"), (".tif", "f16"), (".tif", "rgb16"),
    (".tif", "gray16-stack10"),
    (".bmp", "rgb"), (".bmp", "gray"),
    (".ppm", "rgb"), (".pgm", "gray"),
    (".tga", "rgb"), (".tga", "rgba"), (".tga", "gray"),
    (".npz", "rgb"), (".npz", "f32"),
]


@pytest.mark.parametrize("ext,case", EXACT, ids=[f"{e}-{c}" for e, c in EXACT])
def test_image_exact_both_ways(ext, case):
    src = image_cases()[case]
    expected = np.asarray(src)
    ours = _native.imwrite(src, extension=ext)
    back = iio_read(ours, extension=ext)
    assert back.dtype == expected.dtype and back.shape == expected.shape
    np.testing.assert_array_equal(back, expected)
    theirs = iio_write(src, extension=ext)
    mine = _native.imread(theirs, extension=ext)
    ref = iio_read(theirs, extension=ext)
    assert mine.dtype == ref.dtype and mine.shape == ref.shape
    np.testing.assert_array_equal(mine, ref)


@pytest.mark.parametrize("ext", [".jpg", ".jpeg"])
@pytest.mark.parametrize("case", ["smooth-rgb", "smooth-gray"])
def test_image_jpeg_lossy_both_ways(ext, case):
    src = pattern(1, 48, 64)[0]
    if case == "smooth-gray":
        src = np.ascontiguousarray(src[..., 1])
    back = iio_read(_native.imwrite(src, extension=ext), extension=ext)
    assert back.shape == src.shape and back.dtype == np.uint8
    assert psnr(back, src) > 30
    theirs = iio_write(src, extension=ext)
    mine = _native.imread(theirs, extension=ext)
    ref = iio_read(theirs, extension=ext)
    assert mine.shape == ref.shape and mine.dtype == ref.dtype
    np.testing.assert_array_equal(mine, ref)  # libjpeg-turbo with Pillow's settings on both sides
    assert psnr(mine, src) > 30


JPEG_SIZES = [(1, 1), (1, 300), (300, 1), (9, 2), (17, 33), (48, 64), (97, 131), (768, 1024)]


@pytest.mark.parametrize("channels", [1, 3], ids=["gray", "rgb"])
@pytest.mark.parametrize("size", JPEG_SIZES, ids=[f"{h}x{w}" for h, w in JPEG_SIZES])
def test_jpeg_bytes_are_pillows(size, channels):
    """brickwork's JPEG is imageio's (Pillow's, quality 75, the only one imageio's call shape sets) byte for
    byte: noise and a smooth pattern, odd sizes (partial 16x16 MCUs), through both entry points."""
    h, w = size
    rng = np.random.default_rng(h * 1000 + w)
    smooth = pattern(1, h, w)[0]
    for src in (rng.integers(0, 256, (h, w, 3), dtype=np.uint8), smooth, smooth[::-1, ::-1]):
        if channels == 1:
            src = src[..., 1]
        theirs = iio_write(src, extension=".jpg")
        assert _native.imwrite(src, extension=".jpg") == theirs
        assert media_serializer.serialize_data(Media(data=src, extension=".jpeg"))["data"] == theirs


def test_webp_bytes_are_pillows():
    """Lossy WebP (quality 80, Pillow's settings through the same libwebp) is imageio's file byte for
    byte: gray, RGB, RGBA (alpha compressed), odd sizes and a 1x1 image."""
    rng = np.random.default_rng(7)
    smooth = pattern(1, 97, 131)[0]
    for src in (smooth, np.ascontiguousarray(smooth[..., 0]), rng.integers(0, 256, (64, 48, 4), dtype=np.uint8),
                rng.integers(0, 256, (1, 1, 3), dtype=np.uint8)):
        theirs = iio_write(src, extension=".webp")
        assert media_serializer.serialize_data(Media(data=src, extension=".webp"))["data"] == theirs


JPEG2000_EXTS = [".jp2", ".j2k", ".j2c", ".jpc", ".jpf", ".jpx"]


@pytest.mark.parametrize("ext", JPEG2000_EXTS)
def test_jpeg2000_bytes_are_pillows(ext):
    """JPEG 2000 (lossless, Pillow's settings through OpenJPEG) is imageio's file byte for byte, but for
    the OpenJPEG version in the comment OpenJPEG writes (brickwork's 2.5.3, Pillow's own); each side reads
    the other's file to the original pixels; gray, gray + alpha, RGB, RGBA, 16-bit gray, odd sizes, 1x1."""
    rng = np.random.default_rng(11)
    smooth = pattern(1, 97, 131)[0]
    cases = [smooth, np.ascontiguousarray(smooth[..., 0]), np.ascontiguousarray(smooth[..., :2]),
             rng.integers(0, 256, (64, 48, 4), dtype=np.uint8), rng.integers(0, 256, (1, 1, 3), dtype=np.uint8),
             (smooth[..., 0].astype(np.uint16) * 257 + rng.integers(0, 200, (97, 131))).astype(np.uint16)]
    if ext == ".jp2":  # large enough for brickwork's OpenJPEG to code on several threads (Pillow's uses one)
        cases.append(pattern(1, 400, 600, seed=5)[0])
    version = re.compile(rb"Created by OpenJPEG version [0-9.]+")
    for src in cases:
        theirs = iio_write(src, extension=ext)
        ours = media_serializer.serialize_data(Media(data=src, extension=ext))["data"]
        assert version.search(ours) and version.sub(b"", ours) == version.sub(b"", theirs), src.shape
        for data in (ours, theirs):
            back = iio_read(data, extension=ext)
            mine = _native.imread(data, extension=ext)
            assert back.dtype == src.dtype and back.shape == src.shape
            np.testing.assert_array_equal(back, src)
            assert mine.dtype == src.dtype and mine.shape == src.shape
            np.testing.assert_array_equal(mine, src)


@pytest.mark.parametrize(
    "opts",
    [
        {"irreversible": True, "quality_layers": [30]},
        {"irreversible": True, "quality_mode": "dB", "quality_layers": [38], "no_jp2": True},
        {"tile_size": (40, 40), "progression": "CPRL", "codeblock_size": (32, 16), "mct": 1},
        {"precinct_size": (64, 64), "num_resolutions": 4, "progression": "PCRL", "irreversible": True},
        {"offset": (7, 9), "tile_offset": (3, 4), "tile_size": (64, 32), "plt": True},
        {"signed": True, "no_jp2": True},
        {"comment": "from a microscope", "quality_layers": [50, 20, 5], "irreversible": True, "mct": 1},
    ],
    ids=["lossy", "lossy-dB-codestream", "tiles-CPRL", "precincts-PCRL", "offsets-PLT", "signed", "layers"],
)
@pytest.mark.parametrize("kind", ["rgb", "gray", "gray16", "rgba"])
def test_jpeg2000_reads_pillows_files_as_imageio_does(opts, kind):
    """Files Pillow writes with its other settings (lossy 9/7 wavelet, quality layers, tiles, precincts,
    progressions, offsets, signed samples, bare codestreams) decode to imageio's pixels exactly: the same
    OpenJPEG decoding, mapped to arrays as Pillow maps it."""
    from PIL import Image

    frame = pattern(1, 97, 131, seed=3)[0] if kind != "rgb" else pattern(1, 300, 420, seed=3)[0]
    src = {"rgb": frame, "gray": np.ascontiguousarray(frame[..., 1]),
           "gray16": frame[..., 2].astype(np.uint16) * 199, "rgba": np.dstack([frame, frame[..., :1]])}[kind]
    buf = io.BytesIO()
    Image.fromarray(src).save(buf, format="JPEG2000", **opts)
    data = buf.getvalue()
    for ext in (".jp2", ".j2k"):
        ref = iio_read(data, extension=ext)
        mine = _native.imread(data, extension=ext)
        assert mine.dtype == ref.dtype and mine.shape == ref.shape
        np.testing.assert_array_equal(mine, ref)
    assert media_serializer.deserialize_data(
        {"data": data, "content_type": "image/jp2", "content_encoding": None,
         "config": {"plugin": None, "extension": ".jp2"}}
    ).data.shape == ref.shape


def test_jpeg2000_sycc_is_converted_as_pillow_converts_it():
    """A JP2 file in the sYCC colour space (Pillow writes one from a YCbCr image) reads as imageio returns it:
    RGB by Pillow's integer YCbCr tables, for every (Cb, Cr) pair at several Y values."""
    from PIL import Image

    cb, cr = np.meshgrid(np.arange(256), np.arange(256))
    for y in (0, 16, 128, 235, 255):
        ycc = np.dstack([np.full((256, 256), y), cb, cr]).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(ycc, mode="YCbCr").save(buf, format="JPEG2000")
        theirs = iio_read(buf.getvalue(), extension=".jp2")
        assert not np.array_equal(theirs, ycc)
        np.testing.assert_array_equal(_native.imread(buf.getvalue(), extension=".jp2"), theirs)


def test_jpeg2000_refuses_what_pillow_cannot_write_and_names_what_it_takes():
    rng = np.random.default_rng(5)
    for bad in (rng.integers(0, 9, (8, 8), dtype=np.int16), rng.random((8, 8), dtype=np.float32),
                rng.integers(0, 9, (8, 8, 3), dtype=np.uint16), rng.integers(0, 2, (8, 8)).astype(bool),
                [rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)] * 2):
        with pytest.raises(Exception):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                iio_write(bad, extension=".jp2")
        with pytest.raises(BrickworkError, match="uint8 gray|single image"):
            media_serializer.serialize_data(Media(data=bad, extension=".jp2"))


def test_jpeg2000_hostile_headers_are_refused_before_decoding():
    """A 64-byte codestream claiming 10^6 x 10^6 pixels, 16M tiles or 5 components: a clear error at once,
    no allocation by the claim."""
    from brickwork.errors import DecodeError

    good = media_serializer.serialize_data(Media(data=np.zeros((32, 32), np.uint8), extension=".jp2"))["data"]
    cs = good[good.index(b"\xff\x4f\xff\x51"):]

    def patched(offset, value, size=4):
        return cs[:offset] + value.to_bytes(size, "big") + cs[offset + size:]

    huge = patched(12, 10**6, 4)
    huge = huge[:8] + (10**6).to_bytes(4, "big") + huge[12:]
    with pytest.raises(BrickworkError, match="over the limit"):
        _native.imread(huge, extension=".j2k")
    tiny_tiles = patched(8, 4096)[:12] + (4096).to_bytes(4, "big") + cs[16:24] + b"\0\0\0\1\0\0\0\1" + cs[32:]
    with pytest.raises(BrickworkError, match="tiles"):
        _native.imread(tiny_tiles, extension=".j2k")
    five = patched(40, 5, 2)
    with pytest.raises(BrickworkError, match="5 components"):
        _native.imread(five, extension=".j2k")
    with pytest.raises(DecodeError):
        _native.imread(good[:-20], extension=".jp2")


@pytest.mark.parametrize(
    "kw",
    [{}, {"quality": 10}, {"quality": 95}, {"quality": 100}, {"subsampling": 0}, {"subsampling": 1},
     {"progressive": True}, {"optimize": True}, {"quality": 90, "progressive": True, "subsampling": 0}],
    ids=["default", "q10", "q95", "q100", "444", "422", "progressive", "optimize", "q90-progressive-444"],
)
def test_jpeg_reads_pillows_files_as_imageio_does(kw):
    """Files Pillow writes with other settings decode to imageio's pixels exactly."""
    for h, w in [(17, 33), (48, 64), (131, 97)]:
        rgb = pattern(1, h, w, seed=h)[0]
        for src in (rgb, np.ascontiguousarray(rgb[..., 2])):
            theirs = iio_write(src, extension=".jpg", **kw)
            mine = _native.imread(theirs, extension=".jpg")
            ref = iio_read(theirs, extension=".jpg")
            assert mine.dtype == ref.dtype and mine.shape == ref.shape
            np.testing.assert_array_equal(mine, ref)


def _png_idat(png: bytes) -> bytes:
    """The zlib stream of a PNG: its IDAT payloads, concatenated."""
    out, pos = bytearray(), 8
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        if png[pos + 4:pos + 8] == b"IDAT":
            out += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    return bytes(out)


def _bench_images():
    """bench/media.py, whose photo-like RGB and microscopy-like uint16 images the size test uses."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "bench" / "media.py"
    spec = importlib.util.spec_from_file_location("brickwork_bench_media", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", ["photo-rgb", "photo-gray", "microscopy-u16"])
def test_png_is_no_larger_than_pillows(case):
    """brickwork's PNG is no larger than imageio's (Pillow's): the same filter on every row, and for 8-bit
    images Pillow's deflate data byte for byte after the 2-byte zlib header (zlib-rs's lazy matcher with
    Pillow's Z_FILTERED settings); 16-bit gets a longer match chain than zlib's level 6, so fewer bytes."""
    bench = _bench_images()
    src = bench.photo() if case.startswith("photo") else bench.microscopy()
    if case == "photo-gray":
        src = np.ascontiguousarray(src[..., 1])
    ours = media_serializer.serialize_data(Media(data=src, extension=".png"))["data"]
    theirs = iio_write(src, extension=".png")
    assert len(ours) <= len(theirs)
    mine, pillows = _png_idat(ours), _png_idat(theirs)
    assert zlib.decompress(mine) == zlib.decompress(pillows)  # filter type and bytes of every row
    if src.dtype == np.uint8:
        assert mine[2:] == pillows[2:]
    else:
        assert len(mine) <= len(pillows)
    np.testing.assert_array_equal(iio_read(ours, extension=".png"), src)


TIFF_COMPRESSIONS = [None, "lzw", "zlib", "adobe_deflate", "packbits", "zstd", "webp", "jpeg", "lzma", "png",
                     "jpeg2000", "lerc"]


@pytest.mark.parametrize("compression", TIFF_COMPRESSIONS, ids=[str(c) for c in TIFF_COMPRESSIONS])
def test_tiff_compressions_layouts_and_predictors_read_as_tifffile_reads_them(compression):
    """TIFFs as microscopes and tifffile write them: compressed (LZW, Deflate, PackBits, Zstandard, WebP,
    JPEG, LZMA, PNG, JPEG 2000, LERC), with predictors (horizontal, and floating-point for floats), in tiles and
    strips of any height, big-endian, BigTIFF, planar RGB (tifffile returns (3, H, W), stacks
    (N, 3, H, W)) and multiband pages: the same arrays as imageio's tifffile plugin (WebP chunks are
    decoded by the tiff crate, the others in parallel by brickwork; an 8-bit LZW tile with a predictor,
    which the tiff crate refuses, is among them); 8-bit JPEG exactly (libjpeg-turbo on both sides), 12-bit
    JPEG within a few levels (the tiff crate's zune-jpeg)."""
    pytest.importorskip("imagecodecs")
    import tifffile

    y, x = np.mgrid[0:96, 0:128]
    rgb = np.dstack([(x * 2) % 256, (y * 2) % 256, (x + y) % 256]).astype(np.uint8)
    g16 = ((x * 300 + y * 200) % 65536).astype(np.uint16)
    planar = np.ascontiguousarray(np.moveaxis(rgb, -1, 0))
    arrays = [("g16", g16, {}), ("rgb", rgb, {}), ("f32", (np.sin(x / 10) * np.cos(y / 7)).astype(np.float32), {}),
              ("stack", np.stack([g16 + k for k in range(5)]), {}),
              ("planar", planar, {"planarconfig": "separate", "photometric": "rgb"}),
              ("planar-stack", np.stack([planar // (k + 1) for k in range(4)]),
               {"planarconfig": "separate", "photometric": "rgb"}),
              ("u8", (g16 // 256).astype(np.uint8), {}), ("i32", g16.astype(np.int32) - 30000, {}),
              ("i16", g16.astype(np.int16), {}), ("f64", np.sin(x / 9.0) * 1e3, {}),
              ("bands", np.dstack([g16 // (k + 1) for k in range(6)]), {"photometric": "minisblack"}),
              ("planar-bands", np.stack([g16 // (k + 1) for k in range(5)]),
               {"planarconfig": "separate", "photometric": "minisblack"})]
    tried = 0
    for name, a, layout in arrays:
        for extra in ({}, {"predictor": True}, {"tile": (32, 32)}, {"bigtiff": True},
                      {"predictor": True, "tile": (64, 32)}, {"byteorder": ">", "predictor": True},
                      {"rowsperstrip": 7, "predictor": True}):
            buf = io.BytesIO()
            try:
                tifffile.imwrite(buf, a, compression=compression, **layout, **extra)
            except Exception:  # noqa: BLE001 - tifffile/imagecodecs cannot write this one (WebP of 16 bits...)
                continue
            data = buf.getvalue()
            ref = iio_read(data, extension=".tif")
            ours = _native.imread(data, extension=".tif")
            assert ours.shape == ref.shape and ours.dtype == ref.dtype, (name, extra)
            if compression == "jpeg" and a.dtype != np.uint8:
                # 12-bit JPEG (tifffile's choice for 16-bit data): the tiff crate's zune-jpeg.
                assert mean_abs(ours, ref) < 0.5 and np.abs(ours.astype(int) - ref).max() <= 4, (name, extra)
            else:
                np.testing.assert_array_equal(ours, ref, err_msg=f"{name} {extra}")
            tried += 1
    assert tried >= 3


@pytest.mark.parametrize(
    "shape,kw",
    [((2, 3, 4, 16, 24), {"ome": True}), ((2, 3, 4, 16, 24), {"ome": True, "metadata": {"axes": "TCZYX"}}),
     ((5, 1, 3, 16, 24), {"ome": True, "metadata": {"axes": "TZCYX"}}),
     ((2, 3, 16, 24, 3), {"ome": True, "photometric": "rgb", "metadata": {"axes": "TZYXS"}}),
     ((2, 3, 4, 16, 24), {"imagej": True, "metadata": {"axes": "TZCYX"}}),
     ((1, 6, 1, 16, 24), {"imagej": True, "metadata": {"axes": "TZCYX"}}),
     ((4, 16, 24, 3), {"imagej": True, "photometric": "rgb", "metadata": {"axes": "ZYXS"}}),
     ((7, 16, 24), {})],
    ids=["ome", "ome-TCZYX", "ome-squeezed", "ome-rgb", "imagej", "imagej-squeezed", "imagej-rgb", "tifffile"],
)
def test_tiff_hyperstacks_have_tifffiles_shape(shape, kw):
    """OME-TIFF and ImageJ hyperstacks (what Fiji, Bio-Formats and microscope software write) come back with
    the axes tifffile gives series 0, length-1 axes squeezed as tifffile squeezes them, not as a flat stack
    of pages."""
    import tifffile

    a = (np.arange(np.prod(shape)) % 251).astype(np.uint8).reshape(shape)
    buf = io.BytesIO()
    tifffile.imwrite(buf, a, **kw)
    ref = iio_read(buf.getvalue(), extension=".tif")
    ours = _native.imread(buf.getvalue(), extension=".tif")
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    np.testing.assert_array_equal(ours, ref)


def test_tiff_compressions_brickwork_cannot_read_are_named():
    pytest.importorskip("imagecodecs")
    import tifffile

    for compression, code, name in (("jpegxl", 50002, "JPEG XL"), ("jpegxr", 34934, "JPEG XR")):
        buf = io.BytesIO()
        tifffile.imwrite(buf, np.zeros((16, 16, 3), np.uint8), compression=compression)
        with pytest.raises(BrickworkError, match=f"compression {code} \\({name}\\) is not supported; brickwork "
                           "reads TIFFs uncompressed or compressed with LZW"):
            _native.imread(buf.getvalue(), extension=".tif")


def test_tiff_tiles_overhanging_a_thin_page_read():
    """A one-tile-high strip of 256x256 tiles decodes 25 times the page (edge tiles overhang it): read,
    while hostile tile grids that would decode far more are refused (tiff.rs unit test)."""
    pytest.importorskip("imagecodecs")
    import tifffile

    a = (np.arange(10 * 100_000) % 251).astype(np.uint8).reshape(10, 100_000)
    buf = io.BytesIO()
    tifffile.imwrite(buf, a, tile=(256, 256), compression="zlib")
    np.testing.assert_array_equal(_native.imread(buf.getvalue(), extension=".tif"), a)


def test_tiff_chunks_only_brickwork_reads_fail_with_the_reason():
    """A corrupt LZMA, PNG, JPEG 2000 or LERC chunk (the tiff crate reads none of them) is the file's
    error, naming the chunk and what is wrong with it."""
    pytest.importorskip("imagecodecs")
    import tifffile

    a = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)
    for compression in ("lzma", "png", "jpeg2000", "lerc"):
        buf = io.BytesIO()
        tifffile.imwrite(buf, a, compression=compression, tile=(32, 32))
        data = bytearray(buf.getvalue())
        with tifffile.TiffFile(io.BytesIO(bytes(data))) as t:
            off, n = t.pages[0].dataoffsets[2], t.pages[0].databytecounts[2]
        for cut in (data[:off] + bytes(n) + data[off + n:], data[:off + n // 2] + bytes(len(data) - off - n // 2)):
            name = {"lzma": "LZMA", "png": "PNG", "jpeg2000": "JPEG 2000", "lerc": "LERC"}[compression]
            with pytest.raises(BrickworkError, match=f"this {name}-compressed page cannot be read: chunk 2: "):
                _native.imread(bytes(cut), extension=".tif")


def test_image_gif_shapes_and_palettes():
    rng = np.random.default_rng(1)
    palette = rng.integers(0, 256, (200, 3), dtype=np.uint8)
    few = palette[rng.integers(0, 200, (48, 64))]  # <= 256 colours: exact
    back = iio_read(_native.imwrite(few, extension=".gif"), extension=".gif")
    assert back.shape == (1, 48, 64, 3)
    np.testing.assert_array_equal(back[0], few)
    mine = _native.imread(iio_write(few, extension=".gif"), extension=".gif")
    assert mine.shape == (1, 48, 64, 3)
    np.testing.assert_array_equal(mine[0], few)
    frames = [palette[rng.integers(0, 200, (48, 64))] for _ in range(8)]
    back = iio_read(_native.imwrite(frames, extension=".gif"), extension=".gif")
    np.testing.assert_array_equal(back, np.stack(frames))
    np.testing.assert_array_equal(_native.imread(iio_write(frames, extension=".gif")), np.stack(frames))
    many = [pattern(1, 48, 64, seed=k)[0] for k in range(8)]  # > 256 colours: quantised
    back = iio_read(_native.imwrite(many, extension=".gif"), extension=".gif")
    assert back.shape == (8, 48, 64, 3) and mean_abs(back, np.stack(many)) < 8
    # RGBA loses alpha through pillow (1, H, W, 3); GIF-PIL reads RGBA.
    rgba = np.concatenate([few, np.full((48, 64, 1), 255, np.uint8)], axis=-1)
    back = iio_read(_native.imwrite(rgba, extension=".gif"), extension=".gif")
    assert back.shape == (1, 48, 64, 3)
    data = iio_write(few, plugin="GIF-PIL")
    assert _native.imread(data, plugin="GIF-PIL").shape == iio_read(data, plugin="GIF-PIL").shape


def test_image_webp_lossy_default_and_gray_to_rgb():
    src = pattern(1, 48, 64)[0]
    back = iio_read(_native.imwrite(src, extension=".webp"), extension=".webp")
    assert back.shape == src.shape and psnr(back, src) > 25
    mine = _native.imread(iio_write(src, extension=".webp"), extension=".webp")
    assert mine.shape == src.shape and psnr(mine, src) > 25
    gray = np.ascontiguousarray(src[..., 0])
    assert iio_read(_native.imwrite(gray, extension=".webp"), extension=".webp").shape == (48, 64, 3)
    assert _native.imread(iio_write(gray, extension=".webp"), extension=".webp").shape == (48, 64, 3)


def test_image_qoi_written_by_brickwork_reads_in_pillow():
    src = image_cases()["rgba"]
    np.testing.assert_array_equal(iio_read(_native.imwrite(src, extension=".qoi")), src)


def test_image_sniffed_without_config(frames10):
    src = pattern(1, 32, 48)[0]
    for ext in (".png", ".gif", ".tif", ".jpg", ".webp", ".bmp"):
        data = iio_write(src, extension=ext)
        mine = _native.imread(data)
        ref = iio_read(data, extension=ext)
        assert mine.shape == ref.shape, ext
    assert _native.imread(iio_write(list(frames10), extension=".mp4")).shape == (10, 48, 64, 3)


@pytest.mark.parametrize(
    "data,kw",
    [
        (np.zeros((4, 4, 3), np.uint8), {"extension": "png"}),
        (np.zeros((4, 4, 3), np.uint8), {"extension": ""}),
        (np.zeros((4, 4, 3), np.uint8), {"extension": ".xyz"}),
        ([np.zeros((4, 4, 3), np.uint8)] * 2, {"extension": ".jpg"}),
        ([np.zeros((4, 4, 3), np.uint8)] * 2, {"extension": ".bmp"}),
        (np.zeros((4, 4), np.float32), {"extension": ".png"}),
        (np.zeros((4, 4), np.uint16), {"extension": ".jpg"}),
        (np.zeros((4, 4, 3), np.uint8), {"plugin": "pillow"}),
        (np.zeros((4, 4, 3), np.uint8), {"plugin": "FFMPEG"}),
        (np.zeros((4, 4, 3), np.uint8), {"plugin": "pillow_legacy"}),
    ],
    ids=["no-dot", "empty", "unknown", "list-jpg", "list-bmp", "f32-png", "u16-jpg", "pillow-alone",
         "ffmpeg-alone", "pillow_legacy"],
)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # imageio's own __del__
def test_image_errors_raise_in_both(data, kw):
    with pytest.raises(Exception):
        iio_write(data, **kw)
    with pytest.raises(BrickworkError):
        _native.imwrite(data, **kw)


def test_extension_and_plugin_together_is_refused():
    # imageio itself accepts both (labox's Media refuses them); brickwork refuses at every level.
    with pytest.raises(InvalidInputError):
        _native.imwrite(np.zeros((4, 4, 3), np.uint8), extension=".png", plugin="pillow")
    with pytest.raises(InvalidInputError):
        _native.imread(_native.imwrite(np.zeros((4, 4, 3), np.uint8), extension=".png"), extension=".png",
                       plugin="pillow")


# ---------------------------------------------------------------------------------------------------
# Video (spec section 7, #17-#21)


@pytest.fixture(scope="module")
def frames10() -> np.ndarray:
    return pattern(10, 48, 64)


@pytest.mark.parametrize("ext", VIDEO_EXTS + [".webm"])
def test_video_brickwork_writes_imageio_reads(frames10, ext):
    data = _native.imwrite(list(frames10), extension=ext)
    back = iio_read(data, extension=ext)
    assert back.shape == (10, 48, 64, 3) and back.dtype == np.uint8
    assert mean_abs(back, frames10) < 6
    # The same frames as an (N, H, W, 3) array give the same video.
    assert _native.imread(_native.imwrite(frames10, extension=ext)).shape == (10, 48, 64, 3)


@pytest.mark.parametrize("ext", VIDEO_EXTS)
def test_video_imageio_writes_brickwork_reads(frames10, ext):
    data = iio_write(list(frames10), extension=ext)
    ours = _native.imread(data, extension=ext)
    theirs = iio_read(data, extension=ext)
    assert ours.shape == theirs.shape == (10, 48, 64, 3)
    assert ours.dtype == np.uint8
    # Same H.264 stream, two ffmpeg builds (Debian 5.1 here, imageio-ffmpeg's static build there).
    assert mean_abs(ours, theirs) < 1.0
    assert mean_abs(ours, frames10) < 6
    # Without any hint the container is sniffed.
    assert _native.imread(data).shape == (10, 48, 64, 3)


def test_video_webm_imageio_cannot_write_brickwork_can(frames10):
    # imageio asks for libx264, which WebM refuses: it writes a broken stub (no frames) without raising.
    stub = iio_write(list(frames10), extension=".webm")
    assert len(stub) < 1000
    with pytest.raises(Exception):
        iio_read(stub, extension=".webm")
    data = _native.imwrite(list(frames10), extension=".webm")
    assert data[:4] == b"\x1a\x45\xdf\xa3"
    assert mean_abs(_native.imread(data, extension=".webm"), frames10) < 6


def test_video_odd_size_policy():
    odd = pattern(4, 17, 33)
    # imageio resizes to a multiple of 16; brickwork reads what is stored.
    theirs = iio_write(list(odd), extension=".mp4")
    assert _native.imread(theirs, extension=".mp4").shape == (4, 32, 48, 3)
    # brickwork pads to even by repeating the last row/column; imageio reads the padded size.
    ours = _native.imwrite(list(odd), extension=".mp4")
    back = iio_read(ours, extension=".mp4")
    assert back.shape == (4, 18, 34, 3)
    assert mean_abs(back[:, :17, :33], odd) < 6
    assert mean_abs(back[:, 17, :33], odd[:, 16]) < 8  # the repeated row


def test_video_single_frame_both_ways():
    one = pattern(1, 32, 48)[0]
    assert iio_read(_native.imwrite(one, extension=".mp4"), extension=".mp4").shape == (1, 32, 48, 3)
    assert _native.imread(iio_write(one, extension=".mp4"), extension=".mp4").shape == (1, 32, 48, 3)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda f: f[..., 0], id="gray-u8"),
        pytest.param(lambda f: np.concatenate([f, np.full(f.shape[:-1] + (1,), 77, np.uint8)], -1), id="rgba"),
        pytest.param(lambda f: f.astype(np.uint16) * 257, id="rgb-u16"),
        pytest.param(lambda f: f.astype(np.float32) / 255, id="rgb-f32-unit"),
        pytest.param(lambda f: f.astype(np.int16) - 100, id="rgb-i16-minmax"),
    ],
)
def test_video_conversions_match_imageio(frames10, make):
    src = [make(f) for f in frames10[:4]]
    ours = iio_read(_native.imwrite(src, extension=".mp4"), extension=".mp4")
    theirs = iio_read(iio_write(src, extension=".mp4"), extension=".mp4")
    assert ours.shape == theirs.shape == (4, 48, 64, 3)
    assert ours.dtype == theirs.dtype == np.uint8
    assert mean_abs(ours, theirs) < 1.0


def test_video_bad_input_raises():
    with pytest.raises(DecodeError):
        _native.imread(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200, extension=".mp4")
    with pytest.raises(InvalidInputError):
        _native.imwrite(np.zeros((4, 4, 3), np.complex64), extension=".mp4")
    with pytest.raises(InvalidInputError):  # FFMPEG needs an extension, in imageio too
        _native.imwrite(np.zeros((4, 4, 3), np.uint8), plugin="FFMPEG")


# ---------------------------------------------------------------------------------------------------
# DICOM (#22, #23)


def dicom_cases():
    rng = np.random.default_rng(7)
    return {
        "rgb-u8": rng.integers(0, 256, (48, 64, 3), dtype=np.uint8),
        "gray-u8": rng.integers(0, 256, (48, 64), dtype=np.uint8),
        "gray-u16-stack": rng.integers(0, 65536, (10, 20, 30), dtype=np.uint16),
        "rgb-u8-stack": rng.integers(0, 256, (10, 12, 16, 3), dtype=np.uint8),
        "gray-i16": rng.integers(-3000, 3000, (16, 16), dtype=np.int16),
    }


@pytest.mark.parametrize("name", list(dicom_cases()))
def test_dicom_brickwork_writes_pydicom_reads(name):
    arr = dicom_cases()[name]
    data = _native.imwrite(arr, plugin="pydicom")
    back = iio_read(data, plugin="pydicom")
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)
    ds = pydicom.dcmread(io.BytesIO(data))
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    np.testing.assert_array_equal(ds.pixel_array, arr)


@pytest.mark.parametrize("name", list(dicom_cases()))
def test_dicom_pydicom_writes_brickwork_reads(name):
    arr = dicom_cases()[name]
    data = iio_write(arr, plugin="pydicom")
    for kw in ({"plugin": "pydicom"}, {"extension": ".dcm"}, {}):
        back = _native.imread(data, **kw)
        assert back.dtype == arr.dtype and back.shape == arr.shape, kw
        np.testing.assert_array_equal(back, arr)


def test_dicom_frame_list_and_dcm_extension():
    frames = [np.full((8, 9), k, np.uint8) for k in range(4)]
    data = _native.imwrite(frames, extension=".dcm")
    np.testing.assert_array_equal(iio_read(data, plugin="pydicom"), np.stack(frames))
    # imageio 2.38.1 cannot read .dcm from bytes by extension (the legacy DICOM plugin comes first);
    # brickwork can.
    with pytest.raises(Exception), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        iio_read(data, extension=".dcm")
    np.testing.assert_array_equal(_native.imread(data, extension=".dcm"), np.stack(frames))


def _pydicom_dataset(arr: np.ndarray, **tags) -> pydicom.Dataset:
    ds = pydicom.Dataset()
    ds.SOPClassUID = pydicom.uid.SecondaryCaptureImageStorage
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.Modality = "OT"
    ds.set_pixel_data(arr, "MONOCHROME2" if arr.ndim == 2 or arr.shape[-1] != 3 else "RGB", 8 * arr.itemsize)
    for k, v in tags.items():
        setattr(ds, k, v)
    return ds


def _save(ds: pydicom.Dataset, **kw) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True, **kw)
    return buf.getvalue()


def test_dicom_compressed_and_implicit_transfer_syntaxes():
    rng = np.random.default_rng(3)
    gray = rng.integers(0, 4096, (5, 24, 32), dtype=np.uint16)
    rgb = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    for arr in (gray, rgb):
        ds = _pydicom_dataset(arr)
        ds.compress(pydicom.uid.RLELossless)
        data = _save(ds)
        np.testing.assert_array_equal(_native.imread(data, plugin="pydicom"), iio_read(data, plugin="pydicom"))
        np.testing.assert_array_equal(_native.imread(data, plugin="pydicom"), arr)
    ds = _pydicom_dataset(gray)
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    np.testing.assert_array_equal(_native.imread(_save(ds, implicit_vr=True, little_endian=True)), gray)


def test_dicom_ybr_full_and_jpeg_read_like_pydicom():
    from PIL import Image

    rgb = pattern(1, 24, 32)[0]
    ybr = pydicom.pixels.convert_color_space(rgb, "RGB", "YBR_FULL")
    native = _pydicom_dataset(ybr, PhotometricInterpretation="YBR_FULL")
    rle = _pydicom_dataset(ybr, PhotometricInterpretation="YBR_FULL")
    rle.compress(pydicom.uid.RLELossless)
    for data in (_save(native), _save(rle)):
        theirs = iio_read(data, plugin="pydicom")
        ours = _native.imread(data, plugin="pydicom")
        assert ours.shape == theirs.shape == (24, 32, 3) and ours.dtype == np.uint8
        assert int(np.abs(ours.astype(int) - theirs).max()) <= 1
    # JPEG baseline (encoded by Pillow, decoded by pydicom's Pillow plugin vs dicom-rs' decoder).
    for arr, pi in ((rgb, "YBR_FULL_422"), (np.ascontiguousarray(rgb[..., 1]), "MONOCHROME2")):
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format="JPEG", quality=90)
        ds = _pydicom_dataset(arr)
        ds.PixelData = pydicom.encaps.encapsulate([buf.getvalue()])
        ds["PixelData"].VR = "OB"
        ds.PhotometricInterpretation = pi
        ds.file_meta.TransferSyntaxUID = pydicom.uid.JPEGBaseline8Bit
        data = _save(ds)
        theirs = iio_read(data, plugin="pydicom")
        ours = _native.imread(data, plugin="pydicom")
        assert ours.shape == theirs.shape == arr.shape and ours.dtype == np.uint8
        assert mean_abs(ours, theirs) < 1.0, pi
        assert mean_abs(ours, arr) < 3.0, pi
        # A JPEG frame larger than Rows x Columns is refused before the JPEG decoder allocates for it.
        ds.Rows = 8
        with pytest.raises(DecodeError, match="JPEG fragment declares"):
            _native.imread(_save(ds), plugin="pydicom")
        # A JPEG frame smaller than Rows x Columns: an error or the declared size, never a crash.
        ds.Rows = 40
        try:
            assert _native.imread(_save(ds), plugin="pydicom").shape[:2] == (40, 32)
        except DecodeError:
            pass


def _dicom_j2k(frames, ts, pi, bits_allocated, bits_stored, pixel_representation, **pillow):
    """A DICOM file whose frames are JPEG 2000 codestreams Pillow wrote (pydicom cannot encode JPEG 2000
    without pylibjpeg); the codestreams' own precision and signedness are Pillow's, whatever the tags say."""
    from PIL import Image

    codestreams = []
    for f in frames:
        buf = io.BytesIO()
        Image.fromarray(f).save(buf, format="JPEG2000", no_jp2=True, **pillow)
        codestreams.append(buf.getvalue())
    ds = _pydicom_dataset(np.asarray(frames if len(frames) > 1 else frames[0]))
    ds.PixelData = pydicom.encaps.encapsulate(codestreams)
    ds["PixelData"].VR = "OB"
    ds.PhotometricInterpretation = pi
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_allocated, bits_stored, bits_stored - 1
    ds.PixelRepresentation = pixel_representation
    ds.file_meta.TransferSyntaxUID = ts
    return _save(ds)


DICOM_J2K_CASES = [("gray8", {}), ("gray16", {}), ("rgb8", {}), ("gray16", {"signed": True}),
                   ("gray8", {"signed": True}), ("gray16", {"irreversible": True, "quality_layers": [25]}),
                   ("rgb8", {"irreversible": True, "mct": 1}), ("gray8-frames3", {}),
                   ("gray16-frames3", {"tile_size": (16, 16)})]
DICOM_J2K_IDS = ["gray8", "gray16", "rgb8", "gray16-signed", "gray8-signed", "gray16-lossy", "rgb8-lossy-ict",
                 "gray8x3", "gray16x3-tiles"]


@pytest.mark.parametrize(
    "kind,pillow,pixel_representation",
    [(k, o, pr) for k, o in DICOM_J2K_CASES for pr in (0, 1) if not (k.startswith("rgb") and pr)],
    ids=[f"{i}-pr{pr}" for (k, _), i in zip(DICOM_J2K_CASES, DICOM_J2K_IDS) for pr in (0, 1)
         if not (k.startswith("rgb") and pr)],
)
def test_dicom_jpeg2000_reads_as_pydicom_reads_it(kind, pillow, pixel_representation):
    """JPEG 2000 transfer syntaxes (.90 lossless, .91 lossy): the values, dtype and shape imageio's pydicom
    plugin returns (pydicom decodes them with Pillow and undoes Pillow's scaling), including a codestream whose
    signedness differs from PixelRepresentation, lossy frames and the YBR_ICT label of a colour transform."""
    frame = pattern(1, 24, 40, seed=9)[0]
    gray16 = (frame[..., 0].astype(np.uint16) * 251 + frame[..., 1])
    src = {"gray8": [np.ascontiguousarray(frame[..., 1])], "gray16": [gray16], "rgb8": [frame],
           "gray8-frames3": [np.ascontiguousarray(frame[..., k]) for k in range(3)],
           "gray16-frames3": [gray16 // (k + 1) for k in range(3)]}[kind]
    rgb = kind.startswith("rgb")
    bits = 16 if "16" in kind else 8
    lossy = pillow.get("irreversible", False)
    ts = pydicom.uid.JPEG2000 if lossy else pydicom.uid.JPEG2000Lossless
    pi = ("YBR_ICT" if pillow.get("mct") else "RGB") if rgb else "MONOCHROME2"
    data = _dicom_j2k(src, ts, pi, bits, bits, pixel_representation, **pillow)
    theirs = iio_read(data, plugin="pydicom")
    ours = _native.imread(data, plugin="pydicom")
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours, theirs)
    # (Pillow 13 packs 16-bit tiles with the wrong row stride: its tiled codestreams do not hold the source.)
    if not lossy and not pillow.get("signed") and not pixel_representation and "tile_size" not in pillow:
        np.testing.assert_array_equal(ours, np.asarray(src if len(src) > 1 else src[0]))


@pytest.mark.parametrize("bits_allocated,bits_stored,pixel_representation",
                         [(16, 8, 0), (16, 12, 0), (8, 8, 1), (16, 16, 1), (16, 8, 1), (32, 16, 1), (32, 8, 0)])
def test_dicom_jpeg2000_sample_size_is_bits_allocated(bits_allocated, bits_stored, pixel_representation):
    """pydicom decodes to 8 or 16 bits by the codestream's precision, then returns BitsAllocated's size."""
    frame = np.ascontiguousarray(pattern(1, 24, 40, seed=4)[0][..., 0])
    src = frame if bits_stored <= 8 else frame.astype(np.uint16) * 13
    data = _dicom_j2k([src], pydicom.uid.JPEG2000Lossless, "MONOCHROME2", bits_allocated, bits_stored,
                      pixel_representation)
    theirs = iio_read(data, plugin="pydicom")
    ours = _native.imread(data, plugin="pydicom")
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_dicom_jpeg2000_bad_frames_are_clear_errors():
    frame = np.ascontiguousarray(pattern(1, 24, 40)[0][..., 0])
    data = _dicom_j2k([frame, frame], pydicom.uid.JPEG2000Lossless, "MONOCHROME2", 8, 8, 0)
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.NumberOfFrames = 3
    with pytest.raises(DecodeError, match="3 frame"):
        _native.imread(_save(ds), plugin="pydicom")
    ds.NumberOfFrames = 2
    ds.Rows = 12
    with pytest.raises(DecodeError, match="JPEG 2000 frame of shape"):
        _native.imread(_save(ds), plugin="pydicom")
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.PixelData = pydicom.encaps.encapsulate([b"\xff\x4f\xff\x51" + b"\0" * 30])
    ds.NumberOfFrames = 1
    with pytest.raises(DecodeError):
        _native.imread(_save(ds), plugin="pydicom")


@pytest.mark.parametrize("signed", [False, True])
def test_dicom_bits_stored_below_allocated(signed):
    # Garbage above BitsStored is masked (unsigned) or replaced by the sign (signed), as pydicom does.
    raw = np.array([[0x0FFB, 5, 0xF0FB], [0x0800, 0x07FF, 0xFFFF]], dtype=np.uint16)
    ds = _pydicom_dataset(raw.view(np.int16) if signed else raw)
    ds.BitsStored = 12
    ds.HighBit = 11
    data = _save(ds)
    theirs = iio_read(data, plugin="pydicom")
    ours = _native.imread(data, plugin="pydicom")
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "tags",
    [
        {"RescaleSlope": "2", "RescaleIntercept": "-1024"},
        {"RescaleSlope": "1", "RescaleIntercept": "0"},
        {"WindowCenter": "1000", "WindowWidth": "400"},
        {"WindowCenter": "1000", "WindowWidth": "400", "VOILUTFunction": "LINEAR_EXACT"},
        {"WindowCenter": "1000", "WindowWidth": "400", "VOILUTFunction": "SIGMOID"},
        {"RescaleSlope": "0.5", "RescaleIntercept": "10", "WindowCenter": "500", "WindowWidth": "300"},
    ],
)
def test_dicom_reconstruction_matches_imageio(tags):
    arr = np.random.default_rng(5).integers(0, 2048, (16, 20), dtype=np.uint16)
    data = _save(_pydicom_dataset(arr, **tags))
    theirs = iio_read(data, plugin="pydicom")
    ours = _native.imread(data, plugin="pydicom")
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-9)


def test_dicom_hostile_input():
    good = _native.imwrite(np.zeros((8, 8), np.uint8), plugin="pydicom")
    for cut in range(0, len(good), 17):
        with pytest.raises(BrickworkError):
            _native.imread(good[:cut], plugin="pydicom")
    with pytest.raises(InvalidInputError):
        _native.imwrite(np.zeros((4, 4), np.float32), plugin="pydicom")
    with pytest.raises(InvalidInputError):  # imageio's DICOM plugin is read-only
        _native.imwrite(np.zeros((4, 4), np.uint8), plugin="DICOM")


# ---------------------------------------------------------------------------------------------------
# FITS (imageio reads .fits with Pillow: flipped, raw ints; astropy is the reference reader)

FITS_DTYPES = ["u1", "i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8", ">i2", ">f8"]


@pytest.mark.parametrize("dtype", FITS_DTYPES)
def test_fits_brickwork_writes_astropy_reads(dtype):
    fits = pytest.importorskip("astropy.io.fits")
    rng = np.random.default_rng(11)
    arr = (rng.integers(0, 120, (3, 5, 7)) * (1 if dtype[-2] != "f" else 0.5)).astype(dtype)
    if np.dtype(dtype).kind == "i":
        arr = arr - 60
    data = _native.imwrite(arr, extension=".fits")
    assert len(data) % 2880 == 0
    with fits.open(io.BytesIO(data)) as hdul:
        back = hdul[0].data
        assert (back.dtype.kind, back.dtype.itemsize) == (arr.dtype.kind, arr.dtype.itemsize)
        np.testing.assert_array_equal(back, arr)
    ours = _native.imread(data, extension=".fits")
    assert ours.dtype == arr.dtype.newbyteorder("<") and ours.shape == arr.shape
    np.testing.assert_array_equal(ours, arr)


@pytest.mark.parametrize(
    "dtype,bscale,bzero",
    [
        ("u1", None, None),
        ("i2", None, None),
        ("i4", None, None),
        ("i8", None, None),
        ("f4", None, None),
        ("f8", None, None),
        ("i2", 0.5, 10.0),
        ("i4", 3.0, -7.0),
        ("u1", 2.0, 1.0),
    ],
)
def test_fits_astropy_writes_brickwork_reads(dtype, bscale, bzero):
    fits = pytest.importorskip("astropy.io.fits")
    rng = np.random.default_rng(12)
    arr = rng.integers(0, 100, (4, 6)).astype(dtype)
    hdu = fits.PrimaryHDU(arr)
    if bscale is not None:
        hdu.scale(type=np.dtype(dtype).name, bscale=bscale, bzero=bzero)
    buf = io.BytesIO()
    hdu.writeto(buf)
    data = buf.getvalue()
    with fits.open(io.BytesIO(data)) as hdul:
        expected = hdul[0].data
    ours = _native.imread(data, plugin="FITS")
    assert ours.dtype == expected.dtype.newbyteorder("=")
    np.testing.assert_allclose(ours, expected)


def test_fits_imageio_pillow_reads_brickwork_file_flipped():
    arr = np.arange(12, dtype=np.int16).reshape(3, 4) - 5
    data = _native.imwrite(arr, extension=".fits")
    # imageio's .fits reader is Pillow: rows flipped, int16 bits shown as uint16.
    theirs = iio_read(data, extension=".fits")
    np.testing.assert_array_equal(theirs, np.flipud(arr).view(np.uint16))
    np.testing.assert_array_equal(_native.imread(data, plugin="FITS"), arr)


# ---------------------------------------------------------------------------------------------------
# The serializer front: labox's API, behaviour and data (#28-#33)

EXTS_FOR_CONTENT_TYPE = [
    ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".avif", ".apng", ".ico", ".mp4",
    ".m4v", ".avi", ".mov", ".webm", ".mkv", ".mpg", ".mpeg", ".ogv", ".dcm", ".fits", ".fit", ".fts",
    ".npy", ".npz", ".exr", ".hdr", ".pgm", ".ppm", ".pbm", ".pnm", ".qoi", ".svg", ".heic", ".3gp", ".tga",
    ".jp2", ".j2k", ".jpx", ".jpf", ".png.gz", ".tgz", ".svgz", ".Z", ".PNG", ".png.zst",
]


def _reference_guess(mt: mimetypes.MimeTypes, ext: str):
    if sys.version_info >= (3, 13):
        return mt.guess_file_type(f"file{ext}")
    return mt.guess_type(f"file{ext}")


@pytest.mark.parametrize("ext", EXTS_FOR_CONTENT_TYPE)
def test_content_type_is_the_references(ext, monkeypatch):
    # Content types come from the stdlib, whatever the format: check them without encoding anything.
    monkeypatch.setattr(_native, "imwrite", lambda data, extension=None, plugin=None: b"x")
    out = media_serializer.serialize_data(Media(data=np.zeros((2, 2), np.uint8), extension=ext))
    ct, enc = _reference_guess(mimetypes.MimeTypes(), ext)
    assert out["content_type"] == (ct or "application/octet-stream")
    assert out["content_encoding"] == enc
    assert out["config"] == {"plugin": None, "extension": ext}


def test_custom_mimetypes():
    custom = mimetypes.MimeTypes()
    custom.add_type("image/x-brick", ".brk")
    custom.add_type("video/x-mine", ".mp4")
    s = MediaSerializer(mimetypes=custom)
    out = s.serialize_data(Media(data=pattern(2, 16, 16), extension=".mp4"))
    assert out["content_type"] == "video/x-mine"


def test_media_rules_match_labox():
    with pytest.raises(ValueError, match="Cannot set both extension and plugin"):
        Media(data=np.zeros((2, 2)), extension=".png", plugin="pillow")
    Media(data=np.zeros((2, 2)), extension="", plugin="pillow")  # truthiness, as labox
    with pytest.raises(TypeError):
        Media(np.zeros((2, 2)))  # keyword-only
    m = Media(data=np.zeros((2, 2)), extension=".png")
    with pytest.raises(AttributeError):
        m.extension = ".jpg"  # frozen
    assert MediaSerializer.name == "labox.imageio@v1"
    assert MediaSerializer.types == (Media,)


def test_plugin_only_media_is_octet_stream():
    out = media_serializer.serialize_data(Media(data=np.zeros((4, 4), np.uint8), plugin="pydicom"))
    assert out["content_type"] == "application/octet-stream"
    assert out["content_encoding"] is None
    assert media_serializer.serialize_config(out["config"]) == '{"plugin":"pydicom","extension":null}'
    back = media_serializer.deserialize_data(out)
    assert back.plugin == "pydicom" and back.extension is None
    np.testing.assert_array_equal(back.data, np.zeros((4, 4), np.uint8))


def test_round_trip_through_serializer_video_and_dicom(frames10):
    for media in (
        Media(data=list(frames10), extension=".mp4"),
        Media(data=frames10[0:3], extension=".webm"),
        Media(data=np.arange(64, dtype=np.uint16).reshape(8, 8), plugin="pydicom"),
        Media(data=np.arange(64, dtype=np.float32).reshape(8, 8), extension=".fits"),
    ):
        out = media_serializer.serialize_data(media)
        back = media_serializer.deserialize_data(out)
        assert (back.extension, back.plugin) == (media.extension, media.plugin)
        expected = np.asarray(media.data)
        if media.extension in (".mp4", ".webm"):
            assert back.data.shape == expected.shape
            assert mean_abs(back.data, expected) < 6
        else:
            np.testing.assert_array_equal(back.data, expected)
        # A content dict without config is sniffed.
        no_config = {k: v for k, v in out.items() if k != "config"}
        assert media_serializer.deserialize_data(no_config).data.shape == back.data.shape


def test_works_without_labox():
    import subprocess

    code = """
import sys
sys.modules["labox"] = None  # as if labox were not installed
import numpy as np
from brickwork.media import Media, MediaSerializer, media_serializer
out = media_serializer.serialize_data(Media(data=np.zeros((4, 4), np.uint8), extension=".png"))
assert out["content_type"] == "image/png"
assert media_serializer.serialize_config(out["config"]) == '{"plugin":null,"extension":".png"}'
assert media_serializer.deserialize_config('{"plugin":null,"extension":".png"}') == out["config"]
assert media_serializer.deserialize_data(out).data.shape == (4, 4)
assert MediaSerializer.__mro__[1].__module__ == "brickwork.media"
"""
    subprocess.run([sys.executable, "-c", code], check=True)


# labox 0.1.0 itself, when it imports (it needs SQLAlchemy < 2.1, sniffio and ruyaml, which its metadata
# does not all declare).
try:
    from labox.extra import imageio as labox_imageio
except Exception:  # noqa: BLE001
    labox_imageio = None

needs_labox = pytest.mark.skipif(labox_imageio is None, reason="labox 0.1.0 is not importable")


@needs_labox
@pytest.mark.parametrize(
    "kind",
    ["video-mp4", "video-avi", "dicom-plugin", "dicom-stack"],
)
def test_labox_and_brickwork_serialize_alike(frames10, kind):
    arr = {
        "video-mp4": list(frames10),
        "video-avi": list(frames10),
        "dicom-plugin": np.arange(48 * 64 * 3, dtype=np.uint32).reshape(48, 64, 3).astype(np.uint8),
        "dicom-stack": np.arange(5 * 8 * 8, dtype=np.uint16).reshape(5, 8, 8),
    }[kind]
    ext = {"video-mp4": ".mp4", "video-avi": ".avi"}.get(kind)
    plugin = None if ext else "pydicom"
    ours = media_serializer.serialize_data(Media(data=arr, extension=ext, plugin=plugin))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = labox_imageio.media_serializer.serialize_data(
            labox_imageio.Media(data=arr, extension=ext, plugin=plugin)
        )
    assert ours["content_encoding"] == theirs["content_encoding"]
    # labox 0.1.0 calls guess_type(ext) on the bare extension, which never matches: it always stores
    # application/octet-stream. brickwork stores what the reference documents (guess_file_type("file" + ext)).
    assert theirs["content_type"] == "application/octet-stream"
    if plugin:
        assert ours["content_type"] == "application/octet-stream"
    # Configs: same dict and the same JSON text with labox's own encoder.
    assert ours["config"] == theirs["config"]
    assert labox_imageio.media_serializer.serialize_config(theirs["config"]) == media_serializer.serialize_config(
        ours["config"]
    )
    # Each decodes the other's data.
    mine_by_labox = labox_imageio.media_serializer.deserialize_data(ours).data
    theirs_by_me = media_serializer.deserialize_data(theirs).data
    expected = np.asarray(arr)
    if ext:
        assert mine_by_labox.shape == theirs_by_me.shape == expected.shape
        assert mean_abs(mine_by_labox, expected) < 6 and mean_abs(theirs_by_me, expected) < 6
    else:
        np.testing.assert_array_equal(mine_by_labox, expected)
        np.testing.assert_array_equal(theirs_by_me, expected)


@needs_labox
def test_brickwork_serializer_registers_in_labox():
    from labox.core.registry import Registry
    from labox.core.serializer import Serializer

    assert isinstance(media_serializer, Serializer)
    reg = Registry(serializers=[media_serializer])
    assert reg.get_serializer("labox.imageio@v1") is media_serializer
    assert reg.get_serializer_by_type(Media) is media_serializer


# ---------------------------------------------------------------------------------------------------
# Every snippet of the reference page runs with only its import line changed.

SNIPPET_BASIC = '''
import numpy as np

from brickwork.media import Media
from brickwork.media import media_serializer

# Create media data - can be a single array or sequence of arrays
gen = np.random.Generator(np.random.PCG64())
image_data = gen.integers(0, 255, (100, 100, 3), dtype=np.uint8)
media = Media(data=image_data, extension=".png")

media_serializer.serialize_data(media)
'''

SNIPPET_MIMETYPES = '''
from mimetypes import MimeTypes

from brickwork.media import MediaSerializer

custom_mimetypes = MimeTypes()
custom_mimetypes.add_type("image/webp", ".webp")

serializer = MediaSerializer(mimetypes=custom_mimetypes)
'''

SNIPPET_TYPES = '''
from brickwork.media import Media

# Single image
image = Media(
    data=image_array,
    extension=".jpg",  # Will determine content type automatically
)

# Video or image sequence
video = Media(
    data=[frame1, frame2, frame3],  # Sequence of arrays
    extension=".mp4",
)

# Using specific plugin instead of extension
media = Media(
    data=image_array,
    plugin="PNG-PIL",  # Use specific ImageIO plugin
)
'''

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "labox-imageio-media-serializer.md"


def test_reference_snippets_are_these():
    if not REFERENCE.exists():
        pytest.skip("the reference page is not beside the project")
    text = REFERENCE.read_text()
    blocks = text.split("```python\n")[1:]
    blocks = [b.split("```")[0] for b in blocks]
    ours = [SNIPPET_BASIC, SNIPPET_MIMETYPES, SNIPPET_TYPES]
    assert len(blocks) == len(ours)
    for ref, mine in zip(blocks, ours):
        assert ref.strip() == mine.strip().replace("brickwork.media", "labox.extra.imageio")


def test_reference_snippets_run():
    env: dict = {}
    exec(compile(SNIPPET_BASIC, "snippet-basic", "exec"), env)
    out = env["media_serializer"].serialize_data(env["media"])
    assert out["data"].startswith(b"\x89PNG")
    assert out["content_type"] == "image/png"
    assert json.loads(env["media_serializer"].serialize_config(out["config"])) == {
        "plugin": None,
        "extension": ".png",
    }
    np.testing.assert_array_equal(env["media_serializer"].deserialize_data(out).data, env["image_data"])

    env = {}
    exec(compile(SNIPPET_MIMETYPES, "snippet-mimetypes", "exec"), env)
    assert env["serializer"].mimetypes is env["custom_mimetypes"]

    frames = pattern(3, 16, 16)
    env = {"image_array": frames[0], "frame1": frames[0], "frame2": frames[1], "frame3": frames[2]}
    exec(compile(SNIPPET_TYPES, "snippet-types", "exec"), env)
    assert env["video"].extension == ".mp4" and env["media"].plugin == "PNG-PIL"
    out = media_serializer.serialize_data(env["video"])
    assert media_serializer.deserialize_data(out).data.shape == (3, 16, 16, 3)


@pytest.mark.parametrize("ext", [".png", ".jpg", ".gif", ".tif", ".webp", ".bmp", ".ppm", ".qoi", ".tga", ".ico",
                                 ".npy", ".npz", ".dcm", ".fits", ".mp4", ".jp2", ".j2k"])
def test_garbage_empty_and_truncated_bytes_are_clear_errors(ext):
    """Hostile bytes through the Python front: a brickwork error (a ValueError/RuntimeError/OSError subclass
    saying what failed), never a crash, a hang or a huge allocation."""
    from brickwork.errors import BrickworkError, InternalError
    from brickwork.media import Media, media_serializer

    good = media_serializer.serialize_data(Media(data=np.zeros((16, 16, 3), np.uint8), extension=ext))["data"]
    for data in (b"", b"garbage" * 10, good[: len(good) // 2], good[:8]):
        content = {"data": data, "content_type": "", "content_encoding": None,
                   "config": {"plugin": None, "extension": ext}}
        with pytest.raises(BrickworkError) as info:
            media_serializer.deserialize_data(content)
        assert not isinstance(info.value, InternalError), info.value
        assert str(info.value)
