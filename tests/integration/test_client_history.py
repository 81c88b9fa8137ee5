"""The client core against a real server with history: replay on joining, catch-up after a reconnect, pages, search, delete.

The core runs under the fake scheduler, so it reconnects only when the test
moves its clock: the test can be sure the client is away while a classmate
says 200 things.  A reconnect that loses nothing hands every one of them on
exactly once, in id order, whichever way the connection came back (RESUME
through a relay that was cut, or NICK and JOIN after the server restarted).
"""

from __future__ import annotations

import shutil

import pytest

from chat_gui.core.events import HistoryPage, MessageDeleted, PageKind, Received, SearchResults, State
from chat_gui.core.session import ClientSession
from chat_server import ChatServer, ServerConfig
from tests.fake_scheduler import FakeScheduler
from tests.integration.cut_relay import CutRelay
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

MISSED = 200


class Watched:
    """A ClientSession on a fake scheduler and everything it handed on."""

    def __init__(self, address: tuple[str, int], nick: str, room: str | None) -> None:
        self.scheduler = FakeScheduler()
        self.events: list = []
        self.session = ClientSession(
            self.scheduler, self.events.append, clock=self.scheduler.clock, jitter=lambda: 0.0, welcome_timeout=60.0
        )
        self.session.start(*address, nick, room)
        self.run_until(lambda: self.session.state is State.READY)

    def run_until(self, condition, timeout: float = 30.0) -> None:
        self.scheduler.run_until(condition, timeout=timeout)

    def shown(self, room: str = "lab") -> list[tuple[int, str]]:
        """(id, text) of every message of `room` handed on, live or in replay and catch-up pages, in order."""
        found: list[tuple[int, str]] = []
        for event in self.events:
            frames = []
            if isinstance(event, Received) and event.frame["type"] == "message":
                frames = [event.frame]
            elif isinstance(event, HistoryPage) and event.kind in (PageKind.REPLAY, PageKind.CATCH_UP):
                frames = list(event.frames)
            found += [(frame["id"], frame["content"]) for frame in frames if frame.get("room") == room]
        return found

    def caught_up(self) -> bool:
        return self.session.state is State.READY and not self.session.history.catching

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def quick_server(start_server):
    """A server without the command rate limit, so a classmate can say 200 things at once."""
    return lambda **options: start_server(rate_per_second=0, **options)


def say_many(sender: WireClient, count: int, prefix: str) -> list[int]:
    """Say `count` lines; their ids, once the server has echoed every one."""
    for number in range(count):
        sender.send(f"SAY {prefix} {number}")
    ids = []
    while len(ids) < count:
        frame = sender.expect("message")
        if frame["sender"] == "bob":
            ids.append(frame["id"])
    return ids


def test_a_client_cut_off_while_200_messages_are_sent_gets_each_once_in_order_after_resume(quick_server, wire):
    server = quick_server()
    relay = CutRelay(server.address)
    alice = Watched(relay.address, "alice", "lab")
    try:
        bob = wire(server, "bob", "lab")
        before = say_many(bob, 3, "before")
        alice.run_until(lambda: len(alice.shown()) == 3)
        relay.cut()
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        missed = say_many(bob, MISSED, "missed")
        relay.restore()
        alice.run_until(lambda: alice.caught_up() and len(alice.shown()) >= 3 + MISSED)
        after = say_many(bob, 2, "after")
        alice.run_until(lambda: len(alice.shown()) >= 3 + MISSED + 2)
        shown = alice.shown()
        assert [number for number, _text in shown] == before + missed + after, "each once, in order"
        assert [text for _number, text in shown[3 : 3 + MISSED]] == [f"missed {n}" for n in range(MISSED)]
        assert alice.session.nick == "alice" and alice.session.room == "lab"
        pages = [event for event in alice.events if isinstance(event, HistoryPage) and event.kind is PageKind.CATCH_UP]
        assert pages and not pages[-1].more and all(not page.error for page in pages)
    finally:
        alice.close()
        relay.close()


def test_after_a_server_restart_the_client_gets_what_was_said_before_it_was_back(quick_server, wire, tmp_path):
    first = quick_server(data_dir=str(tmp_path))
    port = first.address[1]
    alice = Watched(first.address, "alice", "lab")
    second: ChatServer | None = None
    try:
        bob = wire(first, "bob", "lab")
        before = say_many(bob, 5, "before")
        alice.run_until(lambda: len(alice.shown()) == 5)
        first.stop()  # the messages are kept on disk
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(tmp_path), rate_per_second=0))
        second.start()
        bob2 = WireClient(second.address)
        try:
            bob2.register("bob", "lab")
            missed = say_many(bob2, MISSED, "missed")  # alice's clock stands still: she is not back yet
            alice.run_until(lambda: alice.caught_up() and len(alice.shown()) >= 5 + MISSED)
        finally:
            bob2.close()
        assert [number for number, _text in alice.shown()] == before + missed
        assert min(missed) > max(before), "ids go on increasing across the restart"
    finally:
        alice.close()
        if second is not None:
            second.stop()


