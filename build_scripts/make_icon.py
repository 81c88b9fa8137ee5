"""Draws the ClassChat icon (a speech bubble) and writes shared/assets/classchat.png and .ico; run by hand.

Standard library only: the shape is sampled several times per pixel for smooth
edges, PNG files are written with zlib and struct, and the .ico holds one PNG
per size (the form Windows has read since Vista).  The output is committed, so
this runs only when the design changes:

    python3 build_scripts/make_icon.py
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.icon import ICON_ICO, ICON_PNG  # noqa: E402  (needs the project root on sys.path)

PNG_SIZE = 64
ICO_SIZES = (16, 32, 48, 256)
SUPERSAMPLE = 4  # samples per pixel along each axis

BUBBLE_RGB = (0x2B, 0x6C, 0xD8)
DOT_RGB = (0xFF, 0xFF, 0xFF)

# The shape in unit coordinates (0..1, y grows downwards).
BODY = (0.06, 0.10, 0.94, 0.72)  # left, top, right, bottom
BODY_RADIUS = 0.18
TAIL = ((0.22, 0.66), (0.46, 0.66), (0.16, 0.93))
DOT_CENTRES_X = (0.30, 0.50, 0.70)
DOT_Y = 0.41
DOT_RADIUS = 0.07


def in_rounded_rect(x: float, y: float) -> bool:
    left, top, right, bottom = BODY
    if not (left <= x <= right and top <= y <= bottom):
        return False
    nearest_x = min(max(x, left + BODY_RADIUS), right - BODY_RADIUS)
    nearest_y = min(max(y, top + BODY_RADIUS), bottom - BODY_RADIUS)
    return (x - nearest_x) ** 2 + (y - nearest_y) ** 2 <= BODY_RADIUS**2


def in_triangle(x: float, y: float) -> bool:
    (ax, ay), (bx, by), (cx, cy) = TAIL
    signs = [
        (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        for (x1, y1), (x2, y2) in (((ax, ay), (bx, by)), ((bx, by), (cx, cy)), ((cx, cy), (ax, ay)))
    ]
    return all(s >= 0 for s in signs) or all(s <= 0 for s in signs)


def in_dot(x: float, y: float) -> bool:
    return any((x - cx) ** 2 + (y - DOT_Y) ** 2 <= DOT_RADIUS**2 for cx in DOT_CENTRES_X)


def render(size: int) -> bytes:
    """RGBA rows of the icon at `size` x `size`, each row prefixed by PNG filter byte 0."""
    rows = bytearray()
    step = 1.0 / (size * SUPERSAMPLE)
    samples = SUPERSAMPLE * SUPERSAMPLE
    for py in range(size):
        rows.append(0)
        for px in range(size):
            bubble = dot = 0
            for sy in range(SUPERSAMPLE):
                y = (py * SUPERSAMPLE + sy + 0.5) * step
                for sx in range(SUPERSAMPLE):
                    x = (px * SUPERSAMPLE + sx + 0.5) * step
                    if in_rounded_rect(x, y) or in_triangle(x, y):
                        bubble += 1
                        if in_dot(x, y):
                            dot += 1
            alpha = bubble / samples
            white = dot / bubble if bubble else 0.0
            rgb = (round(b + (d - b) * white) for b, d in zip(BUBBLE_RGB, DOT_RGB, strict=False))
            rows.extend((*rgb, round(alpha * 255)))
    return bytes(rows)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(size: int) -> bytes:
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(render(size), 9))
        + png_chunk(b"IEND", b"")
    )


def encode_ico(sizes: tuple[int, ...]) -> bytes:
    images = [encode_png(size) for size in sizes]
    directory = struct.pack("<HHH", 0, 1, len(images))
    offset = len(directory) + 16 * len(images)
    entries = b""
    for size, image in zip(sizes, images, strict=False):
        side = 0 if size >= 256 else size  # 0 means 256 in an .ico directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return directory + entries + b"".join(images)


def main() -> int:
    ICON_PNG.parent.mkdir(parents=True, exist_ok=True)
    ICON_PNG.write_bytes(encode_png(PNG_SIZE))
    ICON_ICO.write_bytes(encode_ico(ICO_SIZES))
    for path in (ICON_PNG, ICON_ICO):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
