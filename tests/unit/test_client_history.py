"""The client core's history keeper under the fake scheduler: dedupe, replay pages, catch-up in order, requests one at a time.

No sockets: the test plays the server's side of the wire by feeding
frames to the keeper in the order a server sends them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from chat_gui.core.conversations import Cursors
from chat_gui.core.events import HistoryPage, MessageDeleted, MessagesGone, PageKind, Received, SearchResults
from chat_gui.core.history import MAX_CATCH_UP_PAGES, MAX_HELD, HistoryKeeper
from chat_gui.core.history_commands import (
    AskHistory,
    AskSearch,
    BadHistoryLine,
    around_pages,
    parse_history,
    parse_search,
)
from chat_gui.core.history_requests import MARKER, MAX_QUEUED, REQUEST_TIMEOUT_MS
from chat_gui.core.typed_lines import Refuse, Send, interpret
from chat_gui.text.history_lines import STOPPED_EARLY_NOTE, TERMINAL_MORE_NOTE, page_lines, search_lines
from tests.fake_scheduler import FakeScheduler


def message(number: int, room: str = "lab", sender: str = "bob", history: bool = False) -> dict:
    frame = {
        "type": "message",
        "content": f"m{number}",
        "timestamp": "12:00:00",
        "id": number,
        "room": room,
        "sender": sender,
    }
    if history:
        frame["history"] = True
    return frame


def private(number: int, sender: str, to: str, history: bool = False) -> dict:
    frame = {
        "type": "private",
        "content": f"p{number}",
        "timestamp": "12:00:00",
        "id": number,
        "sender": sender,
        "to": to,
    }
    if history:
        frame["history"] = True
    return frame


def summary(target: str, count: int, more: bool) -> dict:
    return {"type": "history", "content": "", "timestamp": "12:00:00", "target": target, "count": count, "more": more}


def pong(token: str) -> dict:
    return {"type": "pong", "content": token, "timestamp": "12:00:00", "token": token}


class Harness:
    """A keeper as the session builds it, with the wire replaced by lists the test reads and feeds."""

    def __init__(self, budget: float = 0.0) -> None:
        self.scheduler = FakeScheduler()
        self.events: list = []
        self.sent: list[str] = []
        self.connected = True
        self.budget = budget
        self.room: str | None = "lab"
        self.keeper = HistoryKeeper(
            self.scheduler,
            self.events.append,
            self.send_now,
            self.sent.append,
            lambda lines: self.budget,
            lambda: "alice",
            lambda: self.room,
        )
        self.keeper.on_welcome(["history"])

    def send_now(self, command: str) -> bool:
        if self.connected:
            self.sent.append(command)
        return self.connected

    def feed(self, *frames: dict) -> None:
        for frame in frames:
            self.keeper.on_frame(frame)  # type: ignore[arg-type]

    def requests(self) -> list[tuple[int, str]]:
        """(marker number, command) of every request sent, in order."""
        found = []
        for index, line in enumerate(self.sent):
            start = re.fullmatch(rf"PING {MARKER}(\d+)-start", line)
            if start:
                found.append((int(start.group(1)), self.sent[index + 1]))
        return found

    def answer(self, number: int, *frames: dict) -> None:
        """The server's answer to request `number`: its start pong, the frames, its end pong."""
        self.feed(pong(f"{MARKER}{number}-start"), *frames, pong(f"{MARKER}{number}-end"))

    def shown_ids(self) -> list[int]:
        """Ids of every kept message handed on, in the order the front end got them (stream and pages)."""
        ids: list[int] = []
        for event in self.events:
            if isinstance(event, Received) and "id" in event.frame:
                ids.append(event.frame["id"])
            elif isinstance(event, HistoryPage) and event.kind in (PageKind.REPLAY, PageKind.CATCH_UP):
                ids += [frame["id"] for frame in event.frames]
        return ids

    def pages(self, kind: PageKind) -> list[HistoryPage]:
        return [event for event in self.events if isinstance(event, HistoryPage) and event.kind is kind]


def joined(room: str = "lab") -> dict:
    return {"type": "joined", "content": "", "timestamp": "12:00:00", "room": room, "users": ["alice"]}


