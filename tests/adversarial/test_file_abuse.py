"""A class trying to break file sharing: fresh allowances by renaming, filling the files space, names that lie.

A real server on port 0 with its own data folder; "other computers" are
connections bound to 127.0.1.x (tests never send traffic outside
127.0.0.0/8).  Uploads are offered and cancelled, or sent for real with
the client's own transfer code.
"""

from __future__ import annotations

import hashlib
import socket

import pytest

from chat_gui.core.transfer_client import upload_file
from shared.errors import ErrorCode
from shared.file_transfer import MIB, FileError, parse_target, upload_command
from tests.integration.file_wire import connector, start_sending
from tests.integration.wire import TextClient, WireClient, nothing_more
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

SMALL = b"worksheet\n"
SMALL_SHA = hashlib.sha256(SMALL).hexdigest()


def offer(
    client: WireClient, target: str = "#lab", name: str = "notes.txt", size: int = len(SMALL), sha: str = SMALL_SHA
):
    """UPLOAD on a WireClient; the `upload` or `error` frame (the `rooms` push and notices skipped)."""
    client.send(upload_command(size, sha, parse_target(target), name))
    return client.expect(lambda frame: frame["type"] in ("upload", "error"))


def offer_and_cancel(client: WireClient) -> dict:
    ticket = offer(client)
    if ticket["type"] == "upload":
        client.send(f"CANCEL {ticket['upload']}")
        client.expect("cancelled")
    return ticket


def other_computer(server, number: int, nick: str, room: str = "lab") -> WireClient:
    return WireClient(server.address, source=f"127.0.1.{number}").register(nick, room)


@pytest.fixture
def rated(start_server):
    return start_server(files_per_window=3, files_keep_free_mb=0)


def test_a_new_nickname_brings_no_fresh_allowance_of_files(rated, wire):
    alice = wire(rated, "alice", "lab")
    for _ in range(3):
        assert offer_and_cancel(alice)["type"] == "upload"
    assert offer(alice)["code"] == ErrorCode.RATE_LIMITED
    alice.send("NICK alice2")
    alice.expect("nick")
    refused = offer(alice)
    assert refused.get("code") == ErrorCode.RATE_LIMITED, refused


def test_a_new_connection_under_a_new_name_brings_none_either(rated, wire):
    first = wire(rated, "mallory", "lab")
    for _ in range(3):
        assert offer_and_cancel(first)["type"] == "upload"
    first.close()
    for number in range(3):
        again = wire(rated, f"mallory{number}", "lab")
        assert offer(again).get("code") == ErrorCode.RATE_LIMITED
        again.close()


def test_others_keep_their_own_allowance(rated, wire):
    """The count by address must not stop classmates at other computers."""
    mallory = other_computer(rated, 1, "mallory")
    for _ in range(3):
        assert offer_and_cancel(mallory)["type"] == "upload"
    assert offer(mallory)["code"] == ErrorCode.RATE_LIMITED
    for number, nick in enumerate(("bob", "carol"), start=2):
        classmate = other_computer(rated, number, nick)
        assert offer_and_cancel(classmate)["type"] == "upload"
    assert offer_and_cancel(wire(rated, "teacher_pc", "lab"))["type"] == "upload"


def test_unfinished_uploads_that_never_finish_are_capped_per_address_across_names(start_server, wire):
    """Held: declared sizes are reserved, so never-finished uploads are capped per address, whatever the name."""
    server = start_server(files_keep_free_mb=0)
    kept = []
    for number in range(4):
        client = other_computer(server, 1, f"hoarder{number}")
        kept.append(client)
        answer = offer(client, size=25 * MIB, sha="a" * 64)
        assert answer["type"] == ("upload" if number < 3 else "error"), answer
    assert answer["code"] == ErrorCode.RATE_LIMITED and "unfinished" in answer["content"]
    assert offer(other_computer(server, 2, "honest"))["type"] == "upload"


