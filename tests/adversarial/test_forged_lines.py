"""Nothing a user types reaches another user where or how the server's own text appears (issue 9, item 3).

The attacks: line breaks of every kind (\\n, \\r, U+2028, U+2029, NEL,
vertical tab, form feed) in messages, private messages and QUIT or kick
reasons, to paint a line that looks like the teacher or an
"Announcement"; bidirectional overrides that turn a line around;
zero-width and filler characters that make a name look like another.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.names import MAX_REASON_CHARS
from tests.integration.test_text_mode import text_user
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]
BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
FORGERY = "[12:00:00] * Announcement: the test is cancelled, log in at http://evil.example"
# As a text-mode user reads it: no "[" before a digit in anyone's words (shared/frame_text.py defuse_stamps).
FORGERY_SHOWN = "(" + FORGERY[1:]
# What a text-mode line may start with: the server's own prefixes, nothing else.
SERVER_LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] (#\S+ <\S+> |\*\S+ -> \S+\* |\* |! |PONG)")


@pytest.fixture
def room(start_server, wire):
    """bob (JSON) and tia (text mode) in #lab, both watching; the server lets them send fast."""
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    tia = text_user(server, "tia", "lab")
    bob.expect("system")
    yield server, bob, tia
    tia.close()


def mallory_joins(server, bob, tia) -> WireClient:
    """mallory in #lab, her join seen by bob (JSON) and tia (text mode)."""
    mallory = WireClient(server.address).register("mallory", "lab")
    bob.expect("system")
    tia.expect("mallory joined")
    return mallory


@pytest.mark.parametrize("brk", BREAKS)
def test_a_quit_reason_stays_one_quoted_line_after_the_servers_words(room, brk):
    server, bob, tia = room
    mallory = mallory_joins(server, bob, tia)
    mallory.send(f"QUIT bye{brk}{FORGERY}{brk}{brk}more")
    notice = bob.expect("system")
    assert notice["event"] == "leave" and notice["user"] == "mallory"
    assert notice["content"].startswith('mallory left #lab (quit: "bye ')
    assert notice["content"].endswith('…")') and len(notice["content"]) < 100
    assert notice["reason"] == f"bye {FORGERY} more"  # one line, every break a single space
    line = tia.expect("mallory left")
    assert SERVER_LINE.match(line) and line.count("[") == 1 and "\r" not in line[:-1]
    assert '(quit: "bye (12:00:00] * Announcement' in line


def test_a_long_quit_reason_is_capped_in_the_notice_and_in_its_field(room):
    server, bob, _tia = room
    mallory = WireClient(server.address).register("mallory", "lab")
    bob.expect("system")
    mallory.send("QUIT " + "x" * 5000)
    notice = bob.expect("system")
    assert len(notice["reason"]) == MAX_REASON_CHARS and notice["reason"].endswith("…")


def test_a_reason_with_quotes_and_brackets_stays_inside_the_quotes(room):
    server, bob, tia = room
    mallory = WireClient(server.address).register("mallory", "lab")
    bob.expect("system")
    mallory.send('QUIT ") \n\u202eAnnouncement: class is over (')
    notice = bob.expect("system")
    # the double quotes among her words are shown as single ones: only the server's quotes are double
    assert notice["content"] == 'mallory left #lab (quit: "\') Announcement: class is over (")'
    assert notice["reason"] == '") Announcement: class is over ('
    assert "\u202e" not in notice["reason"]


# A double quote that closes the server's quotes early, then words that read as the server's (ninth review):
# chat-term and nc printed `mallory left #lab (quit: "bye"). [12:00:00] * Ms_Lee (teacher) muted ...`.
CLOSE_THE_QUOTES = '"). [12:00:00] * Ms_Lee (teacher) muted everyone ("'


def _only_the_servers_quotes(text: str) -> None:
    assert text.count('"') == 2, text


def test_a_quote_in_a_quit_reason_cannot_close_the_servers_quotes(room):
    server, bob, tia = room
    mallory = mallory_joins(server, bob, tia)
    mallory.send(f"QUIT bye{CLOSE_THE_QUOTES}")
    notice = bob.expect("system")
    assert notice["reason"] == f"bye{CLOSE_THE_QUOTES}"  # the words themselves, whole, in their own field
    _only_the_servers_quotes(notice["content"])
    _only_the_servers_quotes(tia.expect("mallory left"))


def test_a_quote_in_an_away_text_cannot_close_the_servers_quotes(room):
    server, bob, tia = room
    mallory = mallory_joins(server, bob, tia)
    mallory.send(f"AWAY brb{CLOSE_THE_QUOTES}")
    presence = bob.expect("presence")
    assert presence["text"] == f"brb{CLOSE_THE_QUOTES}"
    _only_the_servers_quotes(presence["content"])
    _only_the_servers_quotes(tia.expect("mallory is away"))


def test_a_topic_is_quoted_and_a_quote_in_it_cannot_close_the_quotes(room):
    _server, bob, tia = room
    bob.send(f"TOPIC Maths{CLOSE_THE_QUOTES}")
    notice = bob.expect(lambda frame: frame.get("event") == "topic")
    assert notice["topic"] == f"Maths{CLOSE_THE_QUOTES}"
    assert notice["content"].startswith("bob set the topic of #lab: \"Maths'")
    _only_the_servers_quotes(notice["content"])
    _only_the_servers_quotes(tia.expect("set the topic"))


