"""A busy teacher's slips in the admin window, on a real server with real clients (Xvfb), and the way back from each.

Enter pressed by habit on "Stop the server?" (the real Tk question), a room's name typed wrong in Clear
history…, a transcript of days with nothing in them over last week's file, a message id typed one digit off,
and New or Off pressed on the join code by mistake.
"""

from __future__ import annotations

import datetime
import tkinter as tk
from pathlib import Path

from chat_server.admin_gui.history_dialog import HistoryDialog
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from tests.gui.admin.helpers import Dialogs, frame_where, pump_until, started
from tests.support import collect_tk_garbage_here, connect_client

MESSAGE_BOX = ".__tk__messagebox"  # the X11 Tk question's window


def said(client, text: str) -> dict:
    client.send_command(f"SAY {text}")
    return frame_where(client, "message", content=text)


def settled(window: AdminWindow, dialog: HistoryDialog) -> str:
    pump_until(window, lambda: dialog.busy == 0, "the dialog's action did not finish")
    return dialog.outcome.get()


def press_enter_on_the_question(root: tk.Tk, seen: list[str]) -> None:
    """When the real question shows, press Enter as a teacher typing on would: it invokes the default button."""
    if not root.tk.call("winfo", "exists", MESSAGE_BOX) or not root.tk.call("winfo", "ismapped", MESSAGE_BOX):
        root.after(20, press_enter_on_the_question, root, seen)
        return
    buttons = [
        child
        for child in root.tk.splitlist(root.tk.call("winfo", "children", MESSAGE_BOX))
        if root.tk.call("winfo", "class", child) in ("Button", "TButton")
    ]
    default = [button for button in buttons if str(root.tk.call(button, "cget", "-default")) == "active"]
    seen.extend(str(button).rsplit(".", 1)[-1] for button in default)
    root.tk.call("focus", "-force", default[0])  # where the question puts the focus (no window manager here)
    root.update()
    root.tk.call("event", "generate", default[0], "<Return>", "-when", "tail")


def test_enter_on_the_real_stop_question_keeps_the_class_connected(tk_root: tk.Tk, dialogs: Dialogs) -> None:
    """Before, Yes was the default button: Enter on "Stop the server?" or on the window manager's close question
    disconnected all 30 students (probed with 30 clients and xdotool)."""
    window = AdminWindow(  # the window's own yes/no question, the real one
        tk_root,
        ServerConfig(host="127.0.0.1", port=0, announce=False),
        ask_text=dialogs.ask_text,
        ask_save_path=dialogs.ask_save_path,
        ask_checked=dialogs.ask_checked,
    )
    student = None
    try:
        started(window)
        assert window.server is not None
        student = connect_client(window.server.address, "alice", "physics")
        pump_until(window, lambda: window.people_connected() == 1)
        for press in (window.on_stop_clicked, window.on_close_request):  # Stop, and the window's close button
            seen: list[str] = []
            tk_root.after(20, press_enter_on_the_question, tk_root, seen)
            assert not press(), f"{press.__name__}: Enter answered yes"
            assert seen == ["no"]
            assert window.phase == "running" and not window.closed
        said(student, "still here")
    finally:
        if student is not None:
            student.close()
        window.close()
        collect_tk_garbage_here()