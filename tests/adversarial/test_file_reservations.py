"""Uploads asked for and never sent, and download tokens kept after access is lost (found by a probe).

A real server on port 0 with its own data folder; "other computers" are
connections bound to 127.0.1.x and 127.0.0.9 (tests never send traffic
outside 127.0.0.0/8).  The teacher's window is the server's own computer
(127.0.0.1), which has no per-computer share.
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket

import pytest

from chat_server.files import sharing as sharing_module
from shared.errors import ErrorCode
from shared.file_transfer import MIB, FileErrorCode, parse_target, upload_command
from tests.integration.file_wire import RawTransfer
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

FAKE_SHA = "0" * 64


def offer(client: WireClient, size: int, target: str = "#lab", name: str = "f.bin", sha: str = FAKE_SHA) -> dict:
    client.send(upload_command(size, sha, parse_target(target), name))
    return client.expect(lambda frame: frame["type"] in ("upload", "error"))


def other_computer(server, address: str, nick: str, room: str | None = "lab") -> WireClient:
    return WireClient(server.address, source=address).register(nick, room)


def reserve_all_it_may(client: WireClient, largest: int) -> int:
    """Three UPLOADs as large as the server allows, never sent; the bytes reserved."""
    reserved = 0
    for _ in range(3):
        size = largest
        while size >= 256 * 1024:  # a few tries each: the command rate allows a burst of 30
            answer = offer(client, size)
            if answer["type"] == "upload":
                reserved += size
                break
            assert answer["code"] == ErrorCode.STORAGE_FULL, answer
            size //= 2
    return reserved


def test_students_reservations_never_sent_leave_the_teacher_room_and_go_when_they_leave(start_server, wire):
    """Thirty computers reserved the whole 40 MiB; the teacher's 1 MiB worksheet got storage_full for a day."""
    server = start_server(files_quota_mb=16, max_file_mb=4, files_keep_free_mb=0)
    store = server.files.store
    assert store is not None
    students = []
    for number in range(2, 14):
        student = other_computer(server, f"127.0.1.{number}", f"kid{number}")
        students.append(student)
        reserve_all_it_may(student, 4 * MIB)
    assert store.reserved_bytes > 13 * MIB  # all of the students' part, or nearly
    teacher = wire(server, "teacher_pc", "lab")  # the server's own computer: the teacher's window
    worksheet = b"w" * MIB
    ticket = offer(teacher, len(worksheet), name="worksheet.pdf", sha=hashlib.sha256(worksheet).hexdigest())
    assert ticket["type"] == "upload", ticket
    for student in students:
        student.send("QUIT")
        student.rest_until_closed()
    wait_until(lambda: store.reserved_bytes == MIB, timeout=10, message="the students' reservations were not freed")
    left = sorted(path.name for path in store.uploads_dir.iterdir())
    assert left == sorted([f"{ticket['upload']}.json", f"{ticket['upload']}.part"])


def test_a_full_space_tells_the_teacher_what_to_do_and_a_student_to_ask_the_teacher(start_server, wire):
    server = start_server(files_quota_mb=1, max_file_mb=2, files_keep_free_mb=0)
    teacher = wire(server, "teacher_pc", "lab")
    refused = offer(teacher, 2 * MIB)
    assert refused["code"] == ErrorCode.STORAGE_FULL, refused
    assert "ask the teacher" not in refused["content"].lower() and "--files-quota-mb" in refused["content"], refused
    student = other_computer(server, "127.0.1.2", "kim")
    refused = offer(student, 2 * MIB)
    assert refused["code"] == ErrorCode.STORAGE_FULL and "Ask the teacher" in refused["content"], refused


@pytest.fixture
def quick_idle(monkeypatch):
    """Look for idle uploads every 0.1 s; the server's uploads are idle after `seconds` without a byte."""
    monkeypatch.setattr(sharing_module, "IDLE_SWEEP_SECONDS", 0.1)

    def set_for(server, seconds: float) -> None:
        store = server.files.store
        store.limits = dataclasses.replace(store.limits, upload_expiry_seconds=seconds)

    return set_for