def test_live_messages_pass_on_in_order_and_move_the_cursor():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(message(1), message(2), private(3, "bob", "alice"), message(4, room="maths"))
    assert harness.shown_ids() == [1, 2, 3, 4]
    assert harness.keeper.cursors.last_id("#lab") == 2
    assert harness.keeper.cursors.last_id("@bob") == 3
    assert harness.sent == [], "no catch-up on a first connection"


def test_a_replay_becomes_one_page_and_a_second_replay_shows_only_what_is_new():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(joined(), *[message(number, history=True) for number in (5, 6, 7)], summary("#lab", 3, True))
    (page,) = harness.pages(PageKind.REPLAY)
    assert [frame["id"] for frame in page.frames] == [5, 6, 7] and page.more and page.target == "#lab"
    assert not [event for event in harness.events if isinstance(event, Received) and "id" in event.frame]
    harness.feed(message(8))  # live
    harness.feed(joined(), *[message(number, history=True) for number in (6, 7, 8, 9)], summary("#lab", 4, True))
    second = harness.pages(PageKind.REPLAY)[1]
    assert [frame["id"] for frame in second.frames] == [9]
    assert harness.shown_ids() == [5, 6, 7, 8, 9]


def test_a_replay_without_its_history_frame_ends_when_live_talk_begins():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(joined(), message(5, history=True), message(6))
    assert [frame["id"] for frame in harness.pages(PageKind.REPLAY)[0].frames] == [5]
    assert harness.shown_ids() == [5, 6]


# -- what went while this client was elsewhere (found by a probe: a deleted line stayed in the window) --
def gone(harness: Harness) -> list[tuple[str, tuple[int, ...]]]:
    return [(event.target, event.ids) for event in harness.events if isinstance(event, MessagesGone)]


def away_and_back(harness: Harness, replayed: list[int], more: bool) -> None:
    """The client saw 1 to 4 live in #lab, went to #other, and came back to #lab's replay."""
    harness.feed(joined(), summary("#lab", 0, False), *[message(number) for number in (1, 2, 3, 4)])
    harness.feed(joined("other"), summary("#other", 0, False))
    replay = [message(number, history=True) for number in replayed]
    harness.feed(joined(), *replay, summary("#lab", len(replay), more))


@pytest.mark.parametrize(
    ("replayed", "more", "expected"),
    [
        ([1, 3, 4], False, [("#lab", (2,))]),  # the whole history came back: 2 is gone
        ([3, 4, 5], True, []),  # older ones may be kept beyond the replay: 1 and 2 are not vouched for
        ([2, 4, 5], True, [("#lab", (3,))]),  # 3 lies inside what the replay covers
        ([], False, [("#lab", (1, 2, 3, 4))]),  # the room was cleared
        ([5], False, [("#lab", (1, 2, 3, 4))]),  # cleared, then someone spoke
    ],
)
def test_a_replay_that_lacks_messages_seen_before_reports_them_gone(replayed, more, expected):
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    away_and_back(harness, replayed, more)
    assert gone(harness) == expected


def test_a_replay_naming_deleted_ids_takes_them_down_even_beyond_its_reach():
    """Found by a probe: deleted while this client was away, with more than a replay's worth said since."""
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(joined(), summary("#lab", 0, False), *[message(number) for number in (1, 2, 3, 4)])
    harness.feed(joined("other"), summary("#other", 0, False))
    replay = [message(number, history=True) for number in (3, 4)]
    harness.feed(joined(), *replay, {**summary("#lab", 2, True), "deleted": [1, 99, "x"]})
    assert gone(harness) == [("#lab", (1,))]  # 2 is beyond the replay's reach and not named: it stays


def test_messages_in_the_range_the_server_lost_in_a_crash_are_reported_unsaved_not_gone():
    """Found by a probe: after a kill -9 the replay lacked 200 messages, and both clients said they were deleted."""
    harness = Harness()
    harness.keeper.on_welcome(["history"], [3, 10])  # the last run handed out 3 to 10 and never wrote them
    harness.keeper.on_ready(reconnected=False)
    away_and_back(harness, [1], False)
    verdicts = [(event.ids, event.unsaved) for event in harness.events if isinstance(event, MessagesGone)]
    assert verdicts == [((2,), False), ((3, 4), True)]


