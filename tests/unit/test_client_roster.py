"""Who the client core knows to be online (chat_gui/core/roster.py): bounded however many names a lesson brings."""

from __future__ import annotations

from chat_gui.core.roster import Roster
from shared.frames import server_frame


def private(sender: str, to: str = "me") -> dict:
    return server_frame("private", "hi", id=1, sender=sender, to=to)


def test_names_outside_the_room_are_bounded_and_the_latest_heard_of_stay():
    """Every name that ever wrote to the client or stood in a LIST stayed for good, and Tab offered them all."""
    roster = Roster(max_others=100)
    for number in range(3000):
        roster.learn(private(f"guest{number}"), "me")
    roster.learn(server_frame("list", "", users=[f"pupil{number}" for number in range(50)], rooms=[]), "me")
    assert len(roster.known()) <= 100
    assert roster.is_online("pupil49") and roster.is_online("guest2999") and not roster.is_online("guest0")
    # a name heard of again moves to the newest end
    roster.learn(private("guest2960"), "me")
    for number in range(3000, 3090):
        roster.learn(private(f"guest{number}"), "me")
    assert roster.is_online("guest2960") and not roster.is_online("guest2961")
    roster.learn(private("me", to="teacher"), "me")  # our own line to someone: they are heard of too
    assert roster.is_online("teacher")
