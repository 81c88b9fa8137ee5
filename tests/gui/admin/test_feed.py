"""AdminFeed on a real server: registry events become snapshots, message counts are coalesced (no Tk needed)."""

from __future__ import annotations

from chat_server.admin_gui.feed import (
    AdminFeed,
    ClientChanged,
    ClientGone,
    FeedEvent,
    RoomChanged,
    RoomGone,
    ServerStopped,
)
from tests.support import wait_until


def drain(feed: AdminFeed) -> list[FeedEvent]:
    events, emptied = feed.take_events(10_000)
    assert emptied
    return events


def test_snapshots_follow_a_client_through_a_room(start_server, make_client) -> None:
    server = start_server()
    feed = AdminFeed()
    server.registry.add_listener(feed.on_event)
    alice = make_client(server, "alice")
    (named,) = drain(feed)  # connected, then named: only the latest state waits
    assert isinstance(named, ClientChanged) and named.client.nick == "alice" and named.client.room is None
    alice.send_command("JOIN general")
    alice.wait_for("joined")
    joined, room = drain(feed)
    assert isinstance(joined, ClientChanged) and joined.client.room == "general"
    assert isinstance(room, RoomChanged) and room.room.members == ("alice",) and room.room.key == "general"
    alice.close()
    events: list[FeedEvent] = []
    wait_until(lambda: events.extend(drain(feed)) or any(isinstance(e, ClientGone) for e in events), 10)
    assert [type(event).__name__ for event in events] == ["ClientGone", "RoomGone"]
    gone = events[1]
    assert isinstance(gone, RoomGone) and gone.key == "general" and gone.token == room.token


def test_a_room_closed_and_opened_again_waits_as_one_entry(start_server, make_client) -> None:
    server = start_server()
    feed = AdminFeed()
    server.registry.add_listener(feed.on_event)
    alice = make_client(server, "alice", "general")
    drain(feed)
    for _ in range(5):
        alice.send_command("JOIN lab")
        alice.wait_for("joined")
        alice.send_command("JOIN general")
        alice.wait_for("joined")
    assert feed.pending() == 3  # alice, #general (open again), #lab (closed)
    events = drain(feed)
    assert isinstance(events[-1], RoomGone) and events[-1].key == "lab"
    rooms = [event for event in events if isinstance(event, RoomChanged)]
    assert [(room.room.key, room.room.members) for room in rooms] == [("general", ("alice",))]


def test_the_stop_comes_first_and_alone(start_server, make_client) -> None:
    server = start_server()
    feed = AdminFeed()
    server.registry.add_listener(feed.on_event)
    make_client(server, "alice", "general")
    feed.mark_stopped()
    assert feed.take_events(1) == ([ServerStopped()], True) and feed.pending() == 0


def test_messages_are_counted_not_queued(start_server, make_client) -> None:
    server = start_server()
    feed = AdminFeed()
    server.registry.add_listener(feed.on_event)
    alice = make_client(server, "alice", "general")
    bob = make_client(server, "bob", "general")
    drain(feed)
    for number in range(20):
        alice.send_command(f"SAY message {number}")
    bob.send_command("PM alice psst")
    bob.wait_for(lambda frame: frame.get("type") == "private", 10)
    alice.wait_for(lambda frame: frame.get("content") == "message 19", 10)
    assert drain(feed) == []
    counters = feed.take_counters()
    sent = {
        client.nick: counters.clients[client.session_id]
        for client in server.clients()
        if client.session_id in counters.clients
    }
    assert sent == {"alice": 20, "bob": 1}
    assert list(counters.rooms.values()) == [("general", 20)]
    assert feed.take_counters().clients == {}


def test_a_later_room_of_the_same_name_gets_a_new_token(start_server, make_client) -> None:
    server = start_server()
    feed = AdminFeed()
    server.registry.add_listener(feed.on_event)
    alice = make_client(server, "alice", "general")
    first = [event for event in drain(feed) if isinstance(event, RoomChanged)]
    alice.send_command("LEAVE")
    alice.wait_for("left")
    alice.send_command("JOIN General")
    alice.wait_for("joined")
    later = [event for event in drain(feed) if isinstance(event, RoomChanged)]
    assert first[-1].token != later[-1].token and later[-1].room.name == "General"
