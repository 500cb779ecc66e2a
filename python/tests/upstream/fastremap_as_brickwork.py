"""pytest plugin: fastremap's own ``tobytes`` tests with ``brickwork.tobytes`` in fastremap's place
(``scripts/upstream-suites fastremap``). fastremap's tests call ``fastremap.tobytes(...)`` through the
module, so replacing the attribute before they run is enough; the other fastremap functions (remap,
renumber, ...) are not brickwork's and are deselected by ``-k tobytes``."""
from __future__ import annotations

from importlib.metadata import version

import fastremap

import brickwork


def pytest_configure(config) -> None:
    fastremap.tobytes = brickwork.tobytes


def pytest_report_header(config) -> list[str]:
    return [f"brickwork.tobytes in fastremap {version("fastremap")}'s place"]


def pytest_collection_finish(session) -> None:
    if not any("tobytes" in item.name for item in session.items):
        raise RuntimeError("no tobytes tests collected from fastremap's suite: nothing of brickwork's was tested")