@pytest.mark.parametrize("field", [None, [5], [0, 4], [4, 3], ["1", "4"], [1.0, 4], [True, 4], "1-4"])
def test_an_odd_unsaved_range_counts_as_none(field):
    harness = Harness()
    harness.keeper.on_welcome(["history"], field)
    harness.keeper.on_ready(reconnected=False)
    away_and_back(harness, [1], False)
    verdicts = [(event.ids, event.unsaved) for event in harness.events if isinstance(event, MessagesGone)]
    assert verdicts == [((2, 3, 4), False)]


def test_a_message_deleted_while_this_client_was_there_is_not_reported_again():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(joined(), summary("#lab", 0, False), message(1), message(2))
    harness.feed({"type": "deleted", "content": "", "timestamp": "12:00:00", "id": 2, "room": "lab"})
    harness.feed(joined("other"), summary("#other", 0, False))
    harness.feed(joined(), message(1, history=True), summary("#lab", 1, False))
    assert gone(harness) == []


def test_no_replay_summary_no_verdict():
    """--replay 0: no `history` frame follows `joined`; live talk ends the replay and nothing is called gone."""
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(joined(), message(1), message(2))
    harness.feed(joined("other"), message(3, room="other"))
    harness.feed(joined(), message(4))
    assert gone(harness) == []


def reconnected_harness(last_seen: int = 10) -> Harness:
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(joined(), summary("#lab", 0, False), *[message(number) for number in range(1, last_seen + 1)])
    harness.keeper.on_lost("test")
    harness.sent.clear()
    return harness


def test_after_a_reconnect_the_missed_messages_come_page_by_page_then_what_was_held_each_once_in_order():
    harness = reconnected_harness(last_seen=10)
    harness.keeper.on_ready(reconnected=True)
    (first,) = harness.requests()
    assert first[1] == "HISTORY #lab AFTER 10 100"
    # before the answer: the server's replay after joined (the newest 50) and live talk: both held back
    harness.feed(joined(), *[message(number, history=True) for number in range(161, 211)], summary("#lab", 50, True))
    harness.feed(message(211), message(212))
    assert harness.shown_ids()[10:] == [], "nothing is shown before the missed messages"
    harness.answer(first[0], *[message(number, history=True) for number in range(11, 111)], summary("#lab", 100, True))
    assert harness.requests()[-1][1] == "HISTORY #lab AFTER 110 100"
    harness.feed(message(213))  # live, arriving between pages
    second = harness.requests()[-1][0]
    # the second page overlaps what was held (the replay, and 211-212 which arrived live meanwhile)
    harness.answer(second, *[message(number, history=True) for number in range(111, 213)], summary("#lab", 102, False))
    assert harness.shown_ids() == list(range(1, 214)), "everything once, in order"
    assert len(harness.requests()) == 2 and not harness.keeper.catching
    catch_up_pages = harness.pages(PageKind.CATCH_UP)
    assert [len(page.frames) for page in catch_up_pages] == [100, 102] and not catch_up_pages[-1].more
    harness.feed(message(214))
    assert harness.shown_ids()[-1] == 214


def test_after_a_reconnect_what_was_deleted_while_cut_off_is_reported_gone_once_the_catch_up_ends():
    harness = reconnected_harness(last_seen=10)
    harness.keeper.on_ready(reconnected=True)
    (first,) = harness.requests()
    # RESUME's replay: 9 was deleted while this client was cut off (and 11 said)
    harness.feed(joined(), *[message(number, history=True) for number in (7, 8, 10, 11)], summary("#lab", 4, False))
    harness.feed(message(12))  # live while catching up (a line typed offline, sent on reconnect): held
    assert gone(harness) == [], "judged once the catch-up is over"
    harness.answer(first[0], message(11, history=True), summary("#lab", 1, False))
    assert gone(harness) == [("#lab", (1, 2, 3, 4, 5, 6, 9))], "12 came after the replay: never gone"
    assert harness.shown_ids() == list(range(1, 13))


