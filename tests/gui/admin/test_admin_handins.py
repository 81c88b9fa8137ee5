"""The admin window's Hand-ins: files sent privately to a teacher are listed, opened and saved (real server, real Tk)."""

from __future__ import annotations

import time
from pathlib import Path

from chat_server.admin_gui.window import AdminWindow
from chat_server.storage import Account
from shared.system_open import WARNING_TITLE
from tests.gui.admin.helpers import Dialogs, pump_until, started
from tests.integration.file_wire import ChatLine, share


class Launches:
    def __init__(self) -> None:
        self.paths: list[Path] = []

    def __call__(self, path: Path) -> None:
        self.paths.append(path)


def make_teacher(window: AdminWindow, nick: str = "MsLee") -> None:
    assert window.server is not None
    window.server.storage.accounts.put(Account(nick=nick, password_hash="not-a-real-hash", role="teacher"))


def hand_in(window: AdminWindow, nick: str, name: str, data: bytes, to: str, folder: Path) -> None:
    assert window.server is not None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    chat = ChatLine(window.server.address, nick, "general")
    try:
        share(chat, path, f"@{to}")
    finally:
        chat.close()


def rows(window: AdminWindow) -> list[tuple[str, ...]]:
    tree = window.handins.tree
    return [tuple(str(value) for value in tree.item(iid, "values")) for iid in tree.get_children()]


def test_files_to_a_teacher_are_listed_and_save_all_keeps_both_essays(
    window: AdminWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    started(window)
    make_teacher(window)
    teacher = ChatLine(window.server.address, "MsLee", "general")  # type: ignore[union-attr]
    try:
        hand_in(window, "alice", "essay.pdf", b"alice's essay", "MsLee", tmp_path / "alice")
        hand_in(window, "bob", "essay.pdf", b"bob's essay", "MsLee", tmp_path / "bob")
        pump_until(window, lambda: len(rows(window)) == 2, "the two hand-ins never showed")
    finally:
        teacher.close()
    senders = sorted(row[0] for row in rows(window))
    assert senders == ["alice", "bob"] and all(row[1] == "essay.pdf" for row in rows(window))
    assert window.handins.title.cget("text") == "Hand-ins: 2"
    target = tmp_path / "collected"
    target.mkdir()
    (target / "alice - essay.pdf").write_bytes(b"already here")
    window.handins.ask_folder = lambda: str(target)
    assert window.handins.on_save_clicked(everything=True)
    pump_until(window, lambda: len(list(target.iterdir())) == 3 and "Saved 2 files" in window.handins.note.cget("text"))
    assert (target / "alice - essay.pdf").read_bytes() == b"already here", "nothing in the folder is overwritten"
    assert (target / "alice - essay (1).pdf").read_bytes() == b"alice's essay"
    assert (target / "bob - essay.pdf").read_bytes() == b"bob's essay"


def test_files_to_students_and_rooms_are_not_hand_ins(window: AdminWindow, tmp_path: Path) -> None:
    started(window)
    make_teacher(window)
    server = window.server
    assert server is not None
    bob = ChatLine(server.address, "bob", "general")
    teacher = ChatLine(server.address, "MsLee", "general")
    try:
        hand_in(window, "alice", "to-bob.txt", b"for bob", "bob", tmp_path / "a")
        alice = ChatLine(server.address, "alice2", "general")
        (tmp_path / "room.txt").write_bytes(b"for everyone")
        share(alice, tmp_path / "room.txt", "#general")
        alice.close()
        hand_in(window, "dave", "homework.txt", b"for the teacher", "MsLee", tmp_path / "d")
        pump_until(window, lambda: len(rows(window)) == 1, "the hand-in never showed")
        deadline = time.monotonic() + 1.5  # refreshes come every second: give a wrong row the chance to appear
        pump_until(window, lambda: time.monotonic() > deadline)
    finally:
        bob.close()
        teacher.close()
    assert [row[:2] for row in rows(window)] == [("dave", "homework.txt")]
    assert len(server.storage.files.list_all()) == 3, "the other two files exist, they are just not hand-ins"


def test_open_copies_under_the_real_name_and_warns_for_a_program(
    window: AdminWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    started(window)
    make_teacher(window)
    launches = Launches()
    window.handins.launch = launches
    teacher = ChatLine(window.server.address, "MsLee", "general")  # type: ignore[union-attr]
    try:
        hand_in(window, "eve", "game.exe", b"MZ\x90\x00", "MsLee", tmp_path / "e")
        hand_in(window, "frank", "poem.txt", b"roses", "MsLee", tmp_path / "f")
        pump_until(window, lambda: len(rows(window)) == 2)
    finally:
        teacher.close()
    by_sender = {window.handins.records[iid].sender: iid for iid in window.handins.tree.get_children()}
    window.handins.tree.selection_set(by_sender["frank"])
    assert window.handins.on_open_clicked()
    pump_until(window, lambda: launches.paths, "nothing was opened")
    assert launches.paths[0].name == "poem.txt" and launches.paths[0].read_bytes() == b"roses"
    dialogs.yes_no_answers.append(False)
    window.handins.tree.selection_set(by_sender["eve"])
    assert window.handins.on_open_clicked()
    pump_until(window, lambda: WARNING_TITLE in dialogs.titles, "no warning before opening a program")
    assert "eve" in dialogs.asked[-1]
    assert len(launches.paths) == 1, "No: the program is not opened"


def test_buttons_need_a_selection_and_a_running_server(window: AdminWindow) -> None:
    assert not window.handins.on_open_clicked()
    assert "Select" in window.handins.note.cget("text")
    assert not window.handins.on_save_clicked(everything=True)
    assert rows(window) == []


def test_save_copies_only_the_selection_and_the_list_empties_when_the_server_stops(
    window: AdminWindow, tmp_path: Path
) -> None:
    started(window)
    make_teacher(window)
    teacher = ChatLine(window.server.address, "MsLee", "general")  # type: ignore[union-attr]
    try:
        hand_in(window, "gina", "map.png", b"\x89PNG not really", "MsLee", tmp_path / "g")
        hand_in(window, "hugo", "story.txt", b"once upon", "MsLee", tmp_path / "h")
        pump_until(window, lambda: len(rows(window)) == 2)
    finally:
        teacher.close()
    by_sender = {window.handins.records[iid].sender: iid for iid in window.handins.tree.get_children()}
    window.handins.tree.selection_set(by_sender["hugo"])
    target = tmp_path / "picked"
    target.mkdir()
    window.handins.ask_folder = lambda: str(target)
    assert window.handins.on_save_clicked(everything=False)
    pump_until(window, lambda: "Saved 1 file" in window.handins.note.cget("text"))
    assert [p.name for p in target.iterdir()] == ["hugo - story.txt"]
    window.handins.ask_folder = lambda: ""  # the folder dialog cancelled: nothing happens
    assert not window.handins.on_save_clicked(everything=True)
    assert window.stop_server()
    pump_until(window, lambda: window.phase == "stopped" and rows(window) == [], "the list outlived the server")
