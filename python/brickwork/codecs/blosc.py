"""``brickwork.codecs.blosc``: numcodecs' ``numcodecs.blosc`` module surface for brickwork's Blosc.

``Blosc`` and the shuffle constants, plus ``get_nthreads()``/``set_nthreads(n)``: the thread count every
Blosc encode/decode uses, the one piece of process-wide state in brickwork's codecs (kept because
numcodecs' Blosc reads c-blosc's global thread count, so code written for numcodecs sets it there; see
``_blosc``). The default is numcodecs': ``min(8, os.cpu_count())``.
"""
from __future__ import annotations

from ._blosc import AUTOSHUFFLE, BITSHUFFLE, NOSHUFFLE, SHUFFLE, Blosc, get_nthreads, set_nthreads

__all__ = ["AUTOSHUFFLE", "BITSHUFFLE", "NOSHUFFLE", "SHUFFLE", "Blosc", "get_nthreads", "set_nthreads"]
