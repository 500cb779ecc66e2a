#!/usr/bin/env python3
"""Writes the golden DICOM, FITS and video files of brickwork-media's tests (tests/golden_sci.rs) with the
REAL writers, and what the real readers decode from them.

Pinned environment (python/requirements-test.txt): imageio==2.38.1, imageio-ffmpeg==0.8.1,
pydicom==3.0.2, astropy==8.0.2, pillow==13.0.0, numpy 2.x, CPython 3.12+.

    /work/main/.venv/bin/python crates/brickwork-media/tests/make_golden_sci.py

Per file, `data_sci/manifest.json` records how brickwork reads it (`extension` or `plugin`), the reference
array `<file>.ref.npy` (what imageio's `pydicom`/`FFMPEG` plugin or astropy's `hdu.data` returns, native
byte order) and `max_mean_abs`: 0 for exact, else the mean absolute difference allowed where two
different decoders (JPEG, H.264 through two ffmpeg builds) decode the same bytes.
"""

import io
import json
import os
import warnings

import imageio.v3 as iio
import numpy as np
import pydicom
from astropy.io import fits
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data_sci")
warnings.simplefilter("ignore")


def pattern(n, h, w):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack(
        [np.stack([(x * 5 + k * 3) % 256, (y * 7 + k) % 256, ((x + y) * 3 + 40) % 256], -1) for k in range(n)]
    ).astype(np.uint8)


def sc_dataset(arr, photometric=None, **tags):
    ds = pydicom.Dataset()
    ds.SOPClassUID = pydicom.uid.SecondaryCaptureImageStorage
    ds.SOPInstanceUID = "2.25.1"
    ds.StudyInstanceUID = "2.25.2"
    ds.SeriesInstanceUID = "2.25.3"
    ds.Modality = "OT"
    pi = photometric or ("RGB" if arr.shape[-1] == 3 and arr.ndim >= 3 else "MONOCHROME2")
    ds.set_pixel_data(arr, pi, 8 * arr.itemsize, generate_instance_uid=False)
    for k, v in tags.items():
        setattr(ds, k, v)
    return ds


def save(ds, **kw):
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True, **kw)
    return buf.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    entries = []

    def add(name, data, ref, how, tol=0.0, note=None):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        ref = np.asarray(ref)
        ref = ref.astype(ref.dtype.newbyteorder("="))
        np.save(os.path.join(OUT, name + ".ref.npy"), ref)
        e = {"file": name, **how, "ref": name + ".ref.npy", "max_mean_abs": tol}
        if note:
            e["note"] = note
        entries.append(e)

    def dicom(name, data, tol=0.0, note=None):
        add(name, data, iio.imread(io.BytesIO(data), plugin="pydicom"), {"plugin": "pydicom"}, tol, note)

    rng = np.random.default_rng(2026)
    # Written by imageio's pydicom plugin.
    for name, arr in {
        "sc_rgb8.dcm": rng.integers(0, 256, (24, 32, 3), dtype=np.uint8),
        "sc_gray16_stack5.dcm": rng.integers(0, 65536, (5, 16, 20), dtype=np.uint16),
        "sc_int16.dcm": rng.integers(-2000, 2000, (16, 16), dtype=np.int16),
    }.items():
        buf = io.BytesIO()
        iio.imwrite(buf, arr, plugin="pydicom")
        dicom(name, buf.getvalue())
    gray = rng.integers(0, 4096, (3, 24, 32), dtype=np.uint16)
    rgb = pattern(1, 24, 32)[0]
    # Compressed and other transfer syntaxes, written by pydicom.
    ds = sc_dataset(gray)
    ds.compress(pydicom.uid.RLELossless)
    dicom("rle_gray16.dcm", save(ds))
    ds = sc_dataset(pydicom.pixels.convert_color_space(rgb, "RGB", "YBR_FULL"), "YBR_FULL")
    ds.compress(pydicom.uid.RLELossless)
    dicom("rle_ybr_full.dcm", save(ds))
    ds = sc_dataset(gray)
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    dicom("implicit_gray16.dcm", save(ds, implicit_vr=True, little_endian=True))
    for name, arr, pi in (("jpeg_rgb8.dcm", rgb, "YBR_FULL_422"), ("jpeg_gray8.dcm", rgb[..., 1].copy(), "MONOCHROME2")):
        jbuf = io.BytesIO()
        Image.fromarray(arr).save(jbuf, format="JPEG", quality=90)
        ds = sc_dataset(arr)
        ds.PixelData = pydicom.encaps.encapsulate([jbuf.getvalue()])
        ds["PixelData"].VR = "OB"
        ds.PhotometricInterpretation = pi
        ds.file_meta.TransferSyntaxUID = pydicom.uid.JPEGBaseline8Bit
        dicom(name, save(ds), tol=1.0, note="JPEG decoded by Pillow (pydicom) vs jpeg-decoder (dicom-rs)")
    dicom(
        "rescale_window.dcm",
        save(sc_dataset(gray[0], RescaleSlope="0.5", RescaleIntercept="10", WindowCenter="500", WindowWidth="300")),
    )
    ds = sc_dataset(np.array([[0x0FFB, 5, 0xF0FB], [0x0800, 0x07FF, 0xFFFF]], dtype=np.uint16).view(np.int16))
    ds.BitsStored = 12
    ds.HighBit = 11
    dicom("bits12_signed.dcm", save(ds))

    # FITS written by astropy, reference = astropy's hdu.data.
    def fits_case(name, arr, scale=None):
        hdu = fits.PrimaryHDU(arr)
        if scale:
            hdu.scale(type=arr.dtype.name, bscale=scale[0], bzero=scale[1])
        buf = io.BytesIO()
        hdu.writeto(buf)
        data = buf.getvalue()
        with fits.open(io.BytesIO(data)) as hdul:
            ref = np.array(hdul[0].data)
        add(name, data, ref, {"extension": ".fits"})

    fits_case("i16.fits", rng.integers(-3000, 3000, (12, 10), dtype=np.int16))
    fits_case("u16.fits", rng.integers(0, 65536, (12, 10), dtype=np.uint16))
    fits_case("f32.fits", rng.random((12, 10), dtype=np.float32))
    fits_case("cube_f64.fits", rng.random((3, 4, 5)))
    fits_case("scaled_i16.fits", rng.integers(0, 100, (6, 8)).astype(np.int16), scale=(0.5, 10.0))

    # Video written by imageio's FFMPEG plugin (imageio-ffmpeg's static ffmpeg), read back by imageio.
    frames = pattern(8, 32, 48)
    for ext in (".mp4", ".mkv", ".avi", ".mov"):
        buf = io.BytesIO()
        iio.imwrite(buf, list(frames), extension=ext)
        data = buf.getvalue()
        add(
            "imageio8" + ext,
            data,
            iio.imread(io.BytesIO(data), extension=ext),
            {"extension": ext},
            tol=1.0,
            note="H.264 through imageio-ffmpeg's static ffmpeg vs the system ffmpeg",
        )

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(
            {
                "generator": "crates/brickwork-media/tests/make_golden_sci.py",
                "versions": {
                    "imageio": iio.__name__ and __import__("imageio").__version__,
                    "imageio_ffmpeg": __import__("imageio_ffmpeg").__version__,
                    "pydicom": pydicom.__version__,
                    "astropy": __import__("astropy").__version__,
                    "numpy": np.__version__,
                },
                "files": entries,
            },
            f,
            indent=1,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
