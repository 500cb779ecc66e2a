"""pytest plugin for ``xarray_backends.py`` (``scripts/upstream-suites xarray``): xarray's Zarr backend
tests run once with its own engine and once with ``engine="brickwork"``; the session passes when every
test that passes with xarray's engine passes with brickwork's too (tests failing with xarray's own engine
in this environment, such as its async tests without pytest-asyncio, are reported, not counted against
brickwork), and enough of them ran."""
from __future__ import annotations

from importlib.metadata import version

#: fewer brickwork tests passing than this means the suite was not collected as expected
MIN_PASSED = 300

_outcomes: dict[str, dict[str, str]] = {"TestZarrEngine": {}, "TestBrickworkEngine": {}}


def pytest_report_header(config) -> list[str]:
    return [f"xarray {version('xarray')}'s Zarr backend tests, with engine=\"zarr\" and with engine=\"brickwork\""]


def pytest_runtest_logreport(report) -> None:
    parts = report.nodeid.split("::")
    if len(parts) < 3 or parts[-2] not in _outcomes:
        return
    outcomes = _outcomes[parts[-2]]
    if report.failed:
        outcomes[parts[-1]] = "failed"
    elif report.when == "call" or report.skipped:
        outcomes.setdefault(parts[-1], report.outcome)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    theirs, ours = _outcomes["TestZarrEngine"], _outcomes["TestBrickworkEngine"]
    worse = sorted(t for t, o in ours.items() if o == "failed" and theirs.get(t) == "passed")
    both = sorted(t for t, o in ours.items() if o == "failed" and theirs.get(t) == "failed")
    passed = sum(o == "passed" for o in ours.values())
    write = terminalreporter.write_line
    write(f"engine=\"brickwork\": {passed} passed of {len(ours)}; engine=\"zarr\": "
          f"{sum(o == 'passed' for o in theirs.values())} passed of {len(theirs)}")
    if both:
        write(f"failing with xarray's own engine here too (not brickwork's): {', '.join(both)}")
    if worse:
        write(f"failing with brickwork only: {', '.join(worse)}")


def pytest_sessionfinish(session, exitstatus) -> None:
    theirs, ours = _outcomes["TestZarrEngine"], _outcomes["TestBrickworkEngine"]
    worse = [t for t, o in ours.items() if o == "failed" and theirs.get(t) != "failed"]
    passed = sum(o == "passed" for o in ours.values())
    if exitstatus in (0, 1):  # (interrupted or usage errors keep their status)
        session.exitstatus = 1 if worse or passed < MIN_PASSED else 0
