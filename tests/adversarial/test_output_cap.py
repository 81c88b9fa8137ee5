"""Unsent output of all clients together is capped (chat_server/output_cap.py, --max-total-outbound-bytes).

Found by a probe: 48 addresses x 20 connections, each asking for a 200 KB
HISTORY page every 2 s and never reading, took the server from 52 MB to
1,011 MB: each outbox stayed under its own 1 MiB limit, and nothing bounded
them all.  Here the cap is small (an option) and a handful of non-readers
on other computers (127.0.0.2...) ask for big pages: the total stays near
the cap, large answers are refused while it is past it, the non-readers are
cut off, and a classmate who reads gets every chat message throughout.
"""

from __future__ import annotations

import json
import socket
import threading

import pytest

from chat_server import output_cap
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

CAP = 256 * 1024
PAGE = 30  # messages of 1,900 characters: about 60 KB a page
NON_READERS = 8


class NonReader:
    """A connection from `source` with a tiny receive window that asks for a big page every 0.1 s and reads nothing."""

    def __init__(self, server, source: str, nick: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind((source, 0))
        self.sock.connect(server.address)
        self.stop = threading.Event()
        self._send(f"NICK {nick}")
        self.thread = threading.Thread(target=self._ask, daemon=True)
        self.thread.start()

    def _send(self, line: str) -> None:
        self.sock.sendall(json.dumps({"type": "command", "content": line}).encode() + b"\n")

    def _ask(self) -> None:
        while not self.stop.wait(0.1):
            try:
                self._send(f"HISTORY #big {PAGE}")
            except OSError:
                return  # cut off

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def unsent(server) -> int:
    """Bytes queued in every outbox now (what the cap bounds), summed from the sessions themselves."""
    with server.registry.lock:
        sessions = list(server.registry.sessions)
    return sum(session.outbox.unsent for session in sessions)


def ask_page(client: WireClient) -> dict | None:
    """HISTORY #big 1 and a fence: the `history` frame, or None if it was refused (or dropped unanswered)."""
    client.send("HISTORY #big 1")
    client.send("PING fence")
    found = None
    while True:
        frame = client.next()
        if frame["type"] == "pong" and frame["content"] == "fence":
            return found
        if frame["type"] == "history":
            found = frame
        elif frame["type"] == "error":
            assert frame["code"] == "rate_limited" and "busy" in frame["content"], frame


def test_non_readers_cannot_pile_up_more_than_the_cap_and_readers_lose_nothing(start_server, wire, monkeypatch):
    monkeypatch.setattr(output_cap, "STALLED_SECONDS", 1.0)  # not 10 s: the test would wait for nothing
    server = start_server(max_total_outbound_bytes=CAP, rate_burst=100)
    talker = wire(server, "talker", "big")
    for number in range(PAGE):
        talker.send(f"SAY {number:04d} " + "x" * 1900)
    for _ in range(PAGE):
        talker.expect("message")
    reader = wire(server, "reader", "big", source="127.0.0.6")
    peak = [0]
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            peak[0] = max(peak[0], unsent(server))
            watching.wait(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    hogs = [NonReader(server, f"127.0.0.{2 + n % 4}", f"hog{n}") for n in range(NON_READERS)]
    try:
        wait_until(lambda: unsent(server) > CAP, timeout=15, message="the non-readers never filled the cap")
        with server.registry.lock:
            hog_sessions = [s for s in server.registry.sessions if s.nick and s.nick.startswith("hog")]
        # A classmate who reads: chat still reaches him while the server is past its cap.
        talker.send("SAY still here")
        assert reader.expect(lambda f: f["type"] == "message" and not f.get("history"))["content"] == "still here"
        # His page is refused while the server is busy (the refusal says so), and it sweeps out the non-readers
        # that have read nothing for a while; then his page comes.
        page = wait_until(lambda: ask_page(reader), timeout=20, interval=0.5, message="the page never came")
        assert page["count"] == 1
        wait_until(lambda: unsent(server) < CAP, timeout=10)
        assert any(s.closing for s in hog_sessions)  # cut off: they read nothing for a while
        # Never much more than the cap: what passed the check at once, one page per connection at most.
        assert peak[0] <= CAP + NON_READERS * 80 * 1024, peak[0]
        talker.send("SAY after the sweep")
        assert reader.expect(lambda f: f["type"] == "message" and not f.get("history"))["content"] == "after the sweep"
    finally:
        watching.set()
        watcher.join()
        for hog in hogs:
            hog.close()