def test_a_quote_in_a_remove_reason_cannot_close_the_servers_quotes(room):
    server, bob, tia = room  # bob made #lab: he owns it
    mallory = WireClient(server.address).register("mallory", "lab")
    bob.expect("system")
    tia.expect("mallory joined")
    bob.send(f"REMOVE mallory spam{CLOSE_THE_QUOTES}")
    removed = mallory.expect(lambda frame: frame.get("event") == "removed")
    assert removed["reason"] == f"spam{CLOSE_THE_QUOTES}"
    _only_the_servers_quotes(removed["content"])
    _only_the_servers_quotes(bob.expect(lambda frame: frame.get("event") == "leave")["content"])
    _only_the_servers_quotes(tia.expect("mallory left"))


def test_an_admin_kick_reason_is_one_line_too(room):
    server, bob, tia = room
    mallory = WireClient(server.address).register("mallory", "lab")
    bob.expect("system")
    server.kick("mallory", "spamming\n[12:00:00] <teacher> ignore this\u2028line")
    notice = bob.expect("system")
    assert notice["content"].startswith('mallory left #lab (kicked: "spamming [12:00:00] <teacher>')
    assert "\n" not in notice["reason"] and "\u2028" not in notice["reason"]
    assert SERVER_LINE.match(tia.expect("mallory left"))
    assert mallory.rest_until_closed()[-1]["reason"] == "kick"


@pytest.mark.parametrize("brk", BREAKS)
def test_line_breaks_in_a_message_never_start_a_line_for_a_text_user(room, brk):
    _server, bob, tia = room
    bob.send(f"SAY hello{brk}{FORGERY}")
    message = bob.expect("message")
    assert message["content"] == f"hello\n{FORGERY}"  # JSON clients get a plain newline, whatever the break
    line = tia.expect("<bob>")
    assert line == f"{line[:11]}#lab <bob> hello | {FORGERY_SHOWN}\r"


@pytest.mark.parametrize("brk", BREAKS)
def test_line_breaks_in_a_private_message_never_start_a_line_either(room, brk):
    _server, bob, tia = room
    bob.send(f"PM tia psst{brk}{FORGERY}")
    line = tia.expect(r"\*bob -> tia\*")
    assert line.endswith(f"psst | {FORGERY_SHOWN}\r") and SERVER_LINE.match(line)


@pytest.mark.parametrize("control", BIDI)
def test_bidirectional_controls_are_removed_from_text(room, control):
    _server, bob, tia = room
    bob.send(f"SAY abc{control}def")
    assert bob.expect("message")["content"] == "abcdef"
    assert tia.expect("<bob>").endswith("abcdef\r")


def test_invisible_characters_go_but_emoji_sequences_and_joiners_stay(room):
    _server, bob, _tia = room
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # woman, ZWJ, woman, ZWJ, girl
    heart = "\u2764\ufe0f"  # a heart with the emoji variation selector
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # England (tag characters)
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a zero-width non-joiner
    bob.send(f"SAY {family} {heart} {flag} {persian} a\u200bb\u2060c\ufeffd")
    assert bob.expect("message")["content"] == f"{family} {heart} {flag} {persian} abcd"


@pytest.mark.parametrize(
    "disguise",
    ["b\u200bob", "\u202ebob", "bob\u200d", "bo\ufe0fb", "\u2066bob\u2069", "b\u00adob", "bob\U000e0041", "ｂｏｂ"],
)
def test_a_nickname_with_invisible_characters_is_the_nickname_without_them(room, disguise):
    server, _bob, _tia = room
    impostor = WireClient(server.address)
    assert impostor.error(f"NICK {disguise}") == "nick_taken"
    assert impostor.reply(f"NICK x{disguise}")["nick"] == "xbob"


@pytest.mark.parametrize("invisible", ["\u3164", "\u115f\u1160", "\uffa0", "\u200b\u200c\u200d", "\u2800"])
def test_a_nickname_of_nothing_visible_is_refused(room, invisible):
    server, _bob, _tia = room
    assert WireClient(server.address).error(f"NICK {invisible}") == "bad_nick"


def test_room_names_lose_invisible_characters_too(room):
    server, bob, _tia = room
    other = WireClient(server.address).register("carol")
    joined = other.reply("JOIN #l\u200ba\u202eb")
    assert (joined["type"], joined["room"]) == ("joined", "lab")
    bob.expect("system")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_whatever_a_message_holds_a_text_user_sees_one_server_line_per_message(room, text):
    _server, bob, tia = room
    bob.send(f"SAY {text}")
    first = bob.next()
    bob.send("SAY end-marker")
    bob.expect(lambda f: f["content"] == "end-marker")
    while True:
        line = tia.next_line()
        assert SERVER_LINE.match(line), repr(line)
        assert "\n" not in line and "\r" not in line[:-1] and "\u2028" not in line and "\u2029" not in line
        if line.endswith("<bob> end-marker\r"):
            break
    if first["type"] == "message":
        assert not any(ch in first["content"] for ch in BIDI + ["\u200b", "\u2060", "\ufeff", "\r", "\u2028"])
