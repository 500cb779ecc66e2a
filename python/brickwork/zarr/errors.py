"""zarr-python's ``zarr.errors``, as brickwork raises them: each class is also brickwork's
:class:`~brickwork.errors.InvalidArrayError` (a ValueError), and the not-found ones a FileNotFoundError,
as zarr-python's are; so ``except zarr.errors.ContainsGroupError`` and ``except ValueError`` both catch
what brickwork raises."""
from __future__ import annotations

from ..errors import InvalidArrayError

__all__ = ["ArrayNotFoundError", "BaseZarrError", "ContainsArrayAndGroupError", "ContainsArrayError",
           "ContainsGroupError", "DataTypeValidationError", "GroupNotFoundError", "MetadataValidationError", "NodeNotFoundError",
           "NodeTypeValidationError"]


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
