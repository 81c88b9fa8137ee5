"""A heading and a server's reason read as English: a reason that is a sentence of its own follows a full stop."""

from __future__ import annotations

from chat_gui.core.events import HistoryPage, PageKind
from chat_gui.text.history_lines import page_lines
from shared.errors import ProtocolError
from shared.name_scripts import check_single_script
from shared.reason_glue import with_reason


def test_a_sentence_follows_a_full_stop_and_anything_else_the_colon():
    assert with_reason("History of #maths", "This server keeps no history.") == (
        "History of #maths. This server keeps no history."
    )
    assert with_reason("Refused.", "Try again.") == "Refused. Try again."
    assert with_reason("History of #maths", "'x' is not a message id.") == "History of #maths: 'x' is not a message id."
    assert (
        with_reason("Could not load", "too many requests are waiting")
        == "Could not load: too many requests are waiting"
    )
    assert with_reason("Refused", "Это имя занято.") == "Refused. Это имя занято."  # a capital in any alphabet
    assert with_reason("Refused", "  ") == "Refused"


def test_the_mixed_script_refusal_reads_as_two_sentences():
    """Found by the fifteenth review: "The nickname 'bоb' is refused: It mixes Latin letters with …"."""
    try:
        check_single_script("bоb")
    except ProtocolError as error:
        words = error.message
    else:
        raise AssertionError("a mixed-script name was allowed")
    assert words.startswith("The nickname 'bоb' is refused. It mixes Latin letters with Cyrillic ones"), words
    assert ": It" not in words


def test_chat_term_says_a_server_refusal_of_a_page_as_its_own_sentence():
    page = HistoryPage(PageKind.ASKED, "#maths", (), error="This server keeps no history (it runs with --no-history).")
    assert page_lines(page, str) == ["! History of #maths. This server keeps no history (it runs with --no-history)."]
