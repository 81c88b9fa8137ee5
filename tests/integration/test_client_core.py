"""The client core (chat_gui/core) under a fake scheduler, against a real server on port 0: no Tk, no terminal.

The scheduler's clock is moved by the test; sockets, the server and the
reader threads are real.
"""

from __future__ import annotations

import socket
import threading

import pytest

from chat_gui.core.events import CoreEvent, LineSent, Problem, Received, State, StateChanged
from chat_gui.core.sending import NotSent, Sent, Waiting
from chat_gui.core.session import ClientSession
from chat_server import ChatServer, ServerConfig
from tests.fake_scheduler import FakeScheduler
from tests.support import wait_until
from tests.web_server import web_server

pytestmark = pytest.mark.usefixtures("no_server_errors")


class Core:
    """A ClientSession on a FakeScheduler, recording its events."""

    def __init__(self, **options: object) -> None:
        self.scheduler = FakeScheduler()
        self.events: list[CoreEvent] = []
        self.times: list[float] = []  # the fake clock at each event
        options.setdefault("welcome_timeout", 60.0)  # fake seconds; the real server answers in milliseconds
        self.session = ClientSession(
            self.scheduler, self.record, clock=self.scheduler.clock, jitter=lambda: 0.0, **options
        )

    def record(self, event: CoreEvent) -> None:
        self.events.append(event)
        self.times.append(self.scheduler.now)

    def waits_before_attempts(self) -> list[float]:
        """Fake seconds from each "reconnecting" to the "connecting" that follows it."""
        waits, since = [], None
        for event, when in zip(self.events, self.times, strict=True):
            if isinstance(event, StateChanged) and event.state is State.RECONNECTING:
                since = when
            elif isinstance(event, StateChanged) and event.state is State.CONNECTING and since is not None:
                waits.append(when - since)
                since = None
        return waits

    def run_until(self, condition, timeout: float = 20.0) -> None:
        self.scheduler.run_until(condition, timeout)

    def ready(self, timeout: float = 20.0) -> None:
        self.run_until(lambda: self.session.state is State.READY, timeout)

    def states(self) -> list[State]:
        return [event.state for event in self.events if isinstance(event, StateChanged)]

    def frames(self, kind: str) -> list[dict]:
        return [event.frame for event in self.events if isinstance(event, Received) and event.frame["type"] == kind]

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def core():
    made: list[Core] = []

    def make(**options: object) -> Core:
        made.append(Core(**options))
        return made[-1]

    yield make
    for one in made:
        one.close()


def texts(core: Core, client, kind: str, count: int) -> list[str]:
    """The contents of the next `count` frames of one type that `client` receives, the core's timers running meanwhile."""
    found: list[str] = []

    def enough() -> bool:
        while not client.inbox.empty():
            frame = client.inbox.get_nowait()
            if isinstance(frame, dict) and frame["type"] == kind:
                found.append(frame["content"])
        return len(found) >= count

    core.run_until(enough)
    return found


def test_connects_registers_joins_and_chats(server, core, make_client):
    bob = make_client(server, "bob", "lab")
    alice = core()
    alice.session.start(*server.address, "alice", "lab")
    alice.ready()
    assert alice.states()[:4] == [State.CONNECTING, State.REGISTERING, State.JOINING, State.READY]
    assert alice.session.roster.members() == ["alice", "bob"]
    assert alice.session.send("SAY hello") == Sent()
    assert bob.wait_for("message", 10)["content"] == "hello"
    alice.run_until(lambda: alice.frames("message"))
    assert alice.frames("message")[0]["sender"] == "alice"


def test_reconnects_after_the_server_restarts_on_the_same_port_and_sends_what_waited_once_in_order(
    start_server, core, make_client
):
    first = start_server()
    alice = core()
    alice.session.start(*first.address, "alice", "lab")
    alice.ready()
    second = None
    try:
        first.stop()
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        offline = [f"offline {number}" for number in range(40)]  # more than the server's burst of 30
        results = [alice.session.send(f"SAY {line}") for line in offline]
        assert all(isinstance(result, Waiting) for result in results)
        alice.run_until(lambda: alice.session.backoff.attempts >= 3)  # turned away a few times meanwhile
        second = ChatServer(
            ServerConfig(host="127.0.0.1", port=first.address[1], data_dir=first.config.data_dir)
        ).start()
        bob = make_client(second, "bob", "lab")
        alice.ready()
        assert alice.session.nick == "alice" and alice.session.room == "lab"
        assert texts(alice, bob, "message", 40) == offline
        alice.run_until(lambda: not alice.session.pending)
        sent = [event.token for event in alice.events if isinstance(event, LineSent)]
        assert sent == [result.token for result in results], "every waiting line reported sent once, in order"
        bob.send_command("PING end")
        frames: list[dict] = []
        bob.wait_for(lambda frame: frames.append(frame) or frame["type"] == "pong", 10)
        assert not [frame for frame in frames if frame["type"] == "message"], "no line was sent twice"
    finally:
        if second is not None:
            second.stop()


