"""Unit tests for shared/image_header.py: which files may become inline thumbnails (headers read, never decoded)."""

from __future__ import annotations

import struct
import zlib

import pytest

from shared.image_header import (
    MAX_THUMBNAIL_FILE_BYTES,
    ImageHeader,
    read_image_header,
    thumbnail_kind,
    thumbnail_step,
)


def png(width: int, height: int) -> bytes:
    """A real, decodable greyscale PNG (one zero byte per row of zero pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif_header(width: int, height: int, version: bytes = b"GIF89a") -> bytes:
    """Only a GIF's header and screen size, no image at all."""
    return version + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b";"


PIXELS = b"\x02\x02\x44\x01\x00"  # LZW code size 2, one sub-block (clear, colour 0, end), the empty sub-block


def image_block(width: int, height: int, left: int = 0, top: int = 0) -> bytes:
    return b"," + struct.pack("<HHHHB", left, top, width, height, 0) + PIXELS


def gif(width: int, height: int, *images: bytes, version: bytes = b"GIF89a", trailer: bytes = b";") -> bytes:
    """A GIF with a two-colour table, a comment extension, and `images` (default: one that fills the screen)."""
    screen = version + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    comment = b"!\xfe\x05hello\x00"
    return screen + comment + b"".join(images or (image_block(width, height),)) + trailer


def png_claiming(width: int, height: int) -> bytes:
    """Only the header of a PNG that claims a size (a decompression bomb needs no more to be refused)."""
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height) + b"\x08\x06"


def test_png_and_gif_headers_are_read():
    assert read_image_header(png(300, 200)) == ImageHeader("png", 300, 200)
    assert read_image_header(gif_header(64, 48)) == ImageHeader("gif", 64, 48)
    assert read_image_header(gif_header(1, 2, b"GIF87a")) == ImageHeader("gif", 1, 2)


@pytest.mark.parametrize(
    "head",
    [b"", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n", b"GIF89", b"BM\x00\x00", b"RIFF....WEBP"],
)
def test_other_or_truncated_files_have_no_image_header(head):
    assert read_image_header(head) is None


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (png(640, 480), True),
        (gif(320, 240), True),
        (gif(320, 240, image_block(100, 50, 220, 190), image_block(320, 240)), True),  # frames inside the screen
        (gif(320, 240, trailer=b""), True),  # no trailer: Tk shows it all the same
        (gif_header(320, 240), False),  # a header and nothing to show
        (gif(10, 10, image_block(26000, 26000)), False),  # 35 bytes that took 2 GB in Tk (a probe)
        (gif(10, 10, image_block(10, 10), image_block(26000, 26000)), False),  # the big frame second
        (gif(100, 100, image_block(60, 60, 50, 0)), False),  # an image that sticks out of the screen
        (gif(100, 100, image_block(10, 10, 0, 95)), False),
        (gif(100, 100, image_block(0, 100)), False),
        (gif(100, 100)[:-4], False),  # its pixels cut short
        (gif(100, 100, b"\x99" + image_block(100, 100)), False),  # a block GIF has not
        (gif(100, 100, b"!\xf9\x04\x00\x00\x00"), False),  # an extension that never ends
        (png_claiming(30_000, 30_000), False),  # 3.6 GB once decoded
        (png_claiming(8192, 8192), False),  # within the side limit, over the pixel limit
        (png_claiming(0, 100), False),
        (gif_header(65535, 1), False),
        (b"\xff\xd8\xff\xe0 a JPEG", False),
        (b"plain text", False),
    ],
)
def test_only_sane_pngs_and_gifs_become_thumbnails(tmp_path, content, shown):
    path = tmp_path / "picture"
    path.write_bytes(content)
    assert (thumbnail_kind(path) is not None) is shown


def test_a_large_file_or_a_missing_one_gets_no_thumbnail(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(png(10, 10) + b"\0" * MAX_THUMBNAIL_FILE_BYTES)
    assert thumbnail_kind(big) is None
    assert thumbnail_kind(tmp_path / "missing.png") is None


@pytest.mark.parametrize(
    ("width", "height", "step"), [(100, 100, 1), (240, 10, 1), (241, 10, 2), (1920, 1080, 8), (10, 4000, 17)]
)
def test_the_subsample_step_fits_the_longest_side_in_the_box(width, height, step):
    assert thumbnail_step(width, height) == step
    assert -(-max(width, height) // step) <= 240
