"""zarr-python's ``create_hierarchy``: the groups and arrays a dict of metadata documents describes, made
in one call (their data is not copied: arrays read as their fill value).

The documents may be zarr-python's metadata objects (``GroupMetadata``, ``ArrayV3Metadata``,
``ArrayV2Metadata``: what they would write, ``to_buffer_dict``), brickwork's (``Array.metadata``,
``Group.metadata``) or plain dicts in either format's JSON form. They are untrusted: every array's document
is opened (checked as any store brickwork reads) before anything is written, so a bad one leaves nothing
behind.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from typing import Iterator

from .. import _native
from ..errors import InvalidArrayError
from ._group import Group, _check_name, check_replaceable, node_kind, remove_tree, write_json
from .core.group import GroupMetadata
from .errors import ContainsArrayError


def _documents(meta) -> dict[str, dict]:
    """The metadata files of one node (``{"zarr.json": {...}}``, or v2's ``.zarray``/``.zgroup`` and
    ``.zattrs``) from a metadata object or dict."""
    if hasattr(meta, "to_buffer_dict"):  # zarr-python's: exactly what it writes
        from zarr.core.buffer import default_buffer_prototype

        files = meta.to_buffer_dict(default_buffer_prototype())
        return {name: json.loads(buf.to_bytes()) for name, buf in files.items()}
    doc = meta.to_dict() if hasattr(meta, "to_dict") else meta
    if not isinstance(doc, Mapping):
        raise TypeError(f"create_hierarchy takes metadata objects or dicts as the nodes, got {meta!r}")
    doc = json.loads(json.dumps(dict(doc)))
    if doc.get("zarr_format") == 3:
        return {"zarr.json": doc}
    if doc.get("zarr_format") != 2:
        raise InvalidArrayError(f"a node's metadata must say zarr_format 2 or 3, got {doc.get('zarr_format')!r}")
    # (zarr-python writes the attributes beside the node's file, {} too)
    attributes = doc.pop("attributes", None) or {}
    doc.pop("consolidated_metadata", None)
    if "shape" in doc:
        doc.pop("node_type", None)
        return {".zarray": doc, ".zattrs": attributes}
    return {".zgroup": {"zarr_format": 2}, ".zattrs": attributes}


def _kind(files: dict) -> tuple[str, int]:
    """``("array" | "group", zarr_format)`` of a node's metadata files."""
    if "zarr.json" in files:
        node_type = files["zarr.json"].get("node_type")
        if node_type not in ("array", "group"):
            raise InvalidArrayError(f'a Zarr v3 node\'s node_type is "array" or "group", got {node_type!r}')
        return node_type, 3
    return ("array" if ".zarray" in files else "group"), 2


def _write(directory: str, files: dict, zarr_format: int) -> None:
    """Writes a node's metadata files, each atomically, the one that makes it a node last."""
    os.makedirs(directory, exist_ok=True)
    for name in sorted(files, key=lambda n: n in (".zarray", ".zgroup", "zarr.json")):
        write_json(os.path.join(directory, name), files[name], zarr_format)


def create_hierarchy(*, store, nodes: dict, overwrite: bool = False) -> Iterator[tuple[str, object]]:
    """zarr-python's ``create_hierarchy``: makes the groups and arrays ``nodes`` describes (paths inside
    ``store`` → metadata, all of one Zarr format), with the groups between them and the root that
    ``nodes`` leaves out (an existing group there is kept as it is), and gives ``(path, node)`` for each
    node made, parents first. Nodes that are there already are an error unless ``overwrite=True``, which
    replaces the nodes ``nodes`` names. Arrays hold no chunks: they read as their fill value. (zarr-python's
    is a generator that does its work as it is iterated; this one has done it when it returns.)"""
    from . import _node

    root, _ = _node(store, None, None, mode="w")
    return iter(make(root, nodes, overwrite))


def make(root: str, nodes: dict, overwrite: bool, zarr_format: int | None = None) -> list[tuple[str, object]]:
    """:func:`create_hierarchy` in the directory ``root`` (its nodes of ``zarr_format`` when given)."""
    from . import Array

    described: dict[str, tuple[dict, str]] = {}
    formats = set()
    for key, meta in nodes.items():
        path = str(key).strip("/")
        for part in path.split("/") if path else []:
            _check_name(part)
        files = _documents(meta)
        kind, its_format = _kind(files)
        formats.add(its_format)
        described[path] = (files, kind)
    if len(formats) > 1 or (zarr_format is not None and formats - {zarr_format}):
        raise ValueError(f"create_hierarchy takes nodes of one Zarr format ({zarr_format or 'either'}); these "
                         f"are of {sorted(formats)}")
    zarr_format = formats.pop() if formats else zarr_format
    # the groups the paths pass through (and the root), when nodes does not name them
    implicit: set[str] = set()
    for path in list(described):
        parts = path.split("/") if path else []
        for depth in range(len(parts)):
            parent = "/".join(parts[:depth])
            if parent in described and described[parent][1] == "array":
                raise ValueError(f"The node at {parent!r} contains other nodes, but it is not a Zarr group. "
                                 "Only Zarr groups can contain other nodes.")
            if parent not in described:
                implicit.add(parent)
    # every array's metadata checked as brickwork reads it, before anything is written
    for path, (files, kind) in described.items():
        if kind != "array":
            continue
        with tempfile.TemporaryDirectory(prefix="brickwork-hierarchy-") as scratch:
            _write(scratch, files, zarr_format)
            try:
                _native.ZarrHandle(scratch)
            except ValueError as e:
                raise InvalidArrayError(f"the metadata of the array {path!r}: {e}") from None
    directory = {p: os.path.join(root, *p.split("/")) if p else root for p in described.keys() | implicit}
    for path in implicit:
        found = node_kind(directory[path])
        if found is not None and found[0] == "array":
            raise ContainsArrayError(f"{directory[path]} holds a Zarr array where the hierarchy needs a group")
    for path in described:
        check_replaceable(directory[path], overwrite)
    made = []
    for path in sorted(directory, key=lambda p: (p.count("/") + bool(p), p)):
        there = directory[path]
        if path in implicit:
            if node_kind(there) is None:
                _write(there, _documents(GroupMetadata(zarr_format=zarr_format)), zarr_format)
                made.append((path, "group"))
            continue
        files, kind = described[path]
        if os.path.isdir(there) and node_kind(there) is not None:
            remove_tree(there)  # (overwrite=True: checked above)
        _write(there, files, zarr_format)
        made.append((path, kind))
    return [(path, (Array if kind == "array" else Group)(directory[path], mode="r+", name="/" + path))
            for path, kind in made]
