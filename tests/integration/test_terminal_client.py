"""The terminal client as people run it: `python -m chat_gui.terminal` subprocesses against a real server.

This is the issue's "done when" check: two terminal clients and an nc-like
text-mode socket talk in one room and send each other private messages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chat_server import ChatServer, ServerConfig
from tests.integration.test_text_mode import text_user
from tests.integration.wire import DEADLINE, TextClient
from tests.support import read_pty_into, wait_until
from tests.web_server import web_server

pytestmark = pytest.mark.usefixtures("no_server_errors")

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    """One `chat-term` process: write lines to its keyboard, wait for lines on its screen."""

    def __init__(self, address: tuple[str, int] | str, *args: str, encoding: str = "utf-8") -> None:
        """`address`: (host, port) as two arguments, or one "host:port" argument as a person may type it."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding, "PYTHONUNBUFFERED": "1"}
        where = [address] if isinstance(address, str) else [address[0], str(address[1])]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chat_gui.terminal", *where, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.raw = b""  # everything printed, as bytes
        self._seen = 0
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for chunk in iter(lambda: self.process.stdout.read1(65536), b""):
            with self._changed:
                self.raw += chunk
                self._changed.notify_all()

    @property
    def lines(self) -> list[str]:
        with self._changed:
            return self.raw.decode("utf-8").splitlines()

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((line + "\n").encode("utf-8"))
        self.process.stdin.flush()

    def expect(self, pattern: str, timeout: float = DEADLINE) -> str:
        """The first not yet matched printed line that matches; lines before it are passed over."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                lines = self.raw.decode("utf-8", "replace").split("\n")
                for index in range(self._seen, len(lines) - 1):
                    if re.search(pattern, lines[index]):
                        self._seen = index + 1
                        return lines[index]
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no line matching {pattern!r}; the screen shows:\n" + "\n".join(lines))
                self._changed.wait(min(remaining, 0.2))

    def finish(self) -> int:
        """Close the keyboard (end of input) and return the exit code."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        code = self.process.wait(DEADLINE)
        self._reader.join(DEADLINE)
        return code

    def kill(self) -> str:
        """End the process if it still runs; return what it wrote to stderr."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(DEADLINE)
        assert self.process.stderr is not None
        errors = self.process.stderr.read().decode("utf-8", "replace")
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return errors


@pytest.fixture
def terminals():
    started: list[Terminal] = []

    def start(address: tuple[str, int] | str, *args: str, encoding: str = "utf-8") -> Terminal:
        terminal = Terminal(address, *args, encoding=encoding)
        started.append(terminal)
        return terminal

    yield start
    errors = [terminal.kill() for terminal in started]
    assert not any("Traceback" in text for text in errors), "\n".join(errors)


def members(server, room: str) -> set[str]:
    return next((set(info.members) for info in server.rooms() if info.name == room), set())


def test_two_terminals_and_an_nc_user_talk_in_one_room_and_privately(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ben = terminals(server.address, "--nick", "ben", "--room", "lab")
    nc = TextClient(server.address)
    try:
        nc.send_line("NICK cat\r\nJOIN lab", "\r\n")
        wait_until(lambda: members(server, "lab") == {"ann", "ben", "cat"}, timeout=DEADLINE)
        ann.expect(r"You joined #lab")

        ann.type("hello from ann")
        for terminal in (ann, ben):
            terminal.expect(r"^\[\d\d:\d\d:\d\d\] #lab <ann> hello from ann$")
        assert nc.expect("<ann>").rstrip("\r").endswith("#lab <ann> hello from ann")

        nc.send_line("SAY hello from cat")
        for terminal in (ann, ben):
            terminal.expect(r"#lab <cat> hello from cat$")

        ann.type("/pm ben psst ben")
        ben.expect(r"\*ann -> ben\* psst ben$")
        ann.expect(r"\*ann -> ben\* psst ben$")  # echoed to the sender
        ben.type("/msg cat: psst cat")
        assert nc.expect(r"\*ben").rstrip("\r").endswith("*ben -> cat* psst cat")
        nc.send_line("PM ann psst ann")
        ann.expect(r"\*cat -> ann\* psst ann$")

        ben.type("bob: this line stays public")  # no slash: always said in the room
        ann.expect(r"<ben> bob: this line stays public$")

        nc.send_line("SAY the end")
        for terminal in (ann, ben):
            terminal.expect(r"<cat> the end$")
        assert not any("psst ann" in line for line in ben.lines)  # cat -> ann
        assert not any("psst cat" in line for line in ann.lines)  # ben -> cat
    finally:
        nc.close()
    assert ann.finish() == 0 and ben.finish() == 0


def test_private_lines_reach_only_their_recipient(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ben = terminals(server.address, "--nick", "ben", "--room", "lab")
    nc = TextClient(server.address)
    try:
        nc.send_line("NICK cat")
        nc.send_line("JOIN lab")
        wait_until(lambda: members(server, "lab") == {"ann", "ben", "cat"}, timeout=DEADLINE)
        ann.type("/msg ben: only for ben")
        ben.expect(r"only for ben$")
        nc.send_line("SAY marker")
        ann.expect(r"<cat> marker$")
        ben.expect(r"<cat> marker$")
        nc.send_line("PING done")
        lines = []
        while not lines or "PONG done" not in lines[-1]:
            lines.append(nc.next_line())
        assert not any("only for ben" in line for line in lines)
    finally:
        nc.close()


def test_an_escape_sequence_from_an_nc_user_prints_harmlessly(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    nc = TextClient(server.address)
    try:
        nc.send_line("NICK cat")
        nc.send_line("JOIN lab")
        wait_until(lambda: members(server, "lab") == {"ann", "cat"}, timeout=DEADLINE)
        nc.send_raw("SAY before\x1b[2J\x1b]0;pwned\x07after \u202eevil\n".encode("utf-8"))
        line = ann.expect(r"<cat> before")
        assert line.endswith("<cat> before[2J]0;pwnedafter evil")  # the server drops bidi controls
        ann.type("/ping \x1b[2Jtoken")  # pong echoes the token as sent; the terminal shows it escaped
        ann.expect(r"PONG \\x1b\[2Jtoken$")
    finally:
        nc.close()
    assert ann.finish() == 0
    assert b"\x1b" not in ann.raw and "\u202e" not in ann.raw.decode("utf-8")


def test_a_terminal_that_cannot_show_emoji_prints_escapes_and_keeps_going(server, terminals, wire):
    bob = wire(server, "bob", "lab")
    ann = terminals(server.address, "--nick", "ann", "--room", "lab", encoding="ascii")
    bob.expect(lambda f: f["type"] == "system" and f["event"] == "join")
    bob.send("SAY smile 😀 é")
    bob.send("SAY plain after")
    ann.expect(r"<bob> smile \\U0001f600 \\xe9$")
    ann.expect(r"<bob> plain after$")
    assert ann.finish() == 0  # the fixture checks that nothing raised


def test_a_taken_nickname_is_reported_and_the_user_can_pick_another(server, terminals, wire):
    wire(server, "ann")
    ann = terminals(server.address, "--nick", "ANN")
    ann.expect(r"! The nickname \w+ is taken; pick another one\.$")
    ann.type("/nick ann2")
    ann.expect(r"You are ann2\.")
    assert ann.finish() == 0


def test_a_line_typed_before_a_new_name_is_chosen_is_printed_back_not_sent(server, terminals, wire):
    """Found by the eleventh review: it went out, came back not_registered, and its words were printed nowhere."""
    wire(server, "ann")
    ann = terminals(server.address, "--nick", "ann")
    ann.expect(r"! The nickname \w+ is taken; pick another one\.$")
    ann.type("my homework answer is 42")
    ann.expect(r"! Not sent: .*/nick NAME.*The line was: my homework answer is 42$")
    ann.type("/pm bob see you")
    ann.expect(r"! Not sent: .*The line was: /pm bob see you$")
    ann.type("/nick ann2")
    ann.expect(r"You are ann2\.")
    ann.type("now it goes")
    ann.expect(r"<ann2> now it goes$")
    assert not any("not_registered" in line for line in ann.lines), ann.lines
    assert ann.finish() == 0


def test_lines_held_for_a_name_that_is_refused_are_printed_back_and_a_nick_typed_then_still_goes(
    server, terminals, wire
):
    wire(server, "ann")
    ann = terminals(server.address, "--nick", "ann")
    ann.type("typed at once")  # held until the server answers --nick
    ann.type("/pm bob at once too")
    ann.expect(r"! The nickname \w+ is taken; pick another one\.$")
    ann.expect(r"! Not sent: .*The line was: typed at once$")
    ann.expect(r"! Not sent: .*The line was: /pm bob at once too$")
    ann.type("/nick ann2")
    ann.type("/join lab")  # a name in flight: what follows goes out after it (a script's lines), not refused here
    ann.type("said after the name")
    ann.expect(r"<ann2> said after the name$")
    assert not any("not_registered" in line for line in ann.lines), ann.lines
    assert ann.finish() == 0


def test_end_of_input_quits_cleanly(server, terminals, wire):
    watcher = wire(server, "watcher", "lab")
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    watcher.expect(lambda f: f["type"] == "system" and f["event"] == "join")
    assert ann.finish() == 0
    notice = watcher.expect(lambda f: f["type"] == "system" and f["event"] == "leave")
    assert notice["user"] == "ann"


def test_no_server_gives_a_clear_message_and_exit_code_2(start_server):
    server = start_server()
    address = server.address
    server.stop()
    process = subprocess.run(
        [sys.executable, "-m", "chat_gui.terminal", address[0], str(address[1])],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.returncode == 2
    assert "cannot connect" in process.stderr and "Is the chat server running" in process.stderr


def test_a_web_server_on_the_port_is_said_to_be_no_chat_server_and_exit_code_2():
    """Found by a probe: chat-term said only "the server closed the connection"."""
    with web_server() as (host, port):
        process = subprocess.run(
            [sys.executable, "-m", "chat_gui.terminal", f"{host}:{port}", "--nick", "bob"],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.DEVNULL,
        )
    assert process.returncode == 2
    assert f"cannot connect. Something answers at 127.0.0.1:{port}, but it is not a ClassChat server" in process.stderr
    assert "check the port the teacher gave (the default is 55555)" in process.stderr


def test_with_nick_and_room_it_prompts_for_nothing_it_is_already_doing(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    assert ann.finish() == 0
    shown = "\n".join(ann.lines)
    assert "You are ann." in shown
    assert "Choose a nickname" not in shown and "Join a room" not in shown, shown


def test_the_server_restarts_and_a_line_typed_meanwhile_arrives_once(start_server, terminals, wire):
    first = start_server()
    ann = terminals(first.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    first.stop()
    ann.expect(r"shutting down")  # said at once
    ann.expect(r"Connection lost.*Reconnecting by itself")
    ann.type("typed while the server was away")
    ann.expect(r"waiting to send: typed while the server was away$")
    second = ChatServer(ServerConfig(host="127.0.0.1", port=first.address[1], data_dir=first.config.data_dir)).start()
    try:
        watcher = wire(second, "watcher", "lab")
        ann.expect(r"Reconnected to .* as ann in #lab", timeout=20)
        said = watcher.expect(lambda f: f["type"] == "message")
        assert (said["sender"], said["content"]) == ("ann", "typed while the server was away")
        ann.expect(r"#lab <ann> typed while the server was away$")
        assert ann.finish() == 0
    finally:
        second.stop()
    assert sum("typed while the server was away" in line and "<ann>" in line for line in ann.lines) == 1
    # found by a lesson probe: the system notice and the bye that follows it each printed the same words
    assert sum(line.endswith("* The server is shutting down.") for line in ann.lines) == 1, ann.lines


def test_a_kick_is_said_at_once_and_not_retried_and_a_line_typed_then_is_printed_back(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    server.kick("ann", "spamming")
    ann.expect(r"An admin removed you: spamming")
    ann.expect(r"Not reconnecting")
    ann.type("let me back in")
    ann.expect(r"! Not sent: .*The line was: let me back in$")
    assert "ann" not in {client.nick for client in server.clients()}
    ann.type("/reconnect")
    ann.expect(r"You joined #lab")
    assert ann.finish() == 0


def test_a_line_typed_before_the_server_answers_goes_out_before_the_end_of_input(server, terminals, wire):
    watcher = wire(server, "watcher", "lab")
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.type("first words")  # typed (or piped) before the connection is ready: it waits, then goes out
    assert ann.finish() == 0
    said = watcher.expect(lambda f: f["type"] == "message")
    assert (said["sender"], said["content"]) == ("ann", "first words")


def test_chat_term_takes_the_address_and_port_as_the_teachers_screen_shows_them(server, terminals, wire):
    watcher = wire(server, "watcher", "lab")
    ann = terminals(f"127.0.0.1:{server.address[1]}", "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    ann.type("found it")
    said = watcher.expect(lambda f: f["type"] == "message")
    assert (said["sender"], said["content"]) == ("ann", "found it")
    assert ann.finish() == 0


def test_without_room_it_joins_general_like_the_window_and_the_first_line_is_said_there(server, terminals, wire):
    """Found by a probe: README's `chat-term 192.168.1.20:55555 --nick alice` joined no room, so the first line failed."""
    watcher = wire(server, "watcher", "general")
    ann = terminals(server.address, "--nick", "ann")
    ann.expect(r"You joined #general")
    ann.type("hello class")
    said = watcher.expect(lambda f: f["type"] == "message")
    assert (said["sender"], said["room"], said["content"]) == ("ann", "general", "hello class")
    assert ann.finish() == 0


