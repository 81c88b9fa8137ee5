"""Output nobody reads never stalls the server (issue 9, item 1).

The headless server runs as a subprocess at DEBUG level (a log line for
every message) with its stderr, and its stdout after the banner, piped to
nobody: the pipes fill up, as a terminal under Ctrl+S or a paused pager
would.  New connections must still get `welcome`, chat must still flow,
SIGTERM must still stop it promptly, and what could not be written is
counted and reported once the output moves again.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

import pytest

from chat_server import ChatServer, ServerConfig
from chat_server.log_output import NonBlockingWriter
from tests.adversarial.headless import Headless
from tests.integration.wire import DEADLINE, Collector, WireClient
from tests.support import wait_until

# A log line for every message; the talkers read their echoes only now and then, so no outbound limit.
NOISY = (
    "--log-level",
    "DEBUG",
    "--rate",
    "0",
    "--max-per-address",
    "0",
    "--max-unregistered-per-address",
    "0",
    "--max-outbound-bytes",
    "0",
)


@pytest.fixture
def headless():
    runs: list[Headless] = []

    def start(*args: str, console: bool = False) -> Headless:
        run = Headless(*args, console=console)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.close()


def fill_the_log(address: tuple[str, int], run: Headless, stream: str = "stderr") -> list[WireClient]:
    """Chat until the server's unread pipe takes no more; returns the talkers (still connected).

    The pipe counts as full once a hundred more log lines (and a PING's
    round trip) leave the bytes waiting in it unchanged: the server's
    writer is blocked.  (A blocked pipe may hold a little less than its
    capacity: the last page is not always filled.)
    """
    talkers = [WireClient(address).register(f"talker{n}", "noise") for n in range(4)]
    waiting = -1
    for round_number in range(1000):
        for n in range(100):
            talkers[n % 4].send(f"SAY filling the log, round {round_number} line {n} " + "x" * 200)
        talkers[0].send("PING pace")
        talkers[0].expect("pong")
        now_waiting = run.unread_bytes(stream)
        if now_waiting == waiting and now_waiting > run.pipe_capacity(stream) // 2:
            return talkers
        waiting = now_waiting
    raise AssertionError(f"the {stream} pipe never filled ({waiting} bytes waiting)")


def test_a_full_stderr_does_not_stop_welcome_chat_or_sigterm(headless):
    run = headless(*NOISY)
    talkers = fill_the_log(run.address, run)
    for _ in range(300):  # far more log lines than the full pipe takes: the server must not notice
        talkers[1].send("SAY more than the log can take")
    started = time.monotonic()
    newcomers = [WireClient(run.address).register(f"late{n}", "noise") for n in range(20)]
    readers = [Collector(client) for client in [*talkers, *newcomers]]
    newcomers[0].send("SAY still flowing")
    for reader in readers:
        wait_until(lambda reader=reader: any(f["content"] == "still flowing" for f in reader.of_type("message")))
    assert time.monotonic() - started < DEADLINE
    assert run.unread_bytes("stderr") > run.pipe_capacity("stderr") // 2  # nobody read a byte meanwhile
    run.process.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    for reader in readers:
        reader.wait_closed()
        assert [(f["type"], f.get("event")) for f in reader.frames][-2:] == [("system", "shutdown"), ("bye", None)]
    assert run.process.wait(DEADLINE) == 0
    assert time.monotonic() - stopped < 5


def test_nobody_reading_stdout_either_leaves_the_console_and_the_server_working(headless):
    run = headless(*NOISY, console=True)
    alice = WireClient(run.address).register("alice", "lab")
    # /help answers about 600 bytes to stdout, which nobody reads: a few hundred fill the pipe.
    for _ in range(400):
        run.type(b"/help\n")

    # Full: the bytes waiting stay the same for a moment, over half the pipe (the server's writer is blocked).
    # Not "within a page of its capacity": written one ~600-byte answer at a time, each 4 KiB page of the pipe
    # takes six answers and keeps the rest of the page free, so a blocked pipe may hold only 57 of its 64 KiB.
    seen = [-1]

    def full() -> bool:
        waiting = run.unread_bytes("stdout")
        settled = waiting == seen[0] and waiting > run.pipe_capacity("stdout") // 2
        seen[0] = waiting
        return settled

    # 3 to 7 s on a quiet two-core machine; over 15 s once with two test suites running beside it
    wait_until(
        full, timeout=3 * DEADLINE, interval=0.3, message="400 answers to /help never filled the unread stdout pipe"
    )
    run.type(b"/broadcast the console still works\n")
    assert alice.expect("system")["content"].endswith("the console still works")
    bob = WireClient(run.address).register("bob", "lab")
    bob.send("SAY and so does chat")
    assert alice.expect("message")["content"] == "and so does chat"
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(DEADLINE) == 0


def test_dropped_log_lines_are_counted_and_reported_when_the_output_moves_again(headless):
    run = headless(*NOISY)
    talkers = fill_the_log(run.address, run)
    for n in range(12_000):  # past the 10,000 lines the queue holds while the pipe is full
        talkers[n % 4].send(f"SAY overflow {n}")
    for talker in talkers:  # every talker's lines carried out (and logged) before the pipe is read at all
        talker.send("PING settled")
        talker.expect("pong")
    assert run.process.stderr is not None
    os.set_blocking(run.process.stderr.fileno(), False)
    log = b""
    deadline = time.monotonic() + DEADLINE
    while b"log lines dropped" not in log and time.monotonic() < deadline:
        try:
            log += os.read(run.process.stderr.fileno(), 65536) or b""
        except BlockingIOError:
            time.sleep(0.01)  # polling a non-blocking pipe; the deadline bounds it
    assert b"log lines dropped" in log, log[-500:]
    dropped = int(log.split(b" log lines dropped")[0].rsplit(b"[", 1)[1])
    assert dropped > 0


def test_a_writer_on_a_pipe_nobody_reads_never_blocks_and_closes_in_time():
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w")
    writer = NonBlockingWriter(stream, "test-writer", what="log lines", capacity=1000)
    started = time.monotonic()
    for n in range(50_000):
        writer.write(f"line {n} {'y' * 100}\n")
    assert time.monotonic() - started < 5  # a blocking write would hang here for ever
    wait_until(lambda: writer.dropped > 0)
    started = time.monotonic()
    writer.close(timeout=0.5)
    assert time.monotonic() - started < 2
    stream.close()
    os.close(read_end)


class _OwnedLock:
    """The registry lock, remembering which thread holds it (for the check below)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owner: int | None = None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        taken = self._lock.acquire(blocking, timeout)
        if taken:
            self.owner = threading.get_ident()
        return taken

    def release(self) -> None:
        self.owner = None
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *args: object) -> None:
        self.release()


