"""Which received files may be shown as inline thumbnails: PNG and GIF sizes read from their headers (any thread).

Tk's PhotoImage decodes PNG and GIF itself, but it decodes the whole
picture into memory at full size first: a 200 KB PNG that claims
30,000 x 30,000 pixels would ask for 3.6 GB and stall or kill the window.
So the client reads the few header bytes here first and shows a thumbnail
only for a real PNG or GIF of a sane size; anything else gets the file
card alone.

    kind = thumbnail_kind(path)                         # "png", "gif" or None
    if kind: image = tk.PhotoImage(file=path); image = image.subsample(thumbnail_step(width, height))
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_THUMBNAIL_PIXELS = 16_000_000  # 64 MB of RGBA once decoded; a phone photo is 12 MP
MAX_THUMBNAIL_SIDE = 8192
MAX_THUMBNAIL_FILE_BYTES = 8 * 1024 * 1024  # decoding runs on the Tk thread: keep it short
THUMBNAIL_BOX = 240  # pixels: the longest side of a thumbnail in the text pane


@dataclass(frozen=True)
class ImageHeader:
    kind: str  # "png" or "gif"
    width: int
    height: int


def read_image_header(head: bytes) -> ImageHeader | None:
    """The kind and size a PNG or GIF claims in its first 24 bytes; None for anything else."""
    if head.startswith(PNG_SIGNATURE) and len(head) >= 24 and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return ImageHeader("png", width, height)
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return ImageHeader("gif", width, height)
    return None


def thumbnail_kind(path: str | os.PathLike[str]) -> ImageHeader | None:
    """The header of a saved file if it may be shown inline (a PNG or GIF of a sane size), else None."""
    try:
        if os.path.getsize(path) > MAX_THUMBNAIL_FILE_BYTES:
            return None
        with open(path, "rb") as image:
            header = read_image_header(image.read(24))
    except OSError:
        return None
    if header is None or not 0 < header.width <= MAX_THUMBNAIL_SIDE or not 0 < header.height <= MAX_THUMBNAIL_SIDE:
        return None
    if header.width * header.height > MAX_THUMBNAIL_PIXELS:
        return None
    return header


def thumbnail_step(width: int, height: int, box: int = THUMBNAIL_BOX) -> int:
    """The PhotoImage.subsample factor that brings the longest side within `box` (1: already small)."""
    longest = max(width, height, 1)
    return max(1, -(-longest // box))
