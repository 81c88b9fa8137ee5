"""Unit tests for shared/commands.py: command lines, the command table and the MSG rule."""

from __future__ import annotations

import pytest

from shared.commands import COMMANDS, CommandLine, classify_msg, help_text, parse_command_line, split_pm_argument
from shared.names import name_key


@pytest.mark.parametrize(
    "content, expected",
    [
        ("JOIN general", CommandLine("JOIN", "general")),
        ("/join general", CommandLine("JOIN", "general")),
        ("  /JoIn   #general  ", CommandLine("JOIN", "#general")),
        ("say  hello   world ", CommandLine("SAY", "hello   world")),
        ("msg\tbob: hi", CommandLine("MSG", "bob: hi")),
        ("LIST", CommandLine("LIST", "")),
        ("/", CommandLine("", "")),
        ("", CommandLine("", "")),
        ("   ", CommandLine("", "")),
        ("quit see you", CommandLine("QUIT", "see you")),
    ],
)
def test_parse_command_line(content, expected):
    assert parse_command_line(content) == expected


def test_the_table_has_exactly_the_contract_commands_and_which_work_before_a_nickname():
    version_1 = {"NICK", "JOIN", "MSG", "SAY", "PM", "LEAVE", "LIST", "HELP", "QUIT", "PING"}
    identity = {"PASS", "REGISTER", "LOGIN", "TOPIC", "KEY", "KICK", "BAN", "UNBAN", "MUTE", "UNMUTE", "ANNOUNCE"}
    presence = {"AWAY", "BACK", "TYPING"}
    # our additions: out of a room; a flood deleted; a room given (teachers); one person shut out by another;
    # a search's next page; students sent into a room (group work); an answer to one message
    ours = {"REMOVE", "PURGE", "OWNER", "IGNORE", "UNIGNORE", "SEARCHBEFORE", "MOVE", "REPLY"}
    assert (
        set(COMMANDS)
        == version_1
        | {"RESUME", "HISTORY", "SEARCH", "DELETE"}
        | identity
        | {"CLOSE"}
        | presence
        | {
            "UPLOAD",
            "DOWNLOAD",
            "CANCEL",
        }
        | ours
    )
    before_nick = {"NICK", "HELP", "PING", "QUIT", "RESUME", "PASS", "LOGIN"}
    assert {name for name, spec in COMMANDS.items() if spec.before_nick} == before_nick


def test_help_names_every_command_as_typed_in_every_client():
    text = help_text()
    for name in COMMANDS:
        assert f"\n  /{name.lower()}" in text


def online(*nicks: str):
    keys = {name_key(nick) for nick in nicks}
    return lambda nick: name_key(nick) in keys


@pytest.mark.parametrize(
    "argument",
    [
        "meet at 10:30",
        "http://example.com/a:b",
        "see https://example.com",
        "https://example.com",
        "no colon here",
        ":starts with a colon",
        "two words: not a nickname",
        "ratio 3:1",
    ],
)
def test_msg_texts_that_stay_public(argument):
    target = classify_msg(argument, online("bob"))
    assert target.kind == "public"
    assert target.text == argument


def test_msg_to_someone_online_is_private_whatever_their_case():
    target = classify_msg("BOB: are you there?", online("bob"))
    assert (target.kind, target.nick, target.text) == ("private", "BOB", "are you there?")


def test_msg_with_a_nick_shaped_prefix_and_nobody_of_that_name_is_refused():
    target = classify_msg("carol: secret plan", online("bob"))
    assert (target.kind, target.nick) == ("no_such_user", "carol")


def test_a_url_scheme_that_is_also_someones_nickname_still_makes_the_message_private():
    target = classify_msg("http://x", online("http"))
    assert target.kind == "private"


def test_a_nick_shaped_prefix_whose_rest_is_not_a_url_is_refused():
    assert classify_msg("http:/x", online()).kind == "no_such_user"
    assert classify_msg("mailto:someone", online()).kind == "no_such_user"


def test_split_pm_argument():
    assert split_pm_argument("bob hello there") == ("bob", "hello there")
    assert split_pm_argument("  bob   hi ") == ("bob", "hi")
    assert split_pm_argument("bob") == ("bob", "")
    assert split_pm_argument("") == ("", "")
    assert split_pm_argument("bob\thello\tthere") == ("bob", "hello\tthere")
    assert split_pm_argument("bob\u3000hi") == ("bob", "hi")  # an ideographic space, as CJK keyboards type


def test_a_parsed_command_line_cannot_be_changed_and_reads_by_name():
    command = parse_command_line("/say  hello")
    assert (command.name, command.argument) == ("SAY", "hello")
    with pytest.raises(AttributeError):
        command.name = "QUIT"  # type: ignore[misc]
