"""Opens the chat window on the screen in DISPLAY at a desktop scaling, and prints what it measured as JSON.

Run by test_client_layout.py in a child process on a private Xvfb screen of the size under test (Tk keeps
its display connection until the process exits).  It measures the window at the size it opens with, then
at the smallest size it allows, with a conversation in the pane and three lines typed in the entry box.
Usage: python -m tests.gui.client.layout_probe PERCENT
"""

from __future__ import annotations

import json
import sys
import tkinter as tk

from chat_gui.settings import ClientSettings
from chat_gui.window.controller import ChatController
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
    root = tk.Tk()
    errors: list[str] = []
    root.report_callback_exception = lambda kind, value, _tb: errors.append(f"{kind.__name__}: {value}")
    root.tk.call("tk", "scaling", 96 / 72 * percent / 100)
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


if __name__ == "__main__":
    print(json.dumps(probe(int(sys.argv[1]))))
