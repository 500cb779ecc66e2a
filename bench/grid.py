"""Chunked serialization, one process, one run: brickwork vs the NumPy slicing loop vs fastremap vs one
whole-array copy, then assemble, then Zarr v2 and v3 save/load vs zarr-python, then regions of stores,
then xarray's open_dataset with engine="brickwork" vs engine="zarr", then stores read over HTTP and written
into S3, then stores in memory (a dict, a memory:// URL).

    .venv/bin/python bench/grid.py            # full table -> bench/results/grid.md
    .venv/bin/python bench/grid.py --quick    # smaller arrays (CI smoke)
    .venv/bin/python bench/grid.py --only zarr,zarr3 --out /tmp/zarr.md   # some tables only

Cases are fastremap's own (its docs' 512×512×256 float32 F-order array in 64³ chunks, 128×128×64 uint8,
uint8 512³ in 128³ and 64³, uint64 512³ in 64³, and C input cut in F order). Every contender's output is
checked equal to the NumPy loop's before timing. Times are the best of at least `--repeats` rounds (more
for short calls), each round calling every contender once in turn; "×" columns are
throughput ratios measured in this run: brickwork with 1 thread over the NumPy loop and over fastremap,
its bandwidth over the whole-array `image.tobytes(order)` (a single copy of the same bytes, the memory
bandwidth reference), and brickwork with 2 threads over fastremap. The Zarr table also times zarr-python
itself with brickwork's codecs behind `numcodecs.get_codec` (`brickwork.codecs.register_in_numcodecs()`)
against zarr-python with numcodecs' own.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

# NumPy's OpenBLAS keeps worker threads spinning after a BLAS call, which on a 2-core machine takes
# CPU from whichever library is being timed; nothing here uses BLAS. Set before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

import fastremap
import numcodecs
import zarr

import brickwork
import brickwork.codecs as bw
import brickwork.zarr as bz


def best(fns, repeats: int, min_total: float = 0.3) -> list[float]:
    """Best time of one call of each of `fns`, timed in turn every round, so that a burst of load on this
    (shared, virtual) machine slows all sides of a comparison alike. At least `repeats` rounds; more,
    up to about `min_total` seconds for the slowest, when calls are short (small cases are noisy)."""
    def once(fn) -> float:
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        del result
        return elapsed

    times = [once(fn) for fn in fns]
    rounds = max(repeats, min(500, int(min_total / max(max(times), 1e-6))))
    for _ in range(rounds):
        times = [min(t, once(fn)) for t, fn in zip(times, fns)]
    return times


def numpy_loop(image, chunk, order):
    out = []
    gx, gy, gz = (s // c for s, c in zip(image.shape, chunk))
    cx, cy, cz = chunk
    for z in range(gz):
        for y in range(gy):
            for x in range(gx):
                out.append(image[x * cx:(x + 1) * cx, y * cy:(y + 1) * cy, z * cz:(z + 1) * cz].tobytes(order=order))
    return out


def numpy_assemble(chunks, shape, chunk, order, dtype, out_order):
    out = np.empty(shape, dtype=dtype, order=out_order)
    gx, gy, gz = (s // c for s, c in zip(shape, chunk))
    cx, cy, cz = chunk
    i = 0
    for z in range(gz):
        for y in range(gy):
            for x in range(gx):
                out[x * cx:(x + 1) * cx, y * cy:(y + 1) * cy, z * cz:(z + 1) * cz] = \
                    np.frombuffer(chunks[i], dtype=dtype).reshape(chunk, order=order)
                i += 1
    return out


def volume(shape, dtype, layout):
    """Deterministic, label-like data (runs of equal values), so codecs in the Zarr rows have work to do."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(1)
    if np.dtype(dtype).kind == "f":
        data = rng.random(n, dtype=np.float32).astype(dtype)
    else:
        data = (np.arange(n, dtype=np.uint64) // 97 % 251).astype(dtype)
    return np.asarray(data.reshape(shape), order=layout)


def cases(quick: bool):
    k = 2 if quick else 1  # --quick halves every axis
    s = lambda *xs: tuple(x // k for x in xs)  # noqa: E731
    return [
        ("float32 512×512×256 F→F, 64³", s(512, 512, 256), "f4", "F", "F", s(64, 64, 64)),
        ("float32 512×512×256 F→C, 64³", s(512, 512, 256), "f4", "F", "C", s(64, 64, 64)),
        ("uint8 128×128×64 C→C, 64³", s(128, 128, 64), "u1", "C", "C", s(64, 64, 64)),
        ("uint8 512³ C→C, 128³", s(512, 512, 512), "u1", "C", "C", s(128, 128, 128)),
        ("uint8 512³ C→C, 64³", s(512, 512, 512), "u1", "C", "C", s(64, 64, 64)),
        ("uint64 512³ C→C, 64³", s(512, 512, 512) if not quick else (128, 128, 128), "u8", "C", "C", s(64, 64, 64)),
        ("uint16 512×512×256 C→F, 64³", s(512, 512, 256), "u2", "C", "F", s(64, 64, 64)),
    ]


def tobytes_table(quick: bool, repeats: int) -> list[str]:
    rows = ["| case | MB | NumPy loop ms | fastremap ms | whole-array copy ms | brickwork 1 thr ms | brickwork 2 thr ms "
            "| × NumPy | × fastremap | × copy bandwidth | 2 thr × fastremap |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, shape, dtype, layout, order, chunk in cases(quick):
        image = volume(shape, dtype, layout)
        ref = numpy_loop(image, chunk, order)
        assert brickwork.tobytes(image, chunk, order, threads=1) == ref, label
        assert brickwork.tobytes(image, chunk, order, threads=2) == ref, label
        assert fastremap.tobytes(image, chunk, order=order) == ref, label
        del ref
        t_np, t_fr, t_all, t_b1, t_b2 = best([
            lambda: numpy_loop(image, chunk, order),
            lambda: fastremap.tobytes(image, chunk, order=order),
            lambda: image.tobytes(order=order),
            lambda: brickwork.tobytes(image, chunk, order, threads=1),
            lambda: brickwork.tobytes(image, chunk, order, threads=2),
        ], repeats)
        rows.append(f"| {label} | {image.nbytes / 1e6:.0f} | {t_np * 1e3:.1f} | {t_fr * 1e3:.1f} | {t_all * 1e3:.1f} "
                    f"| {t_b1 * 1e3:.1f} | {t_b2 * 1e3:.1f} | {t_np / t_b1:.2f} | {t_fr / t_b1:.2f} "
                    f"| {t_all / t_b1:.2f} | {t_fr / t_b2:.2f} |")
        print(rows[-1], flush=True)
        del image
    return rows


def assemble_table(quick: bool, repeats: int) -> list[str]:
    rows = ["| case | MB | NumPy loop ms | brickwork 1 thr ms | brickwork 2 thr ms | × NumPy (1 thr) | × NumPy (2 thr) |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for label, shape, dtype, layout, order, chunk in cases(quick):
        image = volume(shape, dtype, layout)
        chunks = brickwork.tobytes(image, chunk, order)
        out_order = layout
        assert np.array_equal(numpy_assemble(chunks, shape, chunk, order, dtype, out_order), image)
        got = brickwork.assemble(chunks, shape, chunk, order, dtype=dtype, out=np.empty(shape, dtype, order=out_order))
        assert np.array_equal(got, image), label
        del got
        t_np, t_b1, t_b2 = best([
            lambda: numpy_assemble(chunks, shape, chunk, order, dtype, out_order),
            lambda: brickwork.assemble(chunks, shape, chunk, order, dtype=dtype, threads=1,
                                       out=np.empty(shape, dtype, order=out_order)),
            lambda: brickwork.assemble(chunks, shape, chunk, order, dtype=dtype, threads=2,
                                       out=np.empty(shape, dtype, order=out_order)),
        ], repeats)
        rows.append(f"| {label.replace('→', ' chunks → ')} | {image.nbytes / 1e6:.0f} | {t_np * 1e3:.1f} "
                    f"| {t_b1 * 1e3:.1f} | {t_b2 * 1e3:.1f} | {t_np / t_b1:.2f} | {t_np / t_b2:.2f} |")
        print(rows[-1], flush=True)
        del image, chunks
    return rows


def zarr_table(quick: bool, repeats: int) -> list[str]:
    shape = (256, 256, 128) if quick else (512, 512, 256)
    image = volume(shape, "u2", "C")
    codecs = [
        ("zstd level 1", numcodecs.Zstd(level=1)),
        ("blosc lz4 shuffle", numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)),
        ("zlib level 1", numcodecs.Zlib(level=1)),
    ]
    rows = ["| uint16 " + "×".join(map(str, shape)) + ", 64³ chunks | MB | zarr-python save ms | brickwork save ms "
            "| × save | zarr-python load ms | brickwork load ms | × load | size ratio (zarr/brickwork) "
            "| zarr-python with brickwork's codecs: × save | × load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def with_brickwork_codecs(call):
        """`call` with brickwork's classes behind numcodecs.get_codec (what zarr-python builds codecs with)."""
        def run():
            bw.register_in_numcodecs()
            try:
                return call()
            finally:
                bw.unregister_from_numcodecs()
        return run

    tmp = Path(tempfile.mkdtemp(prefix="brickwork-bench-"))
    try:
        for label, codec in codecs:
            zp, bp = tmp / "z.zarr", tmp / "b.zarr"

            def zsave():
                shutil.rmtree(zp, ignore_errors=True)
                z = zarr.create_array(store=str(zp), shape=shape, chunks=(64, 64, 64), dtype="u2", zarr_format=2,
                                      compressors=numcodecs.get_codec(codec.get_config()), fill_value=0)
                z[:] = image

            def bsave():
                shutil.rmtree(bp, ignore_errors=True)
                bz.save(bp, image, chunks=(64, 64, 64), compressor=codec.get_config(), fill_value=0, zarr_format=2)

            zsave()
            bsave()
            assert np.array_equal(zarr.open_array(str(bp), mode="r")[:], image)
            assert np.array_equal(bz.load(zp), image)
            size = lambda p: sum(f.stat().st_size for f in p.iterdir())  # noqa: E731
            zload = lambda: zarr.open_array(str(zp), mode="r")[:]  # noqa: E731
            assert np.array_equal(with_brickwork_codecs(zload)(), image)
            t_zs, t_bs, t_rs = best([zsave, bsave, with_brickwork_codecs(zsave)], repeats)
            t_zl, t_bl, t_rl = best([zload, lambda: bz.load(bp), with_brickwork_codecs(zload)], repeats)
            rows.append(f"| {label} | {image.nbytes / 1e6:.0f} | {t_zs * 1e3:.0f} | {t_bs * 1e3:.0f} | {t_zs / t_bs:.2f} "
                        f"| {t_zl * 1e3:.0f} | {t_bl * 1e3:.0f} | {t_zl / t_bl:.2f} | {size(zp) / size(bp):.3f} "
                        f"| {t_zs / t_rs:.2f} | {t_zl / t_rl:.2f} |")
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def zarr_v3_table(quick: bool, repeats: int) -> list[str]:
    """Zarr v3 (zarr-python's default format), unsharded and sharded, same codecs and chunks both sides."""
    from zarr.codecs import BloscCodec, ZstdCodec

    shape = (256, 256, 128) if quick else (512, 512, 256)
    shard = tuple(s // 2 for s in shape)
    image = volume(shape, "u2", "C")
    cases = [
        ("zstd level 1", ZstdCodec(level=1), {"id": "zstd", "level": 1}, None),
        ("blosc lz4 shuffle", BloscCodec(cname="lz4", clevel=5, shuffle="shuffle"),
         {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}, None),
        ("zstd level 1, shards of " + "×".join(map(str, shard)), ZstdCodec(level=1), {"id": "zstd", "level": 1}, shard),
    ]
    rows = ["| uint16 " + "×".join(map(str, shape)) + ", 64³ chunks | MB | zarr-python save ms | brickwork save ms "
            "| × save | zarr-python load ms | brickwork load ms | × load | size ratio (zarr/brickwork) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    tmp = Path(tempfile.mkdtemp(prefix="brickwork-bench-"))
    try:
        for label, zcodec, config, shards in cases:
            zp, bp = tmp / "z.zarr", tmp / "b.zarr"

            def zsave():
                shutil.rmtree(zp, ignore_errors=True)
                z = zarr.create_array(store=str(zp), shape=shape, chunks=(64, 64, 64), shards=shards, dtype="u2",
                                      zarr_format=3, compressors=zcodec, fill_value=0)
                z[:] = image

            def bsave():
                shutil.rmtree(bp, ignore_errors=True)
                bz.save(bp, image, chunks=(64, 64, 64), shards=shards, compressor=config, fill_value=0,
                        zarr_format=3)

            zsave()
            bsave()
            assert np.array_equal(zarr.open_array(str(bp), mode="r")[:], image)
            assert np.array_equal(bz.load(zp), image)
            size = lambda p: sum(f.stat().st_size for f in p.rglob("*") if f.is_file())  # noqa: E731
            t_zs, t_bs = best([zsave, bsave], repeats)
            t_zl, t_bl = best([lambda: zarr.open_array(str(zp), mode="r")[:], lambda: bz.load(bp)], repeats)
            rows.append(f"| {label} | {image.nbytes / 1e6:.0f} | {t_zs * 1e3:.0f} | {t_bs * 1e3:.0f} | {t_zs / t_bs:.2f} "
                        f"| {t_zl * 1e3:.0f} | {t_bl * 1e3:.0f} | {t_zl / t_bl:.2f} | {size(zp) / size(bp):.3f} |")
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def region_table(quick: bool, repeats: int) -> list[str]:
    """Reading and writing regions of a stored array: zarr-python's ``z[key]`` / ``z[key] = block`` vs
    brickwork's ``open(path)[key]`` / ``open(path, mode="r+")[key] = block``; both opened once, only
    the indexing timed; the same codec, chunks and shards on both sides."""
    from zarr.codecs import ZstdCodec

    shape = (256, 256, 128) if quick else (512, 512, 256)
    shard = tuple(s // 2 for s in shape)
    image = volume(shape, "u2", "C")
    h = [s // 2 for s in shape]
    rng = np.random.default_rng(0)
    rows_picked = np.sort(rng.choice(shape[0], 40, replace=False))
    points = np.unravel_index(rng.choice(int(np.prod(shape)), 10_000, replace=False), shape)  # distinct
    # (name, what selects: "" for a[key], else .oindex or .vindex, key, NumPy's equivalent key)
    reads = [
        ("one aligned 64³ chunk", "", np.s_[64:128, 64:128, 64:128], None),
        ("unaligned 100³", "", np.s_[30:130, h[1] - 50:h[1] + 50, 10:110], None),
        ("one plane [:, :, k]", "", np.s_[:, :, h[2] + 3], None),
        ("one column [i, j, :]", "", np.s_[h[0], h[1], :], None),
        ("every 4th element [::4, ::4, ::4]", "", np.s_[::4, ::4, ::4], None),
        ("oindex: 40 random rows, [rows, :, 64:128]", "oindex", np.s_[rows_picked, :, 64:128],
         np.s_[rows_picked, :, 64:128]),
        ("vindex: 10,000 random points", "vindex", points, points),
    ]
    write = ("write unaligned 100³", np.s_[30:130, h[1] - 50:h[1] + 50, 10:110])
    block = volume((100, 100, 100), "u2", "C")
    point_values = rng.integers(0, 60000, 10_000).astype("u2")
    rows = ["| uint16 " + "×".join(map(str, shape)) + ", 64³ chunks, zstd level 1 | region | MB | zarr-python ms "
            "| brickwork ms | × |",
            "|---|---|---:|---:|---:|---:|"]
    tmp = Path(tempfile.mkdtemp(prefix="brickwork-bench-"))
    try:
        for label, fmt, shards in [("Zarr v2", 2, None), ("Zarr v3", 3, None),
                                   ("Zarr v3, shards of " + "×".join(map(str, shard)), 3, shard)]:
            path = tmp / f"r{fmt}{shards is not None}.zarr"
            bz.save(path, image, chunks=(64, 64, 64), shards=shards, compressor={"id": "zstd", "level": 1},
                    fill_value=0, zarr_format=fmt)
            if fmt == 2:  # the same store both sides: zarr-python's v2 zstd is numcodecs'
                z = zarr.open_array(str(path), mode="r+")
            else:
                zpath = tmp / f"z{shards is not None}.zarr"
                z = zarr.create_array(store=str(zpath), shape=shape, chunks=(64, 64, 64), shards=shards,
                                      dtype="u2", zarr_format=3, compressors=ZstdCodec(level=1), fill_value=0)
                z[:] = image
            b = bz.open(path, mode="r+")
            for name, how, key, numpy_key in reads:
                zi, bi = (getattr(z, how), getattr(b, how)) if how else (z, b)
                expect = image[key if numpy_key is None else numpy_key]
                assert np.array_equal(zi[key], expect) and np.array_equal(bi[key], expect), name
                t_z, t_b = best([lambda: zi[key], lambda: bi[key]], repeats)
                rows.append(f"| {label} | {name} | {expect.nbytes / 1e6:.2f} | {t_z * 1e3:.2f} | {t_b * 1e3:.2f} "
                            f"| {t_z / t_b:.2f} |")
                print(rows[-1], flush=True)
            name, key = write

            def zwrite():
                z[key] = block

            def bwrite():
                b[key] = block

            t_z, t_b = best([zwrite, bwrite], repeats)
            assert np.array_equal(b[key], block) and np.array_equal(z[key], block)
            rows.append(f"| {label} | {name} | {block.nbytes / 1e6:.2f} | {t_z * 1e3:.2f} | {t_b * 1e3:.2f} "
                        f"| {t_z / t_b:.2f} |")
            print(rows[-1], flush=True)

            def zpoints():
                z.vindex[points] = point_values

            def bpoints():
                b.vindex[points] = point_values

            t_z, t_b = best([zpoints, bpoints], repeats)
            assert np.array_equal(b.vindex[points], point_values) and np.array_equal(z.vindex[points], point_values)
            rows.append(f"| {label} | vindex: write 10,000 random points | {point_values.nbytes / 1e6:.2f} "
                        f"| {t_z * 1e3:.2f} | {t_b * 1e3:.2f} | {t_z / t_b:.2f} |")
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def xarray_table(quick: bool, repeats: int) -> list[str]:
    """xarray's `open_dataset(path, engine=...)` of a store its `to_zarr` wrote (zarr-python), read with
    `engine="zarr"` and with `engine="brickwork"`: the whole dataset, a box, and one point's time series."""
    import pandas as pd
    import xarray as xr

    shape = (48, 256, 256) if quick else (96, 512, 512)
    t, y, x = np.meshgrid(*(np.linspace(0, 1, n, dtype="f4") for n in shape), indexing="ij")
    rng = np.random.default_rng(1)
    fields = {name: (("time", "lat", "lon"), (np.sin(6 * x + k) * np.cos(4 * y - t) * 20 + 280
                                               + rng.normal(0, 0.5, shape)).astype("f4"), {"units": "K"})
              for k, name in enumerate(("t2m", "sst"))}
    ds = xr.Dataset(fields, coords={"time": pd.date_range("2000-01-01", periods=shape[0], freq="6h"),
                                    "lat": np.linspace(-90, 90, shape[1]), "lon": np.linspace(0, 360, shape[2])})
    encoding = {name: {"chunks": (16, 128, 128)} for name in fields}
    selections = [("whole dataset", {}), ("box: 10 times × 200 × 200", dict(time=slice(10, 20), lat=slice(50, 250),
                                                                           lon=slice(30, 230))),
                  ("one point's time series", dict(lat=shape[1] // 3, lon=shape[2] // 2))]
    rows = [f"| float32 2 × {'×'.join(map(str, shape))}, chunks 16×128×128 | MB | engine=\"zarr\" ms "
            "| engine=\"brickwork\" ms | × |", "|---|---:|---:|---:|---:|"]
    tmp = Path(tempfile.mkdtemp(prefix="brickwork-bench-"))
    try:
        for zarr_format in (2, 3):
            path = tmp / f"v{zarr_format}.zarr"
            ds.to_zarr(path, mode="w", zarr_format=zarr_format, encoding=encoding)
            for label, sel in selections:
                def read(engine, sel=sel):
                    return xr.open_dataset(path, engine=engine).isel(**sel).load()
                ours, theirs = read("brickwork"), read("zarr")
                xr.testing.assert_identical(ours, theirs)
                nbytes = sum(v.nbytes for v in ours.data_vars.values())
                t_z, t_b = best([lambda: read("zarr"), lambda: read("brickwork")], repeats)
                rows.append(f"| Zarr v{zarr_format}, {label} | {nbytes / 1e6:.1f} | {t_z * 1e3:.1f} | {t_b * 1e3:.1f} "
                            f"| {t_z / t_b:.2f} |")
                print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def _range_server(directory: str):
    """A local HTTP server answering byte ranges (as S3 and web servers do), serving ``directory``."""
    import functools
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_GET(self):
            spec, path = self.headers.get("Range", ""), self.translate_path(self.path)
            if not spec.startswith("bytes=") or not os.path.isfile(path):
                return super().do_GET()
            with open(path, "rb") as f:
                body = f.read()
            first, _, last = spec[len("bytes="):].partition("-")
            start = max(len(body) - int(last), 0) if not first else int(first)
            stop = len(body) if not first or not last else int(last) + 1
            part = body[start:stop]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{start + len(part) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            self.wfile.write(part)

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 256
        daemon_threads = True

    return Server(("127.0.0.1", 0), functools.partial(Handler, directory=directory))


def _remote_cases(quick: bool) -> tuple:
    """What the remote tables time: the array, its layouts, the selections, and the table's head."""
    n = 512 if quick else 1024
    data = (np.sin(np.linspace(0, 40, n * n)).reshape(n, n) * 1000).astype("<f4")
    layouts = [("chunks 128×128", dict(chunks=(128, 128))),
               ("shards 512×512 of chunks 64×64", dict(chunks=(64, 64), shards=(512, 512)))]
    selections = [("whole array", (slice(None), slice(None))),
                  ("box 200×200", (slice(100, 300), slice(250, 450))), ("one row", (n // 3, slice(None)))]
    rows = [f"| float32 {n}×{n}, zstd | MB | zarr-python ms | brickwork ms | × |", "|---|---:|---:|---:|---:|"]
    return data, layouts, selections, rows


def _row(rows: list, case: str, nbytes: int, t_z: float, t_b: float) -> None:
    """Adds (and prints) a row of the remote and memory tables: the case, MB, both times and their ratio."""
    rows.append(f"| {case} | {nbytes / 1e6:.2f} | {t_z * 1e3:.1f} | {t_b * 1e3:.1f} | {t_z / t_b:.2f} |")
    print(rows[-1], flush=True)


def _read_rows(rows: list, case: str, theirs, ours, data, selections, repeats: int) -> None:
    """A row (``case`` and the selection's label) for each of ``selections`` read from zarr-python's array and
    brickwork's, each result checked."""
    for label, sel in selections:
        np.testing.assert_array_equal(ours[sel], data[sel])
        np.testing.assert_array_equal(theirs[sel], data[sel])
        t_z, t_b = best([lambda sel=sel: theirs[sel], lambda sel=sel: ours[sel]], repeats)
        _row(rows, f"{case} {label}", data[sel].nbytes, t_z, t_b)


def remote_table(quick: bool, repeats: int) -> list[str]:
    """Reading stores served over HTTP (a local server answering byte ranges, so the network is the
    loopback: what is timed is each library's fetching and decoding): zarr-python and brickwork open the
    same URL once and read the whole array, a box and one row, through fsspec."""
    import threading

    data, layouts, selections, rows = _remote_cases(quick)
    tmp = Path(tempfile.mkdtemp(prefix="brickwork-bench-"))
    server = _range_server(str(tmp))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for name, layout in layouts:
            key = name.split()[0]
            zarr.create_array(str(tmp / f"{key}.zarr"), shape=data.shape, dtype=data.dtype, **layout)[:] = data
            ours, theirs = bz.open_array(f"{url}/{key}.zarr"), zarr.open_array(f"{url}/{key}.zarr", mode="r")
            _read_rows(rows, f"{name},", theirs, ours, data, selections, repeats)
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def remote_write_table(quick: bool, repeats: int) -> list[str]:
    """Writing into an S3 bucket (moto's S3 server on localhost, through s3fs: what is timed is each
    library's fetching, encoding and putting, and the server's work, the same for both): zarr-python and
    brickwork open the same array once and write the whole array, a box (chunks covered in part:
    fetched, rewritten, put back) and one row into it; each result checked."""
    import boto3
    from moto.server import ThreadedMotoServer

    data, layouts, selections, rows = _remote_cases(quick)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k",
                 aws_secret_access_key="s").create_bucket(Bucket="bench")
    options = {"key": "k", "secret": "s", "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
    try:
        for name, layout in layouts:
            key = name.split()[0]
            arrays = []
            for who, lib in (("zarr", zarr), ("brickwork", bz)):
                url = f"s3://bench/{who}-{key}.zarr"
                lib.create_array(url, shape=data.shape, dtype=data.dtype, storage_options=options, **layout)
                arrays.append(lib.open_array(url, mode="r+", storage_options=options))
            theirs, ours = arrays
            for label, sel in selections:
                block = data[sel] + 1
                t_z, t_b = best([lambda sel=sel, block=block: theirs.__setitem__(sel, block),
                                 lambda sel=sel, block=block: ours.__setitem__(sel, block)], repeats)
                for url in (f"s3://bench/zarr-{key}.zarr", f"s3://bench/brickwork-{key}.zarr"):
                    np.testing.assert_array_equal(zarr.open_array(url, mode="r", storage_options=options)[sel],
                                                  block)
                _row(rows, f"{name}, {label}", block.nbytes, t_z, t_b)
    finally:
        server.stop()
    return rows


def memory_table(quick: bool, repeats: int) -> list[str]:
    """Stores in memory as zarr-python users make them, a dict (``store={}``) and a ``memory://`` URL
    (fsspec's memory filesystem): zarr-python and brickwork each write the whole array into a store of
    their own, then read the whole array, a box and one row; each result checked."""
    data, layouts, selections, rows = _remote_cases(quick)
    for kind in ("dict", "memory://"):
        for name, layout in layouts:
            arrays = []
            for lib in (zarr, bz):
                store = {} if kind == "dict" else f"memory://bench-{lib.__name__}-{name.split()[0]}"
                arrays.append(lib.create_array(store, shape=data.shape, dtype=data.dtype, overwrite=True, **layout))
            theirs, ours = arrays
            t_z, t_b = best([lambda: theirs.__setitem__(Ellipsis, data), lambda: ours.__setitem__(Ellipsis, data)],
                            repeats)
            _row(rows, f"{kind}, {name}, write whole array", data.nbytes, t_z, t_b)
            _read_rows(rows, f"{kind}, {name}, read", theirs, ours, data, selections, repeats)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="arrays halved along every axis")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "grid.md"))
    ap.add_argument("--only", default="tobytes,assemble,zarr,zarr3,region,xarray,remote,remote-write,memory",
                    help="comma-separated tables to run: tobytes, assemble, zarr (v2), zarr3, region, xarray, "
                         "remote, remote-write, memory")
    args = ap.parse_args()
    only = set(args.only.split(","))
    header = [
        "# brickwork grid benchmark",
        "",
        f"`.venv/bin/python bench/grid.py{' ' if sys.argv[1:] else ''}{' '.join(sys.argv[1:])}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
        f"fastremap {fastremap.__version__ if hasattr(fastremap, '__version__') else '1.21.0'}, zarr {zarr.__version__}, "
        f"brickwork {brickwork.__version__}; best of at least {args.repeats} rounds timing the contenders in turn.",
    ]
    print("\n".join(header))
    out = header
    if "tobytes" in only:
        out += ["", "## tobytes", ""]
        out += tobytes_table(args.quick, args.repeats)
    for name, title, table in [
        ("assemble", "assemble (both into a new array in the source's layout: chunks C→F means F-order chunks "
                     "into a C array)", assemble_table),
        ("zarr", "Zarr v2 save / load vs zarr-python (same codec, same chunks)", zarr_table),
        ("zarr3", "Zarr v3 save / load vs zarr-python (same codec, same chunks and shards)", zarr_v3_table),
        ("region", "Regions of a stored array: `a[key]` and `a[key] = block` vs zarr-python (same codec, chunks "
                   "and shards; arrays opened once)", region_table),
        ("xarray", "xarray: `xr.open_dataset(path, engine=...)` then `.isel(...).load()`, of a store xarray's "
                   "`to_zarr` wrote (default codecs), opening included", xarray_table),
        ("remote", "Remote stores: the same `http://` URL read by zarr-python and brickwork through fsspec (a "
                   "local server answering byte ranges; arrays opened once)", remote_table),
        ("remote-write", "Remote stores written: the same `s3://` array written by zarr-python and brickwork "
                         "through s3fs (moto's S3 server on localhost; arrays opened once)", remote_write_table),
        ("memory", "Stores in memory: a dict and a `memory://` URL, each library writing and reading a store of "
                   "its own (arrays opened once)", memory_table),
    ]:
        if name in only:
            out += ["", f"## {title}", ""]
            print("\n".join(out[-3:]))
            out += table(args.quick, args.repeats)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(out) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
