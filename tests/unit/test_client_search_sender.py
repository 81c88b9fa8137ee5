"""What /search typed in chat-term or the window sends: from:NAME and a teacher's #* go to the server as typed."""

from __future__ import annotations

from chat_gui.core.history_commands import AskSearch, parse_search, parse_search_before


def test_the_clients_pass_from_and_every_room_on_as_the_server_reads_them():
    assert parse_search("from:bob") == AskSearch("from:bob")
    assert parse_search("from:bob homework") == AskSearch("from:bob homework")
    assert parse_search("#* from:bob") == AskSearch("from:bob", "*")
    assert parse_search_before("120 #* from:bob") == AskSearch("from:bob", "*", 120)
