"""Live cross-checks of brickwork's checksum codecs against the real numcodecs 0.17.1 (with google-crc32c).

Identical encoded bytes and result types for random data of every dtype, C/F order, empty and one-byte
inputs; mutual decoding; config/repr/get_codec equality; corrupted data raises ChecksumError (a
RuntimeError, as numcodecs), short data DecodeError (a ValueError).
"""
from __future__ import annotations

import numcodecs
import numpy as np
import pytest

import brickwork.codecs as bw
from brickwork import errors

from _xcheck import cross_check, raw

RNG = np.random.default_rng(11)

CONFIGS = [
    {"id": "crc32"},
    {"id": "crc32", "location": "start"},
    {"id": "crc32", "location": "end"},
    {"id": "adler32"},
    {"id": "adler32", "location": "end"},
    {"id": "crc32c"},
    {"id": "crc32c", "location": "start"},
    {"id": "fletcher32"},
    {"id": "jenkins_lookup3", "initval": 0, "prefix": None},
    {"id": "jenkins_lookup3", "initval": 1230, "prefix": None},
]


def _inputs():
    yield "one byte", b"x"
    yield "hello", b"Hello World"
    yield "odd", RNG.integers(0, 256, 1001, dtype=np.uint8).tobytes()
    for dtype in ["<i2", "<f4", ">f8", "<u8", "|b1"]:
        a = RNG.integers(0, 100, 60).astype(dtype)
        yield dtype, a
        yield dtype + " 2d F", np.asfortranarray(a.reshape(6, 10))
    yield "big", RNG.integers(0, 256, 1 << 20, dtype=np.uint8)
    yield "datetime", np.arange(10).astype("M8[s]")


def _pair(config):
    nc = numcodecs.get_codec(config)
    b = bw.get_codec(config)
    assert type(b).__module__.startswith("brickwork.")
    assert type(b).__name__ == type(nc).__name__
    assert b.get_config() == nc.get_config()
    assert repr(b) == repr(nc)
    return b, nc


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_checksum_cross(config):
    b, nc = _pair(config)
    for _label, x in _inputs():
        cross_check(b, nc, x)
    if config["id"] != "fletcher32":
        cross_check(b, nc, b"")


def test_location_in_config_only_when_given():
    assert bw.CRC32().get_config() == {"id": "crc32"}
    assert bw.CRC32(location="start").get_config() == {"id": "crc32", "location": "start"}
    assert bw.CRC32() != bw.CRC32(location="start")
    assert repr(bw.CRC32C(location="start")) == "CRC32C(location='start')"
    assert bw.CRC32C().location == "end"
    with pytest.raises(ValueError):
        bw.CRC32(location="middle")


def test_jenkins_prefix_and_vectors():
    prefix = b"FADB\x00\x01\xcf\x01\x00\x00\x00\x00\x00\x00"
    b, nc = bw.JenkinsLookup3(prefix=prefix), numcodecs.JenkinsLookup3(prefix=prefix)
    assert repr(b) == repr(nc)
    assert isinstance(b.prefix, np.ndarray) and b.prefix.tobytes() == prefix
    data = RNG.integers(0, 256, 333, dtype=np.uint8)
    cross_check(b, nc, data)
    assert bw.JenkinsLookup3().encode(b"") == b"\xef\xbe\xad\xde"
    assert bw.JenkinsLookup3().encode(b"Hello World")[-4:] == bytes.fromhex("92085209")
    out = np.zeros(11, "u1")
    assert bw.JenkinsLookup3().decode(bw.JenkinsLookup3().encode(b"Hello World"), out=out) is out
    assert out.tobytes() == b"Hello World"


