"""ServerForm: host, port and the main limits, with Start and Stop (Tk thread only).

`read_config` turns the fields into a ServerConfig or raises ValueError with
a sentence for the admin; `set_state` locks the fields while a server runs,
and on a short screen `fold` hides them then (all but Host, Port, Start, Stop).
Limits the form does not show are taken from the base config (the
command line).
"""

from __future__ import annotations

import math
import tkinter as tk
from collections.abc import Callable
from dataclasses import replace
from tkinter import ttk

from chat_server.announcing import class_name_of
from chat_server.config import ServerConfig

HOST_CHOICES = ("0.0.0.0", "127.0.0.1")
HOST_HINT = "Host 0.0.0.0: the class can join over the network; 127.0.0.1: this computer only."
LIMITS_HINT = "0 turns a limit off."
SECOND_ROW_FROM = 3  # on a narrow screen, the settings from this one on go to a second row

# field name, label, type, ServerConfig attribute
LIMIT_FIELDS: tuple[tuple[str, str, type, str], ...] = (
    ("max_clients", "Max clients", int, "max_clients"),
    ("rate", "Commands/s", float, "rate_per_second"),
    ("burst", "Burst", int, "rate_burst"),
    ("register_timeout", "Nickname within (s)", float, "register_timeout"),
    ("idle_timeout", "Idle timeout (s)", float, "idle_timeout"),
)


