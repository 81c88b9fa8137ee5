"""Slowloris in a classroom: connections that never register, or trickle a byte at a time and never finish a line.

They must not hold up anybody else, and the registration and silence
timeouts (small values here) must free every one of them: a trickle that
never completes a line is silence, not activity.
"""

from __future__ import annotations

import selectors
import socket
import time

import pytest

from tests.adversarial.conftest import resources, wait_for_resources

REGISTER_TIMEOUT = 1.0
IDLE_TIMEOUT = 2.0
TRICKLE_EVERY = 0.25
NEVER_REGISTER = 100
TRICKLE_UNREGISTERED = 50
TRICKLE_REGISTERED = 50
DEADLINE = IDLE_TIMEOUT + 8.0


@pytest.fixture
def strict_server(start_server):
    # A hundred silent connections from 127.0.0.1: the per-address limits would turn most away before the
    # timeouts this file is about (tests/adversarial/test_per_address.py is about those limits).
    return start_server(
        register_timeout=REGISTER_TIMEOUT,
        idle_timeout=IDLE_TIMEOUT,
        rate_per_second=0,
        max_per_address=0,
        max_unregistered_per_address=0,
    )


def _attacker(address, first: bytes) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    if first:
        sock.sendall(first)
    sock.setblocking(False)
    return sock


def test_tricklers_and_silent_connections_are_freed_and_never_delay_others(strict_server, wire):
    address = strict_server.address
    before = resources(strict_server)
    silent = [_attacker(address, b"") for _ in range(NEVER_REGISTER)]
    tricklers = [_attacker(address, b'{"type":"comm') for _ in range(TRICKLE_UNREGISTERED)]
    tricklers += [
        _attacker(address, b'{"type":"command","content":"NICK slow%d"}\n{"type":' % n)
        for n in range(TRICKLE_REGISTERED)
    ]
    attackers = silent + tricklers
    received = {sock: bytearray() for sock in attackers}
    selector = selectors.DefaultSelector()
    for sock in attackers:
        selector.register(sock, selectors.EVENT_READ)
    alice = wire(strict_server, "alice", "class")
    bob = wire(strict_server, "bob", "class")

    sent = 0
    open_attackers = set(attackers)
    deadline = time.monotonic() + DEADLINE
    next_trickle = time.monotonic()
    while open_attackers and time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_trickle:
            next_trickle = now + TRICKLE_EVERY
            for sock in tricklers:
                if sock in open_attackers:
                    try:
                        sock.send(b" ")
                    except OSError:
                        pass
            # The honest clients talk all along (which also keeps them clear of the silence timeout).
            alice.send(f"SAY message {sent}")
            assert bob.expect("message")["content"] == f"message {sent}"
            bob.send(f"PING {sent}")
            bob.expect("pong")
            sent += 1
        for key, _ in selector.select(timeout=0.05):
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                data = b""
            if data:
                received[key.fileobj].extend(data)
            else:
                selector.unregister(key.fileobj)
                open_attackers.discard(key.fileobj)
    assert not open_attackers, f"{len(open_attackers)} slow connections were never hung up on"
    # Each was told why before the server closed it.
    assert all(b'"type":"bye"' in text and b'"reason":"timeout"' in text for text in received.values())
    assert sent >= 4
    for sock in attackers:
        sock.close()
    selector.close()
    alice.close()
    bob.close()
    wait_for_resources(strict_server, before)
