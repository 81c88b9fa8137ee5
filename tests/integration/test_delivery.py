"""Delivery under load: one order for everyone in a room, and a client that never reads slows nobody."""

from __future__ import annotations

import fcntl
import socket
import sys
import termios
import threading

import pytest

from chat_server.request_handler import KERNEL_SEND_BUFFER
from tests.integration.wire import Collector, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

MEMBERS = 20
SENDERS = 10
PER_SENDER = 30


def test_twenty_members_with_ten_sending_at_once_all_see_every_message_in_one_order(start_server, wire):
    server = start_server(rate_per_second=0)
    clients = [wire(server, f"user{n}", "lab") for n in range(MEMBERS)]
    barrier = threading.Barrier(SENDERS)
    failures: list[BaseException] = []

    def send_all(client: WireClient, n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for k in range(PER_SENDER):
                client.send(f"SAY from {n} number {k}")
        except BaseException as exc:  # reported below, on the test's thread
            failures.append(exc)

    senders = [threading.Thread(target=send_all, args=(clients[n], n)) for n in range(SENDERS)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(60)
    assert not failures

    total = SENDERS * PER_SENDER
    seen = []
    for client in clients:
        messages = []
        while len(messages) < total:
            messages.append(client.expect("message"))
        seen.append([(f["id"], f["sender"], f["content"]) for f in messages])
    assert all(order == seen[0] for order in seen), "members saw different orders"
    expected = {(f"user{n}", f"from {n} number {k}") for n in range(SENDERS) for k in range(PER_SENDER)}
    assert {(sender, text) for _, sender, text in seen[0]} == expected
    for n in range(SENDERS):  # each sender's own messages keep the order it sent them in
        own = [text for _, sender, text in seen[0] if sender == f"user{n}"]
        assert own == [f"from {n} number {k}" for k in range(PER_SENDER)]


def connect_non_reader(address: tuple[str, int]) -> socket.socket:
    """A client that registers, joins and then never calls recv, with a small receive buffer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(address)
    sock.sendall(b'{"type":"command","content":"NICK sleeper"}\n{"type":"command","content":"JOIN lab"}\n')
    return sock


def test_a_client_that_never_reads_is_cut_off_alone_and_the_others_get_everything(start_server, wire):
    server = start_server(rate_per_second=0, max_outbound_bytes=256 * 1024)
    sender = wire(server, "sender", "lab")
    readers = [wire(server, f"reader{n}", "lab") for n in range(3)]
    sleeper = connect_non_reader(server.address)
    try:
        sender.expect(lambda f: f["type"] == "system" and f.get("user") == "sleeper")
        collectors = [Collector(client) for client in (sender, *readers)]
        text = "x" * 1000
        sent = 0
        # Rounds of 50 messages, each read by everyone but the sleeper before the
        # next, until the sleeper's unsent output passes the limit (the kernel's
        # socket buffers take an unknown amount first).
        while any(c.nick == "sleeper" for c in server.clients()):
            assert sent < 20_000, "the non-reader was never cut off"
            for _ in range(50):
                sender.send(f"SAY {sent} {text}")
                sent += 1
            for collector in collectors:
                collector.wait_for("message", sent)
        sender.send("SAY after")
        for collector in collectors:
            got = [frame["content"].split(" ", 1)[0] for frame in collector.wait_for("message", sent + 1)]
            assert got == [*map(str, range(sent)), "after"]
            notices = collector.of_type("system")
            assert any(f["event"] == "leave" and f["user"] == "sleeper" for f in notices)
        assert [c.nick for c in server.clients()] == ["sender", "reader0", "reader1", "reader2"]
    finally:
        sleeper.close()


def test_the_non_readers_socket_is_closed_by_the_server(start_server, wire):
    server = start_server(rate_per_second=0, max_outbound_bytes=16 * 1024)
    sender = wire(server, "sender", "lab")
    sleeper = connect_non_reader(server.address)
    try:
        sender.expect(lambda f: f["type"] == "system" and f.get("user") == "sleeper")
        collector = Collector(sender)
        sent = 0
        while any(c.nick == "sleeper" for c in server.clients()):
            assert sent < 20_000, "the non-reader was never cut off"
            for _ in range(5):
                sender.send("SAY " + "y" * 2000)
                sent += 1
            collector.wait_for("message", sent)
        # What reached the sleeper's socket ends, by FIN or by RST.
        sleeper.settimeout(15)
        try:
            while sleeper.recv(65536):
                pass
        except ConnectionResetError:
            pass
    finally:
        sleeper.close()
    assert [room.members for room in server.rooms()] == [("sender",)]


def _unsent_in_kernel(sock: socket.socket) -> int:
    """Bytes the kernel still holds to send on `sock` (Linux: SIOCOUTQ, the same number as TIOCOUTQ)."""
    answer = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4)
    return int.from_bytes(answer, sys.byteorder, signed=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIOCOUTQ is Linux's")
def test_a_non_reader_holds_little_in_the_kernel_besides_its_outbox(start_server, wire):
    """Found by a probe: with the kernel left to grow the send buffer, a non-reader held 2.7 MB there (+ 1 MiB)."""
    server = start_server(rate_per_second=0, max_outbound_bytes=2 * 1024 * 1024)
    sender = wire(server, "sender", "lab")
    sleeper = connect_non_reader(server.address)
    try:
        sender.expect(lambda f: f["type"] == "system" and f.get("user") == "sleeper")
        collector = Collector(sender)
        held = server.registry.find_nick("sleeper")
        assert held is not None
        most = sent = 0
        while sent < 1500 and not held.closing:  # 3 MB: past what the fixed buffer and the outbox take together
            for _ in range(50):
                sender.send("SAY " + "z" * 2000)
                sent += 1
            collector.wait_for("message", sent)
            if not held.closing:
                most = max(most, _unsent_in_kernel(held.sock))
        assert most > KERNEL_SEND_BUFFER // 2, "the flood never filled the kernel's buffer: the test tests nothing"
        assert most <= 2 * KERNEL_SEND_BUFFER + 64 * 1024, most
    finally:
        sleeper.close()
