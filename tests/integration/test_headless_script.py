"""The headless script `python -m chat_server`: its banner, SIGTERM, and a port already in use."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.integration.wire import DEADLINE, TextClient, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

ROOT = Path(__file__).resolve().parents[2]


def script_env() -> dict[str, str]:
    """Read when a script starts, not at import: the autouse fixture has pointed the data folders at a temporary one."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


class ScriptRun:
    """`python -m chat_server ...` with its output collected on a thread."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chat_server", "--no-console", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**script_env(), **(env or {})},
        )
        self.stdout: list[str] = []
        self.stderr: str | None = None
        self._line_added = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._line_added:
                self.stdout.append(line.rstrip("\n"))
                self._line_added.notify_all()
        with self._line_added:
            self.stdout.append("")  # end of output
            self._line_added.notify_all()

    def wait_for_line(self, pattern: str) -> re.Match:
        with self._line_added:
            found: list[re.Match] = []

            def seen() -> bool:
                found[:] = [m for m in (re.search(pattern, line) for line in self.stdout) if m]
                return bool(found) or self.stdout[-1:] == [""]

            assert self._line_added.wait_for(seen, DEADLINE) and found, f"no {pattern!r} in {self.stdout}"
            return found[0]

    def address(self) -> tuple[str, int]:
        match = self.wait_for_line(r"listening on (\S+):(\d+)")
        return match.group(1), int(match.group(2))

    def end(self) -> str:
        """Kill the process if it still runs; return what it wrote to stderr (the log)."""
        if self.stderr is None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(DEADLINE)
            self._reader.join(DEADLINE)
            assert self.process.stdout is not None and self.process.stderr is not None
            self.stderr = self.process.stderr.read()
            self.process.stdout.close()
            self.process.stderr.close()
        return self.stderr


@pytest.fixture
def script():
    runs: list[ScriptRun] = []

    def start(*args: str) -> ScriptRun:
        run = ScriptRun(*args)
        runs.append(run)
        return run

    yield start
    errors = [run.end() for run in runs]
    assert not any("Traceback" in text for text in errors), "\n".join(errors)


def test_port_0_prints_the_address_it_listens_on(script):
    run = script("--port", "0")
    host, port = run.address()
    assert host == "127.0.0.1" and port > 0
    client = WireClient((host, port))
    assert client.reply("PING here")["content"] == "here"
    client.close()


def test_sigterm_tells_every_client_and_exits_0(script):
    run = script("--port", "0", "--log-level", "WARNING")
    address = run.address()
    clients = [WireClient(address).register("alice", "lab"), WireClient(address).register("bob"), WireClient(address)]
    text = TextClient(address)
    text.send_line("NICK carol")
    text.expect("You are carol")
    run.process.send_signal(signal.SIGTERM)
    try:
        for client in clients:
            kinds = [(f["type"], f.get("event")) for f in client.rest_until_closed()]
            assert kinds[-2:] == [("system", "shutdown"), ("bye", None)], kinds
        lines = text.rest_until_closed()
        assert "shutting down" in lines[-2] and "shutting down" in lines[-1]
        assert run.process.wait(DEADLINE) == 0
    finally:
        for client in clients:
            client.close()
        text.close()


def test_sigint_stops_it_too(script):
    run = script("--port", "0")
    client = WireClient(run.address())
    run.process.send_signal(signal.SIGINT)
    assert [f["type"] for f in client.rest_until_closed()][-1] == "bye"
    assert run.process.wait(DEADLINE) == 0
    client.close()


def test_a_port_already_in_use_gives_a_clear_message_and_a_non_zero_exit():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_script_to_the_end("--port", str(port))
    assert result.returncode != 0
    assert f"port {port} is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_listening_on_all_interfaces_prints_the_addresses_to_join_by(script):
    run = script("--host", "0.0.0.0", "--port", "0", "--no-announce")  # tests never announce on a real network
    _host, port = run.address()
    run.wait_for_line(r"Others on the network can connect to|Only this computer can join")  # no network: only 127.0.0.1
    assert run.wait_for_line(rf"^\s+\d+\.\d+\.\d+\.\d+:{port}$")


def test_limits_are_options(script):
    run = script("--port", "0", "--register-timeout", "0.5")
    client = WireClient(run.address())
    assert [f["type"] for f in client.rest_until_closed()] == ["bye"]
    client.close()


def test_info_logs_connections_joins_and_refusals_but_no_message_text(script):
    run = script("--port", "0", "--log-level", "INFO")
    address = run.address()
    alice = WireClient(address).register("alice", "lab")
    bob = WireClient(address).register("bob", "lab")
    alice.send("SAY the secret is swordfish")
    alice.send("PM bob the other secret is marlin")
    bob.expect(lambda f: f["type"] == "private")
    assert WireClient(address).reply("NICK ALICE")["code"] == "nick_taken"
    run.process.send_signal(signal.SIGTERM)
    for client in (alice, bob):
        client.rest_until_closed()
        client.close()
    assert run.process.wait(DEADLINE) == 0
    log = run.end()
    assert "connection from 127.0.0.1" in log
    assert "alice joined #lab" in log and "bob joined #lab" in log
    assert "refused nick_taken" in log
    assert "alice disconnected" in log
    assert "swordfish" not in log and "marlin" not in log


def run_script_to_the_end(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chat_server", "--no-console", "--no-announce", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        cwd=ROOT,
        env=script_env(),
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-clients", "-1"),  # served, and refused every connection with server_full
        ("--max-per-address", "-1"),  # the same
        ("--register-timeout", "-1"),  # hung up on every connection at once
        ("--idle-timeout", "nan"),
        ("--resume-seconds", "-5"),
        ("--history-days", "-1"),  # a traceback from the history store
        ("--port", "70000"),  # a traceback from bind()
        ("--max-file-mb", "-1"),
    ],
)
def test_a_limit_that_cannot_be_is_a_usage_error_not_a_server_that_turns_everyone_away(option, value):
    """Found by the ninth review: --help says "0 turns one off", and -1 (unlimited, in many programs) served nobody."""
    result = run_script_to_the_end("--port", "0", option, value)
    assert result.returncode == 2, (result.returncode, result.stdout[-300:], result.stderr[-600:])
    assert f"argument {option}" in result.stderr and "Traceback" not in result.stderr
    assert "listening on" not in result.stdout


def test_a_data_folder_that_cannot_be_made_is_a_logged_warning_and_the_server_chats(script, tmp_path):
    """The ninth review: the "memory only" warning came out bare, before the log was set up (no time, no level)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = script("--port", "0", "--no-announce", "--data-dir", str(blocker / "data"))
    client = WireClient(run.address(), welcome=False)
    welcome = client.expect("welcome")
    assert "history" in welcome["features"] and "accounts" not in welcome["features"]
    client.register("alice", "lab")
    assert client.reply("SAY still chatting")["content"] == "still chatting"
    client.close()
    log = run.end()
    [line] = [line for line in log.splitlines() if "memory only" in line]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING chat_server", line), log
