"""The admin window's History dialog on a real server with real clients (Xvfb): export, delete, clear, the figures.

Also what it says when it cannot: no room, a bad day or id, a file it cannot write, the server stopped.
"""

from __future__ import annotations

import csv
import datetime
import logging
from pathlib import Path

import pytest

from chat_server.admin_gui.history_dialog import HistoryDialog
from chat_server.admin_gui.window import AdminWindow
from tests.gui.admin.helpers import Dialogs, enabled, frame_where, pump_until, said, select_room, settled, started


def today() -> str:
    """Read when used, not at import: a run that passes midnight must not compare with yesterday."""
    return datetime.date.today().isoformat()


def opened_on(window: AdminWindow, room: str) -> HistoryDialog:
    pump_until(window, lambda: room in window.rooms_view.rooms, f"#{room} never showed in Rooms")
    select_room(window, room)
    pump_until(window, lambda: enabled(window.history_button))
    window.history_button.invoke()
    dialog = window.history_dialog
    assert dialog is not None and not dialog.closed
    assert dialog.room.get() == room
    settled(window, dialog)  # the figures, read when it opens
    return dialog


def test_history_button_follows_the_server(window: AdminWindow) -> None:
    assert not enabled(window.history_button)
    started(window)
    pump_until(window, lambda: enabled(window.history_button), "History stayed disabled with the server running")


@pytest.mark.parametrize("extension", ["html", "csv", "txt"])
def test_export_writes_the_rooms_messages_and_never_a_private_one(
    window: AdminWindow, dialogs: Dialogs, clients, tmp_path: Path, extension: str
) -> None:
    started(window)
    alice = clients(window, "alice", "physics")
    bob = clients(window, "bob", "physics")
    clients(window, "carol", "maths")
    said(alice, "Newton's first law")
    said(bob, "an object at rest <stays> at rest")
    alice.send_command("MSG bob: secret-between-us")
    frame_where(bob, "private")
    dialog = opened_on(window, "physics")
    target = tmp_path / f"lesson.{extension}"
    dialogs.save_paths.append(str(target))
    dialog.export_button.invoke()
    assert dialogs.asked[-1] == f"physics-{today()}.html"
    assert settled(window, dialog) == f"Wrote 2 messages of #physics to {target}."
    text = target.read_text(encoding="utf-8")
    assert "Newton's first law" in text or "Newton&#x27;s first law" in text
    assert "secret-between-us" not in text
    if extension == "csv":
        rows = list(csv.reader(text.splitlines()))
        assert [row[-1] for row in rows[1:]] == ["Newton's first law", "an object at rest <stays> at rest"]
    if extension == "html":
        assert "<stays>" not in text and "&lt;stays&gt;" in text
        assert "<script" not in text.lower()


def test_export_cancelled_or_wrong_says_why_and_writes_nothing(
    window: AdminWindow, dialogs: Dialogs, clients, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.WARNING, "chat_server")
    started(window)
    said(clients(window, "alice", "physics"), "hello")
    dialog = opened_on(window, "physics")
    dialogs.save_paths.append(None)  # the admin closes the file dialog
    dialog.export_button.invoke()
    assert dialog.busy == 0 and dialog.outcome.get() == ""
    dialog.first.set("30/11/2026")
    dialogs.save_paths.append(str(tmp_path / "a.html"))
    dialog.export_button.invoke()
    assert "is not a day" in dialog.outcome.get() and dialog.busy == 0
    dialog.first.set(today())
    dialog.last.set((datetime.date.today() - datetime.timedelta(days=3)).isoformat())
    dialogs.save_paths.append(str(tmp_path / "b.html"))
    dialog.export_button.invoke()
    assert "ends" in settled(window, dialog) and "before it starts" in dialog.outcome.get()
    dialog.last.set(today())
    dialogs.save_paths.append(str(tmp_path / "c.docx"))
    dialog.export_button.invoke()
    assert ".txt, .csv or .html" in settled(window, dialog)
    dialogs.save_paths.append(str(tmp_path / "no-such-folder" / "d.html"))
    dialog.export_button.invoke()
    assert "Cannot write" in settled(window, dialog)
    dialog.room.set("  ")
    dialog.export_button.invoke()
    assert "room's name" in dialog.outcome.get()
    assert not list(tmp_path.iterdir())
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("admin export")]
    assert len(refusals) == 3 and all("not done" in refusal for refusal in refusals), refusals


