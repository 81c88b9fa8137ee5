"""Tk reads the PNG and GIF files image_header lets through, and the subsample step makes them thumbnail-sized."""

from __future__ import annotations

import tkinter as tk

from shared.image_header import THUMBNAIL_BOX, thumbnail_kind, thumbnail_step
from tests.unit.test_image_header import png


def test_an_accepted_png_loads_in_photoimage_and_shrinks_to_the_box(tk_root, tmp_path):
    path = tmp_path / "screenshot.png"
    path.write_bytes(png(1280, 720))
    header = thumbnail_kind(path)
    assert header is not None
    image = tk.PhotoImage(master=tk_root, file=str(path))
    assert (image.width(), image.height()) == (header.width, header.height)
    thumbnail = image.subsample(thumbnail_step(header.width, header.height))
    assert max(thumbnail.width(), thumbnail.height()) <= THUMBNAIL_BOX
    label = tk.Label(tk_root, image=thumbnail)
    label.pack()
    tk_root.update()
    assert label.winfo_reqwidth() >= thumbnail.width()


def test_a_gif_tk_wrote_is_accepted_and_one_whose_image_is_bigger_than_its_header_is_not(tk_root, tmp_path):
    drawn = tk.PhotoImage(master=tk_root, width=300, height=120)
    drawn.put("#3060c0", to=(10, 10, 290, 110))
    path = tmp_path / "drawing.gif"
    drawn.write(str(path), format="gif")
    header = thumbnail_kind(path)
    assert header is not None and (header.kind, header.width, header.height) == ("gif", 300, 120)
    image = tk.PhotoImage(master=tk_root, file=str(path))
    assert (image.width(), image.height()) == (300, 120)
    # The same file with its image block saying 26,000 x 26,000: Tk would set aside 2 GB for it.
    data = bytearray(path.read_bytes())
    block = 13 + (3 * (2 << (data[10] & 7)) if data[10] & 0x80 else 0)  # after the screen's colour table
    while data[block] == 0x21:  # extensions before the image: label, then sub-blocks up to an empty one
        block += 2
        while data[block]:
            block += 1 + data[block]
        block += 1
    assert data[block] == 0x2C
    data[block + 5 : block + 9] = (26000).to_bytes(2, "little") * 2
    bomb = tmp_path / "cat.gif"
    bomb.write_bytes(bytes(data))
    assert thumbnail_kind(bomb) is None
