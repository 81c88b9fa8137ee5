"""A busy teacher's slips in the admin window, on a real server with real clients (Xvfb), and the way back from each.

Enter pressed by habit on "Stop the server?" (the real Tk question), a room's name typed wrong in Clear
history…, a transcript of days with nothing in them over last week's file, a message id typed one digit off,
and New or Off pressed on the join code by mistake.
"""

from __future__ import annotations

import datetime
import tkinter as tk
from dataclasses import replace
from pathlib import Path

from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from tests.gui.admin.helpers import Dialogs, frame_where, pump_until, said, settled, started
from tests.support import collect_tk_garbage_here, connect_client

MESSAGE_BOX = ".__tk__messagebox"  # the X11 Tk question's window


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


def test_clearing_a_room_typed_wrong_says_so_and_clears_nothing(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    """Before: "Cleared the history of #phsyics." (a room nobody has), while #physics kept every message."""
    started(window)
    alice = clients(window, "alice", "physics")
    said(alice, "the rude one")
    dialog = window.open_history()
    settled(window, dialog)
    dialog.room.set("phsyics")
    dialogs.yes_no_answers.append(True)
    dialog.clear_button.invoke()
    answer = settled(window, dialog)
    assert "There is no room #phsyics" in answer and "nothing was cleared" in answer, answer
    alice.send_command("HISTORY #physics")
    assert frame_where(alice, "history")["count"] == 1
    dialog.room.set("physics")  # the right name still clears
    dialogs.yes_no_answers.append(True)
    dialog.clear_button.invoke()
    assert settled(window, dialog) == "Cleared the history of #physics."


def test_a_transcript_of_days_with_nothing_in_them_keeps_the_file_already_there(
    window: AdminWindow, dialogs: Dialogs, clients, tmp_path: Path
) -> None:
    """Before: "Wrote 0 messages" and last lesson's transcript replaced by an empty one (a typo in the room or
    the days; the Save dialog's "replace it?" does not say the new file would be empty)."""
    started(window)
    said(clients(window, "alice", "physics"), "today's lesson")
    kept = tmp_path / "lesson.html"
    kept.write_text("last week's lesson", encoding="utf-8")
    dialog = window.open_history()
    settled(window, dialog)
    last_year = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    for room, first in (("phsyics", datetime.date.today().isoformat()), ("physics", last_year)):
        dialog.room.set(room)
        dialog.first.set(first)
        dialog.last.set(first)
        dialogs.save_paths.append(str(kept))
        dialog.export_button.invoke()
        answer = settled(window, dialog)
        assert f"#{room} has no kept messages on {first}: no file was written" in answer, answer
        assert kept.read_text(encoding="utf-8") == "last week's lesson"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lesson.html"]


def test_the_delete_question_names_whose_message_it_is_and_what_it_says(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    """Before: "Delete message 1235 for everyone?": an id typed one digit off took a classmate's message."""
    started(window)
    alice = clients(window, "alice", "physics")
    bob = clients(window, "bob", "physics")
    meant = said(bob, "something rude")
    other = said(alice, "my homework answer")
    dialog = window.open_history()
    settled(window, dialog)
    dialog.message_id.set(str(other["id"]))  # one off from the one she meant
    dialogs.yes_no_answers.append(False)
    dialog.delete_button.invoke()
    assert settled(window, dialog) == "Not deleted."
    question = dialogs.asked[-1]
    assert f"Delete message {other['id']} for everyone?" in question
    assert "alice in #physics" in question and "“my homework answer”" in question, question
    alice.send_command("HISTORY #physics")
    assert frame_where(alice, "history")["count"] == 2
    asked = len(dialogs.asked)
    dialog.message_id.set("999999")  # no such message: said at once, nothing to confirm
    dialog.delete_button.invoke()
    assert "There is no message 999999" in settled(window, dialog) and len(dialogs.asked) == asked
    dialog.message_id.set(str(meant["id"]))
    dialogs.yes_no_answers.append(True)
    dialog.delete_button.invoke()
    pump_until(window, lambda: dialog.outcome.get().startswith("Deleted message"), dialog.outcome.get())
    assert "bob in #physics" in dialogs.asked[-1]
    assert frame_where(alice, "deleted")["id"] == meant["id"]


def test_new_or_off_pressed_by_mistake_says_the_old_code_and_set_brings_it_back(
    window: AdminWindow, dialogs: Dialogs
) -> None:
    started(window)
    assert window.set_code("BIOLAB2")
    old = window.join_code_shown()
    assert old is not None
    window.code_panel.new_button.invoke()
    assert f"The old code {old} lets nobody in now" in window.status.get()
    assert f"press Set… and type {old}" in window.status.get()
    dialogs.text_answers.append(old)
    window.code_panel.set_button.invoke()
    assert window.join_code_shown() == old
    assert window.server is not None and window.server.join_code() == old
    window.code_panel.off_button.invoke()
    assert f"The old code {old} lets nobody in now" in window.status.get()


def test_a_start_in_another_data_folder_says_a_new_key_was_made(window: AdminWindow, tmp_path: Path) -> None:
    """Before: "Running on 127.0.0.1 port N." and nothing else, started by mistake with another folder (a second
    shortcut's --data-dir): a new key every student is warned about, none of the class's accounts or bans."""
    window.form.base = replace(window.form.base, data_dir=str(tmp_path / "other"))
    started(window)
    said_at_start = window.status.get()
    assert "A new server key was made" in said_at_start and str(tmp_path / "other") in said_at_start
    assert "press Stop and start with your usual folder" in said_at_start
    assert window.stop_server()
    pump_until(window, lambda: window.phase == "stopped")
    started(window)  # the same folder again: its key is kept, nothing to say
    assert "new server key" not in window.status.get()