def test_private_conversations_are_caught_up_too_after_the_room():
    harness = reconnected_harness(last_seen=3)
    harness.feed(private(4, "bob", "alice"), private(5, "alice", "chloe"))
    harness.keeper.on_ready(reconnected=True)
    harness.feed(private(7, "bob", "alice"))  # live, held while bob's conversation is caught up
    answered = 0
    while answered < len(harness.requests()):
        number, command = harness.requests()[answered]
        answered += 1
        frames = [private(6, "bob", "alice", history=True)] if "@bob" in command else []
        harness.answer(number, *frames, summary(command.split()[1], len(frames), False))
    commands = [command for _number, command in harness.requests()]
    assert commands[0] == "HISTORY #lab AFTER 3 100"
    assert sorted(commands[1:]) == ["HISTORY @bob AFTER 4 100", "HISTORY @chloe AFTER 5 100"]
    assert harness.shown_ids() == [1, 2, 3, 4, 5, 6, 7]
    assert not harness.keeper.catching


def test_a_refused_catch_up_hands_on_what_was_held_and_says_why():
    harness = reconnected_harness()
    harness.keeper.on_ready(reconnected=True)
    harness.feed(message(20))
    error = {"type": "error", "content": "No such room.", "timestamp": "12:00:00", "code": "bad_room"}
    harness.answer(1, error)
    (page,) = harness.pages(PageKind.CATCH_UP)
    assert page.error == "No such room." and page.frames == ()
    assert harness.shown_ids()[-1] == 20 and not harness.keeper.catching
    assert not [event for event in harness.events if isinstance(event, Received) and event.frame["type"] == "error"]


def test_a_catch_up_cut_short_by_another_loss_goes_on_from_its_cursor_with_nothing_held_lost():
    harness = reconnected_harness(last_seen=10)
    harness.keeper.on_ready(reconnected=True)
    harness.feed(message(300))  # held
    harness.answer(1, *[message(number, history=True) for number in range(11, 111)], summary("#lab", 100, True))
    harness.keeper.on_lost("again")  # page 2 was out
    assert harness.keeper.catching, "still holding, waiting for the next connection"
    harness.sent.clear()
    harness.keeper.on_ready(reconnected=True)
    (number, command) = harness.requests()[0]
    assert command == "HISTORY #lab AFTER 110 100"
    harness.answer(number, *[message(n, history=True) for n in range(111, 301)], summary("#lab", 190, False))
    assert harness.shown_ids() == list(range(1, 301))


def test_when_nothing_will_reconnect_the_held_frames_are_handed_on():
    harness = reconnected_harness()
    harness.keeper.on_ready(reconnected=True)
    harness.feed(message(40), message(41))
    harness.keeper.on_ended()
    assert harness.shown_ids()[-2:] == [40, 41]


def test_held_frames_are_bounded_and_past_the_bound_the_catch_up_stops_and_says_so():
    harness = reconnected_harness()
    harness.keeper.on_ready(reconnected=True)
    harness.feed(*[message(100 + number) for number in range(MAX_HELD + 1)])
    (page,) = harness.pages(PageKind.CATCH_UP)
    assert "missing" in page.error
    assert harness.shown_ids()[10:] == list(range(100, 100 + MAX_HELD + 1))
    harness.answer(1, message(11, history=True), summary("#lab", 1, False))  # too late: would break the order
    assert 11 not in harness.shown_ids()


def test_a_very_long_outage_stops_after_the_page_limit():
    harness = reconnected_harness(last_seen=1)
    harness.keeper.on_ready(reconnected=True)
    for page in range(MAX_CATCH_UP_PAGES):
        number, _command = harness.requests()[-1]
        first = 2 + page * 100
        harness.answer(
            number, *[message(n, history=True) for n in range(first, first + 100)], summary("#lab", 100, True)
        )
    assert len(harness.requests()) == MAX_CATCH_UP_PAGES
    assert "more than" in harness.pages(PageKind.CATCH_UP)[-1].error
    assert not harness.keeper.catching


