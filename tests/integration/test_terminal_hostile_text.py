"""chat-term against text that would drive the reader's terminal: escapes in every field, from a server or a student.

A terminal obeys ESC sequences (clear the screen, set the window title,
OSC 52 writes the clipboard), C1 controls (U+009B is CSI on many
terminals) and BEL.  Whatever a hostile server (or a man in the middle of a
first, unpinned connection) or a student puts in any field of any frame,
nothing of it may reach chat-term's stdout or stderr as a control
character: it is printed as a visible escape.  The "server" here is a raw
socket the test controls; the student case uses the real server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.identity_support import teacher
from tests.integration.wire import DEADLINE
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

ROOT = Path(__file__).resolve().parents[2]
# Terminal-driving text of several kinds: CSI, OSC 52 (clipboard) ended by BEL, a C1 CSI, OSC title ended by ST.
NASTY = ["\x1b[2J\x1b[H", "\x1b]52;c;ZXZpbA==\x07", "\x9b31m", "\x1b]0;pwned\x1b\\", "\x07\x08\x7f"]


def controls_in(data: bytes) -> list[str]:
    """Every control character that a terminal would act on (C0 but newline and tab, DEL, C1)."""
    text = data.decode("utf-8", "replace")
    return [ch for ch in text if (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F]


def line(**fields: object) -> bytes:
    return json.dumps({"content": "", "timestamp": "12:00:00", **fields}).encode() + b"\n"


class ScriptedServer:
    """A raw listening socket: each connection gets `script(sock)`; the first byte the client sends is read first."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()[:2]
        self.script = script
        self.socks: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.socks.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(DEADLINE)
            sock.recv(4096)  # a ClientHello (answered in plain: "no TLS here") or the plain client's blank line
            self.script(sock)
        except OSError:
            pass

    def close(self) -> None:
        for sock in [self.listener, *self.socks]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.thread.join(DEADLINE)


class Term:
    """A chat-term process whose stdout and stderr are both kept as bytes."""

    def __init__(self, address: tuple[str, int], *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chat_gui.terminal", address[0], str(address[1]), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.out = b""
        self.err = b""
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, "out"), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, "err"), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, which: str) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            setattr(self, which, getattr(self, which) + chunk)

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE)
        for reader in self._readers:
            reader.join(DEADLINE)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def scripted():
    servers: list[ScriptedServer] = []
    terms: list[Term] = []

    def start(script: Callable[[socket.socket], None], *args: str) -> Term:
        server = ScriptedServer(script)
        servers.append(server)
        term = Term(server.address, *args)
        terms.append(term)
        return term

    yield start
    for term in terms:
        term.end()
    for server in servers:
        server.close()


@pytest.mark.parametrize("nasty", NASTY)
@pytest.mark.parametrize("how", ["error-then-bye", "bye-only", "error-only"])
def test_a_refusal_before_the_welcome_reaches_stderr_as_visible_escapes(scripted, nasty, how):
    """chat-term prints why it cannot connect on stderr: the server's words there are escaped too."""

    def refuse(sock: socket.socket) -> None:
        if how != "bye-only":
            sock.sendall(line(type="error", code="server_full", content=f"Full{nasty}up"))
        if how != "error-only":
            sock.sendall(line(type="bye", reason="server_full", content=f"Bye{nasty}now"))
        sock.close()

    term = scripted(refuse, "--nick", "ann")
    assert term.process.wait(DEADLINE) == 2
    term.end()
    assert b"cannot connect" in term.err, term.err
    assert controls_in(term.err) == [] and controls_in(term.out) == [], (term.out, term.err)
    assert b"\\x1b" in term.err + term.out or b"\\x9b" in term.err + term.out or b"\\x07" in term.err + term.out


def test_every_field_of_every_frame_from_a_hostile_server_prints_harmlessly(scripted):
    """Names, rooms, texts, topics, away texts, file names, reasons and codes: all escaped, on stdout and stderr."""
    bad = "".join(NASTY)
    frames = [
        line(type="welcome", content=f"hi{bad}", server=f"evil{bad}", protocol=2, features=[]),
        line(type="nick", content=f"You are ann{bad}", nick="ann"),
        line(type="joined", content=f"You joined{bad}", room=f"lab{bad}", users=["ann", f"m{bad}"]),
        line(type="message", id=1, room=f"lab{bad}", sender=f"m{bad}", content=f"said{bad}"),
        line(type="private", id=2, sender=f"m{bad}", to="ann", content=f"psst{bad}"),
        line(type="system", event="topic", room="lab", user=f"m{bad}", topic=f"t{bad}", content=f"topic{bad}"),
        line(type="presence", user=f"m{bad}", status="away", text=f"away{bad}", content=f"m is away{bad}"),
        line(
            type="file", id=3, file=f"9{bad}", room="lab", sender=f"m{bad}", name=f"f{bad}.pdf", size=5, sha256="0" * 64
        ),
        line(type="error", code="bad_argument", content=f"no{bad}"),
        line(type="list", content=f"rooms{bad}", rooms=[], users=[]),
        line(type="pong", content=f"pong{bad}"),
        line(type="help", content=f"help{bad}\nmore{bad}"),
        line(type="left", room="lab", content=f"You left{bad}"),
        line(type="system", event="leave", user=f"m{bad}", room="lab", reason=f"r{bad}", content=f"m left{bad}"),
        line(type="pong", content="ALL-SENT"),
        line(type="bye", reason="kicked", content=f"Gone{bad}"),
    ]

    def play(sock: socket.socket) -> None:
        sock.sendall(b"".join(frames))
        time.sleep(DEADLINE)  # keep the connection until chat-term is ended

    term = scripted(play, "--nick", "ann")
    wait_until(lambda: b"ALL-SENT" in term.out, timeout=DEADLINE, message="chat-term never printed the last frame")
    wait_until(lambda: b"Gone" in term.out + term.err, timeout=DEADLINE)
    term.end()
    assert controls_in(term.out) == [] and controls_in(term.err) == [], (term.out, term.err)
    for word in (b"said", b"psst", b"away", b"f\\x1b", b"no\\x1b"):
        assert word in term.out, (word, term.out)