def test_nothing_is_logged_while_the_registry_lock_is_held(wire):
    """Every kind of event the server logs, at DEBUG; the log handler fails if its thread holds the lock."""
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, register_timeout=1, rate_per_second=0))
    lock = _OwnedLock()
    server.registry.lock = lock  # type: ignore[assignment]
    offences: list[str] = []
    records: list[str] = []

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())
            if lock.owner == threading.get_ident():
                offences.append(record.getMessage())

    watch = Watch(logging.DEBUG)
    logger = logging.getLogger("chat_server")
    saved_level = logger.level
    logger.addHandler(watch)
    logger.setLevel(logging.DEBUG)
    try:
        server.start()
        alice = wire(server, "alice", "lab")
        bob = wire(server, "bob", "lab")
        alice.send("SAY public")
        alice.send("PM bob private")
        alice.send("NICK alicia")
        alice.expect(lambda frame: frame["type"] == "nick" and frame["nick"] == "alicia")  # taken before it is tried
        assert wire(server).error("NICK ALICIA") == "nick_taken"
        token = [f for f in bob.received if f["type"] == "nick"][-1]["token"]
        wire(server).reply(f"RESUME bob {token}")
        server.set_muted("alicia", True)
        server.broadcast("hello all")
        carol = wire(server, "carol", "art")
        server.close_room("art", "closing")
        carol.send("QUIT bye now")
        server.kick("alicia", "enough")
        wire(server)  # never registers: timed out by the housekeeper
        wait_until(lambda: any("disconnected (timeout" in text for text in records), timeout=DEADLINE)
    finally:
        server.stop()
        logger.removeHandler(watch)
        logger.setLevel(saved_level)
    assert len(records) > 15
    assert not offences, offences