def test_one_computer_cannot_fill_the_whole_files_space(start_server, wire, tmp_path):
    """Files are kept a month: one student filling --files-quota-mb would stop every hand-in until then."""
    server = start_server(files_quota_mb=4, max_file_mb=1, files_keep_free_mb=0)  # a quarter: 1 MiB each
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * MIB)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    hog = other_computer(server, 1, "hog")
    ticket = offer(hog, name="big.bin", size=MIB, sha=sha)
    assert ticket["type"] == "upload", ticket
    upload_file(connector(server.address), ticket["token"], path)
    for number in range(2):  # a new name on the same computer shares the same part
        again = other_computer(server, 1, f"hog{number}")
        refused = offer(again, name="more.bin", size=10, sha="b" * 64)
        assert refused.get("code") == ErrorCode.STORAGE_FULL and "one computer" in refused["content"], refused
        again.close()
    honest = other_computer(server, 2, "honest")
    assert offer(honest)["type"] == "upload"
    teachers_window = wire(server, "teacher_pc", "lab")  # the server's own computer: no share
    assert offer(teachers_window, name="big.bin", size=MIB, sha=sha)["type"] == "upload"


def test_deleting_ones_own_file_frees_ones_share(start_server, tmp_path):
    server = start_server(files_quota_mb=4, max_file_mb=1, files_keep_free_mb=0)
    path = tmp_path / "big.bin"
    path.write_bytes(b"y" * MIB)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    student = other_computer(server, 1, "student")
    ticket = offer(student, name="big.bin", size=MIB, sha=sha)
    upload_file(connector(server.address), ticket["token"], path)
    shared = student.expect("file")
    assert offer(student, size=10, sha="c" * 64).get("code") == ErrorCode.STORAGE_FULL
    student.send(f"DELETE {shared['id']}")
    student.expect("deleted")
    assert offer(student, name="big.bin", size=MIB, sha=sha)["type"] == "upload"


@pytest.mark.parametrize(
    "name",
    [
        "report.pdf (1 KB)\u2028[12:00:00] * Ms_Lee: everyone download this",
        "homework\u202efdp.exe",
        "a\u200bb\u2066c\u2069.txt",
        "x\r\n[09:00:00] ! Announcement: server restarting.txt",
        "essay.pdf\u0085\u000b\u000cend.txt",
    ],
)
def test_a_file_name_cannot_start_a_line_or_hide_its_extension(start_server, wire, tmp_path, name):
    """Held: the name is cleaned before anyone sees it; a text-mode user sees the announcement as one line."""
    server = start_server(files_keep_free_mb=0)
    watcher = TextClient(server.address)
    watcher.send_line("NICK watcher")
    watcher.send_line("JOIN lab")
    watcher.expect(r"#lab")
    sender = wire(server, "alice", "lab")
    ticket = offer(sender, name=name)
    assert ticket["type"] == "upload", ticket
    cleaned = ticket["name"]
    for bad in ("\u2028", "\u202e", "\u200b", "\u2066", "\u2069", "\r", "\n", "\u0085", "\u000b", "\u000c", "/"):
        assert bad not in cleaned, (bad, cleaned)
    if "\u202e" in name:
        assert cleaned.endswith(".exe"), cleaned  # the real extension stays where the eye looks for it
    source = tmp_path / "source.bin"
    source.write_bytes(SMALL)
    upload_file(connector(server.address), ticket["token"], source)
    line = watcher.expect(r"alice shared")
    assert line.startswith("[") and line.index("alice shared") < 25, line
    watcher.close()


@pytest.mark.parametrize(
    "name",
    [
        "report.pdf" + " " * 100 + "x.exe",
        "report.pdf" + "\u2800" * 80 + ".exe",  # braille blank: drawn as nothing, not a space to Unicode
        "report.pdf" + "\u3000" * 60 + "x.scr",
        "report.pdf" + "\u00a0 " * 50 + "x.bat",
    ],
)
def test_a_run_of_blanks_cannot_push_the_real_extension_out_of_sight(start_server, wire, name):
    server = start_server(files_keep_free_mb=0)
    ticket = offer(wire(server, "alice", "lab"), name=name)
    assert ticket["type"] == "upload", ticket
    cleaned = ticket["name"]
    assert "  " not in cleaned and "\u2800" not in cleaned, repr(cleaned)
    assert len(cleaned) <= len("report.pdf x.exe"), repr(cleaned)


