"""zarr-python's own documentation, run against brickwork: every Python example of its quick start and user
guide (``docs/`` of the pinned zarr-python source distribution, which ``scripts/upstream-suites
zarr-docs`` downloads) runs with its zarr imports pointed at ``brickwork.zarr`` (``import zarr`` becomes
``import brickwork.zarr as zarr``, ``from zarr.storage import ...`` ``from brickwork.zarr.storage import
...``), and nothing else changed.

The examples of a page that share a ``session`` run in order in one namespace, in a fresh working
directory, as the documentation's build runs them; a session passes when every example runs without an
exception (the pages' own ``assert`` statements included). Examples of what brickwork does not offer are
skipped, each named below with the reason (with the examples after it in its session, where they build on
it); a session stops at its first failing example.

Run: ``pytest python/tests/upstream/zarr_docs.py --zarr-docs DIR`` (``scripts/upstream-suites zarr-docs``).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import textwrap
from pathlib import Path

import pytest

#: the pages run, relative to docs/
PAGES = ["quick-start.md", "user-guide/arrays.md", "user-guide/groups.md", "user-guide/attributes.md",
         "user-guide/consolidated_metadata.md", "user-guide/storage.md", "user-guide/data_types.md",
         "user-guide/performance.md", "user-guide/config.md", "user-guide/v3_migration.md"]

#: (page, a piece of the example's code) -> why it is skipped
SKIP: dict[tuple[str, str], str] = {
    ("user-guide/storage.md", "s3://"): "a public S3 bucket: needs the network (remote stores: test_zarr_remote.py "
                                        "serves them over HTTP, test_zarr_remote_write.py writes them into S3)",
    ("user-guide/storage.md", "fsspec.filesystem("): "a public S3 bucket: needs the network (remote stores: "
                                                     "test_zarr_remote.py, test_zarr_remote_write.py)",
    ("user-guide/storage.md", "S3Store("): "a public S3 bucket: needs the network (obstore's stores: "
                                           "test_zarr_remote_write.py writes and reads them)",
}
#: (page, a piece of the example's code) -> why it and the rest of its session are skipped
SKIP_REST: dict[tuple[str, str], str] = {}


def _docs_dir() -> Path | None:
    value = os.environ.get("BRICKWORK_ZARR_DOCS")
    return Path(value) if value else None


#: a fenced Python example, also one indented inside an admonition (its code is dedented)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python(?P<attrs>[^\n]*)\n(?P<code>.*?)^(?P=indent)```", re.S | re.M)


def _sessions(page: Path) -> dict[str, list[tuple[int, str]]]:
    """The page's Python examples by session (an example without one is a session of its own), each with
    its line number."""
    text = page.read_text()
    sessions: dict[str, list[tuple[int, str]]] = {}
    for m in _FENCE.finditer(text):
        attrs = m.group("attrs")
        if 'exec="true"' not in attrs:
            continue  # the documentation's build runs only these (the others need services, or show output)
        line = text.count("\n", 0, m.start()) + 1
        session = re.search(r'session="([^"]+)"', attrs)
        key = session.group(1) if session else f"line-{line}"
        sessions.setdefault(key, []).append((line, textwrap.dedent(m.group("code"))))
    return sessions


def _pointed_at_brickwork(code: str) -> str:
    """The example with its zarr imports pointed at brickwork.zarr (and nothing else changed)."""
    code = re.sub(r"^(\s*)import zarr(\.[\w.]+)?\s*$", r"\1import brickwork.zarr as zarr", code, flags=re.M)
    code = re.sub(r"^(\s*)from zarr(\.[\w.]+)? import ", r"\1from brickwork.zarr\2 import ", code, flags=re.M)
    return code


def _cases():
    docs = _docs_dir()
    if docs is None:
        return []
    cases = []
    for page in PAGES:
        for session, blocks in _sessions(docs / page).items():
            cases.append(pytest.param(page, session, blocks, id=f"{page}::{session}"))
    return cases


@pytest.mark.parametrize("page, session, blocks", _cases())
def test_docs_session(page, session, blocks, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    skipped = []
    rest = None
    for line, code in blocks:
        rest = rest or next((why for (p, piece), why in SKIP_REST.items() if p == page and piece in code), None)
        why = rest or next((why for (p, piece), why in SKIP.items() if p == page and piece in code), None)
        if why is not None:
            skipped.append(f"line {line}: {why}")
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(_pointed_at_brickwork(code), f"{page}:{line}", "exec"), namespace)
        except Exception as e:
            pytest.fail(f"{page} line {line}: {type(e).__name__}: {e}\n--- the example ---\n{code}")
    if skipped and len(skipped) == len(blocks):
        pytest.skip("; ".join(skipped))


if __name__ == "__main__":  # the count of what the run covered: python zarr_docs.py DOCS_DIR
    import sys

    docs = Path(sys.argv[1])
    total = skipped = 0
    reasons: dict[str, int] = {}
    for page in PAGES:
        for blocks in _sessions(docs / page).values():
            rest = None
            for _line, code in blocks:
                total += 1
                rest = rest or next((w for (p, piece), w in SKIP_REST.items() if p == page and piece in code), None)
                why = rest or next((w for (p, piece), w in SKIP.items() if p == page and piece in code), None)
                if why:
                    skipped += 1
                    reasons[why] = reasons.get(why, 0) + 1
    print(f"zarr-python's documentation: {total} examples on {len(PAGES)} pages, {total - skipped} run against "
          f"brickwork.zarr, {skipped} skipped:")
    for why, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d}  {why}")
