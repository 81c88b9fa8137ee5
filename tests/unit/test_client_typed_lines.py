"""What a typed line means (chat_gui/core/typed_lines.py): the one interpreter both clients use."""

from __future__ import annotations

import pytest

from chat_gui.core.typed_lines import (
    Login,
    Nothing,
    OpenPrivate,
    Quit,
    Reconnect,
    Refuse,
    Register,
    Send,
    ShowHelp,
    help_text,
    interpret,
)

ONLINE = {"bob", "carol", "meet"}


def online(nick: str) -> bool:
    return nick.casefold() in ONLINE


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("meet at 10:30", "SAY meet at 10:30"),
        ("bob: are you there?", "SAY bob: are you there?"),  # bare text is always public
        ("join me for lunch", "SAY join me for lunch"),
        ("  hello  ", "SAY hello"),
        ("https://example.org/a:b", "SAY https://example.org/a:b"),
        ("//etc is a folder", "SAY /etc is a folder"),
        ("///x", "SAY //x"),
        ("/say /etc too", "SAY /etc too"),
        ("/SAY loud", "SAY loud"),
        ("/msg bob: hi", "MSG bob: hi"),  # the contract's private form: the server decides
        ("/msg dave: hi", "MSG dave: hi"),  # dave is not known online: the server answers no_such_user
        ("/msg the plan: 10:30", "MSG the plan: 10:30"),  # nothing nickname-shaped before the colon: public
        ("/msg https://example.org", "MSG https://example.org"),  # a URL stays public (the server's rule)
        ("/msg dave see you", "MSG dave see you"),  # dave is not online: MSG as the contract says
        ("/pm bob see you at 3", "PM bob see you at 3"),
        ("/pm bob: hi", "PM bob hi"),
        ("/PM Bob\tcalm down", "PM Bob calm down"),
        ("/join maths", "JOIN maths"),
        ("/JOIN #maths", "JOIN #maths"),
        ("/join lab secret-key", "JOIN lab secret-key"),
        ("/leave", "LEAVE"),
        ("/list", "LIST"),
        ("/list lab 2", "LIST lab 2"),
        ("/nick carol", "NICK carol"),
        ("/ping x", "ping x"),  # unknown to the client: passed to the server as typed
        ("/away at lunch", "AWAY at lunch"),
        ("/AWAY", "AWAY"),
        ("/back", "BACK"),
    ],
)
def test_lines_that_send(line, command):
    typed = interpret(line, is_online=online)
    assert isinstance(typed, Send) and typed.command == command


@pytest.mark.parametrize(
    "line",
    [
        "/msg bob see you at lunch",
        "/msg Bob see you at 10:30",  # a colon later in the text does not make it private
        "/msg bob, see you",
        "/msg carol",
        "/msg meet at 10:30",  # "meet" is someone's nickname here: asked, not guessed
    ],
)
def test_msg_to_someone_online_without_a_colon_sends_nothing_and_says_how(line):
    typed = interpret(line, is_online=online)
    assert isinstance(typed, Refuse)
    first = line.split()[1].rstrip(",")
    assert f"/pm {first} " in typed.text and "/say " in typed.text


def test_msg_meet_at_1030_is_public_when_nobody_is_called_meet():
    typed = interpret("/msg meet at 10:30", is_online=lambda nick: nick == "bob")
    assert typed == Send("MSG meet at 10:30", "meet at 10:30")


def test_msg_with_a_full_width_colon_goes_to_the_servers_rule_not_the_room():
    """The ninth review: "/msg bob：hi" (a CJK keyboard's colon) was sent as a public MSG the server posted to the room."""
    for colon in ("\uff1a", "\ufe55", "\ufe13"):
        typed = interpret(f"/msg bob{colon}hi", is_online=online)
        assert typed == Send(f"MSG bob{colon}hi", "hi"), typed


def test_in_a_private_tab_bare_text_goes_to_that_person_only():
    assert interpret("hi there", private_to="bob") == Send("PM bob hi there", "hi there", "bob")
    assert interpret("/say to the room", private_to="bob").command == "SAY to the room"  # type: ignore[union-attr]
    assert interpret("//x", private_to="bob") == Send("PM bob /x", "/x", "bob")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", Nothing()),
        ("   \n ", Nothing()),
        ("/pm bob", OpenPrivate("bob")),
        ("/query bob", OpenPrivate("bob")),
        ("/quit", Quit("QUIT")),
        ("/quit see you all", Quit("QUIT see you all")),
        ("/exit", Quit("QUIT")),
        ("/reconnect", Reconnect()),
        ("/help", ShowHelp(help_text())),
    ],
)
def test_local_actions(line, expected):
    assert interpret(line) == expected


@pytest.mark.parametrize("line", ["/join", "/nick", "/say", "/msg", "/pm", "/", "/  "])
def test_commands_missing_something_are_refused(line):
    assert isinstance(interpret(line), Refuse)


def test_a_message_over_the_limit_is_refused_before_sending():
    assert isinstance(interpret("x" * 2000), Send)
    too_long = interpret("x" * 2001)
    assert isinstance(too_long, Refuse) and "2001 characters" in too_long.text
    assert isinstance(interpret("/pm bob " + "y" * 2001), Refuse)
    assert isinstance(interpret("/msg " + "y" * 2001), Refuse)
    assert isinstance(interpret("/join " + "z" * 3000), Send)  # the server judges room names


def test_a_paste_of_code_over_the_limit_is_pointed_to_sharing_it_as_a_file_in_the_window():
    code = "```python\n" + "\n".join(f"    line_{n} = {n}  # a longer comment here" for n in range(60)) + "\n```"
    refused = interpret(code, window=True)
    assert isinstance(refused, Refuse) and "Attach…" in refused.text and "/send FILE" in refused.text
    prose = interpret("x" * 2001, window=True)
    assert isinstance(prose, Refuse) and "Attach" not in prose.text


