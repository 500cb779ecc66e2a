"""Chunk grids, regular and rectilinear, as brickwork.zarr's Python side sees them (the grid rules
themselves are Rust's: ``crates/brickwork-grid/src/grid.rs``, ``rectilinear.rs``, ``zarr/chunk_grid.rs``).

zarr-python 3.4's experimental rectilinear (variable) chunk grids: ``chunks=[[10, 20, 30], [50, 50]]``
gives each chunk along an axis its own length (an axis given as one integer stays regular), and
``shards=[[60, 40, 20], [50, 50]]`` does the same for shard boundaries. As zarr-python, making one needs
``zarr.config.set({"array.rectilinear_chunks": True})``; brickwork reads them whatever the setting.

An :class:`Axis` is one axis of a grid over the array: its chunks' starts and lengths, from the metadata's
runs of lengths (``[size, count]``), which are never expanded unless a caller asks for every size.
"""
from __future__ import annotations

import bisect
import operator
from typing import Any

import numpy as np

from ..errors import InvalidArrayError
from . import _config


class RectilinearChunksDisabledError(InvalidArrayError):
    """A rectilinear chunk grid was asked for while ``array.rectilinear_chunks`` is off (zarr-python's
    ``RectilinearChunksDisabledError``, a ValueError)."""


def is_rectilinear(spec: Any) -> bool:
    """Whether ``chunks=``/``shards=`` is a rectilinear spec: a sequence with a sequence among its axes."""
    return (isinstance(spec, (list, tuple)) and
            any(isinstance(s, (list, tuple, np.ndarray)) for s in spec))


def _int(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {value!r}") from None


def grid_json(spec: Any, shape: tuple, what: str = "chunks") -> dict:
    """The ``chunk_grid`` of a rectilinear ``spec`` over ``shape``, checked as zarr-python checks it: per
    axis an integer (a regular length; -1 for the whole axis) or a list of positive integers that add up
    to the axis's length (any list, on an axis of length 0: the chunks it grows into)."""
    if not _config.config.get("array.rectilinear_chunks"):
        raise RectilinearChunksDisabledError(
            "Rectilinear chunk grids are experimental and disabled by default. Enable them with: "
            "zarr.config.set({'array.rectilinear_chunks': True}) (as zarr-python; brickwork.zarr.config here)")
    if len(spec) != len(shape):
        raise InvalidArrayError(f"{what} has {len(spec)} axes; the array has {len(shape)}: {tuple(shape)}")
    axes: list = []
    for a, (dim, span) in enumerate(zip(spec, shape)):
        if not isinstance(dim, (list, tuple, np.ndarray)):
            n = _int(dim, f"the chunk length of axis {a}")
            if n == -1:
                n = max(span, 1)
            if n < 1:
                raise InvalidArrayError(f"Chunk size must be positive or -1, got {n} (axis {a})")
            axes.append(n)
            continue
        sizes = [_int(s, f"each chunk size of axis {a}") for s in dim]
        if not sizes:
            raise InvalidArrayError(f"the chunk sizes of axis {a} must not be empty")
        if any(s < 1 for s in sizes):
            raise InvalidArrayError(f"All chunk sizes must be positive, got {sizes} (axis {a})")
        if span > 0 and sum(sizes) != span:
            raise InvalidArrayError(f"Chunk sizes {sizes} do not sum to span {span} (axis {a})")
        axes.append(sizes)
    return {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": axes}}


class Axis:
    """One axis of a chunk grid over ``extent`` elements: chunks of ``size`` (regular), or the runs of
    lengths ``runs`` (``(size, count)`` pairs, from the metadata) of a rectilinear axis; only the chunks
    that hold part of the array count."""

    __slots__ = ("extent", "size", "_sizes", "_firsts", "_starts", "nchunks")

    def __init__(self, extent: int, size: int | None = None, runs: list | None = None):
        self.extent, self.size = extent, size
        if runs is None:
            self.nchunks = -(-extent // size) if extent else 0
            return
        self._sizes, self._firsts, self._starts = [], [], []
        first = start = 0
        for length, count in runs:
            if start >= extent:
                break
            self._sizes.append(length)
            self._firsts.append(first)
            self._starts.append(start)
            first, start = first + count, start + length * count
        self.nchunks = self.index_of(extent - 1) + 1 if extent else 0

    @property
    def regular(self) -> bool:
        return self.size is not None

    def _run(self, g: int) -> int:
        return bisect.bisect_right(self._firsts, g) - 1

    def start(self, g: int) -> int:
        """Where chunk ``g`` starts."""
        if self.regular:
            return g * self.size
        k = self._run(g)
        return self._starts[k] + (g - self._firsts[k]) * self._sizes[k]

    def length(self, g: int) -> int:
        """The whole length of chunk ``g`` (it may reach beyond the array's end)."""
        return self.size if self.regular else self._sizes[self._run(g)]

    def index_of(self, p: int) -> int:
        """The chunk that holds position ``p``."""
        if self.regular:
            return p // self.size
        k = bisect.bisect_right(self._starts, p) - 1
        return self._firsts[k] + (p - self._starts[k]) // self._sizes[k]

    def indices_of(self, p: np.ndarray) -> np.ndarray:
        """:meth:`index_of` of each position of ``p``."""
        if self.regular:
            return p // self.size
        k = np.searchsorted(np.asarray(self._starts, dtype=np.int64), p, side="right") - 1
        sizes, firsts = np.asarray(self._sizes, dtype=np.int64), np.asarray(self._firsts, dtype=np.int64)
        return firsts[k] + (p - np.asarray(self._starts, dtype=np.int64)[k]) // sizes[k]

    def largest(self) -> int:
        """The longest chunk's length (0 when the axis has none)."""
        return self.size if self.regular else max(self._sizes, default=0)

    def sizes(self) -> tuple:
        """Every chunk's length inside the array (the last one cut at its end): Dask's ``chunks``."""
        return tuple(min(self.length(g), self.extent - self.start(g)) for g in range(self.nchunks))


def axes_of(shape: tuple, chunk_grid: dict | None, regular: tuple | None) -> list[Axis]:
    """The axes of a grid over ``shape``: of the metadata's ``chunk_grid`` when it is rectilinear (already
    checked by Rust when the array was opened), else of the ``regular`` chunk shape."""
    if chunk_grid is None or chunk_grid.get("name") != "rectilinear":
        return [Axis(n, size=c) for n, c in zip(shape, regular)]
    axes = []
    for n, dim in zip(shape, chunk_grid["configuration"]["chunk_shapes"]):
        if isinstance(dim, int):
            axes.append(Axis(n, size=dim))
        else:
            axes.append(Axis(n, runs=[tuple(x) if isinstance(x, list) else (x, 1) for x in dim]))
    return axes