def test_the_retry_delays_stay_short_while_the_server_is_away(start_server, core):
    server = start_server()
    alice = core()
    alice.session.start(*server.address, "alice", None)
    alice.ready()
    server.stop()
    alice.run_until(lambda: alice.session.backoff.attempts >= 8)
    waits = alice.waits_before_attempts()
    assert len(waits) >= 7 and max(waits) <= 0.5 + 0.016, f"a refused address is retried twice a second: {waits}"


def test_the_room_hears_one_join_after_a_restart(start_server, core, make_client):
    first = start_server()
    alice = core()
    alice.session.start(*first.address, "alice", "lab")
    alice.ready()
    first.stop()
    alice.run_until(lambda: alice.session.state is State.RECONNECTING)
    second = ChatServer(ServerConfig(host="127.0.0.1", port=first.address[1], data_dir=first.config.data_dir)).start()
    try:
        watcher = make_client(second, "watcher", "lab")
        alice.ready()
        assert alice.session.send("SAY after") == Sent()
        seen: list[dict] = []
        watcher.wait_for(lambda frame: seen.append(frame) or frame["type"] == "message", 10)
        joins = [frame["user"] for frame in seen if frame["type"] == "system" and frame["event"] == "join"]
        assert joins == ["alice"]
        assert sum(1 for state in alice.states() if state is State.JOINING) == 2, "one JOIN per connection"
    finally:
        second.stop()


def test_a_kick_is_said_and_not_retried(server, core, make_client):
    watcher = make_client(server, "watcher", "lab")
    alice = core()
    alice.session.start(*server.address, "alice", "lab")
    alice.ready()
    server.kick("alice", "spamming")
    alice.run_until(lambda: alice.session.state is State.REMOVED)
    assert "spamming" in alice.events[-1].detail
    result = alice.session.send("SAY let me back")
    assert isinstance(result, NotSent) and "Reconnect now" in result.reason
    assert not alice.session.pending
    alice.scheduler.advance(60)
    assert alice.session.state is State.REMOVED and alice.session.connection is None
    watcher.send_command("LIST")
    assert watcher.wait_for("list", 10)["users"] == ["watcher"], "the core did not come back by itself"
    assert alice.session.reconnect_now()
    alice.ready()
    assert alice.session.nick == "alice"


def test_a_refused_first_connection_fails_without_retrying(start_server, core):
    server = start_server()
    address = server.address
    server.stop()
    alice = core()
    alice.session.start(*address, "alice", None)
    alice.run_until(lambda: alice.session.state is State.FAILED)
    assert alice.events[-1].problem is Problem.REFUSED
    assert "Is the chat server running" in alice.events[-1].detail


def test_something_that_never_says_welcome_is_not_a_chat_server(core):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        alice = core(welcome_timeout=5.0)
        alice.session.start(*silent.getsockname(), "alice", None)
        alice.run_until(lambda: alice.session.state is State.FAILED)
        assert alice.events[-1].problem is Problem.NOT_CHAT_SERVER


def test_a_web_server_on_the_port_is_said_to_be_no_chat_server(core):
    """Found by a probe: it answers "HTTP/1.0 400" to the TLS hello and to the plain line, then closes."""
    with web_server() as address:
        alice = core()
        alice.session.start(*address, "alice", None)
        alice.run_until(lambda: alice.session.state is State.FAILED)
    failed = alice.events[-1]
    assert failed.problem is Problem.NOT_CHAT_SERVER
    assert failed.detail == (
        f"Something answers at 127.0.0.1:{address[1]}, but it is not a ClassChat server: "
        "check the port the teacher gave (the default is 55555)."
    )


