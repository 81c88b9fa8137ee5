"""chat-term and kept messages: the catch-up after a reconnect, /history and /search, as people run it (subprocesses)."""

from __future__ import annotations

import re

import pytest

from tests.integration.cut_relay import CutRelay
from tests.integration.test_client_history import MISSED, say_many
from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture

pytestmark = pytest.mark.usefixtures("no_server_errors")

BOB_SAID = re.compile(r"#lab <bob> (before|missed|after) (\d+)$")


def bob_lines(lines: list[str]) -> list[str]:
    """What chat-term printed of bob's messages in #lab, e.g. "missed 12", in the order printed."""
    found = []
    for line in lines:
        match = BOB_SAID.search(line)
        if match:
            found.append(f"{match.group(1)} {match.group(2)}")
    return found


def test_chat_term_cut_off_while_200_messages_are_sent_prints_each_once_in_order(start_server, terminals, wire):  # noqa: F811
    server = start_server(rate_per_second=0)
    relay = CutRelay(server.address)
    try:
        ann = terminals(relay.address, "--nick", "ann", "--room", "lab")
        ann.expect(r"You joined #lab")
        bob = wire(server, "bob", "lab")
        say_many(bob, 3, "before")
        ann.expect(r"<bob> before 2$")
        relay.cut()
        ann.expect(r"Connection lost.*Reconnecting by itself")
        say_many(bob, MISSED, "missed")
        relay.restore()
        ann.expect(r"Reconnected to .* as ann in #lab", timeout=30)
        ann.expect(r"While you were away, in #lab")
        ann.expect(rf"<bob> missed {MISSED - 1}$", timeout=30)
        say_many(bob, 2, "after")
        ann.expect(r"<bob> after 1$")
        expected = [f"before {n}" for n in range(3)] + [f"missed {n}" for n in range(MISSED)] + ["after 0", "after 1"]
        assert bob_lines(ann.lines) == expected, "each once, in order"
        assert ann.finish() == 0
    finally:
        relay.close()


def test_chat_term_history_and_search(start_server, terminals, wire):  # noqa: F811
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    ids = say_many(bob, 30, "before")
    bob.send("SAY the quiz is on Friday")
    bob.expect(lambda frame: frame["type"] == "message" and "quiz" in frame["content"])
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"Earlier in #lab")
    ann.expect(r"New since you were here")
    ann.type("/history 5")
    ann.expect(r"Kept messages of #lab, oldest first")
    ann.expect(rf"<bob> before 26  \(id {ids[26]}\)$")
    ann.expect(r"Older ones too: /history #lab before \d+")
    ann.type("/search quiz")
    ann.expect(r"1 message found for “quiz”")
    ann.expect(r"#lab <bob> the quiz is on Friday  \(id \d+\)$")
    ann.type("/search nothing-like-this")
    ann.expect(r"Nothing found for “nothing-like-this”")
    ann.type("/history 500")
    ann.expect(r"Ask for 1 to 100 messages at a time")
    assert ann.finish() == 0


def test_chat_term_reads_a_search_result_among_the_messages_around_it(start_server, terminals, wire):  # noqa: F811
    """A search printed an id; reading around it took /history before ID+1 and /history after ID (review 15)."""
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    ids = say_many(bob, 30, "before")
    ann = terminals(server.address, "--nick", "ann", "--room", "general")
    ann.expect(r"You joined #general")
    ann.type("/search #lab before 12")
    ann.expect(r"/history #room around ID")
    ann.type(f"/history #lab around {ids[12]} 6")
    ann.expect(rf"<bob> before 12  \(id {ids[12]}\)$")
    ann.expect(r"Older ones too: /history #lab before \d+")
    ann.expect(rf"<bob> before 15  \(id {ids[15]}\)$")
    ann.expect(r"Newer ones too: /history #lab after \d+")
    printed = [found.group(1) for line in ann.lines if (found := re.search(r"#lab <bob> (before \d+)  \(id", line))]
    assert printed[-6:] == [f"before {n}" for n in range(10, 16)], "three up to it, three after, in order"
    ann.type("/history around 12 before 3")
    ann.expect(r"One page goes one way")
    assert ann.finish() == 0


def test_chat_term_older_prints_a_searchs_next_page_until_the_oldest_match(start_server, terminals, wire):  # noqa: F811
    """Review 15: a search said older messages matched, but nothing in chat-term reached them; /older does."""
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    ids = say_many(bob, 60, "homework ")
    ann = terminals(server.address, "--nick", "ann", "--room", "general")
    ann.expect(r"You joined #general")
    ann.type("/older")
    ann.expect(r"No older results to show: /search WORDS first")
    ann.type("/search #lab homework")
    ann.expect(r"/older shows the next ones")
    ann.type("/older")
    ann.expect(r"\*\*\* 10 older messages found for “homework” in #lab, newest first")
    ann.expect(rf"<bob> homework 0  \(id {ids[0]}\)$")
    printed = [
        int(found.group(1)) for line in ann.lines if (found := re.search(r"<bob> homework \d+  \(id (\d+)\)", line))
    ]
    assert printed == list(reversed(ids)), "each match once, newest first, across the two pages"
    ann.type("/older")
    ann.expect(r"No older results to show")
    ann.type(f"/searchbefore {ids[5]} #lab homework")
    ann.expect(rf"<bob> homework 0  \(id {ids[0]}\)$")
    ann.type("/searchbefore soon homework")
    ann.expect(r"Say older than which message")
    assert ann.finish() == 0


def test_chat_term_says_a_servers_refusal_as_a_sentence_of_its_own(start_server, terminals):  # noqa: F811
    """Found by the fifteenth review: a capital after a colon ("History of @b!d: Nicknames are …", "…refused: It")."""
    server = start_server(rate_per_second=0)
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    ann.type("/history @b!d")
    ann.expect(r"! History of @b!d\. Nicknames are 1 to 24 letters")
    ann.type("/nick bоb")  # a Cyrillic о
    ann.expect(r"The nickname 'bоb' is refused\. It mixes Latin letters with Cyrillic ones")
    assert ann.finish() == 0
