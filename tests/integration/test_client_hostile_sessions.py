"""A hostile server against the client core's reconnecting and keepalive: sessions that end at once, lines that never end.

Found by the client probe (a fake server greeting and hanging up made the
client reconnect 178 times in 30 s; one trickling half a frame kept it
"Connected" for ever).  The server is a raw socket the test controls
(tests/integration/test_client_hostile_server.py), the core runs on the
fake scheduler's clock.
"""

from __future__ import annotations

import re
import threading

from chat_gui.core.events import State
from chat_gui.core.pacing import FIRST_DELAY, STABLE_SECONDS
from chat_gui.core.session import ClientSession
from tests.fake_scheduler import FakeScheduler
from tests.integration.test_client_hostile_server import (
    GREETING,
    HostilePeer,
    hostile_servers,  # noqa: F401 (the `hostile` fixture)
)
from tests.support import wait_until

HALF_FRAME = b'{"type":"message","content":"never fin'


def shown(seconds: float) -> float:
    """A delay as the core words it (one decimal)."""
    return float(f"{seconds:.1f}")


class Core:
    """A ClientSession on a fake clock, and the details of every state it reported."""

    def __init__(self, keepalive: float = 30.0) -> None:
        self.scheduler = FakeScheduler()
        self.states: list[tuple[State, str]] = []
        self.session = ClientSession(
            self.scheduler,
            lambda event: self.states.append((event.state, event.detail)) if hasattr(event, "state") else None,
            clock=self.scheduler.clock,
            jitter=lambda: 0.0,
            keepalive=keepalive,
        )

    def retry_delays(self) -> list[float]:
        """The delays the core announced, in order ("trying ... again in 0.5 s")."""
        found = (re.search(r"again in ([0-9.]+) s", detail) for state, detail in self.states)
        return [float(match.group(1)) for match in found if match]


def test_sessions_that_end_at_once_are_retried_later_and_later(hostile):
    """A server that greets, lets us in and hangs up at once: each try waits longer, as after a failed connect."""
    server = hostile(lambda peer: (peer.send(GREETING), peer.sock.close()))
    core = Core()
    try:
        core.session.start(*server.address, "alice", None)
        core.scheduler.run_until(lambda: len(core.retry_delays()) >= 6, timeout=30)
        delays = core.retry_delays()[:6]
        assert delays[0] == shown(FIRST_DELAY)
        assert delays == sorted(delays) and delays[-1] >= 4.0, f"the delays do not grow: {delays}"
    finally:
        core.session.close()


def test_a_session_that_lasted_starts_the_delays_over(hostile):
    """Short sessions make the delays grow; one that stayed up STABLE_SECONDS ends the outage: the next loss is retried at once."""
    quick, hang_up = threading.Event(), threading.Event()
    quick.set()

    def script(peer: HostilePeer) -> None:
        peer.send(GREETING)
        if not quick.is_set():
            hang_up.wait(30)
        peer.sock.close()

    server = hostile(script)
    core = Core(keepalive=STABLE_SECONDS * 2)  # no PING while the long session lasts
    try:
        core.session.start(*server.address, "alice", None)
        core.scheduler.run_until(lambda: len(core.retry_delays()) >= 4, timeout=30)
        assert core.session.state is State.RECONNECTING  # no connection is open, none starts until the clock moves
        assert core.retry_delays()[3] > FIRST_DELAY, f"short sessions do not slow down: {core.retry_delays()}"
        quick.clear()
        core.scheduler.run_until(lambda: core.session.state is State.READY, timeout=30)
        core.scheduler.advance(STABLE_SECONDS + 1)
        assert core.session.state is State.READY
        hang_up.set()
        core.scheduler.run_until(lambda: len(core.retry_delays()) >= 5)
        assert core.retry_delays()[4] == shown(FIRST_DELAY)
    finally:
        hang_up.set()
        core.session.close()


def test_a_server_that_answers_only_with_bytes_of_an_unfinished_line_is_given_up(hostile):
    """Half a frame, then one more byte for every line we send (our PING too): no complete line, so dead."""
    got: list[bytes] = []

    def script(peer: HostilePeer) -> None:
        peer.send(GREETING + HALF_FRAME)
        while data := peer.sock.recv(4096):
            got.append(data)
            peer.send(b"x")

    server = hostile(script)
    core = Core(keepalive=10.0)
    try:
        core.session.start(*server.address, "alice", None)
        core.scheduler.run_until(lambda: core.session.state is State.READY)
        ready_at = core.scheduler.now
        core.scheduler.run_until(lambda: core.session.state is State.RECONNECTING, timeout=30)
        assert "no answer from the server" in core.states[-1][1]
        assert core.scheduler.now - ready_at < 2 * 10.0 + 5
        wait_until(lambda: any(b"PING" in data for data in got), timeout=10)
    finally:
        core.session.close()