def test_deleted_messages_are_announced_and_dropped_from_what_is_held():
    harness = reconnected_harness()
    harness.keeper.on_ready(reconnected=True)
    harness.feed(message(50), message(51), {"type": "deleted", "content": "", "timestamp": "12:00:00", "id": 50})
    assert MessageDeleted(50) in harness.events
    harness.answer(1, summary("#lab", 0, False))
    assert harness.shown_ids()[-1:] == [51] and 50 not in harness.shown_ids()


def test_asked_pages_come_whole_sorted_and_with_their_request_number():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(message(30))
    asked = harness.keeper.request_page("#lab", before=30, limit=3, kind=PageKind.EARLIER)
    (number, command) = harness.requests()[0]
    assert command == "HISTORY #lab BEFORE 30 3"
    harness.feed(message(31))  # live talk in between is not part of the page
    harness.answer(number, *[message(n, history=True) for n in (29, 27, 28)], summary("#lab", 3, True))
    (page,) = harness.pages(PageKind.EARLIER)
    assert [frame["id"] for frame in page.frames] == [27, 28, 29]
    assert (page.request, page.more, page.anchor, page.error) == (asked, True, 30, "")
    assert harness.shown_ids() == [30, 31]


def test_an_asked_page_that_the_server_refuses_carries_the_refusal():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.keeper.request_page("@nobody")
    error = {"type": "error", "content": "Nobody called nobody.", "timestamp": "12:00:00", "code": "no_such_user"}
    harness.answer(1, error)
    (page,) = harness.pages(PageKind.ASKED)
    assert page.error == "Nobody called nobody." and page.frames == ()


def test_search_results_come_as_one_event_and_malformed_entries_are_skipped():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    asked = harness.keeper.search("plan", room="lab")
    assert harness.requests()[0][1] == "SEARCH #lab plan"
    good = {"id": 9, "room": "lab", "sender": "bob", "time": "2026-11-30T17:25:03.123Z", "content": "the plan"}
    frame = {"type": "search", "content": "", "timestamp": "12:00:00", "results": [good, {"id": "x"}, 7]}
    harness.answer(1, frame)
    (results,) = [event for event in harness.events if isinstance(event, SearchResults)]
    assert results == SearchResults("plan", "lab", (good,), "", asked)


@pytest.mark.parametrize("flag", [True, False, "yes", None])
def test_a_search_the_server_stopped_early_says_so_in_the_terminal(flag):
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.keeper.search("plan")
    good = {"id": 9, "room": "lab", "sender": "bob", "time": "2026-11-30T17:25:03.123Z", "content": "the plan"}
    frame = {"type": "search", "content": "", "timestamp": "12:00:00", "results": [good], "stopped_early": flag}
    harness.answer(1, frame)
    (results,) = [event for event in harness.events if isinstance(event, SearchResults)]
    assert results.stopped_early is (flag is True)  # only a real true counts
    lines = search_lines(results)
    assert (STOPPED_EARLY_NOTE in lines[-1]) is (flag is True)
    assert "(id 9)" in lines[1]


@pytest.mark.parametrize("more", [True, False])
def test_a_search_with_older_matches_says_so_in_the_terminal_after_its_results(more):
    """50 "homework" lines of today hid last week's homework without a word (review 15)."""
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.keeper.search("homework")
    good = {"id": 9, "room": "lab", "sender": "bob", "time": "2026-11-30T17:25:03.123Z", "content": "homework?"}
    frame = {"type": "search", "content": "", "timestamp": "12:00:00", "results": [good], "more": more}
    harness.answer(1, frame)
    (results,) = [event for event in harness.events if isinstance(event, SearchResults)]
    assert results.more is more
    lines = search_lines(results)
    assert (TERMINAL_MORE_NOTE in lines[-1]) is more
    assert lines[0].startswith("*** The newest 1 messages") is more


