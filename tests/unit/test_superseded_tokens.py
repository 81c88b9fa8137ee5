"""The tokens a login elsewhere took over: found by their token for their account only, for a while, a bounded few."""

from __future__ import annotations

from chat_server.resume_tokens import token_digest
from chat_server.superseded_tokens import SupersededTokens


def test_a_token_is_found_for_its_account_only_and_until_it_expires():
    book = SupersededTokens(keep_seconds=600)
    book.note("ann", token_digest("tok-1"), "10.0.0.7", now=100.0)
    assert book.find("ann", "tok-1", now=650.0) == "10.0.0.7"
    assert book.find("bob", "tok-1", now=650.0) is None
    assert book.find("ann", "tok-2", now=650.0) is None
    assert book.find("ann", "tok-1", now=700.0) is None and len(book) == 0


def test_the_book_keeps_at_most_its_capacity_newest_first_and_nothing_without_resume():
    book = SupersededTokens(keep_seconds=600, capacity=3)
    for number in range(5):
        book.note("ann", token_digest(f"tok-{number}"), "10.0.0.7", now=100.0 + number)
    assert len(book) == 3 and book.find("ann", "tok-1", now=110.0) is None and book.find("ann", "tok-4", now=110.0)
    off = SupersededTokens(keep_seconds=0)
    off.note("ann", token_digest("tok"), "10.0.0.7", now=1.0)
    assert len(off) == 0
