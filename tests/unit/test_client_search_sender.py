"""What /search typed in chat-term or the window sends: from:NAME and a teacher's #* go to the server as typed."""

from __future__ import annotations

from chat_gui.core.events import SearchResults
from chat_gui.core.history_commands import AskSearch, parse_search, parse_search_before
from chat_gui.text.history_lines import NICKNAME_ONLY_NOTE, search_lines


def test_the_clients_pass_from_and_every_room_on_as_the_server_reads_them():
    assert parse_search("from:bob") == AskSearch("from:bob")
    assert parse_search("from:bob homework") == AskSearch("from:bob homework")
    assert parse_search("#* from:bob") == AskSearch("from:bob", "*")
    assert parse_search_before("120 #* from:bob") == AskSearch("from:bob", "*", 120)


def test_chat_term_says_when_from_matched_only_a_nickname():
    result = {"id": 7, "room": "lab", "sender": "eve", "time": "2026-12-04T12:00:00.000Z", "content": "hi"}
    by_name = search_lines(SearchResults("from:eve", None, (result,), by_nickname_only=True))
    assert by_name[-1] == f"*** {NICKNAME_ONLY_NOTE}"
    assert NICKNAME_ONLY_NOTE not in "\n".join(search_lines(SearchResults("from:eve", None, (result,))))
    assert search_lines(SearchResults("from:eve", None, (), by_nickname_only=True)) == [
        "*** Nothing found for “from:eve”."
    ]