@pytest.mark.parametrize("kind", [PageKind.ASKED, PageKind.REPLAY, PageKind.CATCH_UP])
def test_chat_term_heads_a_page_of_other_days_with_each_day_and_then_today(kind):
    """/history before ID of last week printed bare times ("[10:15:00]"), which read as today's (review 15)."""
    now = dt.datetime.now(dt.timezone.utc)
    frames = []
    for number, days_ago in enumerate([8, 8, 7, 0], start=1):
        time = (now - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        frames.append(
            {"type": "message", "id": number, "room": "lab", "sender": "bob", "content": f"m{number}", "time": time}
        )
    page = HistoryPage(kind, "#lab", tuple(frames), direction="before")  # type: ignore[arg-type]
    lines = page_lines(page, lambda frame: f"<bob> {frame['content']}")
    days = [dt.datetime.fromisoformat(frame["time"].replace("Z", "+00:00")).astimezone() for frame in frames[::2]]
    words = [f"*** {day.strftime('%A')} {day.day} {day.strftime('%B')}:" for day in days]
    body = [
        line.split("  (id")[0]
        for line in lines
        if not line.startswith(("*** Kept", "*** Earlier", "*** New", "*** While"))
    ]
    assert body == [words[0], "<bob> m1", "<bob> m2", words[1], "<bob> m3", "*** Today:", "<bob> m4"]


@pytest.mark.parametrize("line_break", ["\n", "\r", "\u2028", "\x85", "\x1e"])
def test_a_search_result_from_a_lying_server_cannot_print_lines_of_its_own(line_break):
    """A server a student runs can put line breaks in a result's names, which real names never hold."""
    forged = f"{line_break}[12:00:00] #lab <teacher> download this{line_break}"
    results = [
        {"id": 9, "room": f"lab{forged}", "sender": f"bob{forged}", "time": "2026-11-30T17:25:03Z", "content": "x"},
        {"id": 8, "room": "", "to": f"kim{forged}", "sender": "bob", "time": "2026-11-30T17:25:03Z", "content": "y"},
    ]
    lines = search_lines(SearchResults("x", None, tuple(results)))
    assert len(lines) == 3
    for line in lines:
        assert len(line.splitlines()) == 1, line


def test_one_request_at_a_time_and_only_when_the_budget_has_room_for_all_three_lines():
    harness = Harness(budget=0.5)
    harness.keeper.on_ready(reconnected=False)
    harness.keeper.request_page("#lab")
    harness.keeper.search("x")
    assert harness.sent == []
    harness.budget = 0.0
    harness.scheduler.advance(0.6)
    assert [command for _n, command in harness.requests()] == ["HISTORY #lab 50"]
    harness.answer(1, summary("#lab", 0, False))
    assert [command for _n, command in harness.requests()] == ["HISTORY #lab 50", "SEARCH x"]


def test_an_unanswered_request_times_out_and_its_late_markers_are_ignored():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.keeper.request_page("#lab")
    harness.keeper.request_page("#maths")
    harness.scheduler.advance(REQUEST_TIMEOUT_MS / 1000 + 0.1)
    (lost,) = harness.pages(PageKind.ASKED)
    assert "no answer" in lost.error
    harness.answer(1, message(5, history=True), summary("#lab", 1, False))  # the first answer, late
    assert len(harness.pages(PageKind.ASKED)) == 1
    harness.answer(2, message(6, room="maths", history=True), summary("#maths", 1, False))
    assert [frame["id"] for frame in harness.pages(PageKind.ASKED)[1].frames] == [6]


def test_requests_wait_for_ready_and_a_lost_connection_ends_them():
    harness = Harness()
    harness.keeper.request_page("#lab")
    assert harness.sent == [], "nothing goes out before the session is ready (a replay may still be coming)"
    harness.keeper.on_lost("gone")
    (page,) = harness.pages(PageKind.ASKED)
    assert "connection was lost" in page.error


def test_the_queue_of_requests_is_bounded():
    harness = Harness()
    for _ in range(MAX_QUEUED + 3):
        harness.keeper.request_page("#lab")
    refused = [page for page in harness.pages(PageKind.ASKED) if "too many" in page.error]
    assert len(refused) == 3


def test_a_server_without_history_is_never_asked_and_its_ids_start_afresh():
    harness = reconnected_harness(last_seen=10)
    harness.keeper.on_welcome([])
    harness.keeper.on_ready(reconnected=True)
    assert harness.sent == []
    harness.feed(message(1))  # a new server counting from 1 again
    assert harness.shown_ids()[-1] == 1


def test_cursors_are_bounded_to_the_most_recent_conversations():
    cursors = Cursors(limit=3)
    for number, key in enumerate(["#a", "@b", "#c", "@d"]):
        cursors.advance(key, key, number + 1)
    assert len(cursors) == 3 and cursors.get("#a") is None
    assert not cursors.advance("@d", "@d", 2), "an id at or below the cursor is a duplicate"
    assert [key for key, _cursor in cursors.recent("@", 5)] == ["@d", "@b"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/history", AskHistory(None)),
        ("/history 50", AskHistory(None, limit=50)),
        ("/history #lab 10", AskHistory("#lab", limit=10)),
        ("/history @bob", AskHistory("@bob")),
        ("/HISTORY before 123 5", AskHistory(None, before=123, limit=5)),
        ("/history #lab after 7", AskHistory("#lab", after=7)),
        ("/search the plan", AskSearch("the plan")),
        ("/search #lab the plan", AskSearch("the plan", "lab")),
        ("/delete 42", Send("DELETE 42", "delete 42")),
    ],
)
def test_history_lines_typed_by_the_user(line, expected):
    assert interpret(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "/history 0",
        "/history 101",
        "/history before x",
        "/history 5 6",
        "/history #",
        "/search",
        "/search #lab",
        "/delete",
        "/delete me",
        "/history 1e3",
    ],
)
def test_mistyped_history_lines_are_refused_with_a_sentence(line):
    refused = interpret(line)
    assert isinstance(refused, Refuse) and len(refused.text) > 20


