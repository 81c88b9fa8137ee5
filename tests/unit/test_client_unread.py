"""The title's unread and mention counts follow deletions (chat_gui/core/unread.py; no Tk, no sockets)."""

from __future__ import annotations

from chat_gui.core.unread import MAX_COUNTED_IDS, UnreadCounts


def test_a_deleted_message_stops_counting_once():
    """Found by a probe: five mentions deleted by their sender left the title at "(5, @5)"."""
    counts = UnreadCounts()
    for number in range(1, 6):
        counts.count(number, mention=True)
    counts.count(6)
    assert (counts.unread, counts.mentions) == (6, 5)
    assert all(counts.deleted(number) for number in range(1, 6))
    assert (counts.unread, counts.mentions) == (1, 0)
    assert not counts.deleted(3), "deleted twice: taken out once"
    assert counts.deleted(6) and (counts.unread, counts.mentions) == (0, 0)


def test_only_messages_counted_and_not_yet_seen_are_taken_out():
    counts = UnreadCounts()
    counts.count(1, mention=True)
    counts.seen()
    counts.count(2)
    counts.count(None)  # an announcement: no id, counts until seen
    assert not counts.deleted(1) and not counts.deleted(99)
    assert (counts.unread, counts.mentions) == (2, 0)
    assert counts.deleted(2) and counts.unread == 1


def test_a_flood_of_unread_messages_keeps_a_bounded_memory():
    counts = UnreadCounts()
    for number in range(MAX_COUNTED_IDS + 50):
        counts.count(number)
    assert counts.unread == MAX_COUNTED_IDS + 50
    assert not counts.deleted(MAX_COUNTED_IDS + 10), "past the bound a message counts but is not remembered"
    assert counts.deleted(0) and counts.unread == MAX_COUNTED_IDS + 49
