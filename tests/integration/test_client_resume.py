"""RESUME from the client core: a Wi-Fi drop leaves a ghost on the server, and the client takes its name and room back.

Between the core and the real server sits a small TCP relay that the test
can freeze: it stops passing bytes either way without closing anything,
which is what a dropped Wi-Fi looks like to both ends.
"""

from __future__ import annotations

import socket
import threading

import pytest

from chat_gui.core.events import Problem, Received, State, StateChanged
from chat_gui.core.sending import Sent
from chat_gui.core.session import ClientSession
from tests.fake_scheduler import FakeScheduler
from tests.integration.identity_support import moderate, teacher

pytestmark = pytest.mark.usefixtures("no_server_errors")


class Relay:
    """127.0.0.1:port -> the server; `freeze()` silences the connections open now (new ones still pass)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self.pairs: list[tuple[socket.socket, socket.socket, threading.Event]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            frozen = threading.Event()
            self.pairs.append((client, upstream, frozen))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink, frozen), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, frozen: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                if frozen.is_set():
                    return  # swallow it and everything after: neither end hears a thing, nor a close
                sink.sendall(data)
        except OSError:
            return
        if not frozen.is_set():
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def freeze(self) -> None:
        for _client, _upstream, frozen in self.pairs:
            frozen.set()

    def cut_upstream(self) -> None:
        """The server sees its side close (the client, frozen, hears nothing)."""
        for _client, upstream, _frozen in self.pairs:
            upstream.close()

    def close(self) -> None:
        self.listener.close()
        for client, upstream, _frozen in self.pairs:
            client.close()
            upstream.close()


@pytest.fixture
def relay(server):
    made = Relay(server.address)
    yield made
    made.close()


@pytest.fixture
def alice(relay):
    scheduler = FakeScheduler()
    events: list = []
    session = ClientSession(
        scheduler, events.append, clock=scheduler.clock, jitter=lambda: 0.0, keepalive=10.0, welcome_timeout=60.0
    )
    session.start(*relay.address, "alice", "lab")
    scheduler.run_until(lambda: session.state is State.READY)
    yield session, scheduler, events
    session.close()


def test_after_a_wifi_drop_the_client_takes_its_name_and_room_back_and_the_room_hears_nothing(
    server, relay, alice, make_client
):
    session, scheduler, events = alice
    watcher = make_client(server, "watcher", "lab")
    relay.freeze()
    scheduler.run_until(lambda: session.state is State.RECONNECTING, timeout=30)  # pinged, no answer: given up
    assert any("no answer from the server" in event.detail for event in events if isinstance(event, StateChanged))
    assert "alice" in {client.nick for client in server.clients()}, "the server still holds the ghost"
    scheduler.run_until(lambda: session.state is State.READY, timeout=30)
    assert (session.nick, session.room) == ("alice", "lab")
    assert session.send("SAY back again") == Sent()
    seen: list[dict] = []
    watcher.wait_for(lambda frame: seen.append(frame) or frame["type"] == "message", 10)
    assert seen[-1]["content"] == "back again" and seen[-1]["sender"] == "alice"
    assert not [frame for frame in seen if frame["type"] == "system"], "the room heard neither a leave nor a join"
    assert [client.nick for client in server.clients()].count("alice") == 1
    errors = [event.frame for event in events if isinstance(event, Received) and event.frame["type"] == "error"]
    assert errors == [], "RESUME went through without a refusal to show"


def test_when_someone_took_the_name_meanwhile_the_user_is_asked_for_another(server, relay, alice, make_client):
    session, scheduler, events = alice
    relay.freeze()
    relay.cut_upstream()  # the server notices alice is gone and keeps her name for RESUME...
    scheduler.run_until(lambda: "alice" not in {client.nick for client in server.clients()}, timeout=30)
    make_client(server, "alice")  # ...but someone else takes it first
    scheduler.run_until(lambda: events and getattr(events[-1], "problem", None) is Problem.NICK_TAKEN, timeout=30)
    assert session.state is State.REGISTERING and session.nick == ""
    assert "took the nickname" in events[-1].detail


def test_a_window_that_drops_during_group_work_comes_back_where_the_teacher_moved_the_class(server, relay, alice, wire):
    session, scheduler, _events = alice
    lee = teacher(server, wire, "Ms_Lee", "general")
    relay.freeze()
    relay.cut_upstream()  # the server parks alice's session for RESUME
    scheduler.run_until(lambda: "alice" not in {client.nick for client in server.clients()}, timeout=30)
    assert moderate(lee, "MOVE general * time is up")["users"] == ["alice"]
    scheduler.run_until(lambda: session.state is State.READY and session.room == "general", timeout=30)
    assert {client.nick: client.room for client in server.clients()}["alice"] == "general"
