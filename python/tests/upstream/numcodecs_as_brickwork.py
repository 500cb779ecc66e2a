"""pytest plugin: numcodecs' own test suite with brickwork in numcodecs' place (``scripts/numcodecs-suite``).

Before the suite's modules are imported, every codec class numcodecs registers is replaced, in its
numcodecs module, in the ``numcodecs`` namespace and in ``numcodecs.registry``, by brickwork's class of
the same codec id; the functions of ``numcodecs.blosc``, ``numcodecs.zstd`` and ``numcodecs.lz4`` by
those of ``brickwork.codecs.blosc``/``zstd``/``lz4``, and ``numcodecs.jenkins.jenkins_lookup3`` by
brickwork's. So ``from numcodecs.zlib import Zlib`` in a test module gives brickwork's Zlib: the suite
checks what code written for numcodecs meets when it uses brickwork.

The ids left to numcodecs are the ones brickwork does not implement (``pickle``, on purpose: see
``brickwork.codecs``) and numcodecs' legacy aliases; the header of the run lists both sides. The run fails
at start-up if a codec brickwork implements was not swapped (the suite would test numcodecs itself).
"""
from __future__ import annotations

import sys

import numcodecs
import numcodecs.blosc
import numcodecs.jenkins
import numcodecs.lz4
import numcodecs.registry
import numcodecs.zstd

import brickwork.codecs as brickwork_codecs
from brickwork.codecs import blosc, lz4, zstd

SWAPPED: dict[str, tuple[type, type]] = {}
LEFT: list[str] = []


def _swap_classes() -> None:
    registry = numcodecs.registry.codec_registry
    ours = {  # the codecs brickwork registers (its Pickle is a refusal, not a codec)
        cls.codec_id: cls
        for cls in vars(brickwork_codecs).values()
        if isinstance(cls, type) and brickwork_codecs.codec_registry.get(getattr(cls, "codec_id", None)) is cls
    }
    for codec_id, theirs in sorted(registry.items()):
        cls = ours.get(codec_id)
        if cls is None:
            LEFT.append(codec_id)
            continue
        setattr(sys.modules[theirs.__module__], theirs.__name__, cls)
        if getattr(numcodecs, theirs.__name__, None) is theirs:
            setattr(numcodecs, theirs.__name__, cls)
        registry[codec_id] = cls
        SWAPPED[codec_id] = (theirs, cls)
    missing = sorted(set(ours) - set(SWAPPED) - {"pipeline"})
    if missing:
        raise RuntimeError(f"brickwork codecs not swapped into numcodecs (the suite would not test them): {missing}")


def _swap_functions() -> None:
    for module, theirs in ((blosc, numcodecs.blosc), (zstd, numcodecs.zstd), (lz4, numcodecs.lz4)):
        for name in module.__all__:
            if hasattr(theirs, name) and not isinstance(getattr(module, name), type):
                setattr(theirs, name, getattr(module, name))
    numcodecs.jenkins.jenkins_lookup3 = brickwork_codecs.jenkins_lookup3
    numcodecs.checksum32.jenkins_lookup3 = brickwork_codecs.jenkins_lookup3


def pytest_configure(config) -> None:
    _swap_classes()
    _swap_functions()


def pytest_report_header(config) -> list[str]:
    return [
        f"brickwork in numcodecs' place for: {', '.join(sorted(SWAPPED))}",
        f"left to numcodecs {numcodecs.__version__}: {', '.join(LEFT) or 'none'}",
    ]
