"""Opens the chat window on the screen in DISPLAY at a desktop scaling, and prints what it measured as JSON.

Run by test_client_layout.py in a child process on a private Xvfb screen of the size under test (Tk keeps
its display connection until the process exits).  It measures the window at the size it opens with, then
at the smallest size it allows, with a conversation in the pane and three lines typed in the entry box.
With `connect` it measures the Connect dialog instead, at its tallest: the Register fields, the join code's
field and an error shown.  Usage: python -m tests.gui.client.layout_probe PERCENT [connect]
"""

from __future__ import annotations

import contextlib
import json
import sys
import tkinter as tk

from chat_gui.settings import ClientSettings
from chat_gui.window.controller import ChatController
from chat_gui.window.login_dialog import REGISTER
from tests.gui.scaled_tk import scaled_root
from tests.support import wait_until

TIMEOUT = 15.0


def inside(widget: tk.Misc, root: tk.Misc) -> bool:
    """Mapped, as tall as it asks, and wholly within the root window's area."""
    if not widget.winfo_ismapped():
        return False
    left = widget.winfo_rootx() - root.winfo_rootx()
    top = widget.winfo_rooty() - root.winfo_rooty()
    return (
        left >= 0
        and top >= 0
        and left + widget.winfo_width() <= root.winfo_width()
        and top + widget.winfo_height() <= root.winfo_height()
        and widget.winfo_height() >= widget.winfo_reqheight()
        and widget.winfo_width() > 0
    )


def measure(controller: ChatController) -> dict[str, object]:
    root = controller.root
    window = controller.window
    root.update()
    controls = {
        "entry box": window.entry.text,
        "Send": window.send_button,
        "status bar": window.status_bar,
    }
    return {
        "size": [root.winfo_width(), root.winfo_height()],
        "hidden": [name for name, widget in controls.items() if not inside(widget, root)],
        "entry_width": window.entry.text.winfo_width(),
        "entry_linespace": window.entry.text.winfo_height(),
        "pane_height": window.tabs.room_view.winfo_height(),
    }


def probe(percent: int) -> dict[str, object]:
    root, errors = scaled_root(percent)
    controller = ChatController(root, ClientSettings(), save=False)
    try:
        wait_until(root.winfo_ismapped, TIMEOUT, pump=root.update)
        view = controller.room_view
        for number in range(60):
            view.show_message("12:00:00", "Alexandra_Konstantinova1", f"line {number} " + "with some words " * 8)
        controller.window.entry.set_text("one\ntwo\nthree")  # the entry grows to three lines
        root.update()
        opened = measure(controller)
        smallest = list(root.minsize())
        root.geometry(f"{smallest[0]}x{smallest[1]}")
        wait_until(lambda: [root.winfo_width(), root.winfo_height()] == smallest, TIMEOUT, pump=root.update)
        at_smallest = measure(controller)
        controller.window.entry.text.focus_force()
        controller.window.entry.text.event_generate("<KeyPress>", keysym="x")
        root.update()
        return {
            "screen": [root.winfo_screenwidth(), root.winfo_screenheight()],
            "minsize": smallest,
            "opened": opened,
            "smallest": at_smallest,
            "typed_at_smallest": controller.window.entry.get_text().endswith("x"),
            "errors": errors,
        }
    finally:
        controller.shutdown()
        root.destroy()


def on_screen(widget: tk.Misc, within: tk.Misc) -> bool:
    """Mapped, and drawn wholly inside `within` (the part of the dialog it is in) and on the screen."""
    if not widget.winfo_ismapped():
        return False
    left, top = widget.winfo_rootx(), widget.winfo_rooty()
    right, bottom = left + widget.winfo_width(), top + widget.winfo_height()
    w_left, w_top = within.winfo_rootx(), within.winfo_rooty()
    w_right, w_bottom = w_left + within.winfo_width(), w_top + within.winfo_height()
    return (
        w_left <= left
        and w_top <= top
        and right <= w_right
        and bottom <= w_bottom
        and right <= widget.winfo_screenwidth()
        and bottom <= widget.winfo_screenheight()
    )


def probe_connect(percent: int) -> dict[str, object]:
    root, errors = scaled_root(percent)
    controller = ChatController(root, ClientSettings(), save=False)
    try:
        wait_until(root.winfo_ismapped, TIMEOUT, pump=root.update)
        controller.show_connect_dialog()
        dialog = controller.dialog
        assert dialog is not None
        dialog.account.mode_buttons[REGISTER].invoke()
        dialog.account.show_code(
            "This server asks for a join code: ask your teacher, who sees it in the server window."
        )
        dialog.show_error(
            "That nickname is taken by someone else in the class. Choose another nickname, or log in if it is yours.",
            field="nick",
        )
        footer = {"Connect": dialog.connect_button, "Quit": dialog.quit_button, "message": dialog.message}

        def footer_hidden() -> list[str]:
            return [name for name, widget in footer.items() if not on_screen(widget, dialog)]

        with contextlib.suppress(AssertionError):  # measured below either way
            wait_until(lambda: not footer_hidden(), TIMEOUT, pump=root.update)
        hidden = footer_hidden()
        again = dialog.account.again_entry
        fields = getattr(dialog, "scroller", None)
        shown_in = dialog if fields is None else fields.canvas  # the part of the dialog the fields are drawn in
        again.focus_force()  # as a Tab from the password field does
        with contextlib.suppress(AssertionError):
            wait_until(lambda: on_screen(again, shown_in), TIMEOUT, pump=root.update)
        root.update()
        return {
            "screen": [root.winfo_screenwidth(), root.winfo_screenheight()],
            "dialog": [dialog.winfo_rooty(), dialog.winfo_height()],
            "hidden": hidden,
            "again_in_view": on_screen(again, shown_in) and on_screen(again, dialog),
            "errors": errors,
        }
    finally:
        controller.shutdown()
        root.destroy()


if __name__ == "__main__":
    if sys.argv[2:] == ["connect"]:
        print(json.dumps(probe_connect(int(sys.argv[1]))))
    else:
        print(json.dumps(probe(int(sys.argv[1]))))
