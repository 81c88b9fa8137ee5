"""The headless server's admin console: commands typed on its standard input act on real clients."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chat_gui.core.connection import ChatConnection, NotConnected
from chat_server.console import AdminConsole
from tests.support import connect_client

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0


class HeadlessServer:
    """`python -m chat_server --port 0` with a pipe for its stdin and a thread reading its stdout."""

    def __init__(self, options: list[str] | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chat_server", "--host", "127.0.0.1", "--port", "0", *(options or [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        banner = self.expect(r"listening on 127\.0\.0\.1:(\d+)")
        self.address = ("127.0.0.1", int(re.search(r":(\d+)$", banner).group(1)))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, pattern: str) -> str:
        """The next stdout line matching `pattern` (earlier lines are skipped)."""
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"the server printed nothing matching {pattern!r} within {TIMEOUT} s") from None
            if re.search(pattern, line):
                return line

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def headless():
    server = HeadlessServer()
    yield server
    server.stop()


@pytest.fixture
def connect():
    made: list[ChatConnection] = []

    def make(address, nick: str | None = None, room: str | None = None) -> ChatConnection:
        client = connect_client(address, nick, room)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def frame_where(client: ChatConnection, frame_type: str, **fields) -> dict:
    return client.wait_for(
        lambda frame: frame.get("type") == frame_type and all(frame.get(k) == v for k, v in fields.items()), TIMEOUT
    )


def test_console_commands_through_stdin(headless: HeadlessServer, connect) -> None:
    alice = connect(headless.address, "alice", "general")
    bob = connect(headless.address, "bob", "general")
    carol = connect(headless.address, "carol", "maths")

    headless.type("/help")
    headless.expect(r"/kick NAME")
    headless.type("/clients")
    headless.expect(r"^3 connected")
    assert "#general" in headless.expect(r"^\s+alice ")
    headless.type("/rooms")
    headless.expect(r"#general \(2\): alice, bob")

    headless.type("/mute alice")
    headless.expect(r"^Muted alice")
    alice.send_command("SAY hello?")
    assert frame_where(alice, "error")["code"] == "muted"
    headless.type("unmute alice")
    headless.expect(r"^Unmuted alice")
    alice.send_command("SAY hello again")
    assert frame_where(bob, "message")["content"] == "hello again"

    headless.type("/broadcast Tests start now")
    headless.expect(r"^Announcement sent to 3 people\.$")
    for person in (alice, bob, carol):
        assert "Tests start now" in frame_where(person, "system", event="announcement")["content"]

    headless.type("/close maths quiet please")
    headless.expect(r"^Closed #maths; 1 moved out")
    assert "quiet please" in frame_where(carol, "system", event="room_closed")["content"]
    assert frame_where(carol, "left")["room"] == "maths"

    headless.type("/kick bob being rude")
    headless.expect(r"^Kicked bob")
    assert "being rude" in frame_where(bob, "bye")["content"]
    with pytest.raises(NotConnected):
        bob.wait_for(lambda frame: False, TIMEOUT)

    headless.type("/kick nobody")
    headless.expect(r"^Not done: Nobody called nobody")
    headless.type("/dance")
    headless.expect(r"^Unknown command 'dance'")


def test_end_of_stdin_keeps_the_server_running_until_a_signal(headless: HeadlessServer, connect) -> None:
    assert headless.process.stdin is not None
    headless.process.stdin.close()
    alice = connect(headless.address, "alice", "general")
    alice.send_command("SAY still serving")
    assert frame_where(alice, "message")["content"] == "still serving"
    assert headless.stop() == 0
    assert frame_where(alice, "system", event="shutdown")


def test_execute_answers_usage_and_refusals(server, make_client) -> None:
    console = AdminConsole(server)
    make_client(server, "alice", "general")
    assert console.execute("   ") == ""
    assert console.execute("/kick") == "Usage: /kick NAME [reason]"
    assert console.execute("/mute") == "Usage: /mute NAME"
    assert console.execute("/broadcast") == "Usage: /broadcast TEXT"
    assert console.execute("/close") == "Usage: /close ROOM [reason]"
    assert console.execute("/close no-such-room").startswith("Not done: There is no room")
    assert console.execute("/CLIENTS").startswith("1 connected:")
    assert console.execute("/rooms") == "1 room:\n  #general (1): alice; 0 messages"
    assert console.execute("/close #general") == "Closed #general; 1 moved out."
    assert console.execute("/rooms") == "No rooms yet."


def test_an_announcement_to_nobody_says_it_was_not_sent(server, make_client) -> None:
    """Found by a classroom probe: the console said "Announcement sent." with nobody there to get it."""
    console = AdminConsole(server)
    assert console.execute("/broadcast anyone?") == "Nobody is online to hear it: not sent."
    alice = make_client(server, "alice", "general")
    assert console.execute("/broadcast just you") == "Announcement sent to 1 person."
    assert "just you" in frame_where(alice, "system", event="announcement")["content"]


def test_kick_and_mute_name_the_person_as_they_are_and_a_look_alike_typed_acts_on_nobody(server, make_client) -> None:
    """Before: `/mute amy_k` answered "Muted amy_k." and `/mute bоb` (a Cyrillic о) "Nobody called bоb is
    online." while bob, drawn the same, was in /clients."""
    console = AdminConsole(server)
    bob = make_client(server, "bob", "general")
    make_client(server, "Amy_K", "general")
    assert console.execute("/mute amy_k") == "Muted Amy_K."
    assert console.execute("/unmute  AMY_K ") == "Unmuted Amy_K."
    for typed, online in (("bоb", "bob"), ("Amy-K", "Amy_K"), ("Аmy_K", "Amy_K"), ("amyk", "Amy_K")):
        for line in (f"/mute {typed}", f"/kick {typed} spam", f"/unmute {typed}"):
            said = console.execute(line)
            assert said.startswith(f"Not done: Nobody called {typed} is online"), said
            assert f"{online} is online, and what was typed only looks like it" in said, said
            assert ascii(typed) in said and "nothing was done" in said
    assert not any(client.muted for client in server.clients())
    assert console.execute("/mute zed").startswith("Not done: Nobody called zed is online.")
    assert console.execute("/kick BOB  too loud") == "Kicked bob."
    assert "too loud" in frame_where(bob, "bye")["content"]