def test_an_empty_room_joins_none(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "")
    ann.type("hello?")
    ann.expect(r"! You are not in a room; join one first")  # said in no room: the server refuses it
    assert members(server, "general") == set()
    assert ann.finish() == 0


def test_self_test_runs_a_real_round_trip_and_exits_0(capsys):
    from chat_gui.terminal import main

    assert main(["--self-test"]) == 0
    assert "self-test passed" in capsys.readouterr().out


def test_chat_term_says_the_connection_is_encrypted_with_which_key(server, terminals):
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    line = ann.expect(r"\*\*\* Encrypted \(TLSv1\.[23]\)")
    assert server.tls is not None and server.tls.fingerprint.short in line and "first connection" in line
    # the thirteenth review: a relay with its own key at a new address is pinned so, and only the person can tell
    assert "Compare it with the key on your teacher's screen" in line
    ann.expect(r"You joined #lab")
    assert ann.finish() == 0
    again = terminals(server.address, "--nick", "ann2")
    assert "the same key as before" in again.expect(r"\*\*\* Encrypted")
    assert again.finish() == 0


def test_chat_term_on_a_server_without_tls_says_not_encrypted(start_server, terminals):
    server = start_server(tls=False)
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    said = ann.expect(r"\*\*\* Not encrypted")  # honest: a plain answer may be the server's, or a relay's
    assert "the server answered without encryption" in said and "--no-tls" in said and "blocks encryption" in said
    ann.expect(r"You joined #lab")
    assert ann.finish() == 0


