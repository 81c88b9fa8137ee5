"""A shared file in the text pane: a card with its name, size and sender, Save / Open / Open folder, and a thumbnail (Tk thread).

    12:00:01  alice  shared a file
              +----------------------------------------------+
              | worksheet.pdf   1.2 MB · from alice           |
              | [thumbnail of a PNG or GIF, at most 240 px]   |
              | [Save]  [Open]  [Open folder]   Saved as ...  |
              +----------------------------------------------+

The card lives inside the conversation's Text widget (an embedded window),
so it scrolls with the messages and goes when its line is trimmed off the
top.  It only shows what it is told; FileSharing decides what the buttons
do.  A thumbnail is made only from a file that `thumbnail_kind` accepted
(a real PNG or GIF of a sane size: Tk decodes the whole picture at full
size before it can shrink it).
"""

from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from tkinter import ttk

from shared.file_transfer import format_size
from shared.image_header import MAX_THUMBNAIL_FILE_BYTES, ImageHeader, thumbnail_step
from shared.safe_filename import clean_filename, split_extension

CARD_BACKGROUND = "#f4f6f8"
MUTED_NAME = "#5f6368"  # 5.6:1 on CARD_BACKGROUND (WCAG AA)
SHOWN_NAME_CHARS = 60  # a longer name is cut in the middle: its end, the real extension, always shows
NAME_WRAP_PIXELS = 420  # and it wraps rather than pushing its end past the pane's edge (wide letters)
PICTURE_TYPES = (".png", ".gif")  # what Tk shows without Pillow (docs/files.md says why there is no Pillow)


@dataclass
class CardActions:
    save: Callable[[], object]
    open_file: Callable[[], None]
    open_folder: Callable[[], None]
    show_picture: Callable[[], None]


def shown_name(name: str, limit: int = SHOWN_NAME_CHARS) -> str:
    """A file name as a card shows it: at most `limit` characters, cut in the middle, its end kept whole.

    `worksheet.pdf` + 200 underscores + `.exe` is a name a pane cannot show
    whole: cut at the end, it reads as a PDF.  The end stays, with the extension.
    """
    if len(name) <= limit:
        return name
    extension = split_extension(name)[1]
    tail = max(len(extension) + 8, limit // 3)
    return name[: limit - tail - 1] + "…" + name[-tail:]


def is_picture_name(name: str) -> bool:
    return clean_filename(name).casefold().endswith(PICTURE_TYPES)


class FileCard(tk.Frame):
    def __init__(
        self, master: tk.Text, file_id: str, name: str, size: int, sender: str, actions: CardActions, sha256: str = ""
    ) -> None:
        super().__init__(master, background=CARD_BACKGROUND, padx=8, pady=6, highlightthickness=1)
        self.configure(highlightbackground="#c9d1d9")
        self.file_id = file_id
        self.name = clean_filename(name)  # the server cleans it too; a server is not trusted either
        self.file_size = size
        self.sender = sender
        self.sha256 = sha256
        self.saved_path: Path | None = None
        self.shared_in = ""  # "#room" or "@nick": where it was shared (for "Show pictures from here")
        self.fetching = False  # its picture is on the way
        self.message_id: object = None  # the `file` message's id (a `deleted` frame names it)
        self.from_ignored = False  # shared by someone this user ignores: folded, its picture fetched only when asked
        self.image: tk.PhotoImage | None = None
        title = tk.Frame(self, background=CARD_BACKGROUND)
        title.pack(fill="x", anchor="w")
        self.name_label = tk.Label(
            title,
            text=shown_name(self.name),
            background=CARD_BACKGROUND,
            font=("TkDefaultFont", 10, "bold"),
            anchor="w",
            justify="left",
            wraplength=NAME_WRAP_PIXELS,
        )
        self.name_label.pack(side="left")
        info = f"{format_size(size)} · from {sender}"
        # beside a long name, size and sender would be pushed past a narrow pane's edge: under it instead
        beside = self.name_label.winfo_reqwidth() + tkfont.Font(font="TkDefaultFont").measure(info) < NAME_WRAP_PIXELS
        self.info_label = tk.Label(
            title if beside else self,
            text=f"   {info}" if beside else info,
            background=CARD_BACKGROUND,
            foreground="#555555",
        )
        if beside:
            self.info_label.pack(side="left")
        else:
            self.info_label.pack(anchor="w")
        self.picture = tk.Label(self, background=CARD_BACKGROUND, borderwidth=0)
        self.buttons = tk.Frame(self, background=CARD_BACKGROUND)
        self.buttons.pack(fill="x", anchor="w", pady=(4, 0))
        self.save_button = ttk.Button(self.buttons, text="Save", command=actions.save)
        self.save_button.pack(side="left")
        self.open_button = ttk.Button(self.buttons, text="Open", command=actions.open_file)
        self.folder_button = ttk.Button(self.buttons, text="Open folder", command=actions.open_folder)
        self.picture_button = ttk.Button(self.buttons, text="Show pictures from here", command=actions.show_picture)
        if is_picture_name(self.name) and size <= MAX_THUMBNAIL_FILE_BYTES:  # a bigger one is a card only
            self.picture_button.pack(side="left", padx=(6, 0))
        self.status = tk.Label(self.buttons, text="", background=CARD_BACKGROUND, foreground="#555555", anchor="w")
        self.status.pack(side="left", padx=(8, 0))

    # -- intent methods --
    def mute(self) -> None:
        """A kept file (replay, an earlier page): its name in the muted grey of replayed messages; it works the same."""
        self.name_label.configure(foreground=MUTED_NAME)

    def saving(self) -> None:
        self.save_button.state(["disabled"])
        self.status.configure(text="Saving…", foreground="#555555")

    def saved(self, path: Path) -> None:
        """Saved: Save gives way to Open and Open folder."""
        self.saved_path = path
        self.save_button.pack_forget()
        self.open_button.pack(side="left", before=self.status)
        self.folder_button.pack(side="left", padx=(6, 0), before=self.status)
        self.status.configure(text=f"Saved as {shown_name(path.name)}", foreground="#2e7d32")

    def deleted(self) -> None:
        """The file was deleted on the server: nothing to fetch any more (a saved copy stays where it is)."""
        for button in (self.save_button, self.picture_button):
            button.pack_forget()
        self.status.configure(text="Deleted from the server.", foreground="#555555")

    def failed(self, text: str) -> None:
        self.save_button.state(["!disabled"])
        self.status.configure(text=text, foreground="#b00020")

    def fetching_picture(self) -> None:
        self.fetching = True
        self.picture_button.pack_forget()
        self.status.configure(text="Fetching the picture…", foreground="#555555")

    def show_thumbnail(self, path: Path, header: ImageHeader) -> bool:
        """The picture, shrunk into the thumbnail box; False (and the card alone) if Tk cannot read it."""
        try:
            full = tk.PhotoImage(master=self, file=str(path))
        except tk.TclError:
            return False
        step = thumbnail_step(header.width, header.height)
        self.image = full.subsample(step) if step > 1 else full
        del full
        self.picture_button.pack_forget()
        self.picture.configure(image=self.image)
        self.picture.pack(anchor="w", pady=(4, 0), before=self.buttons)
        if self.status.cget("text") == "Fetching the picture…":
            self.status.configure(text="")
        return True

    def has_thumbnail(self) -> bool:
        return self.image is not None
