"""The storage layer's small pure parts: the default data folder, search queries, message records, status text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chat_server.storage import Conversation, StoredMessage, StoreStatus, default_data_dir
from chat_server.storage.search_query import parse_query


def test_linux_uses_xdg_data_home_or_the_default():
    assert default_data_dir("linux", {"HOME": "/home/ann"}) == Path("/home/ann/.local/share/classchat")
    assert default_data_dir("linux", {"HOME": "/home/ann", "XDG_DATA_HOME": "/data/ann"}) == Path("/data/ann/classchat")
    assert default_data_dir("linux", {"HOME": "/home/ann", "XDG_DATA_HOME": "relative"}) == Path(
        "/home/ann/.local/share/classchat"
    )
    assert default_data_dir("freebsd", {"HOME": "/usr/home/b"}) == Path("/usr/home/b/.local/share/classchat")


def test_windows_uses_local_app_data():
    found = default_data_dir("win32", {"LOCALAPPDATA": "C:\\Users\\ann\\AppData\\Local", "HOME": "x"})
    assert str(found).startswith("C:\\Users\\ann\\AppData\\Local") and found.name == "ClassChat"


def test_macos_uses_application_support():
    assert default_data_dir("darwin", {"HOME": "/Users/ann"}) == Path(
        "/Users/ann/Library/Application Support/ClassChat"
    )


def test_search_words_are_split_folded_and_capped():
    query = parse_query("  Photo\tSYNTHESIS  photo  ")
    assert query.words == ("Photo", "SYNTHESIS")
    assert query.folded == ("photo", "synthesis")
    assert query.fts_expression() == (
        '"Pho" AND "hot" AND "oto" AND "SYN" AND "YNT" AND "NTH" AND "THE" AND "HES" AND "ESI" AND "SIS"'
    )
    assert parse_query("abc abcd").fts_expression() == '"abc" AND "bcd"'
    assert parse_query("a " * 50).words == ("a",)
    assert len(parse_query(" ".join(f"w{n}x" for n in range(20))).words) == 8
    assert parse_query("x" * 5000).words == ("x" * 200,)


def test_search_quotes_cannot_escape_their_phrase():
    query = parse_query('a"OR ab')
    assert query.fts_expression() == '"a""O" AND """OR"'
    assert query.short_folded == ("ab",)
    assert parse_query("ab cd").fts_expression() is None
    assert parse_query("\x00\x1b[2J").words == ("[2J",)


@pytest.mark.parametrize("typed", ['x"""', '"AND', "OR NOT", "ab*", "NEAR(x y)", "col:umn", "^start", "+-()"])
def test_any_query_is_a_valid_fts5_expression_that_finds_its_own_text(typed):
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='trigram', detail=none)")
    connection.execute("INSERT INTO t (text) VALUES (?)", (f"before {typed} after",))
    connection.execute("INSERT INTO t (text) VALUES ('something else entirely')")
    expression = parse_query(typed).fts_expression()
    assert expression is not None
    assert connection.execute("SELECT text FROM t WHERE t MATCH ?", (expression,)).fetchall() == [
        (f"before {typed} after",)
    ]


def test_every_word_is_checked_exactly_with_like_wildcards_escaped():
    sql, params = parse_query("50%_off a\\b 你好").sql_conditions()
    assert sql == " AND m.text LIKE ? ESCAPE '\\'" * 2 + " AND cf_contains(m.text, ?)"
    assert params == ["%50\\%\\_off%", "%a\\\\b%", "你好"]


def test_search_matching_folds_case_one_character_to_one_like_the_index():
    query = parse_query("STRASSE ΣΊΣΥΦΟΣ")
    assert query.matches("die strasse und σίσυφος")
    assert not query.matches("die strasse")
    assert not parse_query("STRASSE").matches("die Straße")
    assert parse_query("STRAẞE").matches("die straße")


def test_a_message_is_public_or_private_and_knows_its_conversation():
    public = StoredMessage.public(1, "Physics", "Alice", "hi", 5)
    assert public.conv == "#physics" and public.room_key == "physics" and not public.is_private
    private = StoredMessage.private(2, "Bob", "Alice", "hi", 5)
    assert private.conv == "@alice@bob" == StoredMessage.private(3, "ALICE", "bob", "x", 5).conv
    assert private.room_key is None and private.is_private
    assert private.visible_to("alice") and private.visible_to("bob") and not private.visible_to("carol")
    assert Conversation.between("bob", "Alice").key == private.conv
    assert Conversation.of_room("#PHYSICS".lstrip("#")).key == public.conv


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (StoreStatus("ok"), "ok"),
        (StoreStatus("memory", "the disk is full", not_saved=3), "memory only: the disk is full; 3 messages not saved"),
        (
            StoreStatus("retrying", "the database is locked by another program", waiting=12),
            "not saving for now (the database is locked by another program); 12 waiting to be written",
        ),
        (StoreStatus("ok", notices=("moved x aside",)), "ok; moved x aside"),
    ],
)
def test_status_says_what_is_lost_in_words(status, text):
    assert status.describe() == text
