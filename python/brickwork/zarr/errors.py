"""zarr-python's ``zarr.errors``, as brickwork raises them: each class is also brickwork's
:class:`~brickwork.errors.InvalidArrayError` (a ValueError), and the not-found ones a FileNotFoundError,
as zarr-python's are; so ``except zarr.errors.ContainsGroupError`` and ``except ValueError`` both catch
what brickwork raises."""
from __future__ import annotations

from ..errors import InvalidArrayError

__all__ = ["ArrayIndexError", "ArrayNotFoundError", "BaseZarrError", "BoundsCheckError", "ChunkNotFoundError",
           "ContainsArrayAndGroupError", "ContainsArrayError", "ContainsGroupError", "DataTypeValidationError",
           "GroupNotFoundError", "MetadataValidationError", "NegativeStepError", "NodeNotFoundError",
           "NodeTypeValidationError", "PickleCodecDisabledError", "UnknownCodecError", "UnstableSpecificationWarning",
           "VindexInvalidSelectionError", "ZarrDeprecationWarning", "ZarrFutureWarning", "ZarrRuntimeWarning"]


class BaseZarrError(InvalidArrayError):
    """The base of brickwork.zarr's zarr-python errors."""


class ContainsArrayError(BaseZarrError):
    """An array is where a group, or a new node, was to be."""


class ContainsGroupError(BaseZarrError):
    """A group is where an array, or a new node, was to be."""


class ContainsArrayAndGroupError(BaseZarrError):
    """Both an array's and a group's metadata are in one place."""


class MetadataValidationError(BaseZarrError):
    """Metadata that is not valid."""


class DataTypeValidationError(BaseZarrError):
    """A data type's JSON or NumPy dtype that is not the one asked for (``brickwork.zarr.dtype``)."""


class NodeTypeValidationError(MetadataValidationError):
    """A node of the other type than asked for."""


class NodeNotFoundError(BaseZarrError, FileNotFoundError):
    """No node where one was to be opened."""


class ArrayNotFoundError(NodeNotFoundError):
    """No array where one was to be opened."""


class GroupNotFoundError(NodeNotFoundError):
    """No group where one was to be opened."""


class ChunkNotFoundError(BaseZarrError):
    """A chunk (or shard) that is not stored, read by an array configured with
    ``read_missing_chunks=False`` (zarr-python's ``ArrayConfig``; by default it reads as the fill value)."""


class UnknownCodecError(BaseZarrError):
    """A codec id no codec is registered for."""


class PickleCodecDisabledError(BaseZarrError):
    """The pickle codec, which brickwork never runs."""


class ArrayIndexError(IndexError):
    """An index an array cannot take."""


class BoundsCheckError(IndexError):
    """An index past the end of an axis (or of the chunk grid, for ``blocks``)."""


class NegativeStepError(IndexError):
    """A negative step, which zarr-python refuses (brickwork takes them, as NumPy)."""


class VindexInvalidSelectionError(IndexError):
    """A ``vindex`` selection that is neither coordinate arrays nor a mask."""


class ZarrDeprecationWarning(DeprecationWarning):
    """zarr-python's deprecation warning."""


class ZarrFutureWarning(FutureWarning):
    """zarr-python's future warning."""


class ZarrRuntimeWarning(RuntimeWarning):
    """zarr-python's runtime warning."""


class UnstableSpecificationWarning(ZarrFutureWarning):
    """A data type without a Zarr v3 specification yet (zarr-python warns of it)."""