def test_fletcher32_vectors_empty_and_out():
    b = bw.Fletcher32()
    assert b.encode(b"abc") == b"abc" + bytes.fromhex("62c4c525")
    assert b.encode(b"Hello World")[-4:] == bytes.fromhex("ce5126dc")
    with pytest.raises(IndexError):
        numcodecs.Fletcher32().encode(b"")
    assert b.encode(b"") == b"\x00\x00\x00\x00"  # brickwork: documented, decodes back
    assert raw(b.decode(b"\x00\x00\x00\x00")) == b""
    out = np.zeros(10, "u1")
    b.decode(b.encode(b"abc"), out=out)  # a larger out is allowed, as numcodecs
    assert out[:3].tobytes() == b"abc"
    with pytest.raises(ValueError):
        b.decode(b.encode(b"abcdef"), out=np.zeros(2, "u1"))  # numcodecs overruns; brickwork refuses


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_corruption_detected(config):
    b = bw.get_codec(config)
    enc = bytearray(raw(b.encode(b"some payload bytes")))
    enc[len(enc) // 2] ^= 0x40
    with pytest.raises(errors.ChecksumError) as info:
        b.decode(bytes(enc))
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(ValueError):
        b.decode(b"\x01\x02")


def test_checksum32_out_exact():
    b = bw.CRC32()
    enc = b.encode(b"abcd")
    out = np.zeros(4, "u1")
    assert b.decode(enc, out=out) is out and out.tobytes() == b"abcd"
    with pytest.raises(ValueError):
        b.decode(enc, out=np.zeros(5, "u1"))
    with pytest.raises(ValueError):
        b.encode(np.arange(10)[::2])


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_decode_returns_a_view_of_the_payload_like_numcodecs(config):
    b, nc = _pair(config)
    enc = np.frombuffer(nc.encode(np.arange(1000, dtype="<u4")), dtype=np.uint8)
    for codec in (b, nc):
        dec = codec.decode(enc)
        assert np.shares_memory(np.asarray(dec), enc), type(codec)
    assert bytes(b.decode(enc)) == bytes(nc.decode(enc))


@pytest.mark.parametrize("name", ["CRC32", "Adler32", "CRC32C", "JenkinsLookup3"])
def test_checksum_functions_match_numcodecs_and_continue(name):
    """numcodecs' ``checksum(data, value)`` static methods (zlib's, google-crc32c's, lookup3's): the
    same numbers for random data of several types, and continuing from the checksum of a prefix gives
    the checksum of the whole (but lookup3, whose ``value`` is a seed)."""
    ours, theirs = getattr(bw, name).checksum, getattr(numcodecs, name).checksum
    data = RNG.integers(0, 256, 3001, dtype=np.uint8)
    for buf in (b"", b"Hello World", data, data[:1000].view("<u2")):
        plain = np.frombuffer(bytes(buf), "u1")  # numcodecs' lookup3 takes uint8 only, google-crc32c read-only
        assert ours(buf) == theirs(plain)
        for value in (0, 1, 7, 2**32 - 1):
            assert ours(buf, value) == theirs(plain, value)
    # any contiguous buffer (numcodecs' CRC32C, through google-crc32c, refuses a bytearray)
    assert ours(bytearray(data[:77].tobytes())) == ours(data[:77]) == ours(np.asfortranarray(data[:77]))
    if name != "JenkinsLookup3":
        for split in (0, 1, 1500, 3001):
            assert ours(data[split:], ours(data[:split])) == ours(data)
    assert bw.jenkins_lookup3(b"abc", 5) == bw.JenkinsLookup3.checksum(b"abc", 5)
    with pytest.raises(TypeError):
        ours("text")


def test_mismatch_messages_read_as_numcodecs_words_them():
    """Code that matches numcodecs' messages (its own tests do) matches brickwork's."""
    for codec, words in [(bw.Fletcher32(), "fletcher32 checksum"), (bw.JenkinsLookup3(), "Bob Jenkin's lookup3 checksum"),
                         (bw.CRC32(), "crc32 checksum")]:
        enc = bytearray(raw(codec.encode(np.arange(100))))
        enc[5] ^= 1
        with pytest.raises(RuntimeError, match=words):
            codec.decode(bytes(enc))
