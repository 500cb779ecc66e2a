"""Garbage through the Python layer, for every codec id: random bytes, and truncations, bit flips,
insertions and repeats of valid encodings, decoded with and without ``out=``.

What must hold: a decode returns or raises one of the exceptions numcodecs users catch (``ValueError``,
``RuntimeError``, ``TypeError``; brickwork's errors derive from them), never crashes the interpreter
(a crash fails the whole run), and never allocates by an untrusted header (the process's peak resident
memory may not grow by more than 256 MiB over all cases). The Rust decoders behind these are fuzzed
(`fuzz/`); this checks the Python wrappers around them (views, reshapes, object arrays, ``out``).
"""
from __future__ import annotations

import resource

import numpy as np
import pytest

import brickwork.codecs as bw

RNG = np.random.default_rng(2026)

_FLOATS = np.cumsum(RNG.standard_normal(300)).astype("<f8")
_LABELS = np.repeat(RNG.integers(0, 9, 50), 6).astype("<i4")
_WORDS = np.array(["alpha", "", "βeta", "gamma" * 9] * 8, dtype=object)

CASES = [
    ({"id": "zlib"}, _FLOATS),
    ({"id": "gzip"}, _FLOATS),
    ({"id": "bz2"}, _FLOATS),
    ({"id": "lzma"}, _FLOATS),
    ({"id": "lzma", "format": 3, "filters": [{"id": 33}]}, _FLOATS),
    ({"id": "zstd", "level": 3, "checksum": True}, _FLOATS),
    ({"id": "lz4"}, _FLOATS),
    ({"id": "blosc", "cname": "lz4", "shuffle": 1}, _FLOATS),
    ({"id": "blosc", "cname": "zstd", "shuffle": 2}, _LABELS),
    ({"id": "blosc", "cname": "blosclz", "shuffle": 0, "blocksize": 256}, _LABELS),
    ({"id": "shuffle", "elementsize": 8}, _FLOATS),
    ({"id": "delta", "dtype": "<i4"}, _LABELS),
    ({"id": "fixedscaleoffset", "offset": 1.0, "scale": 10.0, "dtype": "<f8", "astype": "<i2"}, _FLOATS),
    ({"id": "quantize", "digits": 2, "dtype": "<f8"}, _FLOATS),
    ({"id": "bitround", "keepbits": 7}, _FLOATS),
    ({"id": "packbits"}, _LABELS > 4),
    ({"id": "astype", "encode_dtype": "<i2", "decode_dtype": "<i4"}, _LABELS),
    ({"id": "categorize", "labels": ["alpha", "βeta", "gamma"], "dtype": "<U5", "astype": "|u1"},
     np.array(["alpha", "βeta", "gamma", "x"] * 5, dtype="<U5")),
    ({"id": "crc32"}, _FLOATS),
    ({"id": "crc32c"}, _FLOATS),
    ({"id": "adler32", "location": "end"}, _FLOATS),
    ({"id": "fletcher32"}, _FLOATS),
    ({"id": "jenkins_lookup3", "initval": 3, "prefix": None}, _FLOATS),
    ({"id": "base64"}, _FLOATS),
    ({"id": "json2"}, _WORDS),
    ({"id": "msgpack2"}, _WORDS),
    ({"id": "vlen-utf8"}, _WORDS),
    ({"id": "vlen-bytes"}, np.array([w.encode() for w in _WORDS], dtype=object)),
    ({"id": "vlen-array", "dtype": "<i4"}, np.array([_LABELS[:k] for k in (0, 3, 7, 50)], dtype=object)),
    ({"id": "pcodec"}, _FLOATS),
    ({"id": "zfpy", "mode": 4, "tolerance": 0.01}, _FLOATS.reshape(20, 15)),
]

ACCEPTED = (ValueError, RuntimeError, TypeError)


def _mutations(encoded: bytes, n: int):
    yield b""
    for k in (1, 2, 3, 4, 7, 8, 12, 16, 17):
        yield encoded[:k]
    for _ in range(n):
        kind = RNG.integers(0, 5)
        data = bytearray(encoded)
        if kind == 0 and data:  # flip bits of a few bytes
            for i in RNG.integers(0, len(data), RNG.integers(1, 4)):
                data[i] ^= 1 << int(RNG.integers(0, 8))
        elif kind == 1 and data:  # truncate
            data = data[: RNG.integers(0, len(data))]
        elif kind == 2:  # insert junk
            i = int(RNG.integers(0, len(data) + 1))
            data[i:i] = RNG.integers(0, 256, int(RNG.integers(1, 9)), dtype=np.uint8).tobytes()
        elif kind == 3 and data:  # a header-sized field set to its maximum
            i = int(RNG.integers(0, max(1, min(len(data) - 3, 32))))
            data[i : i + 4] = b"\xff\xff\xff\x7f"
        else:  # random bytes
            data = bytearray(RNG.integers(0, 256, int(RNG.integers(0, 80)), dtype=np.uint8).tobytes())
        yield bytes(data)


def _decode(codec, data: bytes, out):
    try:
        result = codec.decode(data, out=out) if out is not None else codec.decode(data)
    except ACCEPTED:
        return
    except Exception as e:  # pragma: no cover - the failure message names what escaped
        pytest.fail(f"{codec!r}.decode({data[:24]!r}..., out={type(out).__name__}) raised {type(e).__name__}: {e}")
    if out is None and isinstance(result, np.ndarray) and result.dtype == object:
        for item in result.ravel():  # every element of an object result is a usable Python object
            repr(item)


@pytest.mark.parametrize("config,sample", CASES, ids=lambda v: v["id"] if isinstance(v, dict) else "")
def test_garbage_decodes_to_an_error_or_a_result(config, sample):
    codec = bw.get_codec(config)
    encoded = bytes(codec.encode(sample))  # bytes, or a uint8 array (the Checksum32 family)
    outs = [None]
    if sample.dtype != object:
        outs += [np.empty_like(sample), np.empty(3, sample.dtype), np.empty(sample.nbytes, "u1")]
    else:
        outs += [np.empty(sample.shape, object)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for data in _mutations(encoded, 150):
        for out in outs:
            _decode(codec, data, out)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 256, f"peak memory grew by {grown_mib:.0f} MiB decoding garbage"
