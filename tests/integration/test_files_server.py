"""Sharing files through the real chat server: UPLOAD/DOWNLOAD/CANCEL on the chat connection, bytes on a transfer connection.

A real ChatServer on port 0 with its own data folder, driven by raw JSON
sockets (tests.integration.file_wire) and the real client side
(chat_gui.core.transfer_client).  Each attack comes in several variants.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from chat_gui.core.transfer_client import TransferInterrupted, download_file, sha256_of, upload_file
from chat_server import ChatServer
from chat_server.files import sharing as sharing_module
from chat_server.files.transfer import TransferOutcome
from chat_server.storage.deletion_clock import DeletionClock
from chat_server.storage.models import FILE_KIND
from shared.file_transfer import EMPTY_SHA256, MIB, FileError, Target, upload_command
from shared.safe_filename import create_unique_file
from tests.integration.file_wire import ChatLine, RawTransfer, connector, fetch, offer, share
from tests.integration.wire import TextClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

BIG = 25 * MIB


@pytest.fixture
def outcomes(monkeypatch) -> list[TransferOutcome]:
    """How each transfer connection of the servers in this test ended (serve_transfer's answer)."""
    seen: list[TransferOutcome] = []
    real = sharing_module.serve_transfer

    def recording(*args, **kwargs) -> TransferOutcome:
        outcome = real(*args, **kwargs)
        seen.append(outcome)
        return outcome

    monkeypatch.setattr(sharing_module, "serve_transfer", recording)
    return seen


@pytest.fixture
def chats():
    opened: list[ChatLine] = []

    def make(server: ChatServer, nick: str, room: str | None = "general") -> ChatLine:
        chat = ChatLine(server.address, nick, room)
        opened.append(chat)
        return chat

    yield make
    for chat in opened:
        chat.close()


def make_file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def stored_names(server: ChatServer) -> list[str]:
    folder = Path(server.config.data_dir or "")
    return sorted(path.name for sub in ("files", "uploads") for path in (folder / sub).iterdir())


def test_a_server_with_sharing_off_refuses_upload_and_download_and_chat_goes_on(start_server, chats, tmp_path):
    off = start_server(max_file_mb=0)
    bob = chats(off, "bob")
    refused = offer(bob, make_file(tmp_path, "a.txt", 10))
    assert refused["type"] == "error" and refused["code"] == "not_allowed"
    refused = bob.request("DOWNLOAD " + "A" * 22, "download")
    assert refused["type"] == "error" and refused["code"] == "not_allowed"
    assert bob.request("PING still", "pong")["token"] == "still"


@pytest.mark.parametrize("max_file_mb, features", [(25, ["files"]), (0, [])])
def test_files_is_in_welcome_only_when_sharing_is_on(start_server, max_file_mb, features):
    server = start_server(max_file_mb=max_file_mb)
    chat = socket.create_connection(server.address, timeout=10)
    try:
        line = chat.makefile("rb").readline()
    finally:
        chat.close()
    assert [feature for feature in json.loads(line)["features"] if feature == "files"] == features


def test_round_trip_of_an_empty_a_one_byte_and_a_25_mib_file_with_the_hash_checked(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    elsewhere = chats(server, "carol", "other")
    for name, size in [("empty.txt", 0), ("one.bin", 1), ("big.bin", BIG)]:
        source = make_file(tmp_path, name, size)
        ticket, done = share(alice, source)
        assert ticket["size"] == size and done["size"] == size
        assert done["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        announced = bob.expect("file")
        assert announced["name"] == name and announced["size"] == size and announced["sender"] == "alice"
        assert announced["sha256"] == done["sha256"] and announced["room"] == "general"
        assert alice.expect("file")["file"] == done["file"]  # the sender sees it too
        saved = fetch(bob, announced["file"], tmp_path / f"got-{name}")
        assert saved.read_bytes() == source.read_bytes()
    assert not elsewhere.has_frame("file")
    kept = server.storage.messages.get(announced["id"])
    assert kept is not None and kept.kind == FILE_KIND and announced["file"] in kept.text
    record = server.storage.files.get(announced["file"])
    assert record is not None and record.message_id == announced["id"] and record.state == "ready"


@pytest.mark.parametrize("limit_mb", [25, 1])
def test_one_byte_over_the_limit_gets_file_too_large_naming_the_limit(start_server, chats, limit_mb):
    server = start_server(max_file_mb=limit_mb, files_keep_free_mb=0)
    alice = chats(server, "alice")
    limit = limit_mb * MIB
    refused = alice.request(upload_command(limit + 1, "0" * 64, Target(room="general"), "x.bin"), "upload")
    assert refused["type"] == "error" and refused["code"] == "file_too_large"
    assert f"{limit:,} bytes" in refused["content"]
    fits = alice.request(upload_command(limit, "0" * 64, Target(room="general"), "x.bin"), "upload")
    assert fits["type"] == "upload"
    assert stored_names(server) == sorted([f"{fits['upload']}.json", f"{fits['upload']}.part"])


@pytest.mark.parametrize("extra", [1, 4096])
def test_a_sender_that_sends_more_than_it_declared_is_stopped_and_nothing_is_announced(
    start_server, chats, tmp_path, outcomes, extra
):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    data = os.urandom(10_000)
    source = tmp_path / "d.bin"
    source.write_bytes(data)
    ticket = offer(alice, source)
    transfer = RawTransfer(server.address, ticket["token"])
    transfer.sock.sendall(data + os.urandom(extra))
    refusal = transfer.next_frame()
    transfer.close()
    assert refusal["type"] == "error" and refusal["code"] == "file_too_large"
    assert not bob.has_frame("file")
    wait_until(lambda: TransferOutcome.FAILED in outcomes)
    assert stored_names(server) == []


@pytest.mark.parametrize("side", ["client", "server"])
def test_an_upload_cut_at_half_resumes_from_the_last_byte_with_the_right_hash(
    start_server, chats, tmp_path, outcomes, side
):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "work.bin", 8 * MIB + 3)
    ticket = offer(alice, source)
    transfer = RawTransfer(server.address, ticket["token"])
    half = source.stat().st_size // 2
    transfer.sock.sendall(source.read_bytes()[:half])
    store = server.files.store
    assert store is not None
    wait_until(lambda: store.offset_of(ticket["upload"]) == half, timeout=30)
    if side == "client":
        transfer.sock.close()
    else:
        assert server.files.interrupt_transfers() == 1
        transfer.close()
    wait_until(lambda: TransferOutcome.PAUSED in outcomes, timeout=30)
    assert not bob.has_frame("file")
    resumed = RawTransfer(server.address, ticket["token"])
    assert resumed.reply["type"] == "transfer_ready" and resumed.reply["offset"] == half
    resumed.close()
    wait_until(lambda: outcomes.count(TransferOutcome.PAUSED) == 2)
    done = upload_file(connector(server.address), ticket["token"], source)
    assert done["sha256"] == sha256_of(source)
    assert store.path_of(done["file"]).read_bytes() == source.read_bytes()
    assert bob.expect("file")["file"] == done["file"]


def _half_uploaded_then_restarted(start_server, alice_of, tmp_path, size: int, **options):
    """alice offers a file of `size` bytes, sends half, and the server stops; a new one starts on the same folder.
    (The new server, the file and its upload ticket.)"""
    data_dir = str(tmp_path / "data")
    first = start_server(data_dir=data_dir, files_keep_free_mb=0)
    alice = alice_of(first)
    source = make_file(tmp_path, "essay.bin", size)
    ticket = offer(alice, source)
    transfer = RawTransfer(first.address, ticket["token"])
    half = source.stat().st_size // 2
    transfer.sock.sendall(source.read_bytes()[:half])
    store = first.files.store
    assert store is not None
    wait_until(lambda: store.offset_of(ticket["upload"]) == half, timeout=30)
    first.stop()
    transfer.close()
    alice.close()
    return start_server(data_dir=data_dir, files_keep_free_mb=0, **options), source, ticket


def test_an_upload_resumes_after_the_server_restarts(start_server, chats, tmp_path, outcomes):
    second, source, ticket = _half_uploaded_then_restarted(
        start_server, lambda server: chats(server, "alice"), tmp_path, 6 * MIB + 1
    )
    bob = chats(second, "bob")
    done = upload_file(connector(second.address), ticket["token"], source)
    assert done["sha256"] == sha256_of(source)
    announced = bob.expect("file")
    assert announced["file"] == done["file"]
    assert fetch(bob, done["file"], tmp_path / "got").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("holder", ["the sender again", "someone else"])
def test_after_a_restart_the_sender_back_under_its_name_on_its_computer_still_shares(
    start_server, tmp_path, outcomes, holder
):
    """Found by a probe: chat-term reconnected under its name after a restart mid-upload, sent the rest, and its
    own reconnect voided the file. The guest holding the name from the computer that has the token is the sender;
    someone else holding it (another computer) still gets nothing shared under it."""
    # No RESUME window after this restart (a kill -9, or the token ran out): another computer may take the name.
    second, source, ticket = _half_uploaded_then_restarted(
        start_server,
        lambda server: ChatLine(server.address, "alice", "general"),
        tmp_path,
        3 * MIB + 1,
        resume_seconds=0,
    )
    back = ChatLine(second.address, "alice", "general", source=None if holder == "the sender again" else "127.0.0.2")
    bob = ChatLine(second.address, "bob", "general", source="127.0.0.3")
    try:
        if holder == "the sender again":
            done = upload_file(connector(second.address), ticket["token"], source)
            assert bob.expect("file")["file"] == done["file"]
            assert back.expect("file")["sender"] == "alice"
        else:
            with pytest.raises(FileError, match="someone called alice"):
                upload_file(connector(second.address), ticket["token"], source)
            bob.send("PING after")
            assert bob.expect("pong")  # no file frame came before it
            assert not bob.has_frame("file")
    finally:
        back.close()
        bob.close()


@pytest.mark.parametrize("side", ["client", "server"])
def test_a_download_cut_at_half_resumes_from_the_last_byte(start_server, chats, tmp_path, outcomes, side):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "sheet.bin", 16 * MIB + 5)
    done = share(alice, source)[1]
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    transfer = RawTransfer(server.address, ticket["token"], rcvbuf=64 * 1024)
    assert transfer.reply["type"] == "transfer_ready" and transfer.reply["offset"] == 0
    got = transfer.receive_exactly(source.stat().st_size // 2)
    if side == "client":
        transfer.close()
    else:
        server.files.interrupt_transfers()
        got += transfer.receive_to_end()
        transfer.close()
    assert source.stat().st_size // 2 <= len(got) < source.stat().st_size
    partial = tmp_path / "partial"
    partial.write_bytes(got)
    download_file(connector(server.address), ticket["token"], partial, done["size"], done["sha256"])
    assert partial.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("damage", ["other_bytes", "last_byte_flipped", "second_half_changed_on_resume"])
def test_a_wrong_hash_is_never_announced_or_kept(start_server, chats, tmp_path, outcomes, damage):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    good = os.urandom(3 * MIB)
    source = tmp_path / "claimed.bin"
    source.write_bytes(good)
    ticket = offer(alice, source)
    if damage == "other_bytes":
        sent = os.urandom(len(good))
    elif damage == "last_byte_flipped":
        sent = good[:-1] + bytes([good[-1] ^ 1])
    else:
        first = RawTransfer(server.address, ticket["token"])
        first.sock.sendall(good[: len(good) // 2])
        store = server.files.store
        assert store is not None
        wait_until(lambda: store.offset_of(ticket["upload"]) == len(good) // 2)
        first.close()
        wait_until(lambda: TransferOutcome.PAUSED in outcomes)
        sent = good[: len(good) // 2] + os.urandom(len(good) - len(good) // 2)
    (tmp_path / "sent.bin").write_bytes(sent)
    with pytest.raises(FileError) as refused:
        upload_file(connector(server.address), ticket["token"], tmp_path / "sent.bin")
    assert refused.value.code == "bad_hash"
    assert not bob.has_frame("file") and not alice.has_frame("file")
    assert stored_names(server) == []
    assert server.storage.files.list_all() == []
    gone = RawTransfer(server.address, ticket["token"])  # the upload is over: its token is dead
    assert gone.reply["type"] == "error" and gone.reply["code"] == "bad_token"
    gone.close()


def test_an_empty_file_must_declare_the_hash_of_no_bytes(start_server, chats):
    server = start_server(files_keep_free_mb=0)
    alice = chats(server, "alice")
    wrong = alice.request(upload_command(0, "ab" * 32, Target(room="general"), "e.txt"), "upload")
    assert wrong["type"] == "error" and wrong["code"] == "bad_hash"
    right = alice.request(upload_command(0, EMPTY_SHA256, Target(room="general"), "e.txt"), "upload")
    assert right["type"] == "upload"


UNSAFE_NAMES = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "C:\\x\\y.txt",
    "/etc/shadow",
    "CON",
    "nul.txt",
    "Com1.tar.gz",
    "evil\x1b[2Jname.txt",
    "tab\tand\x07bell.txt",
    "\u202egnp.exe",
    "x" * 300 + ".pdf",
    ".hidden",
    "-rf",
]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_names_are_cleaned_by_the_server_and_saved_safely_by_the_client(start_server, chats, tmp_path, name):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "payload.bin", 100)
    ticket = alice.request(upload_command(100, sha256_of(source), Target(room="general"), name), "upload")
    assert ticket["type"] == "upload", ticket
    cleaned = ticket["name"]
    assert "/" not in cleaned and "\\" not in cleaned and not cleaned.startswith((".", "-"))
    assert cleaned.split(".")[0].upper() not in ("CON", "NUL", "COM1")
    assert all(ch.isprintable() for ch in cleaned) and len(cleaned.encode()) <= 255
    done = upload_file(connector(server.address), ticket["token"], source)
    announced = bob.expect("file")
    assert announced["name"] == cleaned
    # the server keeps only its own names
    assert stored_names(server) == sorted([done["file"], f"{done['file']}.json"])
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / cleaned).write_bytes(b"already here")  # a name that exists: never overwritten
    path, handle = create_unique_file(folder, announced["name"])
    handle.close()
    fetch(bob, announced["file"], path)
    assert path.parent == folder and path.read_bytes() == source.read_bytes()
    assert (folder / cleaned).read_bytes() == b"already here"
    assert sorted(p.name for p in folder.iterdir()) == sorted([cleaned, path.name])


def test_a_private_file_reaches_only_its_two_people(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    carol, dave = chats(server, "carol"), chats(server, "dave", "other")
    source = make_file(tmp_path, "secret.txt", 5000)
    ticket, done = share(alice, source, target="@bob")
    assert ticket["to"] == "bob"
    for person in (alice, bob):
        announced = person.expect("file")
        assert announced["to"] == "bob" and "room" not in announced
    assert not carol.has_frame("file") and not dave.has_frame("file")
    for snoop in (carol, dave):
        refused = snoop.request(f"DOWNLOAD {done['file']}", "download")
        assert refused["type"] == "error" and refused["code"] == "no_such_file"
    assert fetch(bob, done["file"], tmp_path / "bob-copy").read_bytes() == source.read_bytes()
    assert fetch(alice, done["file"], tmp_path / "alice-copy").read_bytes() == source.read_bytes()
    # a text-mode connection cannot fetch at all
    text = TextClient(server.address)
    text.send_line("/nick eve")
    text.expect("eve")
    text.send_line(f"/download {done['file']}")
    assert "not_allowed" in text.expect("not_allowed")
    text.close()
    # an id with one character changed, or of the wrong shape, is simply unknown
    changed = done["file"][:-1] + ("A" if done["file"][-1] != "A" else "B")
    for bad_id in (changed, "../files/" + done["file"], done["file"] + "x"):
        refused = bob.request(f"DOWNLOAD {bad_id}", "download")
        assert refused["type"] == "error" and refused["code"] == "no_such_file"


def test_a_room_file_is_fetched_only_by_its_room_and_its_sender(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    outsider = chats(server, "mallory", "elsewhere")
    done = share(alice, make_file(tmp_path, "sheet.pdf", 2000))[1]
    refused = outsider.request(f"DOWNLOAD {done['file']}", "download")
    assert refused["type"] == "error" and refused["code"] == "no_such_file"
    alice.request("JOIN other", "joined")  # the sender may fetch from anywhere
    assert alice.request(f"DOWNLOAD {done['file']}", "download")["type"] == "download"
    assert bob.request(f"DOWNLOAD {done['file']}", "download")["type"] == "download"


def test_a_deleted_file_cannot_be_fetched_and_a_fetch_under_way_stops(start_server, chats, tmp_path, outcomes):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "big.bin", 24 * MIB)
    done = share(alice, source)[1]
    announced = bob.expect("file")
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    transfer = RawTransfer(server.address, ticket["token"], rcvbuf=64 * 1024)
    transfer.receive_exactly(MIB)
    message = server.storage.messages.get(announced["id"])
    assert message is not None
    assert server.files.message_deleted(message)  # what DELETE of the file message calls
    got = transfer.receive_to_end()
    transfer.close()
    assert MIB + len(got) < source.stat().st_size  # stopped short
    wait_until(lambda: TransferOutcome.FAILED in outcomes or TransferOutcome.PAUSED in outcomes)
    for asker in (bob, alice):
        refused = asker.request(f"DOWNLOAD {done['file']}", "download")
        assert refused["type"] == "error" and refused["code"] == "no_such_file"
    again = RawTransfer(server.address, ticket["token"], offset=MIB)
    assert again.reply["type"] == "error" and again.reply["code"] in ("bad_token", "no_such_file")
    again.close()
    assert stored_names(server) == [] and server.storage.files.get(done["file"]) is None


def test_the_quota_reached_gives_a_clear_error_and_chat_goes_on(start_server, chats, tmp_path):
    server = start_server(files_quota_mb=3, files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    share(alice, make_file(tmp_path, "two.bin", 2 * MIB))
    refused = offer(alice, make_file(tmp_path, "more.bin", 2 * MIB))
    assert refused["type"] == "error" and refused["code"] == "storage_full" and "full" in refused["content"]
    alice.send("SAY still here")
    assert bob.expect("message")["content"] == "still here"
    assert share(alice, make_file(tmp_path, "small.bin", MIB // 2))[1]["size"] == MIB // 2


def test_too_little_free_disk_gives_storage_full_before_a_byte_is_sent(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=10**9)  # more free space than any disk has
    alice, bob = chats(server, "alice"), chats(server, "bob")
    refused = offer(alice, make_file(tmp_path, "a.bin", 10))
    assert refused["type"] == "error" and refused["code"] == "storage_full" and "disk" in refused["content"]
    alice.send("SAY chat goes on")
    assert bob.expect("message")["content"] == "chat goes on"


def test_the_per_sender_rate_of_new_files(start_server, chats, tmp_path):
    server = start_server(files_per_window=2, files_keep_free_mb=0)
    alice = chats(server, "alice")
    source = make_file(tmp_path, "a.bin", 10)
    for _ in range(2):
        share(alice, source)
    refused = offer(alice, source)
    assert refused["type"] == "error" and refused["code"] == "rate_limited" and "try again" in refused["content"]
    alice.request("NICK alice2", "nick")  # a new nickname brings no fresh allowance: the address counts too
    assert offer(alice, source)["code"] == "rate_limited"


def test_upload_targets_are_checked(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice = chats(server, "alice")
    nowhere = chats(server, "nora", None)
    source = make_file(tmp_path, "a.bin", 10)
    cases = [
        (alice, "#other", "not_in_room"),
        (alice, "@nobody", "no_such_user"),
        (nowhere, "#general", "not_in_room"),
    ]
    for chat, target, code in cases:
        refused = offer(chat, source, target=target)
        assert refused["type"] == "error" and refused["code"] == code, (target, refused)
    for argument in ("", "10", "x y #general a", f"10 {'z' * 64} #general a", f"-1 {EMPTY_SHA256} #general a"):
        refused = alice.request(f"UPLOAD {argument}", "upload")
        assert refused["type"] == "error" and refused["code"] == "bad_argument", (argument, refused)
    refused = alice.request(f"UPLOAD 10 {EMPTY_SHA256} general a.txt", "upload")
    assert refused["type"] == "error" and refused["code"] == "bad_argument"


def test_cancel_drops_an_unfinished_upload_and_only_its_sender_can(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    ticket = offer(alice, make_file(tmp_path, "a.bin", 5000))
    refused = bob.request(f"CANCEL {ticket['upload']}", "cancelled")
    assert refused["type"] == "error" and refused["code"] == "no_such_file"
    assert alice.request(f"CANCEL {ticket['upload']}", "cancelled")["upload"] == ticket["upload"]
    assert stored_names(server) == []
    gone = RawTransfer(server.address, ticket["token"])
    assert gone.reply["type"] == "error" and gone.reply["code"] == "bad_token"
    gone.close()


def test_text_mode_cannot_upload_and_sees_file_announcements_as_one_line(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice = chats(server, "alice")
    text = TextClient(server.address)
    text.send_line("/nick tess")
    text.expect("tess")
    text.send_line("/join general")
    text.expect("general")
    text.send_line(f"/upload 10 {EMPTY_SHA256} #general a.txt")
    assert "not_allowed" in text.expect("not_allowed")
    share(alice, make_file(tmp_path, "worksheet.pdf", 1500))
    line = text.expect("worksheet")
    assert '#general alice shared "worksheet.pdf" (1.5 KB)' in line
    text.close()


@pytest.mark.parametrize(
    "hello",
    [
        b'{"type":"transfer"}\n',
        b'{"type":"transfer","token":"short"}\n',
        b'{"type":"transfer","token":"' + b"A" * 43 + b'"}\n',
        b'{"type":"transfer","token":"' + b"A" * 43 + b'","offset":-1}\n',
        b'{"type":"transfer","token":"' + b"A" * 43 + b'","offset":true}\n',
    ],
)
def test_bad_hellos_get_one_error_line_and_the_server_goes_on(start_server, chats, hello):
    server = start_server()
    alice = chats(server, "alice")
    sock = socket.create_connection(server.address, timeout=10)
    sock.sendall(hello)
    reader = sock.makefile("rb")
    lines = reader.read().splitlines()  # to the close
    sock.close()
    frames = [json.loads(line) for line in lines]
    assert [frame["type"] for frame in frames] == ["welcome", "error"]
    assert frames[1]["code"] in ("bad_token", "bad_argument")
    assert alice.request("PING ok", "pong")["token"] == "ok"


def test_bytes_sent_with_the_hello_are_refused(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice = chats(server, "alice")
    ticket = offer(alice, make_file(tmp_path, "a.bin", 100))
    sock = socket.create_connection(server.address, timeout=10)
    sock.sendall(b'{"type":"transfer","token":"' + ticket["token"].encode() + b'"}\nRAWBYTES')
    lines = sock.makefile("rb").read().splitlines()
    sock.close()
    assert json.loads(lines[-1])["code"] == "bad_argument"


def test_a_transfer_line_on_a_chat_connection_is_a_bad_frame(start_server, chats):
    server = start_server()
    alice = chats(server, "alice")
    alice.sock.sendall(b'{"type":"transfer","token":"' + b"A" * 43 + b'"}\n')
    refused = alice.expect("error")
    assert refused["code"] == "bad_frame"
    assert alice.request("PING ok", "pong")["token"] == "ok"


def test_a_transfer_connection_is_not_timed_out_as_an_unregistered_client(start_server, chats, tmp_path, outcomes):
    server = start_server(register_timeout=0.5, files_keep_free_mb=0)
    alice = chats(server, "alice")
    source = make_file(tmp_path, "slow.bin", 1000)
    ticket = offer(alice, source)
    transfer = RawTransfer(server.address, ticket["token"])
    transfer.sock.sendall(source.read_bytes()[:500])
    finished = threading.Event()
    threading.Timer(1.5, finished.set).start()
    finished.wait()  # longer than the registration timeout, with a deadline of its own
    transfer.sock.sendall(source.read_bytes()[500:])
    assert transfer.next_frame()["type"] == "transfer_done"
    transfer.close()


def test_stopping_the_server_ends_transfers_under_way(start_server, chats, tmp_path, outcomes):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "big.bin", 20 * MIB))[1]
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    transfer = RawTransfer(server.address, ticket["token"], rcvbuf=32 * 1024)
    transfer.receive_exactly(100_000)  # then bob stops reading: the server's send blocks
    server.stop()  # must not wait for bob
    assert not server.running
    transfer.close()
    with pytest.raises(TransferInterrupted):
        download_file(connector(server.address), ticket["token"], tmp_path / "x", done["size"], done["sha256"])


@pytest.mark.parametrize("history, days, kept_days", [(True, 30, 29), (True, 30, 31), (False, 30, 2)])
def test_files_are_kept_as_long_as_the_history_then_go_with_their_message(
    start_server, chats, tmp_path, history, days, kept_days
):
    server = start_server(history=history, history_days=days, files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "old.txt", 300))[1]
    announced = bob.expect("file")
    store = server.files.store
    assert store is not None
    later = time.time() + kept_days * 86400
    store._clock = lambda: later  # the store's clock, moved on
    # and a run that has seen that time pass (a clock only set ahead deletes nothing: the test below)
    server.storage.deletion_clock = DeletionClock(lambda: later)
    expired = server.files.expire()
    limit = days if history else 1  # with --no-history a file still stays a day
    if kept_days < limit:
        assert expired == [] and server.storage.files.get(done["file"]) is not None
        assert bob.request(f"DOWNLOAD {done['file']}", "download")["type"] == "download"
        return
    assert expired == [done["file"]]
    assert server.storage.files.get(done["file"]) is None and stored_names(server) == []
    assert server.storage.messages.get(announced["id"]) is None
    refused = bob.request(f"DOWNLOAD {done['file']}", "download")
    assert refused["type"] == "error" and refused["code"] == "no_such_file"


def test_a_clock_set_a_year_ahead_deletes_no_shared_file(start_server, chats, tmp_path):
    server = start_server(history_days=30, files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "notes.txt", 300))[1]
    bob.expect("file")
    store = server.files.store
    assert store is not None
    ahead = 365 * 86400
    store._clock = lambda: time.time() + ahead  # the computer's clock set a year ahead, no time passed
    wrong = DeletionClock(lambda: time.time() + ahead)
    wrong.anchor_at(time.time())  # as at a start: the data's newest time (the file's message) is now
    server.storage.deletion_clock = wrong
    assert server.files.expire() == []
    assert server.storage.files.get(done["file"]) is not None and stored_names(server) != []
    assert bob.request(f"DOWNLOAD {done['file']}", "download")["type"] == "download"


def test_at_start_a_file_never_announced_is_announced_and_a_row_without_bytes_is_dropped(start_server, chats, tmp_path):
    data_dir = str(tmp_path / "data")
    first = start_server(data_dir=data_dir, files_keep_free_mb=0)
    alice = chats(first, "alice")
    kept = share(alice, make_file(tmp_path, "kept.txt", 100))[1]
    first_id = alice.expect("file")["id"]
    lost = share(alice, make_file(tmp_path, "lost.txt", 100))[1]
    first.storage.files.delete(kept["file"])  # as if the server crashed between storing and announcing
    first.stop()
    os.unlink(Path(data_dir) / "files" / lost["file"])  # bytes gone, row left
    os.unlink(Path(data_dir) / "files" / f"{lost['file']}.json")
    second = start_server(data_dir=data_dir, files_keep_free_mb=0)
    record = second.storage.files.get(kept["file"])
    assert record is not None and record.message_id > first_id  # announced again, as a new message
    assert second.storage.messages.get(record.message_id) is not None
    assert second.storage.files.get(lost["file"]) is None
    bob = chats(second, "bob")
    assert fetch(bob, kept["file"], tmp_path / "again").read_bytes() == (tmp_path / "kept.txt").read_bytes()


def test_more_than_four_transfers_at_once_for_one_person_are_refused(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "big.bin", 8 * MIB))[1]
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    running = [RawTransfer(server.address, ticket["token"], rcvbuf=32 * 1024) for _ in range(4)]
    assert all(transfer.reply["type"] == "transfer_ready" for transfer in running)
    fifth = RawTransfer(server.address, ticket["token"])
    assert fifth.reply["type"] == "error" and fifth.reply["code"] == "rate_limited"
    fifth.close()
    assert alice.request("PING chat", "pong")["token"] == "chat"  # alice's own transfers are hers to count
    for transfer in running:
        transfer.close()

    def slot_free() -> bool:
        again = RawTransfer(server.address, ticket["token"])
        again.close()
        return again.reply["type"] == "transfer_ready"

    wait_until(slot_free, timeout=30)  # the slots come back when the connections end


def test_transfer_connections_count_against_the_per_address_limit(start_server, chats, tmp_path):
    server = start_server(max_per_address=3, files_keep_free_mb=0)
    alice = chats(server, "alice")
    done = share(alice, make_file(tmp_path, "big.bin", 8 * MIB))[1]
    ticket = alice.request(f"DOWNLOAD {done['file']}", "download")

    def only_alice_left() -> bool:  # the upload's own connection may still be ending on a loaded machine
        with server.registry.lock:
            return len(server.registry.sessions) == 1

    wait_until(only_alice_left)
    running = [RawTransfer(server.address, ticket["token"], rcvbuf=32 * 1024) for _ in range(2)]
    assert all(transfer.reply["type"] == "transfer_ready" for transfer in running)
    refused = socket.create_connection(server.address, timeout=10)
    lines = refused.makefile("rb").read().splitlines()
    refused.close()
    assert json.loads(lines[0])["code"] == "server_full"
    for transfer in running:
        transfer.close()


def test_a_muted_user_cannot_share_but_can_still_fetch(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "a.txt", 100))[1]
    server.set_muted("bob", True)
    for target in ("#general", "@alice"):
        refused = offer(bob, make_file(tmp_path, "b.txt", 100), target=target)
        assert refused["type"] == "error" and refused["code"] == "muted"
    assert fetch(bob, done["file"], tmp_path / "got").read_bytes() == (tmp_path / "a.txt").read_bytes()


def test_a_file_message_is_replayed_and_paged_as_its_file_frame(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice = chats(server, "alice")
    alice.send("SAY before")
    done = share(alice, make_file(tmp_path, "sheet.pdf", 700))[1]
    announced = alice.expect("file")
    late = chats(server, "zoe")  # joins after: the replay carries the file as a file frame
    replayed = late.expect("file")
    assert replayed["history"] is True and replayed["id"] == announced["id"] and replayed["file"] == done["file"]
    assert replayed["name"] == "sheet.pdf" and replayed["size"] == 700 and replayed["sender"] == "alice"
    late.send("HISTORY #general")
    paged = late.expect("file")
    assert paged["history"] is True and paged["file"] == done["file"]
    assert fetch(late, done["file"], tmp_path / "got").read_bytes() == (tmp_path / "sheet.pdf").read_bytes()


def test_delete_of_a_file_message_deletes_the_file_and_only_its_sender_may(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "a.txt", 700))[1]
    announced = bob.expect("file")
    refused = bob.request(f"DELETE {announced['id']}", "deleted")
    assert refused["type"] == "error" and refused["code"] == "not_allowed"
    assert bob.request(f"DOWNLOAD {done['file']}", "download")["type"] == "download"
    assert alice.request(f"DELETE {announced['id']}", "deleted")["id"] == announced["id"]
    assert bob.expect("deleted")["id"] == announced["id"]
    for asker in (alice, bob):
        gone = asker.request(f"DOWNLOAD {done['file']}", "download")
        assert gone["type"] == "error" and gone["code"] == "no_such_file"
    assert stored_names(server) == [] and server.storage.files.get(done["file"]) is None
    late = chats(server, "zoe")
    late.send("HISTORY #general")
    assert late.expect("history") and not late.has_frame("file")


def test_an_admin_deleting_the_message_or_clearing_the_room_deletes_the_files(start_server, chats, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice = chats(server, "alice")
    first = share(alice, make_file(tmp_path, "one.txt", 10))[1]
    first_id = alice.expect("file")["id"]
    second = share(alice, make_file(tmp_path, "two.txt", 20))[1]
    server.delete_message(first_id)
    assert server.storage.files.get(first["file"]) is None
    assert server.storage.files.get(second["file"]) is not None
    server.clear_history("general")
    assert server.storage.files.get(second["file"]) is None and stored_names(server) == []
    gone = alice.request(f"DOWNLOAD {second['file']}", "download")
    assert gone["type"] == "error" and gone["code"] == "no_such_file"


def test_after_the_upgrade_to_owners_a_guests_old_files_are_nobodys_under_her_name(start_server, tmp_path, outcomes):
    """Found by a probe (ninth review): files two guests shared under an older server (schema 3, no owners) are kept
    by the upgrade without owners, as their private messages are, yet DOWNLOAD went by nickname: whoever took the
    name of a departed guest fetched her private file and her file in a locked room she was not in."""
    data_dir = tmp_path / "data"
    first = start_server(data_dir=str(data_dir), files_keep_free_mb=0, resume_seconds=0)
    carol, dave = ChatLine(first.address, "Carol", "lab"), ChatLine(first.address, "Dave", "general")
    carol.send("KEY labkey1")
    assert carol.request("PING locked", "pong")["type"] == "pong"
    private = share(carol, make_file(tmp_path, "secret.txt", 300), "@Dave")[1]["file"]
    in_lab = share(carol, make_file(tmp_path, "lab.txt", 200), "#lab")[1]["file"]
    first.stop()
    carol.close()
    dave.close()
    # What the schema 4 step leaves of a guest's rows from before owners (chat_server/storage/schema.py, _v4_owners).
    with sqlite3.connect(data_dir / "classchat.db") as db:
        db.execute("UPDATE files SET sender_owner = NULL, recipient_owner = NULL")
        db.execute("UPDATE messages SET sender_owner = NULL, recipient_owner = NULL")
    db.close()
    second = start_server(data_dir=str(data_dir), files_keep_free_mb=0, resume_seconds=0)
    new_carol = ChatLine(second.address, "Carol", "general")
    new_dave = ChatLine(second.address, "Dave", "general", source="127.0.0.2")
    member = ChatLine(second.address, "Erin", None, source="127.0.0.3")
    try:
        for someone in (new_carol, new_dave):
            assert someone.request(f"DOWNLOAD {private}", "download")["code"] == "no_such_file"
        assert new_carol.request(f"DOWNLOAD {in_lab}", "download")["code"] == "no_such_file"
        assert member.request("JOIN lab labkey1", "joined")["type"] == "joined"
        assert fetch(member, in_lab, tmp_path / "got").read_bytes() == (tmp_path / "lab.txt").read_bytes()
    finally:
        for line in (new_carol, new_dave, member):
            line.close()


def half_sent_then_stopped_as_an_older_server_kept_it(server, data_dir, sender, recipient, to: str, source) -> dict:
    """`sender` offers `source` to `to` and sends half of it; the server stops, both lines close, and the upload's
    record loses its owners, as a server from before owners wrote it. Returns the ticket."""
    ticket = offer(sender, source, to)
    transfer = RawTransfer(server.address, ticket["token"])
    transfer.sock.sendall(source.read_bytes()[: source.stat().st_size // 2])
    store = server.files.store
    assert store is not None
    wait_until(lambda: store.offset_of(ticket["upload"]) == source.stat().st_size // 2, timeout=30)
    server.stop()
    transfer.close()
    for line in (sender, recipient):
        line.close()
    record_path = data_dir / "uploads" / f"{ticket['upload']}.json"
    fields = json.loads(record_path.read_text(encoding="utf-8"))
    assert fields.pop("sender_owner") and fields.pop("recipient_owner")  # as an older server wrote it
    record_path.write_text(json.dumps(fields), encoding="utf-8")
    return ticket


def test_an_upload_begun_before_owners_and_finished_after_the_upgrade_reaches_its_two_people(
    start_server, tmp_path, outcomes
):
    """An upload whose record an older server wrote (no owners) and that is finished after the upgrade is kept with
    the owners of the two people it reaches then, so both can fetch it, and nobody else under their names later."""
    data_dir = tmp_path / "data"
    first = start_server(data_dir=str(data_dir), files_keep_free_mb=0)
    alice, bob = ChatLine(first.address, "alice", "general"), ChatLine(first.address, "bob", "general")
    for line, password in ((alice, "alice-pass-1"), (bob, "bob-pass-22")):
        line.send(f"REGISTER {password}")
        assert line.request("PING registered", "pong")["type"] == "pong"
    source = make_file(tmp_path, "essay.bin", 200_000)
    ticket = half_sent_then_stopped_as_an_older_server_kept_it(first, data_dir, alice, bob, "@bob", source)
    second = start_server(data_dir=str(data_dir), files_keep_free_mb=0, resume_seconds=0)
    alice = ChatLine(second.address)
    bob = ChatLine(second.address)
    try:
        assert alice.request("LOGIN alice alice-pass-1", "nick")["type"] == "nick"
        assert bob.request("LOGIN bob bob-pass-22", "nick")["type"] == "nick"
        done = upload_file(connector(second.address), ticket["token"], source)
        assert bob.expect("file")["file"] == done["file"]
        assert fetch(bob, done["file"], tmp_path / "bob-got").read_bytes() == source.read_bytes()
        assert fetch(alice, done["file"], tmp_path / "alice-got").read_bytes() == source.read_bytes()
    finally:
        alice.close()
        bob.close()


def test_an_upload_begun_before_owners_is_not_shared_under_a_guest_from_another_computer(
    start_server, tmp_path, outcomes
):
    """After the upgrade, a guest's upload from before owners finished by its token: another computer's guest holding
    the departed sender's name is not taken for the sender (she would have owned the file and fetched it)."""
    data_dir = tmp_path / "data"
    first = start_server(data_dir=str(data_dir), files_keep_free_mb=0)
    carol, dave = ChatLine(first.address, "carol", "general"), ChatLine(first.address, "dave", "general")
    source = make_file(tmp_path, "essay.bin", 200_000)
    ticket = half_sent_then_stopped_as_an_older_server_kept_it(first, data_dir, carol, dave, "@dave", source)
    second = start_server(data_dir=str(data_dir), files_keep_free_mb=0, resume_seconds=0)
    impostor = ChatLine(second.address, "carol", "general", source="127.0.0.2")
    dave = ChatLine(second.address, "dave", "general", source="127.0.0.3")
    try:
        with pytest.raises(FileError, match="someone called carol"):
            upload_file(connector(second.address), ticket["token"], source)
        dave.send("PING after")
        assert dave.expect("pong")
        assert not dave.has_frame("file") and not impostor.has_frame("file")
    finally:
        impostor.close()
        dave.close()


def test_a_resumed_download_says_what_is_left(start_server, chats, tmp_path):
    """The eleventh review doubted it ("1.6 KB to go" at offset 10 of 1,640: 1,630 bytes, rounded): it says what is left."""
    server = start_server(files_keep_free_mb=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "notes.bin", 1600))[1]
    bob.expect("file")
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    transfer = RawTransfer(server.address, ticket["token"], offset=1000)
    try:
        assert (transfer.reply["type"], transfer.reply["offset"]) == ("transfer_ready", 1000), transfer.reply
        assert "600 bytes to go" in transfer.reply["content"], transfer.reply
    finally:
        transfer.close()
