"""chat-term's one line for messages that went while it was away: deleted, or lost when the server crashed."""

from __future__ import annotations

from chat_gui.core.events import MessagesGone
from chat_gui.terminal_client import gone_words


def test_deleted_messages_are_called_deleted():
    assert gone_words(MessagesGone("#lab", (4,))) == "Message 4 in #lab was deleted while you were away."
    assert "3 messages in #lab (ids 4 to 9) were deleted" in gone_words(MessagesGone("#lab", (4, 7, 9)))


def test_messages_lost_in_a_crash_are_called_not_saved_and_never_deleted():
    """Found by a probe: after a kill -9, chat-term said 200 messages nobody deleted "were deleted"."""
    one = gone_words(MessagesGone("#lab", (4,), unsaved=True))
    many = gone_words(MessagesGone("#lab", tuple(range(2, 202)), unsaved=True))
    assert one.startswith("Message 4 in #lab was not saved") and "stopped unexpectedly" in one
    assert many.startswith("200 messages (ids 2 to 201) in #lab were not saved")
    assert "deleted" not in one + many