def test_a_data_folder_restored_from_a_backup_reuses_no_id_the_client_shows(quick_server, wire, tmp_path):
    """Found by the eighth review: a folder restored from a backup taken while the server was stopped counted again
    from its last id, through ids the client had shown since; the client took the replayed messages said after the
    restore for ones it had shown and dropped them (and showed the new ids on lines of other messages)."""
    data, backup = tmp_path / "data", tmp_path / "backup"
    first = quick_server(data_dir=str(data))
    port = first.address[1]
    alice = Watched(first.address, "alice", "lab")
    servers: list[ChatServer] = []

    def restart() -> ChatServer:
        server = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(data), rate_per_second=0))
        servers.append(server.start())
        return server

    try:
        before = say_many(wire(first, "bob", "lab"), 5, "before")
        alice.run_until(lambda: len(alice.shown()) == 5)
        first.stop()
        shutil.copytree(data, backup)  # the teacher's backup of the stopped server's folder
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        second = restart()
        alice.run_until(alice.caught_up)
        since_backup = say_many(wire(second, "bob", "lab"), 20, "since the backup")
        alice.run_until(lambda: len(alice.shown()) == 25)
        second.stop()
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        shutil.rmtree(data)
        shutil.copytree(backup, data)  # the folder is restored from the backup
        third = restart()
        restored = say_many(wire(third, "bob", "lab"), 10, "after the restore")  # alice is not back yet
        assert min(restored) > max(before + since_backup), "no id the client shows is given out again"
        alice.run_until(lambda: alice.caught_up() and len(alice.shown()) >= 35)
        shown = alice.shown()
        assert [text for _number, text in shown[25:]] == [f"after the restore {n}" for n in range(10)]
        assert [number for number, _text in shown[25:]] == restored
    finally:
        alice.close()
        for server in servers:
            server.stop()


def test_live_talk_during_the_catch_up_comes_after_it_and_nothing_twice(quick_server, wire):
    server = quick_server()
    relay = CutRelay(server.address)
    alice = Watched(relay.address, "alice", "lab")
    try:
        bob = wire(server, "bob", "lab")
        alice.run_until(lambda: alice.session.state is State.READY)
        relay.cut()
        alice.run_until(lambda: alice.session.state is State.RECONNECTING)
        missed = say_many(bob, 150, "missed")
        relay.restore()
        alice.run_until(lambda: alice.session.state is State.READY)
        during = say_many(bob, 40, "during")  # while the pages are being fetched (or just after)
        alice.run_until(lambda: alice.caught_up() and len(alice.shown()) >= 190)
        assert [number for number, _text in alice.shown()] == missed + during
    finally:
        alice.close()
        relay.close()


def test_a_late_joiner_gets_the_replay_as_one_page_and_can_page_back(quick_server, wire):
    server = quick_server(replay=20)
    bob = wire(server, "bob", "lab")
    said = say_many(bob, 60, "early")
    alice = Watched(server.address, "alice", "lab")
    try:
        alice.run_until(lambda: any(isinstance(e, HistoryPage) and e.kind is PageKind.REPLAY for e in alice.events))
        (replay,) = [e for e in alice.events if isinstance(e, HistoryPage) and e.kind is PageKind.REPLAY]
        assert [frame["id"] for frame in replay.frames] == said[-20:] and replay.more
        asked = alice.session.history.request_page("#lab", before=said[-20], limit=30, kind=PageKind.EARLIER)
        alice.run_until(lambda: any(isinstance(e, HistoryPage) and e.request == asked for e in alice.events))
        (page,) = [e for e in alice.events if isinstance(e, HistoryPage) and e.request == asked]
        assert [frame["id"] for frame in page.frames] == said[10:40] and page.more and not page.error
        asked = alice.session.history.request_page("#lab", before=said[10], limit=30, kind=PageKind.EARLIER)
        alice.run_until(lambda: any(isinstance(e, HistoryPage) and e.request == asked for e in alice.events))
        (last,) = [e for e in alice.events if isinstance(e, HistoryPage) and e.request == asked]
        assert [frame["id"] for frame in last.frames] == said[:10] and not last.more
    finally:
        alice.close()


def test_search_and_delete_through_the_core(quick_server, wire):
    server = quick_server()
    bob = wire(server, "bob", "lab")
    alice = Watched(server.address, "alice", "lab")
    try:
        alice.session.send("SAY the homework is on page 12")
        alice.run_until(lambda: alice.shown())
        (number, _text) = alice.shown()[0]
        asked = alice.session.history.search("homework")
        alice.run_until(lambda: any(isinstance(e, SearchResults) for e in alice.events))
        (found,) = [e for e in alice.events if isinstance(e, SearchResults)]
        assert found.request == asked and [result["id"] for result in found.results] == [number]
        alice.session.history.delete(number)
        alice.run_until(lambda: MessageDeleted(number) in alice.events)
        bob.expect(lambda frame: frame["type"] == "deleted" and frame["id"] == number)
        alice.session.history.search("homework")
        alice.run_until(lambda: len([e for e in alice.events if isinstance(e, SearchResults)]) == 2)
        assert [e for e in alice.events if isinstance(e, SearchResults)][-1].results == ()
    finally:
        alice.close()
