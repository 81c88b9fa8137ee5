"""AdminFeed on a real server: registry events become snapshots, message counts are coalesced (no Tk needed)."""

from __future__ import annotations

from chat_server.admin_gui.feed import AdminFeed, ClientChanged, ClientGone, FeedEvent, RoomChanged, RoomGone
from tests.support import wait_until


def drain(feed: AdminFeed) -> list[FeedEvent]:
    events, emptied = feed.take_events(10_000)
    assert emptied
    return events


def test_snapshots_follow_a_client_through_a_room(start_server, make_client) -> None:
    server = start_server()
    feed = AdminFeed()
    server.registry.add_listener(feed.on_event)
    alice = make_client(server, "alice", "general")
    wait_until(lambda: not feed.events.empty())
    alice.close()
    events: list[FeedEvent] = []
    wait_until(lambda: events.extend(drain(feed)) or any(isinstance(e, ClientGone) for e in events), 10)
    kinds = [type(event).__name__ for event in events]
    assert kinds == [
        "ClientChanged",
        "ClientChanged",
        "RoomChanged",
        "ClientChanged",
        "RoomChanged",
        "ClientChanged",
        "RoomGone",
        "ClientGone",
    ]
    connected, named = events[0], events[1]
    assert isinstance(connected, ClientChanged) and connected.client.nick is None
    assert isinstance(named, ClientChanged) and named.client.nick == "alice" and named.client.room is None
    created, joined = events[2], events[4]
    assert isinstance(created, RoomChanged) and created.room.members == ()
    assert isinstance(joined, RoomChanged) and joined.room.members == ("alice",) and joined.room.key == "general"
    gone = events[6]
    assert isinstance(gone, RoomGone) and gone.token == joined.token == created.token


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
    alice.send_command("LEAVE")
    alice.wait_for("left")
    alice.send_command("JOIN General")
    alice.wait_for("joined")
    rooms = [event for event in drain(feed) if isinstance(event, RoomChanged)]
    assert rooms[0].token != rooms[-1].token and rooms[-1].room.name == "General"
