"""Code in messages (chat_gui/text/code_spans.py): ``` blocks and `inline` spans found as chat programs find them."""

from __future__ import annotations

import pytest

from chat_gui.text.code_spans import block_lines, code_ranges, inline_spans, outside_code
from chat_gui.text.emoji_data import replace_shortcodes
from chat_gui.text.mentions import mentions


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("look:\n```python\ndef f():\n    return 1\n```\nthanks", [False, True, True, True, True, False]),
        ("```\n\tx = 1\n\n\ty = 2\n```", [True] * 5),
        ("```def f():\n    return 1```\nafter", [True, True, False]),  # Discord: code on the fence lines
        ("```x = 1```\nafter", [True, False]),  # one line
        ("before\n  ```\nunclosed\nto the end", [False, True, True, True]),
        ("a ``` in the middle\nis no fence", [False, False]),
        ("no code at all", [False]),
        ("```\nfirst\n```\n```\nsecond\n```", [True] * 6),
    ],
)
def test_which_lines_are_in_a_block(text, kinds):
    assert block_lines(text) == kinds


def test_inline_spans_are_between_backticks_on_one_line():
    line = "use `a[i]` and `x==1`, not ` nor ``"
    assert [line[start:end] for start, end in inline_spans(line)] == ["`a[i]`", "`x==1`", "` nor `"]
    assert inline_spans("no backticks") == []


def test_code_ranges_cover_blocks_whole_and_inline_spans():
    text = "see `f()`\n```\ndef f():\n    pass\n```\nok"
    assert [text[start:end] for start, end in code_ranges(text)] == ["`f()`", "```\ndef f():\n    pass\n```"]


def test_shortcodes_are_replaced_outside_code_only():
    typed = "done :smile:\n```python\nprint(':smile:')  # :tada:\n```\nand `:ok:` :tada:"
    assert outside_code(typed, replace_shortcodes) == (
        "done 😄\n```python\nprint(':smile:')  # :tada:\n```\nand `:ok:` 🎉"
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("```python\n@property\ndef size(self):\n    return property\n```", False),
        ("call `property()` here", False),
        ("property: look at `size`", True),
        ("```\ncode\n```\nthanks @property", True),
    ],
)
def test_a_name_inside_code_is_no_mention(text, named):
    assert mentions(text, "property") is named