def test_before_and_after_in_one_line_are_named_as_the_mistake():
    """The ninth review: "/history before 5 after 3" was told "Ask for 1 to 100 messages at a time"."""
    for line in ("before 5 after 3", "#lab after 3 BEFORE 9 10", "after 3 after 4"):
        refused = parse_history(line)
        assert isinstance(refused, BadHistoryLine) and "not both" in refused.text, refused


def test_a_rooms_mark_typed_full_width_or_after_an_invisible_is_a_rooms_mark():
    """The ninth review: '/history ＃lab' (a CJK keyboard's #) was refused as a count; '/search ＃lab hi' searched here."""
    assert parse_history("\uff03lab 10") == AskHistory("#lab", limit=10)
    assert parse_history("\u200b#lab") == AskHistory("#lab")
    assert parse_history("\uff20bob") == AskHistory("@bob")
    assert parse_search("\uff03数学 hello") == AskSearch("hello", "数学")
    assert parse_search("\u202e#lab hi") == AskSearch("hi", "lab")
    assert parse_search("plain words") == AskSearch("plain words")


def test_history_limit_words_are_checked_as_numbers():
    assert parse_history("١٢").__class__.__name__ == "BadHistoryLine"  # Arabic-Indic digits are not a count


def test_a_room_joined_with_nothing_kept_is_caught_up_from_the_highest_id_seen_anywhere():
    harness = Harness()
    harness.keeper.on_ready(reconnected=False)
    harness.feed(private(41, "bob", "alice"), joined("quiet"), summary("#quiet", 0, False))
    harness.room = "quiet"
    harness.keeper.on_lost("test")
    harness.keeper.on_ready(reconnected=True)
    assert harness.requests()[0][1] == "HISTORY #quiet AFTER 41 100"


@pytest.mark.parametrize(
    ("line", "pages"),
    [
        ("around 100", [(101, None, 10), (None, 100, 10)]),
        ("#lab around 100 7", [(101, None, 4), (None, 100, 3)]),
        ("around 100 1", [(101, None, 1)]),
        ("before 100 5", [(100, None, 5)]),
    ],
)
def test_history_around_an_id_is_the_message_with_those_before_it_then_those_after_it(line, pages):
    asked = parse_history(line)
    assert isinstance(asked, AskHistory)
    assert around_pages(asked) == pages
