"""numcodecs' own documentation examples, run against brickwork: the doctests in the docstrings of the
installed numcodecs (the version ``python/requirements-test.txt`` pins) run with their numcodecs imports
pointed at ``brickwork.codecs`` (``import numcodecs`` becomes ``import brickwork.codecs as numcodecs``,
``from numcodecs import X`` ``from brickwork.codecs import X``) and nothing else changed; each example's
printed output (arrays, dtypes, reprs, configs) must be what numcodecs' documentation shows.

Each docstring runs against numcodecs itself first: one whose examples fail there too (an example that
is out of date) is skipped, saying so. Docstrings of what brickwork does not offer are skipped, named
below with the reason.

Run: ``pytest python/tests/upstream/numcodecs_docs.py`` (``scripts/upstream-suites numcodecs-docs``).
"""
from __future__ import annotations

import copy
import doctest
import importlib
import inspect
import pkgutil
import re

import pytest

#: docstring names (as doctest names them) -> why they are skipped
SKIP = {
    "numcodecs.pickles.Pickle": "brickwork has no pickle codec (decoding a pickle runs arbitrary code)",
}


def _pointed_at_brickwork(source: str) -> str:
    source = re.sub(r"^(\s*)import numcodecs\s*$", r"\1import brickwork.codecs as numcodecs", source, flags=re.M)
    return re.sub(r"^(\s*)from numcodecs(\.[\w.]+)? import ", r"\1from brickwork.codecs\2 import ", source,
                  flags=re.M)


def _tests():
    numcodecs = pytest.importorskip("numcodecs")
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = []
    for info in pkgutil.iter_modules(numcodecs.__path__):
        if info.name.startswith("_") or info.name in ("tests", "zarr3"):
            continue
        try:
            module = importlib.import_module(f"numcodecs.{info.name}")
        except ImportError:
            continue
        for test in finder.find(module):
            if test.examples and inspect.getmodule(module) is module:
                found.append(test)
    return sorted({t.name: t for t in found}.values(), key=lambda t: t.name)


_TESTS = _tests()


@pytest.mark.parametrize("test", _TESTS, ids=[t.name for t in _TESTS])
def test_numcodecs_docstring(test):
    if test.name in SKIP:
        pytest.skip(SKIP[test.name])
    failures = _run(test, lambda source: source)
    if failures:
        pytest.skip(f"the example fails against numcodecs itself: {failures.splitlines()[-1].strip()}")
    failures = _run(test, _pointed_at_brickwork)
    assert not failures, failures


def _run(test: doctest.DocTest, rewrite) -> str:
    """The report of the examples of ``test`` (their sources rewritten) that fail, run in a fresh
    namespace ("" when none does)."""
    examples = []
    for example in test.examples:
        example = copy.copy(example)
        example.source = rewrite(example.source)
        examples.append(example)
    fresh = doctest.DocTest(examples, {}, test.name, test.filename, test.lineno, test.docstring)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(fresh, out=report.append)
    return "".join(report) if runner.failures else ""