def test_an_upload_that_makes_no_progress_gives_its_room_back_and_its_sender_hears_it(start_server, quick_idle):
    server = start_server(files_quota_mb=8, max_file_mb=4, files_keep_free_mb=0)
    quick_idle(server, 1.0)
    store = server.files.store
    mallory = other_computer(server, "127.0.1.2", "mallory")
    ticket = offer(mallory, MIB)
    assert ticket["type"] == "upload"
    started = RawTransfer(server.address, ticket["token"])  # one byte, then nothing more
    assert started.reply["type"] == "transfer_ready"
    started.sock.sendall(b"x")
    wait_until(lambda: store.offset_of(ticket["upload"]) == 1, timeout=10)
    started.close()
    voided = mallory.expect(lambda frame: frame["type"] == "cancelled", timeout=15)
    assert voided["upload"] == ticket["upload"] and "no byte" in voided["content"], voided
    assert store.reserved_bytes == 0
    again = RawTransfer(server.address, ticket["token"])
    assert again.reply["type"] == "error" and again.reply["code"] == FileErrorCode.BAD_TOKEN
    assert "no byte" in again.reply["content"], again.reply
    again.close()


def test_an_upload_whose_bytes_keep_coming_is_not_voided(start_server, quick_idle):
    """Slower than the idle time in all, but a byte comes every 0.2 s: it completes."""
    server = start_server(files_keep_free_mb=0)
    quick_idle(server, 0.6)
    alice = other_computer(server, "127.0.1.2", "alice")
    body = b"0123456789"
    ticket = offer(alice, len(body), sha=hashlib.sha256(body).hexdigest())
    transfer = RawTransfer(server.address, ticket["token"])
    assert transfer.reply["type"] == "transfer_ready"
    for index in range(len(body)):
        transfer.sock.sendall(body[index : index + 1])
        try:
            alice.expect(lambda frame: frame["type"] == "cancelled", timeout=0.2)
        except (TimeoutError, OSError, AssertionError):
            continue
        raise AssertionError("an upload under way was voided")
    assert transfer.next_frame()["type"] == "transfer_done"
    transfer.close()


# -- a download token is asked about again when it is used --
def _locked_room_with_a_file(server, wire) -> tuple[WireClient, WireClient, dict, bytes]:
    teacher = wire(server, "teacher_pc", "staff")
    teacher.send("KEY staffonly99")
    teacher.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "key")
    ivan = WireClient(server.address, source="127.0.1.4").register("ivan")
    ivan.send("JOIN staff staffonly99")
    ivan.expect("joined")
    body = b"exam solutions\n" * 5000
    ticket = offer(teacher, len(body), target="#staff", name="solutions.txt", sha=hashlib.sha256(body).hexdigest())
    transfer = RawTransfer(server.address, ticket["token"])
    transfer.sock.sendall(body)
    assert transfer.next_frame()["type"] == "transfer_done"
    transfer.close()
    announced = ivan.expect("file")
    ivan.send(f"DOWNLOAD {announced['file']}")
    return teacher, ivan, ivan.expect("download"), body


def _fetch_from(server, token: str, source: str) -> tuple[dict, bytes]:
    sock = socket.create_connection(server.address, timeout=10, source_address=(source, 0))
    transfer = RawTransfer.__new__(RawTransfer)
    transfer.sock, transfer.pending = sock, b""
    sock.sendall(b'{"type":"transfer","token":"' + token.encode() + b'","offset":0}\n')
    reply = transfer.next_frame()
    data = transfer.receive_to_end() if reply["type"] == "transfer_ready" else b""
    transfer.close()
    return reply, data


@pytest.mark.parametrize("lost", ["LEAVE", "JOIN elsewhere", "QUIT", "kick", "key changed and ban"])
def test_a_download_token_fetches_nothing_once_its_holder_lost_access(start_server, wire, lost):
    server = start_server(files_keep_free_mb=0)
    teacher, ivan, ticket, body = _locked_room_with_a_file(server, wire)
    if lost in ("LEAVE", "JOIN elsewhere", "QUIT"):
        ivan.send(lost)
        teacher.expect(lambda frame: frame["type"] == "system" and frame.get("user") == "ivan")
    elif lost == "kick":
        server.kick("ivan", "leaked the key")
        ivan.rest_until_closed()
    else:
        teacher.send("KEY newstaffkey77")
        server.ban("ivan", None, "leaked the key")
        ivan.rest_until_closed()
    reply, data = _fetch_from(server, ticket["token"], "127.0.0.9")
    assert reply["type"] == "error" and reply["code"] == FileErrorCode.NO_SUCH_FILE, reply
    assert data == b""


def test_a_download_token_still_works_for_someone_still_in_the_room(start_server, wire):
    server = start_server(files_keep_free_mb=0)
    _, _, ticket, body = _locked_room_with_a_file(server, wire)
    reply, data = _fetch_from(server, ticket["token"], "127.0.0.9")
    assert reply["type"] == "transfer_ready" and data == body
