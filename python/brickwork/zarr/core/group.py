"""zarr-python's ``zarr.core.group.GroupMetadata``: a group's metadata, as :func:`brickwork.zarr.create_hierarchy`
(and zarr-python's) takes it."""
from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["GroupMetadata"]


@dataclasses.dataclass(frozen=True)
class GroupMetadata:
    """A group's metadata: its ``attributes`` and Zarr format (2 or 3), with zarr-python's fields,
    repr and ``to_dict``. (A group's consolidated metadata is read from the store, not given here.)"""

    attributes: dict[str, Any] = dataclasses.field(default_factory=dict)
    zarr_format: int = 3
    consolidated_metadata: Any = None
    node_type: str = dataclasses.field(default="group", init=False)
    extra_fields: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if self.zarr_format not in (2, 3):
            raise ValueError(f"Invalid value for 'zarr_format'. Expected 2 or 3. Got '{self.zarr_format}'.")
        if self.consolidated_metadata is not None:
            raise ValueError("brickwork's GroupMetadata takes no consolidated metadata; consolidate the store "
                             "with brickwork.zarr.consolidate_metadata")

    def to_dict(self) -> dict[str, Any]:
        """The group's ``zarr.json`` (v3) or ``.zgroup`` with its attributes (v2), as zarr-python's."""
        return {"attributes": dict(self.attributes), "zarr_format": self.zarr_format, "node_type": "group",
                **self.extra_fields}