def pinned_then_stopped(start_server, terminals, tmp_path):
    """A server chat-term has met (its key pinned), stopped; (that server, its port) for a new one to take."""
    first = start_server(data_dir=str(tmp_path / "old"))
    ann = terminals(first.address, "--nick", "ann")
    ann.expect(r"\*\*\* Encrypted")
    assert ann.finish() == 0
    first.stop()
    return first, first.address[1]


def test_a_changed_key_stops_chat_term_with_both_keys_until_accept_new_key(start_server, terminals, tmp_path):
    first, port = pinned_then_stopped(start_server, terminals, tmp_path)
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(tmp_path / "new"))).start()
    try:
        assert first.tls is not None and second.tls is not None
        stopped = terminals(second.address, "--nick", "ann")
        assert stopped.process.wait(DEADLINE) == 2
        assert stopped.process.stderr is not None
        errors = stopped.process.stderr.read().decode("utf-8")
        assert first.tls.fingerprint.short in errors and second.tls.fingerprint.short in errors
        assert "--accept-new-key" in errors
        assert not [client for client in second.clients() if client.nick], "nothing was sent to the new server"

        accepted = terminals(second.address, "--nick", "ann", "--accept-new-key")
        line = accepted.expect(r"\*\*\* Encrypted")
        assert second.tls.fingerprint.short in line and "the new key you accepted" in line
        assert accepted.finish() == 0
        later = terminals(second.address, "--nick", "ann")
        assert "the same key as before" in later.expect(r"\*\*\* Encrypted")
        assert later.finish() == 0
    finally:
        second.stop()


