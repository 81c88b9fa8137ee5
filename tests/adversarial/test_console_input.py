"""The admin console survives any input (issue 9, item 9): bytes that are not UTF-8, endless lines, failing commands.

The headless server runs as a subprocess and the test writes raw bytes to
its standard input; after each attack a plain command must still be
answered on stdout and the server must still serve clients.
"""

from __future__ import annotations

import logging
import signal

import pytest

from chat_server.console import MAX_LINE_BYTES, AdminConsole
from tests.adversarial.headless import Headless
from tests.integration.wire import DEADLINE, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

ATTACKS = {
    "undecodable": b"\xff\xfe\x80\xc3(\n",
    "undecodable-command": b"/broad\xffcast x\n",
    "nul-bytes": b"/clients\x00\x00\n",
    "escape-sequences": b"\x1b[2J\x1b]0;pwned\x07/rooms\n",
    "a-megabyte-line": b"/broadcast " + b"A" * 1_000_000 + b"\n",
    "a-line-just-over": b"/broadcast " + b"B" * MAX_LINE_BYTES + b"\n",
    "nested-brackets": b"[" * 20_000 + b"\n",
    "crlf": b"/rooms\r\n",
    "empty-lines": b"\n\n\r\n   \n",
    "usage-errors": b"/kick\n/mute\n/close\n/close #\xff\n/kick nobody\n",
    "unknown": b"/reboot now\n",
}


@pytest.fixture(scope="module")
def console_server():
    run = Headless("--log-level", "WARNING", console=True)
    yield run
    run.close()


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_the_console_answers_after_any_input(console_server, attack):
    run = console_server
    run.type(ATTACKS[attack])
    run.type(f"/broadcast still here after {attack}\n".encode())
    run.expect_stdout(r"^(Announcement sent to \d+ (person|people)|Nobody is online to hear it: not sent)\.$")
    run.type(b"/clients\n")
    run.expect_stdout(r"connected|Nobody is connected")
    client = WireClient(run.address).register(f"c{abs(hash(attack)) % 10_000}")
    assert client.reply("PING served")["type"] == "pong"
    client.close()


def test_a_long_line_is_refused_with_a_word_and_not_carried_out(console_server):
    run = console_server
    watcher = WireClient(run.address).register("longwatch")
    run.type(b"/broadcast " + b"Z" * (MAX_LINE_BYTES * 3) + b"\n")
    run.expect_stdout(rf"longer than {MAX_LINE_BYTES} bytes; it was ignored")
    run.type(b"/broadcast the next one works\n")
    notice = watcher.expect("system")
    assert notice["content"] == "Announcement: the next one works"  # the long one never went out
    watcher.close()


def test_undecodable_bytes_reach_clients_as_replacement_characters(console_server):
    run = console_server
    watcher = WireClient(run.address).register("bytewatch")
    run.type(b"/broadcast caf\xe9 \xff ok\n")
    assert watcher.expect("system")["content"] == "Announcement: caf\ufffd \ufffd ok"
    watcher.close()


def test_the_end_of_input_leaves_the_server_running_and_sigterm_stops_it():
    run = Headless("--log-level", "WARNING", console=True)
    try:
        assert run.process.stdin is not None
        run.type(b"\xff" * 100 + b"\n")
        run.process.stdin.close()
        client = WireClient(run.address).register("after_eof")
        assert client.reply("PING").get("type") == "pong"
        run.process.send_signal(signal.SIGTERM)
        assert run.process.wait(DEADLINE) == 0
        client.close()
    finally:
        run.close()


def test_a_command_that_fails_unexpectedly_is_reported_and_the_console_reads_on(server, caplog):
    class Broken:
        def clients(self):
            raise RuntimeError("disk on fire")

    console = AdminConsole(server)
    console.server = Broken()  # type: ignore[assignment]
    with caplog.at_level(logging.ERROR, logger="chat_server.console"):
        answer = console.execute("/clients")
    assert "failed (RuntimeError)" in answer
    assert any(record.exc_info and "disk on fire" in str(record.exc_info[1]) for record in caplog.records)
    console.server = server
    assert console.execute("/rooms") == "No rooms yet."


def test_the_read_loop_goes_on_after_a_failing_command(server):
    """The loop itself, fed a byte stream in the test process: a failure between two good commands."""
    import io

    answers: list[str] = []
    console = AdminConsole(server)
    original = console._table["rooms"]
    console._table["rooms"] = lambda _argument: 1 / 0  # type: ignore[assignment,return-value]
    stream = io.BytesIO(b"/rooms\n\xff\xfe\n/help\n" + b"x" * 10_000 + b"\n/clients\n")
    console._read_loop(stream, answers.append)
    console._table["rooms"] = original
    assert "failed (ZeroDivisionError)" in answers[0]
    assert answers[1].startswith("Unknown command")
    assert answers[2].startswith("Admin commands")
    assert "ignored" in answers[3]
    assert answers[4] == "Nobody is connected."