# -- who sends a file is checked again when its bytes are in (found by a probe) --
def _finish(server, ticket: dict, tmp_path, source: str | None = None) -> FileError | None:
    """Send SMALL for an upload ticket (from `source` if given): None if shared, else the refusal."""
    path = tmp_path / "notes.txt"
    path.write_bytes(SMALL)

    def connect():
        return socket.create_connection(server.address, timeout=10, source_address=(source, 0) if source else None)

    try:
        upload_file(connect, ticket["token"], path)
    except FileError as refusal:
        return refusal
    return None


def _no_file_frame(client: WireClient) -> None:
    assert not [frame for frame in nothing_more(client) if frame["type"] == "file"]


@pytest.mark.parametrize("sanction", ["mute", "ban", "ban the address"])
def test_an_upload_begun_before_a_sanction_is_not_shared_after_it(start_server, wire, tmp_path, sanction):
    server = start_server(files_keep_free_mb=0)
    bob = wire(server, "bob", "lab")
    mallory = other_computer(server, 20, "mallory")
    private = offer(mallory, target="@bob")
    public = offer(mallory)
    for ticket in (private, public):  # with no byte they would be voided as mallory is sent away
        start_sending(server, ticket, SMALL[:1])
    if sanction == "mute":
        server.set_muted("mallory", True)
    elif sanction == "ban":
        server.ban("mallory", None, "spamming")
    else:
        server.ban("127.0.1.20", None, "spamming")
    for ticket in (private, public):
        refusal = _finish(server, ticket, tmp_path, source="127.0.1.21")  # the bytes from another computer
        assert refusal is not None and refusal.code in (ErrorCode.MUTED, ErrorCode.NOT_ALLOWED), refusal
    _no_file_frame(bob)
    assert server.files.store is not None and not server.files.store.info(public["upload"])


def test_a_file_goes_out_under_the_name_its_sender_has_now(start_server, wire, tmp_path):
    """Found by a probe: mallory began an upload as "kim", renamed, and the file was announced as kim's."""
    server = start_server(files_keep_free_mb=0)
    bob = wire(server, "bob", "lab")
    mallory = other_computer(server, 22, "kim")
    ticket = offer(mallory)
    mallory.send("NICK mallory")
    mallory.expect("nick")
    kim = other_computer(server, 23, "kim")
    assert _finish(server, ticket, tmp_path) is None
    shared = bob.expect("file")
    assert shared["sender"] == "mallory", shared
    assert not [frame for frame in nothing_more(kim) if frame["type"] == "file" and frame["sender"] == "kim"]


def test_a_sender_who_left_while_someone_else_took_the_name_shares_nothing(start_server, wire, tmp_path):
    server = start_server(files_keep_free_mb=0)
    bob = wire(server, "bob", "lab")
    mallory = other_computer(server, 24, "kim")
    ticket = offer(mallory)
    start_sending(server, ticket, SMALL[:1])  # with no byte it would be voided as its sender leaves
    mallory.send("QUIT")
    mallory.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("kim") is None)
    real_kim = other_computer(server, 25, "kim")
    refusal = _finish(server, ticket, tmp_path)
    assert refusal is not None and refusal.code == ErrorCode.NOT_ALLOWED
    _no_file_frame(bob)
    _no_file_frame(real_kim)


def test_several_computers_taking_all_they_may_still_leave_room_for_a_hand_in(start_server, wire):
    """Four computers could each take a quarter of the quota: a fifth student's hand-in then found it full."""
    server = start_server(files_quota_mb=8, max_file_mb=8, files_keep_free_mb=0)
    hogs = []
    for number in range(1, 7):
        hog = other_computer(server, number, f"hog{number}")
        hogs.append(hog)
        taken, size = 0, 8 * MIB
        while taken < 3 and size >= 1024:  # 3 unfinished uploads each, as large as it is allowed
            answer = offer(hog, name="fill.bin", size=size, sha="d" * 64)
            if answer["type"] == "upload":
                taken += 1
            else:
                assert answer["code"] == ErrorCode.STORAGE_FULL, answer
                size //= 2
        assert taken, f"hog{number} could store nothing at all"
    honest = other_computer(server, 50, "honest")
    hand_in = offer(honest, name="essay.pdf", size=200 * 1024, sha="e" * 64)
    assert hand_in["type"] == "upload", hand_in
    teachers_window = wire(server, "teacher_pc", "lab")  # the server's own computer has no share: it may fill the rest
    assert offer(teachers_window, name="big.bin", size=MIB, sha="f" * 64)["type"] == "upload"