def test_a_mistyped_number_address_is_said_before_any_lookup(core, monkeypatch):
    """Found by a probe: "192.168.1.2O" (a letter O) gave the raw "Temporary failure in name resolution"."""
    lookups: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: lookups.append(args) or [])
    alice = core()
    alice.session.start("192.168.1.2O", 55555, "alice", None)
    alice.run_until(lambda: alice.session.state is State.FAILED)
    assert "check the spelling: an address is four numbers like 192.168.1.20" in alice.events[-1].detail
    assert alice.events[-1].problem is Problem.UNREACHABLE and not lookups


def test_a_name_that_cannot_be_looked_up_is_worded_for_a_student(core):
    """`.invalid` never resolves (RFC 2606): a gaierror of whatever kind, with or without a name server."""
    alice = core()
    alice.session.start("class-server.invalid", 55555, "alice", None)
    alice.run_until(lambda: alice.session.state is State.FAILED)
    assert alice.events[-1].detail == (
        "Could not look up the name class-server.invalid: check its spelling, or use the numbers the teacher's "
        "screen shows (like 192.168.1.20)."
    )


def test_a_taken_nickname_leaves_the_choice_to_the_user(server, core, make_client):
    make_client(server, "alice")
    alice = core()
    alice.session.start(*server.address, "ALICE", "lab")
    alice.run_until(lambda: alice.events and getattr(alice.events[-1], "problem", None) is Problem.NICK_TAKEN)
    assert alice.session.state is State.REGISTERING and alice.session.nick == ""
    assert alice.session.send("NICK alice2") == Sent()
    alice.ready()
    assert alice.session.nick == "alice2" and alice.session.room == "lab"


def test_a_silent_server_is_pinged_and_then_given_up(core):
    """A peer that accepts, greets and then never says another word: PING, then reconnect."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        peers: list[socket.socket] = []

        def greet() -> None:
            while True:
                try:
                    peer, _ = listener.accept()
                except OSError:
                    return
                peers.append(peer)
                peer.sendall(b'{"type":"welcome","content":"","timestamp":"","server":"x","protocol":1}\n')
                peer.sendall(b'{"type":"nick","content":"","timestamp":"","nick":"alice"}\n')

        threading.Thread(target=greet, daemon=True).start()
        alice = core(keepalive=10.0)
        alice.session.start(*listener.getsockname(), "alice", None)
        alice.ready()
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        assert "no answer from the server" in alice.events[-1].detail
        # peers[0] was the TLS attempt, answered in plain (a server without TLS); peers[1] the plain connection
        wait_until(lambda: len(peers) > 1 and b"PING" in peers[1].recv(4096), timeout=10)
        for peer in peers:
            peer.close()


def test_idle_pings_keep_the_core_connected_past_the_servers_silence_limit(start_server, core, wire):
    server = start_server(idle_timeout=1.5)
    alice = core(keepalive=1.0)  # fake seconds: about 0.2 s of real time between pings
    alice.session.start(*server.address, "alice", None)
    alice.ready()
    silent = wire(server)  # never sends a thing: the server hangs up on it after 1.5 s
    done = threading.Event()
    threading.Thread(target=lambda: (silent.rest_until_closed(), done.set()), daemon=True).start()
    alice.run_until(done.is_set)
    assert alice.session.state is State.READY and alice.session.connection.connected
    assert not alice.frames("pong"), "the keepalive answers are not shown"


def test_a_full_server_is_named_as_the_reason(start_server, core, make_client):
    server = start_server(max_clients=1)
    make_client(server, "first")
    alice = core()
    alice.session.start(*server.address, "alice", None)
    alice.run_until(lambda: alice.session.state is State.FAILED)
    # the whole sentence, what to do included (it was the bye's "The server is full." alone, and the error
    # before it said "(1 clients)")
    said = alice.events[-1].detail
    assert "The server is full (it takes 1 connection at once); try again later" in said, said


def test_a_nickname_typed_before_the_welcome_goes_out_once_connected(server, core):
    """chat-term without --nick: the user may type /nick before the server has even said hello."""
    alice = core()
    alice.session.start(*server.address, "", "lab")
    assert isinstance(alice.session.send("NICK alice"), Waiting)
    alice.ready()
    assert (alice.session.nick, alice.session.room) == ("alice", "lab")
    assert alice.session.pending == []
