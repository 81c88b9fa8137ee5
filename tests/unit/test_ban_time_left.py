"""How a ban's time left is said: whole units, the rest in the smaller one, never rounded up by most of an hour."""

from __future__ import annotations

import pytest

from chat_server.farewells import time_left
from chat_server.storage.models import Sanction

NOW_MS = 1_800_000_000_000


def ban_ending_in(minutes: float | None) -> Sanction:
    until = None if minutes is None else NOW_MS + int(minutes * 60_000)
    return Sanction("ban", "bob", None, "", until, "Ms_Lee", NOW_MS)


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (0.4, "for 1 more minute"),
        (1, "for 1 more minute"),
        (45, "for 45 more minutes"),
        (119, "for 119 more minutes"),
        (119.5, "for 2 more hours"),  # a minute begun counts whole
        (120, "for 2 more hours"),
        (150, "for 2 more hours and 30 minutes"),  # found by the fifteenth review: "for 3 more hours"
        (121, "for 2 more hours and 1 minute"),
        (47 * 60 + 59, "for 47 more hours and 59 minutes"),
        (48 * 60, "for 2 more days"),
        (7 * 24 * 60, "for 7 more days"),
        (3.5 * 24 * 60, "for 3 more days and 12 hours"),  # was "for 4 more days"
        (2 * 24 * 60 + 61, "for 2 more days and 2 hours"),  # an hour begun counts whole at this scale
        (None, "until a teacher or the admin lifts it"),
    ],
)
def test_the_time_left_is_said_in_whole_units_and_the_rest(minutes, said):
    assert time_left(ban_ending_in(minutes), NOW_MS) == said


def test_the_end_of_a_ban_goes_inside_the_sentence():
    """Found by the fifteenth review: "... for 90 more minutes. (until 20:46)" with the full stop before it."""
    from chat_gui.core.sign_in import ban_words

    until = "2026-12-04T20:46:00.000Z"
    plain = ban_words("You are banned from this server for 90 more minutes.", until)
    assert plain.startswith("You are banned from this server for 90 more minutes (until ") and plain.endswith(").")
    with_reason = ban_words("You are banned from this server for 90 more minutes: spamming", until)
    assert with_reason.startswith("You are banned from this server for 90 more minutes: spamming (until ")
    assert with_reason.endswith(")")