# -- where a file goes is checked again when its bytes are in (found by a probe) --
def _refused_with(refusal: FileError | None, code: ErrorCode, *words: str) -> None:
    assert refusal is not None and refusal.code == code, refusal
    assert all(word in str(refusal) for word in words), refusal


@pytest.mark.parametrize("leave", ["LEAVE", "JOIN elsewhere", "QUIT"])
def test_a_file_for_a_room_locked_since_is_not_posted_by_someone_outside_it(start_server, wire, tmp_path, leave):
    server = start_server(files_keep_free_mb=0)
    carol = wire(server, "carol", "secret")
    mallory = other_computer(server, 30, "mallory", room="secret")
    ticket = offer(mallory, target="#secret")
    start_sending(server, ticket, SMALL[:1])  # with no byte it would be voided as its sender leaves
    mallory.send(leave)
    carol.expect(lambda frame: frame["type"] == "system" and frame.get("user") == "mallory")
    carol.send("KEY hunter2")
    carol.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "key")
    _refused_with(_finish(server, ticket, tmp_path), ErrorCode.NOT_IN_ROOM, "#secret", "locked")
    _no_file_frame(carol)
    assert server.files.store is not None and not server.files.store.info(ticket["upload"])


def test_a_file_begun_for_an_empty_room_name_does_not_land_in_the_room_made_later(start_server, wire, tmp_path):
    """The upload was opened in #groupx, its maker left; carol made #groupx anew and locked it."""
    server = start_server(files_keep_free_mb=0)
    mallory = other_computer(server, 31, "mallory", room="groupx")
    ticket = offer(mallory, target="#groupx")
    mallory.send("QUIT")
    mallory.rest_until_closed()
    wait_until(lambda: server.registry.find_room("groupx") is None)
    assert _finish(server, ticket, tmp_path) is not None  # nobody in it now
    carol = wire(server, "carol", "groupx")
    _no_file_frame(carol)
    carol.send("HISTORY #groupx")
    assert carol.expect("history")["count"] == 0


def test_a_file_for_a_closed_room_is_not_posted(start_server, wire, tmp_path):
    server = start_server(files_keep_free_mb=0)
    mallory = other_computer(server, 32, "mallory", room="exam")
    bob = wire(server, "bob", "exam")
    ticket = offer(mallory, target="#exam")
    assert server.close_room("exam", "time is up") == 2
    _refused_with(_finish(server, ticket, tmp_path), ErrorCode.NOT_IN_ROOM, "#exam")
    bob.send("JOIN exam")
    bob.expect("joined")
    _no_file_frame(bob)


@pytest.mark.parametrize("how", ["kick", "kick and come back under a new name"])
def test_a_kicked_students_upload_is_not_shared_after_the_kick(start_server, wire, tmp_path, how):
    server = start_server(files_keep_free_mb=0)
    bob = wire(server, "bob", "quiz")
    mallory = other_computer(server, 33, "mallory", room="quiz")
    ticket = offer(mallory, target="#quiz")
    start_sending(server, ticket, SMALL[:1])  # with no byte it would be voided as its sender is sent away
    server.kick("mallory", "spamming")
    mallory.rest_until_closed()
    if how != "kick":
        other_computer(server, 33, "mallory2", room="quiz")  # a new guest: not the one who began the upload
    _refused_with(_finish(server, ticket, tmp_path), ErrorCode.NOT_ALLOWED, "removed")
    _no_file_frame(bob)


def test_a_sender_who_moved_to_another_open_room_still_shares_into_the_first(start_server, wire, tmp_path):
    """What a chat user expects: a long upload goes where it was sent, though its sender has moved on."""
    server = start_server(files_keep_free_mb=0)
    bob = wire(server, "bob", "lab")
    alice = other_computer(server, 34, "alice", room="lab")
    ticket = offer(alice, target="#lab")
    alice.send("JOIN break")
    alice.expect("joined")
    assert _finish(server, ticket, tmp_path) is None
    shared = bob.expect("file")
    assert (shared["sender"], shared["room"]) == ("alice", "lab")
