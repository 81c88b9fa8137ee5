"""InFlight (chat_gui/core/in_flight.py): which chat lines a lost connection ate — matching, order, bounds."""

from __future__ import annotations

from typing import Any

from chat_gui.core.events import LinesNotDelivered
from chat_gui.core.in_flight import ANSWER_OVERDUE, MAX_LINES, InFlight, chat_line

ME = "Ann"


def online(nick: str) -> bool:
    return nick.casefold() == "bob"


def make() -> tuple[InFlight, list[Any]]:
    events: list[Any] = []
    return InFlight(events.append), events


def message(text: str, number: int, history: bool = False, sender: str = ME, room: str = "Lab") -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "message", "content": text, "id": number, "room": room, "sender": sender}
    if history:
        frame["history"] = True
    return frame


def private(text: str, number: int, history: bool = False) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "private", "content": text, "id": number, "sender": ME, "to": "Bob"}
    if history:
        frame["history"] = True
    return frame


def test_chat_line_knows_say_msg_pm_and_nothing_else() -> None:
    assert chat_line("SAY hi there", "Lab", online) == ("#lab", "#Lab", "hi there")
    assert chat_line("MSG hello", "Lab", online) == ("#lab", "#Lab", "hello")
    assert chat_line("MSG bob: psst", "Lab", online) == ("@bob", "@bob", "psst")
    assert chat_line("PM Bob  hi", None, online) == ("@bob", "@Bob", "hi")
    assert chat_line("MSG carol: nobody", "Lab", online) is None  # refused as no_such_user, never kept
    assert chat_line("JOIN Lab", "Lab", online) is None
    assert chat_line("SAY hi", None, online) is None  # no room: not_in_room


def test_echoes_answer_lines_in_order_and_older_unanswered_ones_go_with_them() -> None:
    lines, _ = make()
    for number, text in enumerate(("one", "two", "three")):
        lines.sent(f"SAY {text}", "Lab", online, number)
    lines.observe(message("one", 10), ME)
    assert lines.unanswered() == 2
    lines.observe(message("three", 11), ME)  # "two" was answered before it (refused or dropped)
    assert lines.unanswered() == 0


def test_others_messages_and_other_frames_answer_nothing() -> None:
    lines, _ = make()
    lines.sent("SAY one", "Lab", online, 0)
    lines.observe(message("one", 5, sender="Bob"), ME)
    lines.observe({"type": "pong", "content": "x"}, ME)
    lines.observe({"type": "error", "code": "bad_room", "content": "no"}, ME)
    assert lines.unanswered() == 1
    lines.observe({"type": "error", "code": "muted", "content": "muted"}, ME)
    assert lines.unanswered() == 0


def test_a_tidied_echo_answers_the_oldest() -> None:
    lines, _ = make()
    lines.sent("SAY a\x07b", "Lab", online, 0)
    lines.sent("SAY c", "Lab", online, 0)
    lines.observe(message("ab", 3), ME)  # the server removed the bell
    assert lines.unanswered() == 1
    lines.observe(message("something else", 4), ME)  # beyond recognition: the oldest
    assert lines.unanswered() == 0


def test_lost_lines_found_in_the_catch_up_are_delivered_the_rest_reported_once() -> None:
    lines, events = make()
    lines.sent("SAY old", "Lab", online, 0)
    lines.observe(message("old", 7), ME)
    lines.sent("SAY reached", "Lab", online, 7)
    lines.sent("SAY lost", "Lab", online, 7)
    lines.sent("PM bob secret", "Lab", online, 7)
    lines.connection_lost()
    assert lines.suspects() == 3
    lines.observe(message("old", 7, history=True), ME)  # the replay's older line: said before, proves nothing
    lines.observe(message("reached", 9, history=True), ME)
    lines.ready(lambda key: True, history=True)
    assert events == []
    lines.caught_up("#lab", complete=True)
    assert events == [LinesNotDelivered("#Lab", ("lost",), True)]
    lines.caught_up("#lab", complete=True)
    lines.caught_up("@bob", complete=False)  # cut short: may not have been
    assert events[1:] == [LinesNotDelivered("@bob", ("secret",), False)]
    assert lines.suspects() == 0


def test_same_text_twice_the_kept_one_answers_the_first() -> None:
    lines, events = make()
    lines.sent("SAY ok", "Lab", online, 3)
    lines.sent("SAY ok", "Lab", online, 3)
    lines.connection_lost()
    lines.observe(message("ok", 4, history=True), ME)
    lines.caught_up("#lab", complete=True)
    assert events == [LinesNotDelivered("#Lab", ("ok",), True)]


