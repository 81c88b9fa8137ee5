"""Which received files may be shown as inline thumbnails: PNG and GIF sizes read from their headers (any thread).

Tk's PhotoImage decodes PNG and GIF itself, but it decodes the whole
picture into memory at full size first: a 200 KB PNG that claims
30,000 x 30,000 pixels would ask for 3.6 GB and stall or kill the window.
So the client reads the few header bytes here first and shows a thumbnail
only for a real PNG or GIF of a sane size; anything else gets the file
card alone.  A GIF has two sizes: its header's, and each image block's own,
and Tk sets aside memory for the block's (a 35-byte GIF that said 10 x 10
in its header and 26,000 x 26,000 in its first block took 2 GB and froze or
killed the window). So a GIF is walked block by block, and each image must
lie inside the size its header says.

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


def gif_images_fit(data: bytes, width: int, height: int) -> bool:
    """True if a whole GIF file is well formed up to its end and every image block lies inside width x height."""
    if len(data) < 13:
        return False
    position = 13 + _color_table_bytes(data[10])
    images = 0
    while position < len(data):
        block = data[position]
        if block == 0x3B:  # the trailer
            return images > 0
        if block == 0x21:  # an extension: its label, then data sub-blocks
            position = _after_sub_blocks(data, position + 2)
        elif block == 0x2C:  # an image: where it is and how big, then its colours and its pixels
            if position + 10 > len(data):
                return False
            left, top, image_width, image_height, flags = struct.unpack_from("<HHHHB", data, position + 1)
            if not image_width or not image_height or left + image_width > width or top + image_height > height:
                return False
            images += 1
            position = _after_sub_blocks(data, position + 10 + _color_table_bytes(flags) + 1)  # + LZW code size
        else:
            return False
        if position < 0:
            return False
    return images > 0  # no trailer: Tk shows what came before the end


def _color_table_bytes(flags: int) -> int:
    """The size of the colour table a GIF's screen or image flags say follows (0 when there is none)."""
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def _after_sub_blocks(data: bytes, position: int) -> int:
    """Where the sub-blocks starting at `position` end (after their empty block); -1 if the data ends first."""
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
    return -1


def thumbnail_kind(path: str | os.PathLike[str]) -> ImageHeader | None:
    """The header of a saved file if it may be shown inline (a PNG or GIF of a sane size), else None."""
    try:
        if os.path.getsize(path) > MAX_THUMBNAIL_FILE_BYTES:
            return None
        with open(path, "rb") as image:
            header = read_image_header(image.read(24))
            if header is not None and header.kind == "gif":
                image.seek(0)
                data = image.read(MAX_THUMBNAIL_FILE_BYTES + 1)
    except OSError:
        return None
    if header is None or not 0 < header.width <= MAX_THUMBNAIL_SIDE or not 0 < header.height <= MAX_THUMBNAIL_SIDE:
        return None
    if header.width * header.height > MAX_THUMBNAIL_PIXELS:
        return None
    if header.kind == "gif" and not gif_images_fit(data, header.width, header.height):
        return None
    return header


def thumbnail_step(width: int, height: int, box: int = THUMBNAIL_BOX) -> int:
    """The PhotoImage.subsample factor that brings the longest side within `box` (1: already small)."""
    longest = max(width, height, 1)
    return max(1, -(-longest // box))