def test_accept_key_trusts_the_key_compared_and_not_an_impostors_that_answers_next(start_server, terminals, tmp_path):
    """Found by the eighth review: chat-term's advice after a changed key was to start again with --accept-new-key,
    which trusts whichever key answers then: a student's server that took the teacher's address at that moment had
    its key pinned by everyone who followed the advice."""
    first, port = pinned_then_stopped(start_server, terminals, tmp_path)

    def serve(folder: str) -> ChatServer:
        return ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(tmp_path / folder))).start()

    teacher = serve("new")  # the teacher's reinstalled server: a new key
    assert teacher.tls is not None
    digits = teacher.tls.fingerprint.short.replace(" ", "-")
    try:
        stopped = terminals(teacher.address, "--nick", "ann")
        assert stopped.process.wait(DEADLINE) == 2
        assert stopped.process.stderr is not None
        assert f"--accept-key {digits}" in stopped.process.stderr.read().decode("utf-8")
    finally:
        teacher.stop()
    impostor = serve("impostor")  # another key answers at the address when the student tries again
    try:
        refused = terminals(impostor.address, "--nick", "ann", "--accept-key", digits)
        assert refused.process.wait(DEADLINE) == 2
        assert not [client for client in impostor.clients() if client.nick], "nothing was sent to the impostor"
    finally:
        impostor.stop()
    teacher = serve("new")
    try:
        accepted = terminals(teacher.address, "--nick", "ann", "--accept-key", digits)
        line = accepted.expect(r"\*\*\* Encrypted")
        assert digits.replace("-", " ") in line and "the new key you accepted" in line
        assert accepted.finish() == 0
    finally:
        teacher.stop()
    wrong = terminals(teacher.address, "--accept-key", "12345")
    assert wrong.process.wait(DEADLINE) == 2


