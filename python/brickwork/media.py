"""brickwork.media: labox's imageio ``MediaSerializer`` on brickwork's Rust media formats.

Drop-in for ``labox.extra.imageio``: the same public names (``Media``, ``MediaSerializer``,
``media_serializer``), signatures, serializer name (``"labox.imageio@v1"``), config (``{"plugin": ...,
"extension": ...}``) and data layout, so data written by either can be read by the other. Pixels are
encoded and decoded in Rust (``brickwork._native.imwrite`` / ``imread``, the GIL released) instead of
through imageio, Pillow, tifffile, imageio-ffmpeg and pydicom.

Differences from labox 0.1.0 (all deliberate, see the project's media spec):

* The content type is what the reference documents: ``mimetypes.guess_file_type(f"file{ext}")`` on the
  serializer's ``MimeTypes`` (``guess_type`` on Python < 3.13, where ``guess_file_type`` does not exist),
  so ``.png`` gives ``image/png``. labox 0.1.0 calls ``guess_type(ext)`` on the bare extension, which
  Python treats as a file name without an extension, so it always stores ``application/octet-stream``.
* Works on Python 3.11 and 3.12 (the reference's ``guess_file_type`` needs 3.13).
* Writes ``.webm`` (VP9), ``.fits`` and, without imageio-ffmpeg/pydicom installed, video and DICOM; video
  frames of odd size are padded to even instead of resized to a multiple of 16.
* JPEG 2000 images with subsampled or e-YCC components, or a palette, are refused with a clear error (Pillow
  reads them).

Video runs an ffmpeg program: ``$BRICKWORK_FFMPEG`` if set, else imageio-ffmpeg's binary when imageio-ffmpeg
is installed (``imageio_ffmpeg.get_ffmpeg_exe()``, the one imageio runs, looked up before the first video),
else ``ffmpeg`` on the PATH. A statically linked ffmpeg starts ~60 ms faster than Debian's.

If labox is importable, ``MediaSerializer`` subclasses ``labox.core.serializer.Serializer`` so it can be
registered in a labox ``Registry``; otherwise it is a plain class with the same methods.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from mimetypes import MimeTypes
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from . import _native

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ("Media", "MediaSerializer", "media_serializer")

_T = TypeVar("_T")
_C = TypeVar("_C")

try:  # labox is optional: subclass its Serializer when it is installed and importable.
    from labox.core.serializer import Serializer as _SerializerBase
except Exception:  # noqa: BLE001 - a missing or broken optional dependency must not break brickwork

    class _SerializerBase(Generic[_T, _C]):  # type: ignore[no-redef]
        """Stand-in for ``labox.core.serializer.Serializer`` when labox is not installed."""

        name: str = ""
        types: tuple[type, ...] = ()
        content_types: tuple[str, ...] = ()

        def serialize_config(self, config: Any) -> str:
            import json

            return json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode(config)

        def deserialize_config(self, config: str) -> Any:
            import json

            return json.JSONDecoder().decode(config)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Media:
    """A dataclass representing some media."""

    data: NDArray | Sequence[NDArray]
    """The media data."""
    extension: str | None = None
    """The file extension of the media data."""
    plugin: str | None = None
    """The plugin used to read/write the media data."""

    def __post_init__(self) -> None:
        if self.extension and self.plugin:
            msg = "Cannot set both extension and plugin. Use one or the other."
            raise ValueError(msg)


class _MediaSerializerConfig(TypedDict):
    plugin: str | None
    """The plugin used to read/write the media data."""
    extension: str | None
    """The file extension of the media data."""


_DEFAULT_MIMETYPES = MimeTypes()


def _guess(mimetypes: MimeTypes, extension: str) -> tuple[str | None, str | None]:
    """The reference's ``mimetypes.guess_file_type(f"file{ext}")``, with ``guess_type`` before 3.13."""
    path = f"file{extension}"
    guess_file_type = getattr(mimetypes, "guess_file_type", None)
    if guess_file_type is not None:
        return guess_file_type(path)
    return mimetypes.guess_type(path)


_VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".avi", ".mov", ".webm", ".mkv", ".mpg", ".mpeg", ".ogv"})
_VIDEO_PLUGINS = frozenset({"FFMPEG", "pyav"})
_ffmpeg_chosen = False


def _looks_like_video(data: bytes) -> bool:
    """The magic bytes brickwork sniffs video by (ISO-BMFF/QuickTime boxes, EBML, RIFF AVI)."""
    return (data[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free") or data[:4] == b"\x1a\x45\xdf\xa3"
            or (data[:4] == b"RIFF" and data[8:12] == b"AVI "))


def _choose_ffmpeg(extension: str | None, plugin: str | None, data: bytes | None = None) -> None:
    """Before the first video: hand imageio-ffmpeg's ffmpeg to the native module, when it is installed."""
    global _ffmpeg_chosen
    if _ffmpeg_chosen:
        return
    if extension:
        video = extension.lower() in _VIDEO_EXTENSIONS
    elif plugin:
        video = plugin in _VIDEO_PLUGINS
    else:
        video = data is not None and _looks_like_video(data)
    if not video:
        return
    _ffmpeg_chosen = True
    if os.environ.get("BRICKWORK_FFMPEG"):
        return
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # noqa: BLE001 - not installed or no binary: the system ffmpeg is used
        return
    _native.set_ffmpeg(exe)


def _as_bytes(data: Any) -> bytes:
    return data if isinstance(data, bytes) else bytes(data)


class MediaSerializer(_SerializerBase[Media, _MediaSerializerConfig]):
    """Serializer for ImageIO Arrays.

    Args:
        mimetypes: The MIME types to use for guessing the content type and encoding.
    """

    name = "labox.imageio@v1"
    types = (Media,)

    def __init__(self, mimetypes: MimeTypes = _DEFAULT_MIMETYPES) -> None:
        self.mimetypes = mimetypes

    def serialize_data(self, media: Media) -> dict[str, Any]:
        """Serialize the given array."""
        _choose_ffmpeg(media.extension, media.plugin)
        data = _native.imwrite(media.data, extension=media.extension, plugin=media.plugin)

        if media.extension is not None:
            content_type, content_encoding = _guess(self.mimetypes, media.extension)
        else:
            content_type = None
            content_encoding = None

        return {
            "data": data,
            "content_type": content_type or "application/octet-stream",
            "content_encoding": content_encoding,
            "config": {"plugin": media.plugin, "extension": media.extension},
        }

    def deserialize_data(self, content: Any) -> Media:
        """Deserialize the given array."""
        config = content.get("config", {"plugin": None, "extension": None})
        raw = _as_bytes(content["data"])
        _choose_ffmpeg(config.get("extension"), config.get("plugin"), raw)
        data = _native.imread(
            raw,
            extension=config.get("extension"),
            plugin=config.get("plugin"),
        )
        return Media(
            data=data,
            extension=config.get("extension"),
            plugin=config.get("plugin"),
        )


media_serializer = MediaSerializer()
"""MediaSerializer with default settings."""
