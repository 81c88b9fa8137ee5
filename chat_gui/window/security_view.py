"""The padlock in the status bar and the "Connection details" dialog (Tk thread).

    status bar:  [closed padlock] Encrypted      a TLS connection (click: details)
                 [open padlock]   Not encrypted  a plain one: the server answered without TLS
                 (nothing)                       not connected
    details:     the server's address, TLS version and cipher, the server key's
                 fingerprint (short form large, to compare with the teacher's
                 screen; long form to copy), and since when this computer knows it.

The padlocks are drawn here pixel by pixel: Tk 8.6 cannot show the emoji
padlock everywhere, and an image needs no font.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from chat_gui.core.connection_security import Security
from chat_gui.window.window_size import display_scale
from shared.palette import LIGHT, Palette, for_palette
from shared_tk.theme import on_palette_change

CLOSED_LOCK = (
    "   ######   ",
    "  ##    ##  ",
    "  #      #  ",
    "  #      #  ",
    "  #      #  ",
    "############",
    "############",
    "#####  #####",
    "#####  #####",
    "######.#####",
    "######.#####",
    "############",
    "############",
)
OPEN_LOCK = (
    "       ######",
    "      ##    #",
    "      #     #",
    "      #      ",
    "      #      ",
    "############ ",
    "############ ",
    "#####  ##### ",
    "#####  ##### ",
    "######.##### ",
    "######.##### ",
    "############ ",
    "############ ",
)
# The word and the padlock: green for encrypted, the theme's error colour for not (the words and the padlock's
# shape tell them apart without colour).  Fixed colours were 3.4:1 and 2.6:1 on the dark theme's status bar.
ENCRYPTED_COLOURS = {"light": "#1b7f3b", "dark": "#7bd389"}  # 4.9:1 and 9.4:1 on the window's background
PLAIN_STYLE = "Error.TLabel"  # shared_tk/theme.py gives it the palette's error colour


def encrypted_colour(palette: Palette) -> str:
    return for_palette(palette, ENCRYPTED_COLOURS)


ENCRYPTED_TEXT = "Encrypted"
PLAIN_TEXT = "Not encrypted"
COMPARE_HINT = (
    "Compare these 20 digits with the ones on your teacher's screen (the server window or its banner). "
    "If they differ, you are not connected to your teacher's server: disconnect and tell your teacher."
)
PLAIN_HINT = (
    "Anyone on the same network can read what you send and receive, passwords and join codes included. "
    "Ask your teacher for a server with encryption (ClassChat servers encrypt unless started with --no-tls)."
)


def draw(picture: tuple[str, ...], colour: str, master: tk.Misc) -> tk.PhotoImage:
    """A PhotoImage of the ASCII picture: '#' in `colour`, ' ' and '.' transparent."""
    image = tk.PhotoImage(master=master, width=len(picture[0]), height=len(picture))
    paint(image, picture, colour)
    return image


def paint(image: tk.PhotoImage, picture: tuple[str, ...], colour: str) -> None:
    image.blank()
    for y, row in enumerate(picture):
        for x, cell in enumerate(row):
            if cell == "#":
                image.put(colour, to=(x, y))


class SecurityBadge(ttk.Label):
    """The padlock and one word at the right of the status bar; a click opens Connection details."""

    def __init__(self, parent: tk.Misc, on_click: Callable[[], None]) -> None:
        super().__init__(parent, text="", compound="left", padding=(4, 0), cursor="hand2")
        self.closed_image = draw(CLOSED_LOCK, ENCRYPTED_COLOURS["light"], self)
        self.open_image = draw(OPEN_LOCK, LIGHT.error, self)
        self.state_shown = "offline"  # "encrypted", "plain" or "offline", for tests and the title
        self.bind("<Button-1>", lambda _event: on_click())
        self.set_palette(LIGHT)
        on_palette_change(self, self.set_palette)

    def set_palette(self, palette: Palette) -> None:
        """The word's and the padlock's colours for the theme.  Set on the label itself, after the theme's
        tk_setPalette (which sets a foreground on every widget); a ttk style configured here would make ttk
        announce a theme change, and sv-ttk would then recolour every pane back to its window colour."""
        self.palette = palette
        paint(self.closed_image, CLOSED_LOCK, encrypted_colour(palette))
        paint(self.open_image, OPEN_LOCK, palette.error)
        self._colour()

    def _colour(self) -> None:
        shown = {"encrypted": encrypted_colour(self.palette), "plain": self.palette.error}
        self.configure(foreground=shown.get(self.state_shown, self.palette.text))

    def show(self, security: Security | None) -> None:
        """The current connection's protection; None when not connected."""
        if security is None:
            self.configure(text="", image="")
            self.state_shown = "offline"
        elif security.encrypted:
            self.configure(text=ENCRYPTED_TEXT, image=self.closed_image)
            self.state_shown = "encrypted"
        else:
            self.configure(text=PLAIN_TEXT, image=self.open_image)
            self.state_shown = "plain"
        self._colour()