def test_help_says_what_the_readme_says_about_the_leading_slash():
    text = help_text()
    assert text.startswith("Lines that start with / are commands; any other line is said in your room")
    assert "//" in text
    assert help_text(window=True).startswith(text)


# -- identity and teachers' lines (chat_gui/core/moderation_lines.py) --
@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("/kick bob", "KICK bob"),
        ("/kick bob stop that now", "KICK bob stop that now"),
        ("/ban bob", "BAN bob"),
        ("/ban bob 10", "BAN bob 10"),
        ("/ban bob 10 flooding the room", "BAN bob 10 flooding the room"),
        ("/ban bob flooding", "BAN bob flooding"),  # no minutes: until /unban
        ("/ban bob 2h flooding", "BAN bob 120 flooding"),  # a unit: sent as minutes, which every server reads
        ("/ban bob 1w", "BAN bob 10080"),
        ("/ban bob 2 hours flooding", "BAN bob 120 flooding"),
        ('/ban bob "flooding"', "BAN bob flooding"),  # quotes go on the wire only where the reason needs them
        ('/ban bob "3 warnings ignored"', 'BAN bob "3 warnings ignored"'),  # bare, the server read 3 minutes
        ('/ban bob 5 "days of trolling"', 'BAN bob 5 "days of trolling"'),  # bare: 5 days
        ('/ban bob "1.5 hours late"', 'BAN bob "1.5 hours late"'),  # bare: refused as a length
        ("/unban bob", "UNBAN bob"),
        ("/mute bob", "MUTE bob"),
        ("/UNMUTE Bob", "UNMUTE Bob"),
        ("/mute *", "MUTE *"),  # the whole class, for a test: "*" is no nickname and was refused here
        ("/unmute  * ", "UNMUTE *"),
        ("/announce tests start at 10", "ANNOUNCE tests start at 10"),
        ("/close lab end of the lesson", "CLOSE lab end of the lesson"),
        ("/topic Circuits, week 3", "TOPIC Circuits, week 3"),
        ("/topic", "TOPIC"),
        ("/key s3cret", "KEY s3cret"),
        ("/key", "KEY"),
        ("/remove ivan", "REMOVE ivan"),  # a room's owner too (found by a probe: an owner could not)
        ("/remove ivan came in with the leaked key", "REMOVE ivan came in with the leaked key"),
        ("/owner #lab carol", "OWNER #lab carol"),
        ("/owner lab  none", "OWNER lab none"),
        ("/move g1 ann,bob Group 1: fractions", "MOVE g1 ann,bob Group 1: fractions"),  # group work
        ("/move  general  *  time is up", "MOVE general * time is up"),
    ],
)
def test_teacher_lines_that_send(line, command):
    typed = interpret(line)
    assert isinstance(typed, Send) and typed.command == command


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("/kick", "Say whom"),
        ("/ban", "Say whom"),
        ("/ban 10 bob", "nickname comes first"),
        ("/kick a:b", "not a nickname"),
        ("/ban bob 0", "1 to"),
        ("/ban bob 99999999", "1 to"),
        ("/ban bob -5 spam", "10m, 2h"),  # a slip, not a reason: it would have banned bob until lifted
        ("/ban bob 1.5", "10m, 2h"),
        ("/ban bob 1e3 spam", "10m, 2h"),
        ("/mute bob for a while", "Only a nickname"),
        ("/kick *", "not a nickname"),  # only /mute and /unmute take the whole class
        ("/move g1", "Say where and whom"),
        ("/move g1 ann, bob", "commas, no spaces"),  # else bob was the reason, and stayed where he was
        ("/move g1 a:b", "not a nickname"),
        ("/unban", "Say whom"),
        ("/announce", "Announce what"),
        ("/announce " + "x" * 2001, "2000"),
        ("/close", "which room"),
        ("/remove", "Say whom: /remove NICK"),
        ("/remove a:b spam", "not a nickname"),
        ("/owner", "which room and to whom"),
        ("/owner lab", "which room and to whom"),
        ("/owner lab carol now", "which room and to whom"),
    ],
)
def test_teacher_lines_that_are_not_whole_are_refused(line, hint):
    typed = interpret(line)
    assert isinstance(typed, Refuse) and hint in typed.text


def test_login_and_register_lines_are_local_and_hide_the_password():
    assert interpret("/login alice") == Login("alice", "")
    typed = interpret("/login alice my secret words")
    assert typed == Login("alice", "my secret words") and "secret" not in repr(typed)
    assert interpret("/login") == Login("", "")
    assert isinstance(interpret("/login a:b"), Refuse)
    assert interpret("/register") == Register("")
    assert "pass-word-1" not in repr(interpret("/register pass-word-1"))


def test_help_names_the_teacher_commands():
    assert "/kick NICK" in help_text() and "/login" in help_text() and "/owner ROOM NICK" in help_text()


def test_an_all_digit_nickname_is_banned_when_someone_has_it_or_a_dialog_says_so():
    # "/ban 10 spamming" looks like the slip "/ban 10 bob", unless "10" is someone this client knows
    assert isinstance(interpret("/ban 10 spamming"), Refuse)
    online = interpret("/ban 10 spamming", is_online=lambda nick: nick == "10")
    assert isinstance(online, Send) and online.command == "BAN 10 spamming"
    built = interpret('/ban 10 "spamming"', from_dialog=True)  # the Ban… dialog: the first word is the nickname
    assert isinstance(built, Send) and built.command == "BAN 10 spamming"
    assert isinstance(interpret("/ban 10 bob", is_online=lambda nick: nick == "bob"), Refuse), "bob: still a slip"
