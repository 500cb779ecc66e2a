"""xarray's own Zarr backend tests (``xarray/tests/test_backends.py`` and ``test_backends_datatree.py`` of
the pinned xarray, shipped in its wheel), run twice: as xarray runs them (``TestZarrEngine``,
``TestZarrDatatree``: reading with ``engine="zarr"``) and reading with ``engine="brickwork"``
(``TestBrickworkEngine``, ``TestBrickworkDatatree``: every roundtrip writes with xarray's ``to_zarr`` and
opens with brickwork), in both Zarr formats. ``scripts/upstream-suites xarray`` runs this file with
``xarray_as_brickwork`` (the plugin that compares the two runs: brickwork must pass every test xarray's
own engine passes here)."""
from __future__ import annotations

import contextlib

import xarray as xr
from xarray.tests import test_backends as upstream
from xarray.tests import test_backends_datatree as upstream_datatree

#: the suite's fixture that runs each test in both Zarr formats (pytest finds fixtures by module name)
default_zarr_format = upstream.default_zarr_format
unaligned_datatree_zarr_factory = upstream_datatree.unaligned_datatree_zarr_factory


class TestZarrEngine(upstream.TestZarrDirectoryStore):
    """xarray's directory-store tests as xarray runs them: the reference."""


class TestBrickworkEngine(upstream.TestZarrDirectoryStore):
    """The same tests, every store opened with ``engine="brickwork"``."""

    @contextlib.contextmanager
    def open(self, path, **kwargs):
        with xr.open_dataset(path, engine="brickwork", **kwargs, **self.version_kwargs) as ds:
            yield ds


class TestZarrDatatree(upstream_datatree.TestZarrDatatreeIO):
    """xarray's DataTree tests of Zarr stores as xarray runs them: the reference."""


class TestBrickworkDatatree(upstream_datatree.TestZarrDatatreeIO):
    """The same tests, every tree and group opened with ``engine="brickwork"``."""

    engine = "brickwork"