def test_without_history_suspects_may_be_lost() -> None:
    lines, events = make()
    lines.sent("SAY hi", "Lab", online, 0)
    lines.connection_lost()
    lines.ready(lambda key: False, history=False)
    assert events == [LinesNotDelivered("#Lab", ("hi",), False)]


def test_live_echo_after_reconnect_does_not_clear_a_suspect() -> None:
    lines, events = make()
    lines.sent("SAY hi", "Lab", online, 0)
    lines.connection_lost()
    lines.sent("SAY hi", "Lab", online, 0)  # typed again on the new connection
    lines.observe(message("hi", 5), ME)  # its live echo
    lines.caught_up("#lab", complete=True)
    assert events == [LinesNotDelivered("#Lab", ("hi",), True)]


def test_bounded() -> None:
    lines, events = make()
    for number in range(MAX_LINES + 50):
        lines.sent(f"SAY line {number}", "Lab", online, number)
    assert lines.unanswered() == MAX_LINES
    lines.connection_lost()
    for number in range(MAX_LINES + 50, MAX_LINES + 100):
        lines.sent(f"SAY line {number}", "Lab", online, number)
    lines.connection_lost()
    assert lines.suspects() == MAX_LINES
    lines.ended()
    assert len(events) == 1 and len(events[0].lines) == MAX_LINES
    assert events[0].lines[-1] == f"line {MAX_LINES + 99}"  # the newest kept, the oldest dropped
    assert lines.suspects() == 0 and lines.unanswered() == 0


def test_one_kept_message_seen_twice_answers_one_suspect() -> None:
    lines, events = make()
    lines.sent("SAY arrived", "Lab", online, 3)
    lines.sent("SAY lost", "Lab", online, 3)
    lines.connection_lost()
    lines.observe(message("arrived", 4, history=True), ME)  # in the replay after `joined`
    lines.observe(message("arrived", 4, history=True), ME)  # and again in the catch-up page
    lines.caught_up("#lab", complete=True)
    assert events == [LinesNotDelivered("#Lab", ("lost",), True)]


def test_removed_or_failed_reports_what_was_still_in_flight_as_maybe() -> None:
    lines, events = make()
    lines.sent("SAY answered", "Lab", online, 5)
    lines.sent("SAY never answered", "Lab", online, 5)
    lines.sent("PM bob psst", "Lab", online, 5)
    lines.observe(message("answered", 6), ME)
    lines.ended()
    assert sorted(events, key=lambda event: event.target) == [
        LinesNotDelivered("#Lab", ("never answered",), False),
        LinesNotDelivered("@bob", ("psst",), False),
    ]
    assert lines.unanswered() == 0 and lines.suspects() == 0
    lines.ended()
    assert len(events) == 2  # said once


def test_own_disconnect_doubts_only_lines_long_unanswered() -> None:
    now = [100.0]
    events: list[Any] = []
    lines = InFlight(events.append, clock=lambda: now[0])
    lines.sent("SAY stuck", "Lab", online, 5)
    now[0] += ANSWER_OVERDUE + 1
    lines.sent("SAY just typed", "Lab", online, 5)
    lines.hung_up()
    assert events == [LinesNotDelivered("#Lab", ("stuck",), False)]  # "just typed" goes out with the orderly close
    assert lines.unanswered() == 0 and lines.suspects() == 0


def test_own_disconnect_with_a_prompt_server_reports_nothing() -> None:
    lines, events = make()
    lines.sent("SAY bye all", "Lab", online, 5)
    lines.hung_up()
    assert events == []


def test_own_disconnect_while_reconnecting_reports_the_suspects() -> None:
    lines, events = make()
    lines.sent("SAY lost", "Lab", online, 5)
    lines.connection_lost()
    lines.hung_up()
    assert events == [LinesNotDelivered("#Lab", ("lost",), False)]


def test_lines_said_under_another_name_than_the_one_back_are_maybe_delivered() -> None:
    """Found reading the code (the ninth review): the token expired, a classmate took the name, the person chose
    another; the catch-up showed the delivered line under the old name, not recognised as ours, and the window
    said it was certainly not delivered."""
    lines, events = make()
    lines.sent("SAY one", "Lab", online, 0)
    lines.connection_lost(ME)
    lines.ready(lambda key: True, True, False, "Ann_2")
    assert events == [LinesNotDelivered("#Lab", ("one",), False)]
    again, events = make()
    again.sent("SAY one", "Lab", online, 0)
    again.connection_lost(ME)
    again.ready(lambda key: True, True, True, "ANN")  # the same name (case aside): the catch-up decides
    assert events == [] and again.suspects() == 1
    again.caught_up("#lab", True)
    assert events == [LinesNotDelivered("#Lab", ("one",), True)]
