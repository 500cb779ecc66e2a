"""Writes numpy_vectors.json: encode/decode results of numcodecs' typed filters over many dtype pairs.

Run with numcodecs 0.17.1 / NumPy 2.5 on x86-64:  python gen_numpy_vectors.py
Read by tests/filters_numpy.rs. Each case: the codec config, the input dtype and bytes (hex), and what
numcodecs' encode and decode(encode(x)) returned (hex), or "error <ExceptionClass>".

NumPy's float -> uint32 casts of out-of-range values and NaN depend on whether an element falls in the
vectorised body or the scalar tail of NumPy's loop (undefined behaviour in C), so data that reaches a
uint32 from a float or complex type is kept in range.
"""
import json
import warnings

import numpy as np
from numcodecs import AsType, BitRound, Categorize, Delta, FixedScaleOffset, PackBits, Quantize, Shuffle

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261123)
NUM = ['|b1', '|i1', '|u1', '<i2', '>u2', '<i4', '<u4', '<i8', '>u8', '<f2', '<f4', '>f8', '<f8', '<c8', '<c16']
N = 6


def sample(dt, safe=False):
    dt = np.dtype(dt)
    if dt.kind == 'b':
        return rng.integers(0, 2, N).astype(dt)
    if dt.kind in 'iu':
        if safe:
            lo, hi = (0, 200) if dt.kind == 'u' else (-100, 100)
        else:
            info = np.iinfo(dt)
            lo, hi = info.min, info.max
        return rng.integers(lo, hi, N, endpoint=True, dtype=dt.newbyteorder('=')).astype(dt)
    if dt.kind == 'f':
        if safe:
            return rng.uniform(0, 100, N).astype(dt)
        v = np.concatenate([rng.normal(0, 1e3, N - 4), rng.choice([np.nan, np.inf, -np.inf, 0.5, 1.5, -2.5, 1e30, -7e9], 4)])
        return v.astype(dt)
    return (rng.uniform(0, 100, N) + 1j * rng.uniform(-100, 100, N)).astype(dt)


def involves_u4_from_inexact(*dts):
    kinds = {np.dtype(d).kind for d in dts}
    return any(np.dtype(d) == np.dtype('<u4') for d in dts) and bool(kinds & set('fc'))


cases = []


def add(codec, arr):
    c = {'config': codec.get_config(), 'dtype': arr.dtype.str, 'input': arr.tobytes().hex()}
    try:
        enc = codec.encode(arr)
        c['encoded'] = np.asarray(enc).tobytes().hex()
        try:
            c['decoded'] = np.asarray(codec.decode(enc)).tobytes().hex()
        except Exception as e:  # noqa: BLE001
            c['decoded'] = 'error ' + type(e).__name__
    except Exception as e:  # noqa: BLE001
        c['encoded'] = 'error ' + type(e).__name__
    cases.append(c)


for d in NUM:
    for a in NUM:
        safe = involves_u4_from_inexact(d, a)
        # Sorted, so that uint32 differences do not wrap into huge values.
        add(Delta(dtype=d, astype=a), np.sort(sample(d, safe)) if safe else sample(d))
        add(AsType(encode_dtype=a, decode_dtype=d), sample(d, safe))
for d in ['<f2', '<f4', '<f8', '|i1', '<i2', '<u4', '<i8', '|u1', '|b1']:
    for a in ['|u1', '|i1', '<i2', '<u4', '<i8', '>u8', '<f2', '<f4', '<f8']:
        for off, sc in [(1000, 10), (1.5, 3), (-3, 0.25)]:
            safe = a == '<u4'
            arr = sample(d, safe)
            if d[1] == 'f' and not safe:
                arr = (arr / 10).astype(d)
            add(FixedScaleOffset(offset=off, scale=sc, dtype=d, astype=a), arr)
for d in ['<f2', '<f4', '<f8', '>f8']:
    for a in ['<f2', '<f4', '<f8']:
        for digits in [-2, 0, 1, 3, 7]:
            add(Quantize(digits=digits, dtype=d, astype=a), sample(d))
for d in ['<f2', '<f4', '<f8']:
    for kb in [0, 1, 5, 9, 10, 22, 40]:
        add(BitRound(keepbits=kb), sample(d))
labels = ['a', 'bb', 'ccc', 'a', '', 'ß']
for d in ['<U3', '>U2', '<U1']:
    for a in ['|u1', '<i2', '<f4', '|b1']:
        add(Categorize(labels=labels, dtype=d, astype=a), np.array(rng.choice(['a', 'bb', 'ccc', 'zz', '', 'ß', 'cc'], 10), dtype=d))
for es in [0, 1, 2, 3, 4, 8, 16]:
    add(Shuffle(elementsize=es), rng.integers(0, 255, 48, dtype='u1'))
for n in [0, 1, 7, 8, 9, 30]:
    add(PackBits(), rng.integers(0, 3, n).astype(bool))

with open('numpy_vectors.json', 'w') as f:
    json.dump(cases, f, separators=(',', ':'))
print(len(cases), 'cases')
