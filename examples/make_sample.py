"""Writes examples/sample.npy: a deterministic 64x64x16 uint16 label volume (a segmentation-like array of
40 Voronoi cells with large label ids and a zero background slab), about 128 KiB. Run once; the output
is committed. Needs only numpy."""

from pathlib import Path

import numpy as np

rng = np.random.default_rng(20261123)
shape = (64, 64, 16)
seeds = rng.uniform(0, 1, size=(40, 3)) * np.array(shape)
labels = rng.choice(np.arange(1000, 60000), size=40, replace=False).astype(np.uint16)
grid = np.stack(np.meshgrid(*[np.arange(n) + 0.5 for n in shape], indexing="ij"), axis=-1)
nearest = np.argmin(((grid[..., None, :] - seeds) ** 2).sum(axis=-1), axis=-1)
volume = labels[nearest]
volume[:, :6, :] = 0  # background
np.save(Path(__file__).with_name("sample.npy"), np.ascontiguousarray(volume))
