"""End to end over real loopback sockets: the file store and transfer handler behind a toy chat (file_proto_server).

The chat server proper is being rewritten, so these tests put the real
chat_server.files.store and chat_server.files.transfer behind a small
stand-in that routes connections by their first line as the server will,
and drive it with the real client side (chat_gui.core.transfer_client) or raw
sockets.  Throughput for 25 MiB each way is printed (run with -s), never
asserted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from chat_gui.core.transfer_client import TransferInterrupted, download_file, sha256_of, upload_file
from chat_server.files.limits import FileLimits
from chat_server.files.transfer import TransferOutcome
from shared.file_transfer import EMPTY_SHA256, MIB, FileError, new_token
from tests.integration.file_proto_server import FileProtoServer
from tests.integration.file_wire import ChatLine, ProtoProcess, RawTransfer, connector, fetch, offer, share
from tests.support import wait_until

BIG = 25 * MIB


@pytest.fixture
def start_proto(tmp_path):
    servers: list[FileProtoServer] = []

    def start(**limits) -> FileProtoServer:
        server = FileProtoServer(tmp_path / f"data{len(servers)}", FileLimits(**limits)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def chats():
    opened: list[ChatLine] = []

    def make(server: FileProtoServer, nick: str, room: str | None = "general") -> ChatLine:
        chat = ChatLine(server.address, nick, room, speak_first=False)
        opened.append(chat)
        return chat

    yield make
    for chat in opened:
        chat.close()


def make_file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def test_round_trip_of_an_empty_a_one_byte_and_a_25_mib_file(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    for name, size in (("empty.txt", 0), ("one.bin", 1), ("big.bin", BIG)):
        source = make_file(tmp_path, name, size)
        ticket = offer(alice, source)
        started = time.perf_counter()
        done = upload_file(connector(server.address), ticket["token"], source)
        upload_seconds = time.perf_counter() - started
        assert done["sha256"] == sha256_of(source) and done["size"] == size
        for chat in (alice, bob):  # announced to the room, the sender included
            announced = chat.expect("file")
            assert (announced["file"], announced["name"], announced["size"], announced["room"]) == (
                done["file"],
                name,
                size,
                "general",
            )
        grant = bob.request(f"DOWNLOAD {done['file']}", "download")
        copy = tmp_path / f"copy-{name}"
        started = time.perf_counter()
        download_file(connector(server.address), grant["token"], copy, grant["size"], grant["sha256"])
        download_seconds = time.perf_counter() - started
        assert copy.read_bytes() == source.read_bytes()
        assert server.store.path_of(done["file"]).read_bytes() == source.read_bytes()
        if size == BIG:
            print(
                f"\n25 MiB over loopback: upload {size / upload_seconds / 1e6:.0f} MB/s, "
                f"download {size / download_seconds / 1e6:.0f} MB/s"
            )
    assert [stored.size for stored in server.announced] == [0, 1, BIG]
    assert server.store.reserved_bytes == 0 and server.store.stored_bytes == BIG + 1
    assert server.outcomes.count(TransferOutcome.RECEIVED) == 3
    wait_until(lambda: server.outcomes.count(TransferOutcome.SENT) == 3)
    assert server.store.slots.active("alice") == server.store.slots.active("bob") == 0


def test_one_byte_over_the_limit_gets_file_too_large_naming_the_limit(start_proto, chats, tmp_path):
    server = start_proto(max_file_bytes=MIB, keep_free_bytes=0)
    alice = chats(server, "alice")
    exactly = make_file(tmp_path, "exactly.bin", MIB)
    over = make_file(tmp_path, "over.bin", MIB + 1)
    refused = offer(alice, over)
    assert refused["type"] == "error" and refused["code"] == "file_too_large"
    assert "1.0 MB (1,048,576 bytes)" in refused["content"], refused
    assert server.store.reserved_bytes == 0 and os.listdir(server.store.uploads_dir) == []
    assert share(alice, exactly)[1]["size"] == MIB


@pytest.mark.parametrize("extra", [1, 1000, 3 * MIB])
def test_a_sender_that_sends_more_than_it_declared_is_stopped_and_nothing_is_kept(start_proto, chats, tmp_path, extra):
    server = start_proto(keep_free_bytes=0)
    alice = chats(server, "alice")
    source = make_file(tmp_path, "declared.bin", 100_000)
    ticket = offer(alice, source)
    transfer = RawTransfer(server.address, ticket["token"])
    assert transfer.reply["type"] == "transfer_ready"
    data = source.read_bytes()
    transfer.sock.sendall(data[:99_000])
    wait_until(lambda: server.store.offset_of(ticket["upload"]) == 99_000)
    # The last declared bytes and the excess in one write: one loopback segment, so one read sees both.
    transfer.sock.sendall(data[99_000:] + os.urandom(extra))
    answer = transfer.next_frame()
    assert answer["type"] == "error" and answer["code"] == "file_too_large", answer
    transfer.close()
    wait_until(lambda: TransferOutcome.FAILED in server.outcomes)
    assert server.announced == [] and server.store.files() == []
    assert os.listdir(server.store.uploads_dir) == [] and server.store.reserved_bytes == 0
    assert not alice.has_frame("file")


def _send_half_then(server, chat, source, cut) -> tuple[dict, int]:
    """Start an upload, send half of it by hand, wait until the server holds that half, then `cut`."""
    ticket = offer(chat, source)
    transfer = RawTransfer(server.address, ticket["token"])
    assert transfer.reply["offset"] == 0
    half = source.stat().st_size // 2
    transfer.sock.sendall(source.read_bytes()[:half])
    wait_until(lambda: server.store.offset_of(ticket["upload"]) == half, timeout=30)
    cut(transfer)
    wait_until(lambda: TransferOutcome.PAUSED in server.outcomes, timeout=30)
    transfer.close()
    return ticket, half


@pytest.mark.parametrize("side", ["client", "server"])
def test_an_upload_cut_at_half_resumes_from_the_last_byte(start_proto, chats, tmp_path, side):
    server = start_proto(keep_free_bytes=0)
    alice = chats(server, "alice")
    source = make_file(tmp_path, "work.bin", 8 * MIB + 3)

    def cut(transfer: RawTransfer) -> None:
        if side == "client":
            transfer.sock.close()
        else:
            server.kill_transfers()

    ticket, half = _send_half_then(server, alice, source, cut)
    assert server.announced == []
    resumed = RawTransfer(server.address, ticket["token"])
    assert resumed.reply["type"] == "transfer_ready" and resumed.reply["offset"] == half
    resumed.close()
    wait_until(lambda: server.outcomes.count(TransferOutcome.PAUSED) == 2)
    done = upload_file(connector(server.address), ticket["token"], source)
    assert done["sha256"] == sha256_of(source)
    assert server.store.path_of(done["file"]).read_bytes() == source.read_bytes()
    assert [stored.id for stored in server.announced] == [done["file"]]


@pytest.mark.parametrize("side", ["client", "server"])
def test_a_download_cut_at_half_resumes_from_the_last_byte(start_proto, chats, tmp_path, side):
    server = start_proto(keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "sheet.bin", 16 * MIB + 5)
    done = share(alice, source)[1]
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    partial = tmp_path / "partial"
    # A small receive buffer so that, when bob stops reading at half, most of the file is still unsent.
    transfer = RawTransfer(server.address, ticket["token"], rcvbuf=64 * 1024)
    assert transfer.reply == {**transfer.reply, "type": "transfer_ready", "offset": 0, "size": done["size"]}
    got = transfer.receive_exactly(source.stat().st_size // 2)
    if side == "client":
        transfer.close()
    else:
        server.kill_transfers()
        got += transfer.receive_to_end()  # what was already under way arrives, then the end
        transfer.close()
    assert source.stat().st_size // 2 <= len(got) < source.stat().st_size
    partial.write_bytes(got)
    wait_until(lambda: TransferOutcome.PAUSED in server.outcomes or TransferOutcome.SENT in server.outcomes)
    download_file(connector(server.address), ticket["token"], partial, done["size"], done["sha256"])
    assert partial.read_bytes() == source.read_bytes()


def test_a_server_killed_mid_upload_resumes_after_its_restart(tmp_path):
    data = tmp_path / "data"
    source = make_file(tmp_path, "essay.bin", 6 * MIB + 1)
    first = ProtoProcess(data, keep_free_mb=0)
    try:
        chat = ChatLine(first.address, "alice", "general", speak_first=False)
        ticket = offer(chat, source)
        transfer = RawTransfer(first.address, ticket["token"])
        half = source.stat().st_size // 2
        transfer.sock.sendall(source.read_bytes()[:half])
        wait_until(lambda: f"{ticket['upload']}.part" in first.state(chat)["uploads_dir"], timeout=30)
        wait_until(lambda: first.partial_size(ticket["upload"]) == half, timeout=30)
        chat.close()
    finally:
        first.kill()
    second = ProtoProcess(data, keep_free_mb=0)
    try:
        resumed = RawTransfer(second.address, ticket["token"])
        assert resumed.reply["type"] == "transfer_ready" and resumed.reply["offset"] == half, resumed.reply
        resumed.close()
        done = upload_file(connector(second.address), ticket["token"], source)
        assert done["sha256"] == sha256_of(source)
        chat = ChatLine(second.address, "bob", "general", speak_first=False)
        assert fetch(chat, done["file"], tmp_path / "copy").read_bytes() == source.read_bytes()
        chat.close()
    finally:
        second.kill()


@pytest.mark.parametrize("damage", ["wrong hash declared", "one byte changed", "partial file tampered with"])
def test_a_wrong_hash_is_never_stored_as_complete_or_announced(start_proto, chats, tmp_path, damage):
    server = start_proto(keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "homework.bin", 2 * MIB)
    data = source.read_bytes()
    wrong = hashlib.sha256(b"something else").hexdigest() if damage == "wrong hash declared" else None
    ticket = offer(alice, source, sha256=wrong)
    transfer = RawTransfer(server.address, ticket["token"])
    if damage == "one byte changed":
        transfer.sock.sendall(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "partial file tampered with":
        transfer.sock.sendall(data[:MIB])
        wait_until(lambda: server.store.offset_of(ticket["upload"]) == MIB)
        transfer.close()
        wait_until(lambda: TransferOutcome.PAUSED in server.outcomes)
        partial = server.store.uploads_dir / f"{ticket['upload']}.part"
        partial.write_bytes(b"\0" * MIB)  # the disk (or someone) changed what was received
        server.store._uploads[ticket["upload"]].session = None  # as after a restart: the hash is read back
        transfer = RawTransfer(server.address, ticket["token"])
        assert transfer.reply["offset"] == MIB
        transfer.sock.sendall(data[MIB:])
    else:
        transfer.sock.sendall(data)
    answer = transfer.next_frame()
    assert answer["type"] == "error" and answer["code"] == "bad_hash", answer
    transfer.close()
    assert server.announced == [] and server.store.files() == []
    assert os.listdir(server.store.uploads_dir) == [] and os.listdir(server.store.files_dir) == []
    assert not alice.has_frame("file") and not bob.has_frame("file", wait=0.05)
    again = RawTransfer(server.address, ticket["token"])  # the token died with the upload
    assert again.reply["code"] == "bad_token"
    again.close()


def test_an_empty_file_must_declare_the_hash_of_no_bytes(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice = chats(server, "alice")
    empty = make_file(tmp_path, "empty", 0)
    refused = offer(alice, empty, sha256="0" * 64)
    assert refused["code"] == "bad_hash"
    assert offer(alice, empty, sha256=EMPTY_SHA256)["type"] == "upload"


def test_the_quota_reached_gives_a_clear_error_and_chat_goes_on(start_proto, chats, tmp_path):
    server = start_proto(quota_bytes=3 * MIB, keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    share(alice, make_file(tmp_path, "one.bin", 2 * MIB))
    unfinished = offer(bob, make_file(tmp_path, "half.bin", MIB - 10))  # reserved though not yet sent
    assert unfinished["type"] == "upload"
    refused = offer(alice, make_file(tmp_path, "two.bin", 11))
    assert refused["code"] == "storage_full" and "space for files (3.0 MB) is full" in refused["content"]
    assert bob.request("PING still-here", "pong")["token"] == "still-here"
    alice.request(f"CANCEL {unfinished['upload']}", "error")  # not alice's to cancel
    assert bob.request(f"CANCEL {unfinished['upload']}", "cancelled")["upload"] == unfinished["upload"]
    assert share(alice, tmp_path / "two.bin")[1]["size"] == 11


def test_a_deleted_file_cannot_be_fetched_and_a_fetch_under_way_stops(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "old.bin", 8 * MIB)
    done = share(alice, source)[1]
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    transfer = RawTransfer(server.address, ticket["token"], rcvbuf=64 * 1024)
    transfer.receive_exactly(MIB)
    assert alice.request(f"DELETE {done['file']}", "deleted")["type"] == "deleted"
    rest = transfer.receive_to_end()
    assert MIB + len(rest) < source.stat().st_size  # cut short
    transfer.close()
    assert bob.request(f"DOWNLOAD {done['file']}", "download")["code"] == "no_such_file"
    again = RawTransfer(server.address, ticket["token"], offset=MIB)
    assert again.reply["code"] == "bad_token"
    again.close()
    assert not server.store.files_dir.joinpath(done["file"]).exists()


def test_a_private_file_reaches_only_its_two_people(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice, bob, carol = chats(server, "alice"), chats(server, "bob"), chats(server, "carol")
    done = share(alice, make_file(tmp_path, "secret.txt", 1000), target="@bob")[1]
    assert alice.expect("file")["to"] == "bob" and bob.expect("file")["file"] == done["file"]
    assert not carol.has_frame("file")
    assert carol.request(f"DOWNLOAD {done['file']}", "download")["code"] == "no_such_file"
    assert fetch(bob, done["file"], tmp_path / "bob-copy").stat().st_size == 1000
    assert fetch(alice, done["file"], tmp_path / "alice-copy").stat().st_size == 1000


def test_a_second_connection_with_the_same_token_takes_the_upload_over(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice = chats(server, "alice")
    source = make_file(tmp_path, "twice.bin", 4 * MIB)
    ticket = offer(alice, source)
    stale = RawTransfer(server.address, ticket["token"])  # e.g. a Wi-Fi link that died without a reset
    stale.sock.sendall(source.read_bytes()[:MIB])
    wait_until(lambda: server.store.offset_of(ticket["upload"]) == MIB)
    done = upload_file(connector(server.address), ticket["token"], source)
    assert done["sha256"] == sha256_of(source)
    assert stale.receive_to_end() == b""  # the old connection was shut down by the takeover
    stale.close()
    assert len(server.announced) == 1


def test_an_upload_token_used_after_completion_gets_transfer_done_again(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice = chats(server, "alice")
    ticket, done = share(alice, make_file(tmp_path, "x.bin", 5000))
    again = RawTransfer(server.address, ticket["token"])
    assert again.reply["type"] == "transfer_done" and again.reply["file"] == done["file"]
    again.close()
    assert len(server.announced) == 1


@pytest.mark.parametrize(
    "hello",
    [
        b'{"type":"transfer","token":"' + b"A" * 43 + b'"}\n',  # well formed, unknown
        b'{"type":"transfer","token":"short"}\n',
        b'{"type":"transfer"}\n',
        b'{"type":"transfer","token":"' + b"A" * 43 + b'","offset":-1}\n',
        b'{"type":"transfer","token":"' + b"A" * 43 + b'","offset":"0"}\n',
    ],
)
def test_bad_hellos_are_refused_with_one_error_line(start_proto, hello):
    import socket

    server = start_proto(keep_free_bytes=0)
    with socket.create_connection(server.address, timeout=10) as sock:
        sock.sendall(hello)
        received = b""
        while (more := sock.recv(65536)) != b"":
            received += more
    lines = received.splitlines()
    assert len(lines) == 2 and b'"welcome"' in lines[0] and b'"error"' in lines[1], lines
    assert b'"bad_token"' in lines[1] or b'"bad_argument"' in lines[1]


def test_bytes_before_transfer_ready_and_offsets_past_the_end_are_refused(start_proto, chats, tmp_path):
    import socket

    from shared.file_transfer import transfer_hello
    from shared.frames import encode_frame

    server = start_proto(keep_free_bytes=0)
    alice = chats(server, "alice")
    source = make_file(tmp_path, "f.bin", 1000)
    ticket = offer(alice, source)
    with socket.create_connection(server.address, timeout=10) as sock:
        sock.sendall(encode_frame(transfer_hello(ticket["token"])) + source.read_bytes())
        reply = b""
        while more := sock.recv(65536):
            reply += more
    assert b'"bad_argument"' in reply
    done = upload_file(connector(server.address), ticket["token"], source)
    grant = alice.request(f"DOWNLOAD {done['file']}", "download")
    past = RawTransfer(server.address, grant["token"], offset=1001)
    assert past.reply["code"] == "bad_argument"
    past.close()
    with pytest.raises(FileError) as refused:
        download_file(connector(server.address), "B" * 43, tmp_path / "never", 1000, done["sha256"])
    assert refused.value.code == "bad_token"


def test_too_many_transfers_at_once_for_one_person_are_refused(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0, transfers_per_user=2)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    done = share(alice, make_file(tmp_path, "popular.bin", 4 * MIB))[1]
    grants = [bob.request(f"DOWNLOAD {done['file']}", "download")["token"] for _ in range(3)]
    held = [RawTransfer(server.address, token, rcvbuf=64 * 1024) for token in grants[:2]]
    third = RawTransfer(server.address, grants[2])
    assert third.reply["code"] == "rate_limited" and "2 transfers at once" in third.reply["content"]
    third.close()
    for transfer in held:
        transfer.close()
    wait_until(lambda: server.outcomes.count(TransferOutcome.PAUSED) + server.outcomes.count(TransferOutcome.SENT) >= 2)
    assert fetch(bob, done["file"], tmp_path / "finally").stat().st_size == 4 * MIB


def test_a_broken_connection_mid_download_raises_transfer_interrupted_and_keeps_the_bytes(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "long.bin", 16 * MIB)
    done = share(alice, source)[1]
    ticket = bob.request(f"DOWNLOAD {done['file']}", "download")
    partial = tmp_path / "partial"
    seen: list[int] = []

    def progress(meter) -> None:
        seen.append(meter.done)
        if meter.done >= MIB:  # 15 MiB to go: more than the socket buffers of both ends hold
            server.kill_transfers()

    with pytest.raises(TransferInterrupted):
        download_file(connector(server.address), ticket["token"], partial, done["size"], done["sha256"], progress)
    kept = partial.stat().st_size
    assert MIB <= kept < 16 * MIB
    download_file(connector(server.address), ticket["token"], partial, done["size"], done["sha256"])
    assert partial.read_bytes() == source.read_bytes()


def _resources() -> tuple[int, int]:
    import threading

    return threading.active_count(), len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
def test_every_way_a_transfer_ends_frees_its_thread_its_files_and_its_slot(start_proto, chats, tmp_path):
    server = start_proto(keep_free_bytes=0)
    alice, bob = chats(server, "alice"), chats(server, "bob")
    source = make_file(tmp_path, "s.bin", 4 * MIB)
    wait_until(lambda: len(server.peers) == 2)
    before = _resources()
    done = share(alice, source)[1]  # complete
    for _ in range(3):
        ticket = offer(alice, source)
        cut = RawTransfer(server.address, ticket["token"])  # cut by the client half way
        cut.sock.sendall(source.read_bytes()[:MIB])
        wait_until(lambda ticket=ticket: server.store.offset_of(ticket["upload"]) == MIB)
        cut.close()
        bad = RawTransfer(server.address, ticket["token"])  # then a wrong hash
        bad.sock.sendall(b"\0" * (3 * MIB))
        assert bad.next_frame()["code"] == "bad_hash"
        bad.close()
        grant = bob.request(f"DOWNLOAD {done['file']}", "download")
        reading = RawTransfer(server.address, grant["token"], rcvbuf=64 * 1024)  # a download cut by the client
        reading.receive_exactly(MIB)
        reading.close()
        killed = RawTransfer(server.address, grant["token"], offset=MIB, rcvbuf=64 * 1024)  # and by the server
        killed.receive_exactly(1000)
        server.kill_transfers()
        killed.receive_to_end()
        killed.close()
        refused = RawTransfer(server.address, new_token())  # a stranger's token
        refused.close()
    fetch(bob, done["file"], tmp_path / "last")
    wait_until(lambda: _resources() == before, timeout=15, message=f"threads and files not back to {before}")
    assert server.store.slots.active("alice") == server.store.slots.active("bob") == 0
    assert server.store.reserved_bytes == 0 and os.listdir(server.store.uploads_dir) == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="makes its certificate with the openssl command")
def test_a_transfer_connection_over_tls_on_the_same_port(tmp_path):
    import socket
    import ssl
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    server = FileProtoServer(tmp_path / "data", FileLimits(keep_free_bytes=0), tls=server_tls).start()
    try:

        def connect() -> socket.socket:
            raw = socket.create_connection(server.address, timeout=30)
            return client_tls.wrap_socket(raw, server_hostname="127.0.0.1")

        plain_chat = ChatLine(
            server.address, "alice", "general", speak_first=False
        )  # plain and TLS side by side on one port
        source = make_file(tmp_path, "secret.bin", 8 * MIB + 7)
        ticket = offer(plain_chat, source)
        done = upload_file(connect, ticket["token"], source)
        assert done["sha256"] == sha256_of(source)
        grant = plain_chat.request(f"DOWNLOAD {done['file']}", "download")
        copy = tmp_path / "copy.bin"
        download_file(connect, grant["token"], copy, grant["size"], grant["sha256"])
        assert copy.read_bytes() == source.read_bytes()
        plain_chat.close()
    finally:
        server.stop()