class ConnectionDetails(tk.Toplevel):
    """What protects the connection, and the fingerprint to compare with the teacher's screen."""

    def __init__(self, master: tk.Misc, address: str, security: Security | None, palette: Palette = LIGHT) -> None:
        super().__init__(master)
        self.palette = palette
        self.title("Connection details")
        self.transient(master.winfo_toplevel())
        self.resizable(False, False)
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        self.rows: dict[str, str] = {}  # label -> value shown, for tests
        self._row(body, "Server", address or "not connected")
        self.fingerprint_label: ttk.Label | None = None
        if security is None:
            self._row(body, "Encryption", "not connected")
        elif security.encrypted:
            self._encrypted(body, security)
        else:
            self._row(body, "Encryption", PLAIN_TEXT, style=PLAIN_STYLE)
            self._note(body, f"{security.why_plain} {PLAIN_HINT}")
        buttons = ttk.Frame(body)
        buttons.grid(row=99, column=0, columnspan=3, sticky="e", pady=(12, 0))
        self.close_button = ttk.Button(buttons, text="Close", command=self.destroy, default="active")
        self.close_button.pack(side="right")
        self.bind("<Escape>", lambda _event: self.destroy())
        self.bind("<Return>", lambda _event: self.destroy())
        self.close_button.focus_set()

    def _encrypted(self, body: ttk.Frame, security: Security) -> None:
        fingerprint = security.fingerprint
        assert fingerprint is not None
        self._row(
            body, "Encryption", f"{security.version}, {security.cipher}", foreground=encrypted_colour(self.palette)
        )
        self.fingerprint_label = self._row(body, "Server key", fingerprint.short, font=("TkFixedFont", 18, "bold"))
        ttk.Button(body, text="Copy", command=lambda: self._copy(fingerprint.short)).grid(
            row=self._last_row, column=2, sticky="w", padx=(8, 0)
        )
        # Kept on self: a StringVar that Python collects empties its entry (the long form showed blank).
        self.long_form = tk.StringVar(self, value=fingerprint.long)
        self.rows["SHA-256"] = fingerprint.long
        ttk.Label(body, text="SHA-256").grid(row=self._next_row(), column=0, sticky="nw", padx=(0, 10), pady=2)
        self.long_entry = ttk.Entry(
            body, textvariable=self.long_form, width=50, state="readonly", font=("TkFixedFont", 9)
        )
        self.long_entry.grid(row=self._last_row, column=1, columnspan=2, sticky="ew", pady=2)
        known = {
            "new": "first connection to this server: its key is remembered from now on",
            "match": f"the same key as before (remembered since {_date(security.pinned_since)})",
            "changed": "a new key, accepted by you",
        }.get(security.pin or "", "")
        if known:
            self._row(body, "This computer", known)
        self._note(body, COMPARE_HINT)

    _last_row = -1

    def _next_row(self) -> int:
        self._last_row += 1
        return self._last_row

    def _row(self, body: ttk.Frame, label: str, value: str, **style: object) -> ttk.Label:
        row = self._next_row()
        self.rows[label] = value
        ttk.Label(body, text=label).grid(row=row, column=0, sticky="nw", padx=(0, 10), pady=2)
        # Wrap widths grow with the scaling: at 150% and 200% the server key broke over two and three lines.
        wrap = round(420 * display_scale(self))
        shown = ttk.Label(body, text=value, wraplength=wrap, justify="left", **style)  # type: ignore[arg-type]
        shown.grid(row=row, column=1, sticky="w", pady=2)
        return shown

    def _note(self, body: ttk.Frame, text: str) -> None:
        self.rows["note"] = text
        # The theme's muted colour (AA in light and dark): a fixed #555555 was 2.3:1 on the dark background.
        note = ttk.Label(
            body, text=text, wraplength=round(460 * display_scale(self)), justify="left", style="Muted.TLabel"
        )
        note.grid(row=self._next_row(), column=0, columnspan=3, sticky="w", pady=(10, 0))

    def _copy(self, text: str) -> None:
        self.clipboard_clear()
        self.clipboard_append(text)


def _date(iso_time: str) -> str:
    """ "2026-11-30T17:25:03Z" -> "2026-11-30"; unknown stays unknown."""
    return iso_time[:10] if iso_time else "an unknown date"
