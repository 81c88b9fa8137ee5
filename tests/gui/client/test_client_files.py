"""Sharing files in real windows on a real server: attach, progress, cards, save, the inline thumbnail, cancel, warnings."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import threading
import time
import tkinter as tk
import zlib
from pathlib import Path

import pytest

from chat_gui.core.partial_download import PARTIAL_PREFIX
from chat_gui.window.controller import ChatController
from chat_gui.window.file_card import FileCard
from chat_gui.window.file_sharing import CACHE_PREFIX, remove_stale_caches
from chat_gui.window.open_file import WARNING_TITLE
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import wait_until


def png_bytes(width: int, height: int) -> bytes:
    """A real PNG (one colour, RGB, no compression tricks) that Tk can decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\x00" + bytes([30, 120, 200]) * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


GIF_1X1 = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")


class Recorder:
    """Stands in for the system's program launcher and the yes/no dialog, and remembers what they were asked."""

    def __init__(self, answer: bool = False) -> None:
        self.answer = answer
        self.launched: list[Path] = []
        self.asked: list[tuple[str, str]] = []

    def launch(self, path: Path) -> None:
        self.launched.append(path)

    def ask(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answer


@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    return folder


def prepare(controller: ChatController, downloads: Path, recorder: Recorder) -> None:
    controller.files.downloads = lambda: downloads
    controller.files.launch = recorder.launch
    controller.files.ask_yes_no = recorder.ask


def cards_of(controller: ChatController, file_name: str) -> list[FileCard]:
    return [card for cards in controller.files.cards.values() for card in cards if card.name == file_name]


def wait_card(controller: ChatController, name: str, tk_root: tk.Tk) -> FileCard:
    wait_until(lambda: cards_of(controller, name), pump=tk_root.update, timeout=WAIT, message=f"no card for {name}")
    return cards_of(controller, name)[0]


def make_file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_attach_sends_to_the_room_and_the_other_window_saves_it(server, open_window, tk_root, tmp_path, downloads):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    recorder = Recorder()
    prepare(bob, downloads, recorder)
    data = os.urandom(300_000)
    source = make_file(tmp_path / "mine", "worksheet.pdf", data)
    alice.files.send_file(source)
    assert alice.window.transfers.rows, "a row shows the upload at once"
    card = wait_card(bob, "worksheet.pdf", tk_root)
    assert card.sender == "alice" and card.file_size == len(data)
    assert "alice  shared worksheet.pdf (293.0 KB)" in bob.room_view.all_text()
    assert cards_of(alice, "worksheet.pdf"), "the sender sees the card too"
    card.save_button.invoke()
    wait_until(lambda: card.saved_path is not None, pump=tk_root.update, timeout=WAIT, message="never saved")
    assert card.saved_path == downloads / "worksheet.pdf"
    assert hashlib.sha256(card.saved_path.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert card.saved_path.stat().st_mode & 0o111 == 0, "a received file is never executable"
    assert card.open_button.winfo_manager() and card.folder_button.winfo_manager(), "Open and Open folder appear"
    card.folder_button.invoke()
    card.open_button.invoke()
    assert recorder.launched == [downloads, card.saved_path]
    assert recorder.asked == [], "a PDF opens without a warning"


def test_the_attach_button_shares_with_the_room_or_the_private_tab(server, open_window, tk_root, tmp_path, monkeypatch):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    chosen: list[Path] = [make_file(tmp_path / "a", "poster.pdf", b"%PDF-1.4 poster")]
    monkeypatch.setattr("chat_gui.window.controller.choose_file", lambda root: chosen.pop(0) if chosen else None)
    alice.window.attach_button.invoke()
    card = wait_card(bob, "poster.pdf", tk_root)
    assert "poster.pdf" in bob.room_view.all_text()
    alice.window.attach_button.invoke()  # the dialog cancelled: nothing happens
    assert len(alice.window.transfers.rows) <= 1
    alice.open_private("bob")
    chosen.append(make_file(tmp_path / "a", "just-for-bob.txt", b"psst"))
    alice.window.attach_button.invoke()
    private = wait_card(bob, "just-for-bob.txt", tk_root)
    assert "just-for-bob.txt" in bob.window.tabs.private["alice"].view.all_text()
    assert "just-for-bob.txt" not in bob.room_view.all_text()
    assert card.sender == private.sender == "alice"


def test_get_saves_by_file_id_without_a_card(server, open_window, tk_root, tmp_path, downloads):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    prepare(bob, downloads, Recorder())
    alice.files.send_file(make_file(tmp_path / "a", "rubric.txt", b"criteria"))
    card = wait_card(bob, "rubric.txt", tk_root)
    type_line(bob, f"/get {card.file_id}")
    key = max(bob.files.purposes)
    row = bob.window.transfers.get(key)
    assert row is not None
    wait_until(lambda: row.ended, pump=tk_root.update, timeout=WAIT, message="the /get never ended")
    assert row.detail.cget("text") == "Saved as rubric.txt"
    assert (downloads / "rubric.txt").read_bytes() == b"criteria"
    type_line(bob, "/get not-an-id")
    assert "not a file id" in bob.room_view.all_text()
    type_line(bob, "/get hH-pV6erAdHAzqeCJ9LWcA")  # shaped like an id, but no such file: the server refuses it
    key = max(bob.files.purposes)
    row = bob.window.transfers.get(key)
    assert row is not None
    wait_until(lambda: row.ended, pump=tk_root.update, timeout=WAIT, message="the refused /get never ended")
    assert "no file with that id" in row.detail.cget("text"), "the refusal is told on the transfer's row"


def test_saving_twice_never_overwrites_and_names_are_cleaned(server, open_window, tk_root, tmp_path, downloads):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    prepare(bob, downloads, Recorder())
    (downloads / "notes.txt").write_bytes(b"bob's own notes")
    for raw_name, data in (("notes.txt", b"from alice 1"), ("nul.txt", b"device name"), ("-rf .txt", b"dash")):
        alice.files.send_file(make_file(tmp_path / "out", raw_name, data))
    for shown in ("notes.txt", "_nul.txt", "_rf.txt"):
        card = wait_card(bob, shown, tk_root)
        card.save_button.invoke()
        wait_until(lambda card=card: card.saved_path is not None, pump=tk_root.update, timeout=WAIT)
        assert card.saved_path is not None and card.saved_path.parent == downloads
    assert (downloads / "notes.txt").read_bytes() == b"bob's own notes", "an existing file is never overwritten"
    assert (downloads / "notes (1).txt").read_bytes() == b"from alice 1"
    assert (downloads / "_nul.txt").read_bytes() == b"device name"
    assert sorted(p.name for p in downloads.iterdir()) == ["_nul.txt", "_rf.txt", "notes (1).txt", "notes.txt"]


def test_a_private_file_reaches_only_its_two_people(server, open_window, tk_root, tmp_path):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    carol = open_window(server, "carol")
    type_line(alice, f"/send {make_file(tmp_path / 'x', 'essay.txt', b'my essay')} bob")
    card = wait_card(bob, "essay.txt", tk_root)
    assert "alice" in bob.window.tabs.private, "a private file opens the conversation's tab"
    assert "essay.txt" in bob.window.tabs.private["alice"].view.all_text()
    assert "essay.txt" not in bob.room_view.all_text()
    type_line(alice, "after the file")  # carol gets this line: had she got the file, it would be there by now
    wait_until(lambda: "after the file" in carol.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert not cards_of(carol, "essay.txt") and "essay.txt" not in carol.room_view.all_text()
    assert card.sender == "alice"


def test_png_and_gif_show_inline_once_asked_and_jpeg_stays_a_card(server, open_window, tk_root, tmp_path, downloads):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    prepare(bob, downloads, Recorder())
    alice.files.send_file(make_file(tmp_path / "pics", "screenshot.png", png_bytes(600, 300)))
    card = wait_card(bob, "screenshot.png", tk_root)
    assert not card.has_thumbnail(), "no picture is fetched before the user asks for pictures here"
    assert card.picture_button.winfo_manager()
    alice.files.send_file(make_file(tmp_path / "pics", "notes.pdf", b"%PDF-1.4"))
    pdf = wait_card(bob, "notes.pdf", tk_root)
    card.picture_button.invoke()
    wait_until(card.has_thumbnail, pump=tk_root.update, timeout=WAIT, message="no thumbnail")
    assert pdf.status.cget("text") == "" and not pdf.has_thumbnail(), "only pictures are fetched for thumbnails"
    assert card.image is not None and (card.image.width(), card.image.height()) == (200, 100), "600 px shrinks by 3"
    assert list(downloads.iterdir()) == [], "a thumbnail is not a save"
    # from now on pictures in this room show by themselves
    alice.files.send_file(make_file(tmp_path / "pics", "tiny.gif", GIF_1X1))
    gif = wait_card(bob, "tiny.gif", tk_root)
    wait_until(gif.has_thumbnail, pump=tk_root.update, timeout=WAIT, message="no GIF thumbnail")
    alice.files.send_file(make_file(tmp_path / "pics", "photo.jpg", b"\xff\xd8\xff\xe0" + os.urandom(2000)))
    jpeg = wait_card(bob, "photo.jpg", tk_root)
    assert not jpeg.picture_button.winfo_manager() and not jpeg.has_thumbnail(), "JPEG: a card only (no Pillow)"
    # a "PNG" whose header claims 30,000 x 30,000 pixels is never decoded
    bomb = png_bytes(2, 2).replace((2).to_bytes(4, "big") * 2, (30_000).to_bytes(4, "big") * 2, 1)
    alice.files.send_file(make_file(tmp_path / "pics", "bomb.png", bomb))
    bad = wait_card(bob, "bomb.png", tk_root)
    wait_until(lambda: "could not be shown" in bad.status.cget("text"), pump=tk_root.update, timeout=WAIT)
    assert not bad.has_thumbnail()
    assert cards_of(alice, "screenshot.png")[0].has_thumbnail(), "the sender sees its own picture from its own file"
    # Found by a probe: classmates' pictures piled up in the cache (8 MB each, deleted or not) until the window
    # closed.  The thumbnail is in memory, so each fetched file goes once it is made.
    cache = bob.files._cache
    assert cache is not None and cache.is_dir()
    assert list(cache.iterdir()) == [], "the fetched pictures stay on disk"


def test_a_picture_cache_left_by_a_killed_window_goes_after_a_day(tmp_path):
    old, fresh, other = tmp_path / f"{CACHE_PREFIX}old", tmp_path / f"{CACHE_PREFIX}fresh", tmp_path / "keep-me"
    for folder in (old, fresh, other):
        folder.mkdir()
        (folder / "photo.png").write_bytes(b"x" * 100)
    day_and_a_bit = 25 * 3600
    os.utime(old, (time.time() - day_and_a_bit, time.time() - day_and_a_bit))
    os.utime(other, (time.time() - day_and_a_bit, time.time() - day_and_a_bit))
    assert remove_stale_caches(tmp_path) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([fresh.name, other.name])


class GatedSocket(socket.socket):
    """A real transfer socket that stops after its first megabyte until the test opens the gate.

    Loopback moves 24 MB faster than a Cancel can be pressed; held here, the
    transfer is surely under way when the test presses Cancel.
    """

    gate: threading.Event
    moved: int = 0

    def sendfile(self, file, offset=0, count=None):  # type: ignore[no-untyped-def]
        if offset > 0:
            self.gate.wait(WAIT)
        return super().sendfile(file, offset, count)

    def sendall(self, data, flags=0):  # type: ignore[no-untyped-def]
        # sendfile is used on plain socket.socket only (never under a TLS wrapper), so a subclass sends here.
        if self.moved >= 1024 * 1024:
            self.gate.wait(WAIT)
        super().sendall(data, flags)
        self.moved += len(data)

    def recv_into(self, buffer, nbytes=0, flags=0):  # type: ignore[no-untyped-def]
        if self.moved >= 1024 * 1024:
            self.gate.wait(WAIT)
        count = super().recv_into(buffer, nbytes, flags)
        self.moved += count
        return count


def gated(controller: ChatController, gate: threading.Event) -> None:
    """The window's transfer connections go through GatedSocket (the core takes how to connect as a callable)."""
    host, port = controller.session.host, controller.session.port

    def connect() -> socket.socket:
        plain = socket.create_connection((host, port), timeout=WAIT)
        sock = GatedSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        sock.gate = gate
        sock.settimeout(WAIT)
        return sock

    controller.files.transfers._connect = lambda: connect


def test_progress_then_cancel_of_an_upload(server, open_window, tk_root, tmp_path):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    gate = threading.Event()
    gated(alice, gate)
    key = alice.files.send_file(make_file(tmp_path / "big", "video.mp4", os.urandom(24 * 1024 * 1024)))
    row = alice.window.transfers.get(key)
    assert row is not None and row.title == "video.mp4"
    wait_until(lambda: row.fraction() > 0, pump=tk_root.update, timeout=WAIT, message="no progress shown")
    assert row.detail.cget("text").startswith("1.0 MB of 24.0 MB"), row.detail.cget("text")
    assert 0 < row.fraction() < 0.1 and row.button.cget("text") == "Cancel"
    row.button.invoke()
    gate.set()
    wait_until(lambda: alice.window.transfers.get(key) is None, pump=tk_root.update, timeout=WAIT)
    type_line(alice, "cancelled it")
    wait_until(lambda: "cancelled it" in bob.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert not cards_of(bob, "video.mp4") and not cards_of(alice, "video.mp4"), "a cancelled upload is not announced"
    store = server.files.store
    wait_until(lambda: store.reserved_bytes == 0, pump=tk_root.update, timeout=WAIT, message="the server kept it")


def test_cancel_of_a_download_removes_the_partial_file(server, open_window, tk_root, tmp_path, downloads):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    prepare(bob, downloads, Recorder())
    alice.files.send_file(make_file(tmp_path / "big", "dataset.csv", os.urandom(20 * 1024 * 1024)))
    card = wait_card(bob, "dataset.csv", tk_root)
    gate = threading.Event()
    gated(bob, gate)
    key = bob.files.save(card)
    row = bob.window.transfers.get(key)
    assert row is not None
    wait_until(lambda: row.fraction() > 0, pump=tk_root.update, timeout=WAIT, message="no progress shown")
    (partial,) = downloads.iterdir()  # a kill now leaves no half "dataset.csv" that looks whole
    assert partial.name.startswith(PARTIAL_PREFIX), "the download writes into a hidden partial file"
    row.button.invoke()
    gate.set()
    wait_until(lambda: bob.window.transfers.get(key) is None, pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: list(downloads.iterdir()) == [], pump=tk_root.update, timeout=WAIT, message="partial file kept")
    assert card.saved_path is None and not card.save_button.instate(["disabled"]), "Save can be pressed again"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", b"MZ\x90\x00 a windows program"),
        ("run.sh", b"echo hi\n"),
        ("report.pdf.bat", b"@echo off"),
        ("harmless.txt", b"#!/bin/sh\nrm -rf ~\n"),  # the name hides a script: the first bytes tell
        ("invoice\u202efdp.exe", b"MZ"),  # bidi trick: the name is cleaned to what it really is
    ],
)
def test_opening_an_executable_type_warns_first(server, open_window, tk_root, tmp_path, downloads, name, data):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    recorder = Recorder(answer=False)
    prepare(bob, downloads, recorder)
    alice.files.send_file(make_file(tmp_path / "evil", name, data))
    card = wait_card(bob, cards_name(name), tk_root)
    card.save_button.invoke()
    wait_until(lambda: card.saved_path is not None, pump=tk_root.update, timeout=WAIT)
    card.open_button.invoke()
    assert len(recorder.asked) == 1 and recorder.asked[0][0] == WARNING_TITLE
    assert "alice" in recorder.asked[0][1] and "can run programs" in recorder.asked[0][1]
    assert recorder.launched == [], "No: nothing is opened"
    recorder.answer = True
    card.open_button.invoke()
    assert recorder.launched == [card.saved_path], "Yes: opened"


def cards_name(raw: str) -> str:
    from shared.safe_filename import clean_filename

    return clean_filename(raw)


def test_send_of_a_missing_file_keeps_the_line(server, open_window, tk_root, tmp_path):
    alice = open_window(server, "alice")
    type_line(alice, f"/send {tmp_path / 'nothing here.pdf'}")
    assert "No such file" in alice.room_view.all_text()
    assert alice.window.entry.get_text().startswith("/send"), "the line stays in the box to be corrected"
    assert not alice.window.transfers.rows


def test_a_file_over_the_limit_is_refused_before_a_byte_is_sent(start_server, open_window, tk_root, tmp_path):
    server = start_server(max_file_mb=1)
    alice = open_window(server, "alice")
    key = alice.files.send_file(make_file(tmp_path / "big", "big.zip", os.urandom(1024 * 1024 + 1)))
    row = alice.window.transfers.get(key)
    assert row is not None
    wait_until(lambda: row.ended, pump=tk_root.update, timeout=WAIT, message="the refusal never reached the row")
    assert "1.0 MB" in row.detail.cget("text"), "the row names the limit"
    assert row.button.cget("text") == "Close"
    tk_root.update()
    # the whole reason is in view, wrapped beside the name and the button (it was cut off after "That file has")
    room = row.winfo_width() - row.name_label.winfo_width() - row.button.winfo_width()
    assert 0 < row.detail.winfo_reqwidth() <= room, (row.detail.winfo_reqwidth(), room)


def test_private_files_from_many_people_collect_in_one_tab(server, open_window, tk_root, tmp_path):
    from chat_gui.window.private_tabs import MAX_TABS_BY_OTHERS
    from tests.integration.file_wire import ChatLine, share

    bob = open_window(server, "bob")
    senders = [ChatLine(server.address, f"student{number}", "general") for number in range(MAX_TABS_BY_OTHERS + 2)]
    try:
        for number, chat in enumerate(senders):
            share(chat, make_file(tmp_path / str(number), f"work{number}.txt", b"x" * number), "@bob")
        wait_until(lambda: len(bob.files.cards) == len(senders), pump=tk_root.update, timeout=WAIT)
    finally:
        for chat in senders:
            chat.close()
    tabs = bob.window.tabs
    assert len([tab for tab in tabs.private.values() if tab.by_other]) == MAX_TABS_BY_OTHERS
    assert tabs.collector is not None, "the files past the limit went to the collecting tab"
    collected = tabs.collector.view.all_text()
    assert f"work{MAX_TABS_BY_OTHERS}.txt" in collected and f"work{MAX_TABS_BY_OTHERS + 1}.txt" in collected
    assert "work0.txt" in tabs.private["student0"].view.all_text()


def test_a_deleted_file_card_no_longer_offers_save(server, open_window, tk_root, tmp_path, downloads):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    prepare(bob, downloads, Recorder())
    alice.files.send_file(make_file(tmp_path / "a", "oops.txt", b"wrong file"))
    card = wait_card(bob, "oops.txt", tk_root)
    alice.files.send_file(make_file(tmp_path / "a", "right.txt", b"right file"))
    keep = wait_card(bob, "right.txt", tk_root)
    assert isinstance(card.message_id, int)
    type_line(alice, f"/delete {card.message_id}")
    wait_until(
        lambda: not card.winfo_exists() or not card.save_button.winfo_manager(),
        pump=tk_root.update,
        timeout=WAIT,
        message="the deleted file still offers Save",
    )
    assert keep.winfo_exists() and keep.save_button.winfo_manager(), "another file's card stays as it was"
    key = bob.files.get(card.file_id)
    assert key is not None
    wait_until(lambda: key not in bob.files.purposes, pump=tk_root.update, timeout=WAIT)
    assert list(downloads.iterdir()) == [], "a deleted file cannot be fetched any more"


def test_the_pane_keeps_following_new_lines_after_a_file_card(server, open_window, make_client, tk_root, tmp_path):
    """Found by a lesson probe: after a card came in, the pane stopped at it and ten minutes of messages never showed."""
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    talker = make_client(server, "carl", "general")
    for number in range(15):  # wrapped over more lines than the pane shows, so it scrolls
        talker.send_command(f"SAY before the card {number} " + "words that wrap " * 25)
    wait_until(lambda: "before the card 14" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert alice.room_view.text.yview()[0] > 0, "the pane has scrolled"
    bob.files.send_file(make_file(tmp_path / "mine", "essay.txt", b"an essay\n" * 4000))
    wait_card(alice, "essay.txt", tk_root)
    for number in range(10):
        talker.send_command(f"SAY after the card {number}")
    text = alice.room_view.text

    def last_line_in_view() -> bool:
        tk_root.update()
        return text.dlineinfo("end-2c linestart") is not None and "after the card 9" in alice.room_view.all_text()

    wait_until(
        last_line_in_view,
        pump=tk_root.update,
        timeout=WAIT,
        message="the newest line is out of view",
    )
    assert alice.room_view.is_following()
