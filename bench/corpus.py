"""The benchmark corpus: deterministic arrays that look like what scientists store.

Every benchmark in bench/ draws from here, so figures are comparable across scripts and repeatable.
"""
from __future__ import annotations

import numpy as np

MiB = 1 << 20


def float_field(nbytes: int = 4 * MiB, seed: int = 0) -> np.ndarray:
    """A smooth float32 3-D field (climate/microscopy-like): cumulative sums of noise, plus a little noise."""
    rng = np.random.default_rng(seed)
    n = nbytes // 4
    side = int(round((n // 64) ** 0.5))
    shape = (64, side, n // (64 * side))
    a = rng.standard_normal(shape, dtype=np.float32)
    for axis in range(3):
        a = np.cumsum(a, axis=axis, dtype=np.float32)
    a += rng.standard_normal(shape, dtype=np.float32) * 0.01
    return np.ascontiguousarray(a)


def labels(nbytes: int = 4 * MiB, dtype=np.uint32, seed: int = 1) -> np.ndarray:
    """A segmentation-like label volume: blocky regions of random ids (connectomics-like)."""
    rng = np.random.default_rng(seed)
    item = np.dtype(dtype).itemsize
    n = nbytes // item
    side = int(round(n ** (1 / 3)))
    coarse = rng.integers(1, 2**31, size=(side // 8 + 1,) * 3).astype(dtype)
    fine = coarse.repeat(8, 0).repeat(8, 1).repeat(8, 2)[:side, :side, :side]
    return np.ascontiguousarray(fine)


def text(nbytes: int = 4 * MiB, seed: int = 2) -> np.ndarray:
    """English-like text from a small vocabulary, as uint8."""
    rng = np.random.default_rng(seed)
    words = (
        "the of and to in is was that for on with as by at from his an were are which this be or "
        "has had one their not but all its new they more have been other some two first after who "
        "data array chunk codec store voxel image label cell neuron sample time field value grid"
    ).split()
    out = []
    size = 0
    while size < nbytes:
        w = words[int(rng.integers(len(words)))]
        out.append(w)
        size += len(w) + 1
    return np.frombuffer(" ".join(out).encode()[:nbytes], dtype=np.uint8).copy()


def random_bytes(nbytes: int = 4 * MiB, seed: int = 3) -> np.ndarray:
    """Incompressible bytes."""
    return np.random.default_rng(seed).integers(0, 256, size=nbytes, dtype=np.uint8)


def corpus(nbytes: int = 4 * MiB) -> dict[str, np.ndarray]:
    """The named inputs, each about `nbytes` large."""
    return {
        "float32 field": float_field(nbytes),
        "uint32 labels": labels(nbytes),
        "text": text(nbytes),
        "random": random_bytes(nbytes),
    }
