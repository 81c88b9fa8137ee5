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
