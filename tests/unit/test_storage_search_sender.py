"""SqliteMessageStore.search by sender (SEARCH from:NAME) against a real SQLite file: owners, nickname, scope, depth."""

from __future__ import annotations

import time

import pytest

from chat_server.storage import StoredMessage, open_storage
from chat_server.storage.search_plans import SHORT_QUERY_SCAN
from chat_server.storage.search_sender import SenderFilter

NOW_MS = int(time.time() * 1000)
BOB = "g:bob-session"


@pytest.fixture
def storage(tmp_path):
    storage = open_storage(tmp_path / "data")
    assert storage.status().ok, storage.status().describe()
    yield storage
    storage.close()


def said(message_id: int, sender: str, owner: str, text: str = "ok", room: str = "lab") -> StoredMessage:
    return StoredMessage.public(message_id, room, sender, text, NOW_MS, sender_owner=owner)


def test_a_senders_short_message_is_found_past_the_short_word_scan_of_the_newest_messages(storage):
    """A word under 3 letters scans only the room's newest 20,000 messages; by sender the clock alone bounds it."""
    messages = storage.messages
    messages.append(said(1, "bob", BOB, "ok"))
    for message_id in range(2, SHORT_QUERY_SCAN + 500):
        messages.append(said(message_id, "alice", "g:alice", "ok"))
    assert storage.flush(timeout=60)
    by_bob = SenderFilter(owners=(BOB,))
    assert [m.id for m in messages.search("carol", "ok", room="lab", sender=by_bob)] == [1]
    assert [m.id for m in messages.search("carol", "", room="lab", sender=by_bob)] == [1]
    assert messages.search("carol", "", room="lab") == []  # no words, no sender: nothing to look for


def test_by_owner_not_by_name_and_by_name_only_when_asked(storage):
    messages = storage.messages
    messages.append(said(1, "bob", BOB, "homework page 12"))
    messages.append(said(2, "rob", BOB, "homework again"))  # bob renamed
    messages.append(said(3, "bob", "g:someone-else", "homework is cancelled"))  # another bob, later
    messages.append(said(4, "rob", BOB, "homework elsewhere", room="hall"))
    messages.append(StoredMessage.private(5, "rob", "alice", "homework answer", NOW_MS, sender_owner=BOB))
    storage.flush()
    owner = SenderFilter(owners=(BOB,))
    assert [m.id for m in messages.search("carol", "homework", room="lab", sender=owner)] == [2, 1]
    nickname = SenderFilter(nick_key="bob")
    assert [m.id for m in messages.search("carol", "homework", room="lab", sender=nickname)] == [3, 1]
    every = messages.search("carol", "", sender=owner, every_room=True)
    assert [m.id for m in every] == [4, 2, 1]  # rooms only: never the private message
    assert messages.search("carol", "homework", every_room=True) == []  # every room: one person's only
    assert [m.id for m in messages.search("carol", "", sender=owner, every_room=True, before=2)] == [1]