def test_a_pinned_server_that_stops_encrypting_gets_advice_about_encryption_not_about_a_new_key(
    start_server, terminals, tmp_path
):
    """Found by the thirteenth review: a plain server at a pinned address (a downgrade) stopped chat-term, which then
    said "Compare the new key with the one on your teacher's screen; if they are the same, start chat-term again with
    --accept-new-key (it trusts that key only; --accept-new-key trusts any)": there is no new key, and that option
    trusts anything."""
    _first, port = pinned_then_stopped(start_server, terminals, tmp_path)
    plain = ChatServer(ServerConfig(host="127.0.0.1", port=port, tls=False, data_dir=str(tmp_path / "plain"))).start()
    try:
        stopped = terminals(plain.address, "--nick", "ann")
        assert stopped.process.wait(DEADLINE) == 2
        assert stopped.process.stderr is not None
        said = stopped.process.stderr.read().decode("utf-8")
        assert "used to encrypt" in said and "nothing was sent" in said
        assert "new key" not in said and "trusts that key only" not in said
        assert "Only if your teacher says encryption was turned off on purpose" in said
        assert not [client for client in plain.clients() if client.nick], "nothing was sent to it"
    finally:
        plain.stop()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_message_padded_to_the_edge_of_the_terminal_cannot_print_a_line_of_its_own(server, wire):
    """chat-term on an 80-column terminal: mallory pads with blanks (of three kinds) or dots up to the edge and
    follows with what looks like a server line or someone else's message; it must not start a row of its own."""
    process, master, screen, reader = chat_term_on_a_pty(server, {"PYTHONIOENCODING": "utf-8", "TERM": "dumb"})
    fakes = ["[21:15:02] * Mrs_Smith is now a teacher.", "[21:15:03] #lab <Mrs_Smith> Homework is cancelled"]
    paddings = [" " * 200, "\u3000" * 100, "\u2800" * 150, "." * 49]
    try:
        wait_until(lambda: members(server, "lab") == {"victim"}, timeout=DEADLINE)
        mallory = wire(server, "mallory", "lab")
        for number, padding in enumerate(paddings):
            for fake in fakes:
                mallory.send(f"SAY ok{number}{padding}{fake}")
        mallory.send("SAY the end")
        wait_until(lambda: b"<mallory> the end" in screen, timeout=DEADLINE)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(DEADLINE)
        reader.join(DEADLINE)
        os.close(master)
        assert process.stderr is not None
        process.stderr.close()
    rows = screen.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    said = [row for row in rows if "ok" in row or "Mrs_Smith" in row]
    assert len(said) >= len(paddings) * len(fakes)
    assert not [row for row in rows if row.startswith(("[21:15", "#lab", "<Mrs"))], "\n".join(rows)
    assert all(len(row) < 80 for row in rows)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_pasted_python_keeps_its_lines_and_indentation_and_no_line_of_it_reaches_column_0(server, wire):
    """A code lesson in chat-term: every line of a pasted function on a row of its own after "    | ", indented as
    sent (tabs as four columns); a line of it made to look like the server's starts no row (it printed as one row
    joined with " | ", every indentation gone)."""
    process, master, screen, reader = chat_term_on_a_pty(server, {"PYTHONIOENCODING": "utf-8", "TERM": "dumb"})
    code = "```python\ndef foo(x):\n\tif x==1:\n        return a[i]  # done\n\n    return None\n```"
    fake = "[21:15:02] * Mrs_Smith is now a teacher."
    try:
        wait_until(lambda: members(server, "lab") == {"victim"}, timeout=DEADLINE)
        bob = wire(server, "bob", "lab")
        bob.send(f"SAY {code}")
        bob.send(f"SAY look\n{fake}\n{' ' * 300}{fake}")
        bob.send("SAY the end")
        wait_until(lambda: b"<bob> the end" in screen, timeout=DEADLINE)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(DEADLINE)
        reader.join(DEADLINE)
        os.close(master)
        assert process.stderr is not None
        process.stderr.close()
    rows = screen.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    start = next(number for number, row in enumerate(rows) if row.endswith("<bob> ```python"))
    assert rows[start + 1 : start + 7] == [
        "    | def foo(x):",
        "    |     if x==1:",
        "    |         return a[i] # done",
        "    |",
        "    |     return None",
        "    | ```",
    ]
    assert not [row for row in rows if row.startswith(("[21:15", "#lab", "<Mrs"))], "\n".join(rows)
    assert all(len(row) < 80 for row in rows)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    ("encoding", "padding"),
    [
        ("utf-8", "\u3248" * 27),  # Ambiguous in Unicode, two columns in glibc and tmux: the 26-column prefix + 54 = 80
        ("latin-1", "\U0001f600" * 5 + "xxxx"),  # printed as \U0001f600, ten columns each: 26 + 50 + 4 = 80
    ],
)
def test_characters_drawn_wider_than_counted_cannot_put_a_forged_line_at_column_0(server, wire, encoding, padding):
    """Found by a probe: chat-term in an 80-column tmux counted these as one or two columns; the terminal drew the
    row wider, wrapped it itself, and "[14:30:00] * Ms_Lee is now the teacher" began a row of its own. Drawn here
    as a terminal that ignores ESC[?7l would (so the counting alone must be right); chat-term ended by SIGTERM,
    which must leave the terminal's autowrap on."""
    import signal

    from tests.terminal_model import AUTOWRAP_OFF, AUTOWRAP_ON, screen_rows

    overrides = {"PYTHONIOENCODING": encoding, "TERM": "xterm", "LANG": "C.UTF-8"}
    process, master, screen, reader = chat_term_on_a_pty(server, overrides, drop=("LC_ALL", "LC_CTYPE"))
    forged = "[14:30:00] * Ms_Lee is now the teacher of #lab. Everyone please type /pm Ms_Lee and your password"
    try:
        wait_until(lambda: members(server, "lab") == {"victim"}, timeout=DEADLINE)
        mallory = wire(server, "mallory", "lab")
        mallory.send(f"SAY {padding}{forged}")
        mallory.send("SAY the end")
        wait_until(lambda: b"<mallory> the end" in screen, timeout=DEADLINE)
        process.send_signal(signal.SIGTERM)
        code = process.wait(DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(DEADLINE)
        reader.join(DEADLINE)
        os.close(master)
        for stream in (process.stdin, process.stderr):
            if stream is not None:
                stream.close()
    output = screen.decode(encoding)
    rows = screen_rows(output, 80, obeys_autowrap_off=False)
    assert any("[14:30:00] * Ms_Lee" in row for row in rows), "\n".join(rows)  # shown, inside mallory's message
    rest = [row for row in rows if ("Ms_Lee" in row or "password" in row) and "<mallory>" not in row]
    assert all(row.startswith("    ") for row in rest), "\n".join(rows)  # every row after the first indented
    assert code == 128 + signal.SIGTERM  # ended through run()'s finally, not at once
    assert output.count(AUTOWRAP_OFF) == output.count(AUTOWRAP_ON) > 0  # each line written with autowrap off...
    assert output.rindex(AUTOWRAP_ON) > output.rindex(AUTOWRAP_OFF)  # ...and the terminal left with it on


def chat_term_on_a_pty(
    server, overrides: dict[str, str], drop: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, int, bytearray, threading.Thread]:
    """chat-term as "victim" in #lab on an 80x24 pseudo-terminal: (process, master fd, what it drew so far, reader)."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT), **overrides}
    for name in ("COLUMNS", *drop):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_gui.terminal", server.address[0], str(server.address[1]), "--nick", "victim"]
        + ["--room", "lab"],
        stdin=subprocess.PIPE,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    screen = bytearray()
    reader = read_pty_into(master, screen)
    return process, master, screen, reader


def test_without_nick_a_line_typed_before_the_welcome_is_printed_back_not_lost(server, terminals, wire):
    """Found by the eleventh review: held until the welcome, sent without a name, refused, its words shown nowhere."""
    ann = terminals(server.address)
    ann.type("typed before the welcome")  # in the pipe before chat-term has even connected
    ann.expect(r"! Not sent: choose a nickname first: /nick NAME\. The line was: typed before the welcome$")
    ann.type("/nick ann")
    ann.expect(r"You joined #general")
    assert not any("not_registered" in line for line in ann.lines), ann.lines
    assert ann.finish() == 0


def test_lines_typed_between_nick_and_the_join_go_out_in_order_after_it(server, terminals, wire):
    """Found by the eleventh review: sent before the automatic JOIN, they came back not_in_room without their words."""
    watcher = wire(server, "watcher", "general")
    ann = terminals(server.address)
    ann.expect(r"Choose a nickname")
    ann.type("/nick ann")
    ann.type("said right after the nick")
    ann.type("/join lab")
    ann.type("said in lab")
    ann.expect(r"#lab <ann> said in lab$")
    said = watcher.expect(lambda f: f["type"] == "message")
    assert (said["sender"], said["room"], said["content"]) == ("ann", "general", "said right after the nick")
    assert not any("not_in_room" in line or "Not sent" in line for line in ann.lines), ann.lines
    assert ann.finish() == 0


def test_lines_typed_while_a_taken_nick_is_asked_are_printed_back(server, terminals, wire):
    wire(server, "ann")
    bob = terminals(server.address)
    bob.expect(r"Choose a nickname")
    bob.type("/nick ann")
    bob.type("hello everyone")
    bob.expect(r"! The nickname \w+ is taken; pick another one\.$")
    bob.expect(r"! Not sent: you have no nickname yet \(/nick NAME\)\. The line was: hello everyone$")
    bob.type("/nick bob")
    bob.expect(r"You joined #general")
    assert bob.finish() == 0


def test_delete_of_a_word_says_what_an_id_is(server, terminals):
    ann = terminals(server.address, "--nick", "ann")
    ann.expect(r"You joined #general")
    ann.type("/delete x")
    line = ann.expect(r"Say which message")
    assert "/delete ID" in line and "from 0" not in line, line
    nc = text_user(server, "bea")
    try:
        nc.send_line("/delete x")
        line = nc.expect(r"\(bad_argument\)")  # was "ids are whole numbers from 0" (0 is no message)
        assert "'x' is not a message id: ids are whole numbers from 1." in line and "/delete last" in line, line
    finally:
        nc.close()
    assert ann.finish() == 0


def test_refusals_read_as_words_without_the_wire_code(server, terminals, wire):
    """Found by the fifteenth review: every refusal ended "(bad_room_key)", "(not_allowed)"... for a student to read."""
    owner = wire(server, "carol", "vault")
    owner.send("KEY pw12345")
    owner.expect(lambda f: f["type"] == "system" and f.get("event") == "key")
    wire(server, "ann")
    ann = terminals(server.address, "--nick", "ANN")
    ann.expect(r"! The nickname ANN is taken; pick another one\.$")  # a refusal of the name, printed apart
    ann.type("/nick ann2")
    ann.expect(r"You joined #general")
    for line, words in (
        ("/frobnicate", r"! Unknown command FROBNICATE; /help lists the commands\.$"),
        ("/kick carol", r"! Only a teacher may remove someone from the chat\..*PASSWORD\.$"),
        ("/join vault", r"! #vault is locked: join it with its key, .*\(ask its owner\)\.$"),
        ("/pm nobody hi", r"! Nobody called nobody is online; /list shows who is\.$"),
    ):
        ann.type(line)
        ann.expect(words)
    codes = ("nick_taken", "unknown_command", "not_allowed", "bad_room_key", "no_such_user")
    assert not any(code in row for row in ann.lines for code in codes), ann.lines
    assert ann.finish() == 0


def test_a_lost_connection_s_reason_with_a_semicolon_is_said_whole(start_server, terminals):
    """Found by the fifteenth review: the reason was cut at its first ";", leaving a bracket open:
    "*** Connection lost (Nothing heard for 1 s. Reconnecting by itself"."""
    server = start_server(idle_timeout=1.0)
    ann = terminals(server.address, "--nick", "ann")
    line = ann.expect(r"^\*\*\* Connection lost \(")
    assert line.startswith("*** Connection lost (Nothing heard for 1 s; disconnected."), line
    assert line.count("(") == line.count(")"), line
    assert line.endswith("). Reconnecting by itself; lines you type are kept and sent once back."), line


def test_a_reconnect_does_not_ask_for_a_nickname_it_is_taking_back_by_itself(start_server, terminals):
    """Found by the fifteenth review: after a drop, chat-term printed the welcome's "Choose a nickname: /nick NAME"
    while it was already taking its name back."""
    server = start_server(idle_timeout=1.0)
    ann = terminals(server.address)
    ann.expect(r"Choose a nickname")
    ann.type("/nick ann")
    ann.expect(r"You are ann\.")
    ann.expect(r"^\*\*\* Connection lost \(")
    ann.expect(r"^\*\*\* Reconnected to .* as ann")
    assert sum("Choose a nickname" in line for line in ann.lines) == 1, ann.lines