def test_find_then_delete_takes_a_message_away_from_everyone(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    alice = clients(window, "alice", "physics")
    bob = clients(window, "bob", "physics")
    said(alice, "nice weather")
    doomed = said(alice, "rude words about bob")
    said(bob, "more rude WORDS back")
    said(clients(window, "carol", "maths"), "rude words in maths")
    alice.send_command("MSG bob: rude words in private")
    frame_where(bob, "private")
    dialog = opened_on(window, "physics")
    dialog.words.set("ude wor")
    dialog.find_button.invoke()
    assert settled(window, dialog).startswith("2 found")
    rows = [dialog.results.item(row, "values") for row in dialog.results.get_children()]
    assert [(int(r[0]), r[2], r[3]) for r in rows] == [
        (doomed["id"] + 1, "bob", "more rude WORDS back"),
        (doomed["id"], "alice", "rude words about bob"),
    ]  # newest first; never maths, never the private one
    dialog.results.selection_set(str(doomed["id"]))
    pump_until(window, lambda: dialog.message_id.get() == str(doomed["id"]), "selecting a row did not give its id")
    dialogs.yes_no_answers.append(False)
    dialog.delete_button.invoke()
    assert settled(window, dialog) == "Not deleted."  # the message is read first, for the question to name it
    assert f"Delete message {doomed['id']} for everyone?" in dialogs.asked[-1]
    dialogs.yes_no_answers.append(True)
    dialog.delete_button.invoke()
    pump_until(window, lambda: dialog.outcome.get().startswith("Deleted"), "the deletion was not done")
    assert f"Deleted message {doomed['id']} from alice" in settled(window, dialog)
    for person in (alice, bob):
        assert frame_where(person, "deleted")["id"] == doomed["id"]
    dialog.find_button.invoke()
    assert settled(window, dialog).startswith("1 found")
    dialog.delete_button.invoke()  # the same id again: nothing left to delete, nothing asked
    assert "There is no message" in settled(window, dialog)
    bob.send_command("HISTORY #physics AFTER 0")
    assert frame_where(bob, "history")["count"] == 2  # "nice weather" and bob's reply: the deleted one is gone
    dialog.words.set("zebra")
    dialog.find_button.invoke()
    assert settled(window, dialog) == "Nothing found in that room." and not dialog.results.get_children()
    dialog.words.set("  ")
    dialog.find_button.invoke()
    assert "Type a word" in dialog.outcome.get()


def test_a_wrong_id_is_refused_without_asking(window: AdminWindow, dialogs: Dialogs) -> None:
    started(window)
    dialog = window.open_history()
    settled(window, dialog)
    for wrong in ("", "12a", "-3", "٣", "1 2"):
        dialog.message_id.set(wrong)
        dialog.delete_button.invoke()
        assert "whole number" in dialog.outcome.get() and dialog.busy == 0
    assert dialogs.asked == []
    dialog.message_id.set("999999")
    dialog.delete_button.invoke()
    assert "There is no message 999999" in settled(window, dialog)


def test_clear_asks_first_then_forgets_the_room(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    alice = clients(window, "alice", "physics")
    said(alice, "one")
    said(alice, "two")
    said(clients(window, "bob", "maths"), "stays in maths")
    dialog = opened_on(window, "physics")
    dialogs.yes_no_answers.append(False)
    dialog.clear_button.invoke()
    assert "Forget every message of #physics" in dialogs.asked[-1]
    assert dialog.busy == 0
    dialogs.yes_no_answers.append(True)
    dialog.clear_button.invoke()
    assert settled(window, dialog) == "Cleared the history of #physics."
    assert "cleared the history" in frame_where(alice, "system", event="history_cleared")["content"]
    pump_until(window, lambda: "; 1 message kept" in dialog.info.get(), "the figures did not drop to maths' 1 message")
    alice.send_command("HISTORY")
    assert frame_where(alice, "history")["count"] == 0


def test_figures_show_the_database_and_its_count(window: AdminWindow, clients) -> None:
    started(window)
    alice = clients(window, "alice", "physics")
    for number in range(3):
        said(alice, f"message {number}")
    assert window.server is not None
    dialog = window.open_history()
    assert dialog.room.get() == ""  # no room selected
    pump_until(window, lambda: "3 messages kept" in dialog.info.get(), "the figures never showed 3 messages")
    info = dialog.info.get()
    assert str(window.server.storage.stats().path) in info and "30 days" in info and "Status: ok" in info
    assert window.open_history() is dialog  # one at a time
    dialog.close()
    assert window.open_history() is not dialog


def test_the_dialog_says_so_when_the_server_is_stopped(window: AdminWindow) -> None:
    started(window)
    dialog = window.open_history()
    pump_until(window, lambda: "0 messages kept" in dialog.info.get())
    window.stop_server()
    pump_until(window, lambda: window.server is None, "the server did not stop")
    dialog.message_id.set("1")
    for button in (dialog.delete_button, dialog.export_button, dialog.clear_button, dialog.find_button):
        dialog.outcome.set("")
        button.invoke()  # asks nothing (the scripted dialogs have no answers)
        assert "not running" in dialog.outcome.get()


def test_the_window_says_when_history_is_kept_in_memory_only(window: AdminWindow, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "a-file"))  # the default data folder cannot be made
    started(window)
    status = window.status.get()
    assert status.startswith("Running on 127.0.0.1 port ") and "History: memory only" in status, status
    dialog = window.open_history()
    pump_until(window, lambda: "nowhere (memory only)" in dialog.info.get(), "the figures did not say memory only")


def test_the_window_says_nothing_of_history_when_all_is_well(window: AdminWindow) -> None:
    started(window)
    assert "History" not in window.status.get()


def test_at_200_percent_on_a_small_screen_close_stays_in_reach_and_tab_scrolls_to_each_control(make_window) -> None:
    """1024x600 at 200%: the dialog asked for 1272x914 px, Refresh and Close below the screen's bottom."""
    window = make_window(200)
    started(window)
    dialog = window.open_history()
    pump_until(window, dialog.winfo_ismapped)
    settled(window, dialog)
    window.root.update()
    screen_w, screen_h = dialog.winfo_screenwidth(), dialog.winfo_screenheight()
    assert dialog.winfo_rootx() + dialog.winfo_width() <= screen_w
    for button in (dialog.close_button, dialog.refresh_button):
        assert button.winfo_rooty() + button.winfo_height() <= screen_h, button.cget("text")
        assert button.winfo_rootx() + button.winfo_width() <= screen_w, button.cget("text")
    body_bottom = dialog.body.winfo_rooty() + dialog.body.winfo_height()
    for control in (dialog.export_button, dialog.find_button, dialog.delete_button):
        control.focus_force()  # as Tab would
        window.root.update()
        top, bottom = control.winfo_rooty(), control.winfo_rooty() + control.winfo_height()
        assert dialog.body.winfo_rooty() <= top and bottom <= body_bottom, (control.cget("text"), top, body_bottom)
