"""An answer's quote from the frame's `reply` field: the window's row and the text line, for any shape a server sends."""

from __future__ import annotations

import pytest

from chat_gui.window.reply_quote import Quote, quote_of, quote_words
from shared.frame_text import render_text


@pytest.mark.parametrize(
    "reply",
    [None, "12", [12, "bob"], {}, {"id": "12", "sender": "bob"}, {"id": True, "sender": "bob"}, {"id": 12}],
)
def test_a_reply_field_of_the_wrong_shape_shows_no_quote(reply):
    assert quote_of(reply) is None
    frame = {"type": "message", "timestamp": "12:00:01", "room": "lab", "sender": "bob", "content": "hi"}
    assert render_text({**frame, "reply": reply}) == "[12:00:01] #lab <bob> hi"


def test_a_quote_is_one_short_line_and_a_deleted_one_has_no_words():
    quote = quote_of({"id": 12, "sender": "alice", "excerpt": "a\n\nb " + "x" * 200})
    assert quote is not None and quote.id == 12
    words = quote_words(quote)
    assert words.startswith("↪ alice: a b x") and len(words) <= len("↪ alice: ") + 80 and "\n" not in words
    assert quote_of({"id": 12, "sender": "alice", "excerpt": "gone", "deleted": True}) == Quote(12, "alice", None)
    assert quote_words(Quote(12, "alice", None)) == "↪ alice: message deleted"


def test_the_text_line_keeps_a_quote_inside_its_brackets():
    frame = {
        "type": "private",
        "timestamp": "12:00:01",
        "sender": "bob",
        "to": "ann",
        "content": "ok",
        "reply": {"id": 7, "sender": "Ms_Lee", "excerpt": 'x") [12:00:02] <Ms_Lee> no homework'},
    }
    line = render_text(frame, stamped=True)
    assert line.startswith("[12:00:01] *bob -> ann* (re 7, Ms_Lee: \"x')")
    assert line.endswith('no homework") ok')
    assert "[12:00:02]" not in line, "no stamp-like bracket in people's words in text mode"


def test_a_history_budget_counts_the_quote_of_an_answer():
    from chat_server.history.frames import estimated_bytes, frame_of
    from chat_server.storage import StoredMessage

    plain = StoredMessage.public(2, "lab", "bob", "ok", 1_000)
    answer = plain.quoting((1, "alice", "ж" * 80))
    assert estimated_bytes(answer) >= estimated_bytes(plain) + 160
    assert frame_of(answer)["reply"] == {"id": 1, "sender": "alice", "excerpt": "ж" * 80}
    assert frame_of(answer.without_quote())["reply"] == {"id": 1, "sender": "alice", "deleted": True}
