"""The rooms whose recent deletes the registry remembers for replays (handlers/history.py) are bounded."""

from __future__ import annotations

import time

from chat_server.handlers.history import RECENT_DELETE_ROOMS, deleted_deliveries
from chat_server.registry import ChatRegistry
from chat_server.storage import StoredMessage


def test_deletes_in_ever_new_rooms_keep_at_most_recent_delete_rooms_and_the_latest_rooms_stay():
    registry = ChatRegistry()
    now_ms = int(time.time() * 1000)
    for number in range(RECENT_DELETE_ROOMS + 300):
        message = StoredMessage.public(number + 1, f"room{number}", "alice", "gone", now_ms)
        with registry.lock:
            deleted_deliveries(registry, message)
    assert len(registry.recent_deletes) == RECENT_DELETE_ROOMS
    newest = StoredMessage.public(1, f"room{RECENT_DELETE_ROOMS + 299}", "alice", "x", now_ms)
    assert list(registry.recent_deletes[newest.room_key or ""]) == [RECENT_DELETE_ROOMS + 300]
    assert "room0" not in registry.recent_deletes


def test_a_room_deleted_in_again_is_kept_over_older_ones():
    registry = ChatRegistry()
    now_ms = int(time.time() * 1000)
    first = StoredMessage.public(1, "general", "alice", "one", now_ms)
    with registry.lock:
        deleted_deliveries(registry, first)
        for number in range(RECENT_DELETE_ROOMS - 1):
            deleted_deliveries(registry, StoredMessage.public(number + 10, f"room{number}", "bob", "x", now_ms))
        deleted_deliveries(registry, StoredMessage.public(5000, "general", "alice", "two", now_ms))
        deleted_deliveries(registry, StoredMessage.public(5001, "newroom", "bob", "x", now_ms))
    assert list(registry.recent_deletes[first.room_key or ""]) == [1, 5000]
