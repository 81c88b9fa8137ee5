"""Where the emoji are in a line, so the pane draws them in an emoji font."""

from __future__ import annotations

import pytest

from chat_gui.text.emoji_runs import emoji_ranges


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("plain ascii :) <3", []),
        ("ok 👍 thanks", ["👍"]),
        ("skin 👍🏽 tone", ["👍🏽"]),
        ("family 👨‍👩‍👧 joined", ["👨‍👩‍👧"]),
        ("heart ❤️ and sun ☀", ["❤️", "☀"]),
        ("🎉🎉 party", ["🎉🎉"]),
        ("flag 🇫🇷 here", ["🇫🇷"]),
        ("keycap 1️⃣ first", ["1️⃣"]),
        ("accents café naïve — dash … and ™", []),
        ("中文 русский ไทย", []),
    ],
)
def test_emoji_ranges(text, found):
    assert [text[start:end] for start, end in emoji_ranges(text)] == found


def test_ranges_are_in_order_and_do_not_overlap():
    text = "a🙂b🙂🙂c👍🏽d"
    ranges = emoji_ranges(text)
    assert ranges == sorted(ranges)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(ranges, ranges[1:], strict=False))
