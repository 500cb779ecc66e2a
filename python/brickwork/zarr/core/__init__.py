"""zarr-python's ``zarr.core`` namespace, as far as code written for zarr-python imports from it:
``zarr.core.group.GroupMetadata`` (the group description :func:`brickwork.zarr.create_hierarchy` takes)."""
