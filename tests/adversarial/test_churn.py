"""Connections that come and go badly: a thousand connect/disconnect cycles, half-closes, clients killed mid-frame.

After each storm the server's thread count, its open files and its
registry (sessions, nicknames, rooms) must return to their starting values,
while a client that stayed connected all along keeps being answered.
"""

from __future__ import annotations

import socket

import pytest

from shared.frames import command_frame, encode_frame
from tests.adversarial.conftest import reset_close, resources, wait_for_resources

CYCLES = 1000
AT_ONCE = 25  # connections open at the same time within a cycle batch


def _line(content: str) -> bytes:
    return encode_frame(command_frame(content))


def _read_until_closed(sock: socket.socket) -> bytes:
    received = bytearray()
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        received += data
    return bytes(received)


def _misbehave(address, number: int) -> socket.socket | None:
    """Open one connection and start one kind of bad ending; returns the socket still to be closed, if any."""
    sock = socket.create_connection(address, timeout=10)
    kind = number % 5
    if kind == 0:  # gone at once
        sock.close()
        return None
    if kind == 1:  # registers, joins, leaves without a word
        sock.sendall(_line(f"NICK churn{number}") + _line(f"JOIN room{number % 7}"))
        return sock
    if kind == 2:  # killed in the middle of a frame
        sock.sendall(_line(f"NICK dead{number}") + b'{"type":"command","content":"SAY half a mess')
        reset_close(sock)
        return None
    if kind == 3:  # killed before saying anything
        reset_close(sock)
        return None
    sock.sendall(b'{"type":"command","con')  # half a line, then a plain close
    return sock


def test_a_thousand_bad_endings_leave_nothing_behind(start_server, wire):
    server = start_server(rate_per_second=0)
    keeper = wire(server, "keeper", "room0")
    before = resources(server)
    pending: list[socket.socket] = []
    for number in range(CYCLES):
        sock = _misbehave(server.address, number)
        if sock is not None:
            pending.append(sock)
        if len(pending) >= AT_ONCE:
            for open_sock in pending:
                open_sock.close()
            pending.clear()
        if number % 200 == 0:
            keeper.send(f"PING {number}")
            assert keeper.expect("pong")["token"] == str(number)
    for open_sock in pending:
        open_sock.close()
    wait_for_resources(server, before)
    keeper.send("SAY still the only one here")
    assert keeper.expect("message")["content"] == "still the only one here"


@pytest.mark.parametrize("registered", [False, True], ids=["unregistered", "registered"])
def test_a_half_closed_client_still_gets_its_answers(start_server, registered):
    server = start_server(rate_per_second=0)
    before = resources(server)
    sock = socket.create_connection(server.address, timeout=10)
    commands = [f"NICK half{int(registered)}", "JOIN porch"] if registered else []
    sock.sendall(b"".join(_line(c) for c in [*commands, "PING last-words"]))
    sock.shutdown(socket.SHUT_WR)  # "I am done talking", but still listening
    received = _read_until_closed(sock)
    assert b'"type":"welcome"' in received
    assert b'"type":"pong"' in received and b"last-words" in received
    if registered:
        assert b'"type":"joined"' in received
    sock.close()
    wait_for_resources(server, before)


def test_many_half_closes_at_once(start_server):
    server = start_server(rate_per_second=0, max_per_address=0, max_unregistered_per_address=0)  # 100 from 127.0.0.1
    before = resources(server)
    socks = [socket.create_connection(server.address, timeout=10) for _ in range(100)]
    for number, sock in enumerate(socks):
        sock.sendall(_line(f"NICK hc{number}") + _line("JOIN crowd") + _line(f"PING p{number}"))
        sock.shutdown(socket.SHUT_WR)
    for number, sock in enumerate(socks):
        received = _read_until_closed(sock)
        assert f'"token":"p{number}"'.encode() in received
        sock.close()
    wait_for_resources(server, before)
