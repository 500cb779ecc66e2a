"""pytest plugin for ``xarray_backends.py`` (``scripts/upstream-suites xarray``): xarray's Zarr backend
tests run once with its own engine and once with ``engine="brickwork"``; the session passes when every
test that passes with xarray's engine passes with brickwork's too (tests failing with xarray's own engine
in this environment, such as its async tests without pytest-asyncio, are reported, not counted against
brickwork), and enough of them ran."""
from __future__ import annotations

from importlib.metadata import version

#: fewer brickwork tests passing than this means the suite was not collected as expected
MIN_PASSED = 300

#: brickwork's test classes and the reference class each is compared with
PAIRS = {"TestBrickworkEngine": "TestZarrEngine", "TestBrickworkDatatree": "TestZarrDatatree"}
_outcomes: dict[str, dict[str, str]] = {name: {} for pair in PAIRS.items() for name in pair}


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


def _compared():
    """Per pair: (brickwork's class, its outcomes, the reference's outcomes, tests failing with brickwork
    only, tests failing with both)."""
    for ours_name, theirs_name in PAIRS.items():
        ours, theirs = _outcomes[ours_name], _outcomes[theirs_name]
        worse = sorted(t for t, o in ours.items() if o == "failed" and theirs.get(t) != "failed")
        both = sorted(t for t, o in ours.items() if o == "failed" and theirs.get(t) == "failed")
        yield ours_name, ours, theirs, worse, both


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    write = terminalreporter.write_line
    for name, ours, theirs, worse, both in _compared():
        write(f"{name}: engine=\"brickwork\" {sum(o == 'passed' for o in ours.values())} passed of {len(ours)}; "
              f"engine=\"zarr\" {sum(o == 'passed' for o in theirs.values())} passed of {len(theirs)}")
        if both:
            write(f"  failing with xarray's own engine here too (not brickwork's): {', '.join(both)}")
        if worse:
            write(f"  failing with brickwork only: {', '.join(worse)}")


def pytest_sessionfinish(session, exitstatus) -> None:
    compared = list(_compared())
    worse = any(w for *_, w, _ in compared)
    passed = sum(o == "passed" for _, ours, *_ in compared for o in ours.values())
    if exitstatus in (0, 1):  # (interrupted or usage errors keep their status)
        session.exitstatus = 1 if worse or passed < MIN_PASSED else 0
