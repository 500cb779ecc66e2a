"""brickwork.tobytes / assemble / encode_chunks / decode_chunks against fastremap 1.21.0 and the NumPy
slicing loop fastremap's documentation compares with."""
from __future__ import annotations

import itertools
import threading

import fastremap
import numpy as np
import pytest

import brickwork
from brickwork.codecs import Zstd, Blosc, Delta
from brickwork.errors import InvalidArrayError

RNG = np.random.default_rng(7)


def numpy_loop(image, chunk, order, edge=None, fill=0):
    """The reference: slice every cutout (Fortran order over the grid) and call tobytes(order)."""
    grid = [-(-s // c) for s, c in zip(image.shape, chunk)]
    out = []
    for idx in itertools.product(*[range(g) for g in reversed(grid)]):
        idx = idx[::-1]
        sl = tuple(slice(i * c, (i + 1) * c) for i, c in zip(idx, chunk))
        cut = image[sl]
        if edge == "pad" and cut.shape != tuple(chunk):
            full = np.full(chunk, fill, dtype=image.dtype)
            full[tuple(slice(0, s) for s in cut.shape)] = cut
            cut = full
        out.append(cut.tobytes(order=order))
    return out


def sample(shape, dtype):
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    raw = RNG.integers(0, 256, size=n * dtype.itemsize, dtype=np.uint8)
    if dtype.kind in "fc":
        return RNG.standard_normal(n).astype(dtype).reshape(shape) if dtype.kind == "f" else \
            (RNG.standard_normal(n) + 1j * RNG.standard_normal(n)).astype(dtype).reshape(shape)
    if dtype.kind == "b":
        return (raw[:n] & 1).astype(bool).reshape(shape)
    return raw.view(dtype).reshape(shape)


@pytest.mark.parametrize("dtype", ["u1", "u2", "<i4", ">i4", "u8", "f4", "f8"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_identical_to_fastremap(dtype, order, layout):
    image = np.asarray(sample((32, 24, 16), dtype), order=layout)
    for chunk in [(16, 8, 16), (32, 24, 16), (8, 8, 8), (1, 24, 2)]:
        got = brickwork.tobytes(image, chunk, order=order)
        assert got == numpy_loop(image, chunk, order)
        if image.dtype.isnative:  # fastremap refuses big-endian buffers
            assert got == fastremap.tobytes(image, chunk, order=order)


def test_reference_example():
    image = np.random.randint(0, 255, size=(128, 128, 64), dtype=np.uint8)
    binaries = brickwork.tobytes(image, (64, 64, 64), order="C")
    assert len(binaries) == 4 and len(binaries[0]) == 64 ** 3
    assert binaries == fastremap.tobytes(image, (64, 64, 64), order="C")
    assert brickwork.tobytes(image, (64, 64, 64), order="F") == fastremap.tobytes(image, (64, 64, 64), order="F")


@pytest.mark.parametrize("dtype", ["?", "f2", "c8", ">c16", "M8[ns]", "m8[s]", "S5", "<U3", ">U2", "V3", "i1"])
def test_every_dtype(dtype):
    image = sample((6, 10, 4), dtype) if np.dtype(dtype).kind not in "SUVMm" else \
        RNG.integers(0, 256, size=6 * 10 * 4 * np.dtype(dtype).itemsize, dtype=np.uint8).view(dtype).reshape(6, 10, 4)
    for order in "CF":
        got = brickwork.tobytes(image, (3, 5, 2), order=order)
        assert got == numpy_loop(image, (3, 5, 2), order)
        back = brickwork.assemble(got, image.shape, (3, 5, 2), order=order, dtype=image.dtype)
        assert back.tobytes() == image.tobytes() and back.dtype == image.dtype


@pytest.mark.parametrize("ndim", [1, 2, 4, 5, 7])
def test_any_number_of_dimensions(ndim):
    shape = tuple([6, 4, 3, 2, 2, 2, 2][:ndim])
    chunk = tuple([3, 2, 3, 1, 2, 1, 2][:ndim])
    image = sample(shape, "u2")
    for order in "CF":
        got = brickwork.tobytes(image, chunk, order=order)
        assert got == numpy_loop(image, chunk, order)
        assert np.array_equal(brickwork.assemble(got, shape, chunk, order=order, dtype="u2"), image)


def test_32_dimensions():
    image = sample((2,) * 10 + (1,) * 22, "u1")
    chunk = (1,) * 32
    got = brickwork.tobytes(image, chunk)
    assert len(got) == 1024 and got == numpy_loop(image, chunk, "C")
    with pytest.raises(ValueError):
        brickwork.tobytes(np.zeros((1,) * 33, dtype="u1"), (1,) * 33)


@pytest.mark.parametrize("view", [
    lambda a: a[::-1],
    lambda a: a[:, ::2, 1:],
    lambda a: a[::2, ::-3, ::-1],
    lambda a: a.transpose(2, 0, 1),
    lambda a: np.broadcast_to(a[:1], a.shape),
])
def test_non_contiguous_views_read_in_place(view):
    base = sample((12, 18, 10), "<f4")
    image = view(base)
    chunk = tuple(max(1, s // 2) for s in image.shape)
    for order in "CF":
        assert brickwork.tobytes(image, chunk, order=order, edge="truncate") == \
            numpy_loop(image, chunk, order)


@pytest.mark.parametrize("edge", ["truncate", "pad"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_edge_modes_round_trip(edge, order):
    image = sample((13, 7, 5), "i2")
    chunk = (4, 3, 5)
    got = brickwork.tobytes(image, chunk, order=order, edge=edge, fill_value=-9)
    assert got == numpy_loop(image, chunk, order, edge=edge, fill=-9)
    back = brickwork.assemble(got, image.shape, chunk, order=order, dtype="i2", edge=edge)
    assert np.array_equal(back, image)


def test_assemble_into_out_any_layout():
    image = sample((16, 12, 8), "u4")
    chunks = brickwork.tobytes(image, (8, 4, 8), order="F")
    for out in [np.zeros(image.shape, "u4"), np.zeros(image.shape, "u4", order="F"),
                np.zeros((32, 12, 16), "u4")[::2, :, ::2]]:
        res = brickwork.assemble(chunks, image.shape, (8, 4, 8), order="F", dtype="u4", out=out, threads=2)
        assert res is out and np.array_equal(out, image)


def test_threads_give_identical_results():
    # 3.1 MiB: big enough that threads other than 1 use the pool (small work stays on the calling thread)
    image = sample((160, 128, 80), "u2")
    want = brickwork.tobytes(image, (16, 16, 8), order="F", threads=1)
    for threads in (2, 3, None):
        assert brickwork.tobytes(image, (16, 16, 8), order="F", threads=threads) == want
        assert np.array_equal(brickwork.assemble(want, image.shape, (16, 16, 8), order="F", dtype="u2",
                                                 threads=threads), image)


def test_gil_is_released():
    image = sample((256, 256, 64), "u1")
    results = []

    def work():
        results.append(len(brickwork.tobytes(image, (32, 32, 32))))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [128] * 4


@pytest.mark.parametrize("call, message", [
    (lambda: brickwork.tobytes(np.zeros((10, 10, 10), "u1"), (3, 5, 5)), "does not divide"),
    (lambda: brickwork.tobytes(np.zeros((10, 10, 10), "u1"), (5, 5, 5), order="K"), "order"),
    (lambda: brickwork.tobytes(np.zeros((10, 10, 10), "u1"), (5, 5)), "dimensions"),
    (lambda: brickwork.tobytes(np.zeros((10, 10, 10), "u1"), (5, 0, 5)), "positive"),
    (lambda: brickwork.tobytes(np.zeros((10, 10, 10), "u1"), (5, -5, 5)), "positive"),
    (lambda: brickwork.tobytes(np.zeros((10, 10, 10), "u1"), (5, 5, 5), edge="wrap"), "edge"),
    (lambda: brickwork.tobytes(np.zeros((4,), object), (2,)), "objects"),
    (lambda: brickwork.tobytes(np.zeros((4,), "u1"), (2,), threads=0), "threads"),
    (lambda: brickwork.assemble([b"ab"], (4,), (2,), dtype="u1"), "chunks given"),
    (lambda: brickwork.assemble([b"ab", b"c"], (4,), (2,), dtype="u1"), "chunk 1"),
])
def test_errors_are_clear_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
    with pytest.raises(InvalidArrayError):
        call()


def test_read_only_or_overlapping_out_is_refused():
    ro = np.zeros(4, "u1")
    ro.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        brickwork.assemble([b"ab", b"cd"], (4,), (2,), dtype="u1", out=ro)
    with pytest.raises(ValueError):
        brickwork.assemble([b"ab", b"cd"], (4,), (2,), dtype="u1", out=np.broadcast_to(np.zeros(1, "u1"), (4,)))


def test_overflowing_chunk_sizes_are_errors():
    with pytest.raises(ValueError):
        brickwork.tobytes(np.zeros((4, 4), "u1"), (2**62, 2**62), edge="pad")
    with pytest.raises((ValueError, OverflowError)):
        brickwork.tobytes(np.zeros((4, 4), "u1"), (2**70, 2))


@pytest.mark.parametrize("codec", [Zstd(level=1), Blosc(cname="lz4", shuffle=Blosc.SHUFFLE),
                                   [Delta(dtype="<u2"), Zstd(level=3)], {"id": "zlib", "level": 1}])
def test_encode_chunks_matches_encoding_each_chunk(codec):
    import numcodecs

    image = sample((40, 30, 20), "<u2")
    enc = brickwork.encode_chunks(image, (16, 16, 16), codec, order="F", edge="pad", fill_value=0)
    raw = numpy_loop(image, (16, 16, 16), "F", edge="pad")
    assert len(enc) == len(raw)
    ref = numcodecs.get_codec(codec if isinstance(codec, dict) else
                              (codec[-1] if isinstance(codec, list) else codec).get_config())
    for e, r in zip(enc, raw):
        if isinstance(codec, list):
            d = np.frombuffer(ref.decode(e), "<u2")
            d = numcodecs.Delta(dtype="<u2").decode(d)
            assert d.tobytes() == r
        else:
            assert bytes(ref.decode(e)) == r
    back = brickwork.decode_chunks(enc, image.shape, (16, 16, 16), codec, order="F", dtype="<u2", edge="pad")
    assert np.array_equal(back, image)