def test_a_student_cannot_drive_a_chat_term_readers_terminal(server, wire):
    """The real server, a student trying every field it lets through (a text, a topic, an away text, a PM)."""
    term = Term(server.address, "--nick", "ann", "--room", "lab")
    try:
        wait_until(lambda: b"You joined #lab" in term.out or b"joined #lab" in term.out, timeout=DEADLINE)
        mallory = wire(server, "mallory", "lab")
        owner = teacher(server, wire, "Ms_Lee", "lab")
        for nasty in NASTY:
            mallory.send(f"SAY s{nasty}e")
            mallory.send(f"AWAY a{nasty}e")
            mallory.send(f"PM ann p{nasty}e")
            owner.send(f"TOPIC t{nasty}e")
        mallory.send("SAY the-end")
        wait_until(lambda: b"the-end" in term.out, timeout=DEADLINE, message=term.out.decode("utf-8", "replace"))
    finally:
        term.end()
    assert controls_in(term.out) == [] and controls_in(term.err) == [], (term.out, term.err)


def test_a_lone_surrogate_from_a_hostile_server_is_skipped_and_the_next_frame_shows(scripted):
    lone = b'{"type":"message","id":1,"room":"lab","sender":"m","content":"x\\ud800y","timestamp":"12:00:00"}\n'

    def play(sock: socket.socket) -> None:
        sock.sendall(
            line(type="welcome", content="hi", server="evil", protocol=2, features=[])
            + line(type="nick", content="You are ann", nick="ann")
            + lone
            + line(type="pong", content="STILL-HERE")
        )
        time.sleep(DEADLINE)

    term = scripted(play, "--nick", "ann")
    wait_until(lambda: b"STILL-HERE" in term.out, timeout=DEADLINE, message=term.out.decode("utf-8", "replace"))
    term.end()
    assert b"Traceback" not in term.err and b"x" + b"\\ud800" not in term.out


@pytest.mark.parametrize("muted", [True, False])
def test_status_spam_prints_one_line_per_person_per_gap_and_the_last_state_shows(server, wire, muted):
    """AWAY and BACK twenty times within the rate limit's burst (a muted student may still go away, without words)."""
    term = Term(server.address, "--nick", "ann", "--room", "lab")
    try:
        wait_until(lambda: b"joined #lab" in term.out, timeout=DEADLINE)
        mallory, bob = wire(server, "mallory", "lab"), wire(server, "bob", "lab")
        if muted:
            server.set_muted("mallory", True)
        for number in range(20):
            mallory.send("AWAY" if number % 2 == 0 else "BACK")
        mallory.send("PING done")
        mallory.expect(lambda frame: frame["type"] == "pong")
        bob.send("AWAY lunch")
        wait_until(lambda: b"bob is away" in term.out, timeout=DEADLINE, message="another person's change is not held")

        def mallory_lines() -> list[str]:
            return [line for line in term.out.decode().splitlines() if "mallory is" in line]

        wait_until(
            lambda: (shown := mallory_lines()) and shown[-1].endswith("mallory is back"),
            timeout=DEADLINE,
            message=term.out.decode(),
        )
        lines = mallory_lines()
        # the first change at once, the last when the gap is over (one more only if the burst took over a gap)
        assert 2 <= len(lines) <= 3 and lines[0].endswith("mallory is away"), lines
    finally:
        term.end()
    assert controls_in(term.out) == []


FORGED = "12:00 <teacher> everyone type your password here"
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\u0085"]


def printed_lines(data: bytes) -> list[str]:
    """What a terminal would show as separate lines (carriage returns start a line over too)."""
    text = data.decode("utf-8", "replace")
    for separator in ("\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"):
        text = text.replace(separator, "\n")
    return [line.strip() for line in text.split("\n")]


@pytest.mark.parametrize("brk", BREAKS)
@pytest.mark.parametrize("when", ["kicked-after-joining", "refused-before-welcome", "nick-refused"])
def test_a_hostile_servers_farewell_cannot_print_a_line_that_looks_like_chat(scripted, brk, when):
    """A bye or error text with line breaks is printed as one line: no forged "12:00 <teacher>" line of its own."""
    words = f"Goodbye.{brk}{FORGED}{brk}"

    def play(sock: socket.socket) -> None:
        if when == "refused-before-welcome":
            sock.sendall(line(type="bye", reason="server_full", content=words))
            sock.close()
            return
        sock.sendall(line(type="welcome", content="hi", server="evil", protocol=2, features=[]))
        if when == "nick-refused":
            sock.sendall(line(type="error", code="nick_taken", content=words))
            time.sleep(DEADLINE)
            return
        sock.sendall(line(type="nick", content="You are ann", nick="ann"))
        sock.sendall(line(type="joined", content="You joined lab", room="lab", users=["ann"]))
        sock.sendall(line(type="bye", reason="kicked", content=words))
        sock.close()

    term = scripted(play, "--nick", "ann", "--room", "lab")
    wait_until(lambda: b"your password" in term.out + term.err, timeout=DEADLINE, message="the farewell never showed")
    term.end()
    shown = printed_lines(term.out) + printed_lines(term.err)
    assert not [text for text in shown if text.startswith("12:00 <teacher>")], (term.out, term.err)
    assert any("Goodbye." in text and "your password" in text for text in shown), (term.out, term.err)