class ServerForm(ttk.LabelFrame):
    def __init__(
        self, parent: tk.Misc, config: ServerConfig, on_start: Callable[[], object], on_stop: Callable[[], object]
    ) -> None:
        super().__init__(parent, text="Server", padding=(8, 4, 8, 6))
        self.base = config
        self.host = tk.StringVar(self, value=config.host)
        self.port = tk.StringVar(self, value=str(config.port))
        self.class_name = tk.StringVar(self, value=class_name_of(config))  # what the Connect dialogs list
        self.limits = {
            name: tk.StringVar(self, value=f"{getattr(config, attr):g}") for name, _, _, attr in LIMIT_FIELDS
        }
        self.inputs: list[ttk.Widget] = []

        # Row 0 holds what an admin presses: at the left, so it stays in reach in a narrow window.
        self.top = top = ttk.Frame(self)  # identity_actions adds Accounts… and Bans… here
        top.grid(row=0, column=0, sticky="w")
        # The settings' rows, made before the settings so that they are drawn above them (see `arrange`).
        self.rows = [ttk.Frame(self), ttk.Frame(self)]
        self.rows[0].grid(row=1, column=0, sticky="w", pady=(6, 0))
        ttk.Label(top, text="Host").pack(side="left")
        host_box = ttk.Combobox(top, textvariable=self.host, values=HOST_CHOICES, width=16)
        host_box.pack(side="left", padx=(4, 12))
        ttk.Label(top, text="Port").pack(side="left")
        port_entry = ttk.Spinbox(top, textvariable=self.port, from_=0, to=65535, width=7)
        port_entry.pack(side="left", padx=(4, 16))
        self.inputs += [host_box, port_entry]
        self.start_button = ttk.Button(top, text="Start", command=on_start, style="Accent.TButton")
        self.stop_button = ttk.Button(top, text="Stop", command=on_stop, state="disabled")
        self.start_button.pack(side="left", padx=(0, 4))
        self.stop_button.pack(side="left")

        # Children of the form itself, packed into a row: `arrange` may move them to another row.
        self.settings: list[tuple[ttk.Label, ttk.Entry]] = []
        for name, label, _, _ in LIMIT_FIELDS:
            self.settings.append(
                (ttk.Label(self, text=label), ttk.Entry(self, textvariable=self.limits[name], width=6))
            )
        # The class name sits with the settings, not in row 0: that row must keep its buttons in view at 150%.
        self.settings.append((ttk.Label(self, text="Class"), ttk.Entry(self, textvariable=self.class_name, width=14)))
        self.inputs += [entry for _, entry in self.settings]
        self.two_rows = False  # `arrange` split the settings over two rows
        self._place(class_in_top=False, split=len(self.settings))
        self.hints = hints = ttk.Frame(self)
        hints.grid(row=3, column=0, sticky="ew", pady=(2, 0))
        ttk.Label(hints, text=HOST_HINT, style="Hint.TLabel").pack(side="left")
        ttk.Label(hints, text=LIMITS_HINT, style="Hint.TLabel").pack(side="right", padx=(12, 0))
        self.columnconfigure(0, weight=1)

    def arrange(self, width: int) -> None:
        """Fit the form into `width` pixels (large scaling on a small screen), once it is built.

        In turn: all settings in one row; Class moved to the end of row 0 (after Accounts… and Bans…);
        the settings in two rows.  The first that fits is kept, else the last.
        """
        for class_in_top, split in ((False, len(self.settings)), (True, len(LIMIT_FIELDS)), (False, SECOND_ROW_FROM)):
            self._place(class_in_top, split)
            self.update_idletasks()
            if self.winfo_reqwidth() <= width:
                return

    def _place(self, class_in_top: bool, split: int) -> None:
        """Settings before `split` in the first row, the rest in the second; Class at the end of row 0 if asked."""
        for caption, entry in self.settings:
            caption.pack_forget()
            entry.pack_forget()
        settings = self.settings[:-1] if class_in_top else self.settings
        for index, (caption, entry) in enumerate(settings):
            row = self.rows[0] if index < split else self.rows[1]
            caption.pack(in_=row, side="left")
            entry.pack(in_=row, side="left", padx=(4, 12))
        if class_in_top:
            caption, entry = self.settings[-1]
            caption.pack(in_=self.top, side="left", padx=(16, 4))
            entry.pack(in_=self.top, side="left")
        self.two_rows = split < len(settings)
        if self.two_rows:
            self.rows[1].grid(row=2, column=0, sticky="w", pady=(6, 0))
        else:
            self.rows[1].grid_remove()

    def fold(self, folded: bool) -> None:
        """Hide the settings' rows and the hints (a short screen while a server runs: they are locked), or show them.

        Row 0 (Host, Port, Start, Stop, and Class if `arrange` moved it there) always stays.
        """
        if folded:
            for widget in (*self.rows, self.hints):
                widget.grid_remove()
            return
        self.rows[0].grid()
        self.hints.grid()
        if self.two_rows:
            self.rows[1].grid()

    def read_config(self) -> ServerConfig:
        """The config the fields describe; ValueError says what is wrong."""
        host = self.host.get().strip()
        if not host:
            raise ValueError("Enter the address to listen on, e.g. 0.0.0.0.")
        try:
            port = int(self.port.get().strip())
        except ValueError:
            port = -1
        if not 0 <= port <= 65535:
            raise ValueError("The port must be a whole number from 0 to 65535 (0 picks a free one).")
        changes: dict[str, object] = {"host": host, "port": port, "class_name": self.class_name.get().strip()}
        for name, label, kind, attr in LIMIT_FIELDS:
            text = self.limits[name].get().strip()
            try:
                value = kind(text)
            except ValueError:
                raise ValueError(f"{label}: {text!r} is not a {'whole ' if kind is int else ''}number.") from None
            if not math.isfinite(value):
                raise ValueError(f"{label}: {text!r} is not a number (0 turns it off).")
            if value < 0:
                raise ValueError(f"{label} cannot be negative (0 turns it off).")
            changes[attr] = value
        return replace(self.base, **changes)  # type: ignore[arg-type]  # each value was converted by its field's kind

    def set_state(self, phase: str) -> None:
        """`stopped`: fields and Start enabled; `running`: only Stop; `busy`: nothing (starting or stopping)."""
        editable = "normal" if phase == "stopped" else "disabled"
        for widget in self.inputs:
            widget.configure(state=editable)  # type: ignore[call-arg]  # every input is a ttk widget with a state
        self.start_button.configure(state="normal" if phase == "stopped" else "disabled")
        self.stop_button.configure(state="normal" if phase == "running" else "disabled")
