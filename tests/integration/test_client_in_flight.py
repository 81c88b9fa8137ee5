"""The client core against a real server through a relay that freezes: lines sent on a half-open connection are
reported not delivered after the reconnect; lines that reached the server (only their echo was lost) are not.

The relay stops forwarding but keeps both sockets open, as when the Wi-Fi drops: the client's sends succeed and
nothing comes back.  Then the relay cuts the connection (standing for the keepalive's verdict 30-60 s later), the
client resumes through it, catches up, and only then may it say which lines never arrived.
"""

from __future__ import annotations

import time

import pytest

from chat_gui.core.events import LinesNotDelivered, Received, State
from chat_gui.core.in_flight import ANSWER_OVERDUE
from tests.integration.cut_relay import CutRelay
from tests.integration.test_client_history import Watched
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def reports(alice: Watched) -> list[LinesNotDelivered]:
    return [event for event in alice.events if isinstance(event, LinesNotDelivered)]


def own_echo(alice: Watched, text: str) -> bool:
    return any(
        isinstance(event, Received) and event.frame.get("content") == text and event.frame.get("sender") == "alice"
        for event in alice.events
    )


def swallowed(relay: CutRelay, lines: int) -> None:
    """Wait until the frozen relay has read `lines` commands from the client (TLS: counted by size, 60+ bytes each)."""
    wait_until(lambda: len(relay.dropped) >= 60 * lines, timeout=10)


@pytest.fixture
def alice_through_relay(start_server):
    """alice_through_relay(**server_options) -> (server, relay, alice): alice's client core reaches a real server
    through a relay that can freeze and cut; both closed afterwards."""
    made: list[tuple[CutRelay, Watched]] = []

    def make(**options):
        server = start_server(**options)
        relay = CutRelay(server.address)
        alice = Watched(relay.address, "alice", "lab")
        made.append((relay, alice))
        return server, relay, alice

    yield make
    for relay, alice in made:
        alice.close()
        relay.close()


def cut_and_resume(alice: Watched, relay: CutRelay) -> None:
    relay.cut()
    alice.run_until(lambda: alice.session.state is State.RECONNECTING)
    relay.restore()
    alice.run_until(alice.caught_up)


def test_lines_sent_while_frozen_are_reported_once_and_lines_that_arrived_are_not(alice_through_relay, wire):
    server, relay, alice = alice_through_relay()
    bob = wire(server, "bob", "lab")
    bob.send("SAY hello alice")
    bob.send("PM alice psst")  # a private conversation alice knows: it is caught up after the reconnect too
    alice.run_until(lambda: len(alice.shown()) == 1 and alice.session.history.cursors.get("@bob") is not None)
    alice.session.send("SAY seen")
    alice.run_until(lambda: own_echo(alice, "seen"))
    assert alice.session.in_flight.unanswered() == 0

    relay.freeze(to_server=False)  # the answers are lost from here on; what alice says still arrives
    alice.session.send("SAY arrived")
    bob.expect(lambda frame: frame.get("content") == "arrived")
    relay.freeze()  # now nothing arrives either
    alice.session.send("SAY lost one")
    alice.session.send("PM bob lost two")
    alice.session.send("SAY lost three")
    swallowed(relay, 3)
    assert alice.session.state is State.READY  # the client has noticed nothing
    assert alice.session.in_flight.unanswered() == 4

    cut_and_resume(alice, relay)
    alice.run_until(lambda: len(reports(alice)) == 2)
    by_target = {report.target: report for report in reports(alice)}
    assert by_target["#lab"] == LinesNotDelivered("#lab", ("lost one", "lost three"), True)
    assert by_target["@bob"] == LinesNotDelivered("@bob", ("lost two",), True)
    assert alice.session.in_flight.suspects() == 0

    # Nothing twice: life goes on, and another loss with nothing in flight reports nothing.
    alice.session.send("SAY back again")
    alice.run_until(lambda: own_echo(alice, "back again"))
    cut_and_resume(alice, relay)
    alice.session.send("SAY and again")
    alice.run_until(lambda: own_echo(alice, "and again"))
    assert len(reports(alice)) == 2


def test_the_keepalive_finds_the_frozen_connection_dead_and_the_lost_line_is_reported(alice_through_relay, wire):
    server, relay, alice = alice_through_relay()
    bob = wire(server, "bob", "lab")
    relay.freeze()  # half-open: nobody closes anything; only the keepalive can tell
    alice.session.send("SAY lost to silence")
    swallowed(relay, 1)
    alice.scheduler.run_until(lambda: alice.session.state is State.RECONNECTING, timeout=30, step=0.25)
    assert alice.scheduler.now - 1000.0 >= 30, "found dead by the keepalive, not by a closed socket"
    relay.thaw()  # a new connection gets through (the server may still hold the old one: RESUME takes it)
    alice.run_until(lambda: alice.caught_up() and len(reports(alice)) == 1)
    assert reports(alice) == [LinesNotDelivered("#lab", ("lost to silence",), True)]
    bob.send("SAY still here")
    alice.run_until(lambda: any(text == "still here" for _id, text in alice.shown()))
    assert len(reports(alice)) == 1


def test_without_history_the_lines_may_not_have_been_delivered(alice_through_relay):
    _server, relay, alice = alice_through_relay(history=False)
    relay.freeze()
    alice.session.send("SAY into the void")
    swallowed(relay, 1)
    cut_and_resume(alice, relay)
    alice.run_until(lambda: len(reports(alice)) == 1)
    assert reports(alice) == [LinesNotDelivered("#lab", ("into the void",), False)]


def test_a_kick_with_a_line_in_flight_reports_it_as_maybe(alice_through_relay):
    server, relay, alice = alice_through_relay()
    relay.freeze(to_client=False)  # what alice says is lost from here on; what the server says still arrives
    alice.session.send("SAY said as the teacher kicked")
    swallowed(relay, 1)
    server.kick("alice", "spamming")
    alice.run_until(lambda: alice.session.state is State.REMOVED and len(reports(alice)) == 1)
    assert reports(alice) == [LinesNotDelivered("#lab", ("said as the teacher kicked",), False)]


def test_own_disconnect_right_after_a_line_delivers_it_and_reports_nothing(alice_through_relay, wire):
    server, _relay, alice = alice_through_relay()
    bob = wire(server, "bob", "lab")
    alice.session.send("SAY see you tomorrow")
    alice.session.disconnect()  # at once: the echo cannot have come back yet
    assert bob.expect(lambda frame: frame.get("content") == "see you tomorrow")
    alice.scheduler.advance(60)
    assert reports(alice) == []


def test_own_disconnect_of_a_stuck_connection_reports_the_overdue_line(alice_through_relay):
    _server, relay, alice = alice_through_relay()
    relay.freeze()  # half-open: the person sees nothing come back and hangs up herself
    alice.session.send("SAY is anyone there")
    swallowed(relay, 1)
    alice.scheduler.advance(ANSWER_OVERDUE + 1)
    assert alice.session.state is State.READY  # the keepalive has not found out yet
    alice.session.disconnect()
    assert reports(alice) == [LinesNotDelivered("#lab", ("is anyone there",), False)]


def test_a_private_line_that_arrived_is_not_called_lost_when_the_name_comes_back_as_a_new_guest(
    alice_through_relay, wire
):
    """Found by a probe (the ninth review): RESUME refused after the loss (the token expired; a server restarted
    after a crash does the same), alice signs in afresh as a guest, a new owner whose private catch-up cannot show
    what the old session said to bob; the window said "not delivered" for a line bob had, and she sent it again."""
    server, relay, alice = alice_through_relay(resume_seconds=1)
    bob = wire(server, "bob", "lab")
    bob.send("PM alice psst")
    alice.run_until(lambda: alice.session.history.cursors.get("@bob") is not None)
    relay.freeze(to_server=False)  # the answers are lost; what alice says arrives
    alice.session.send("PM bob did you get this")
    alice.session.send("SAY and this")
    bob.expect(lambda frame: frame.get("content") == "did you get this")
    bob.expect(lambda frame: frame.get("content") == "and this")
    relay.cut()
    alice.run_until(lambda: alice.session.state is State.RECONNECTING)
    wait_until(lambda: len(server.registry.parked.all()) == 1, message="the server kept no token")
    wait_until(lambda: all(parked.expires <= time.monotonic() for _key, parked in server.registry.parked.all()))
    relay.restore()
    alice.run_until(lambda: alice.caught_up() and len(reports(alice)) == 1)
    assert alice.session.token and alice.session.nick == "alice"
    # The room's line is found in the room's catch-up; the private one may have arrived: never "certainly not".
    assert reports(alice) == [LinesNotDelivered("@bob", ("did you get this",), False)]


def test_a_history_request_refused_meanwhile_does_not_answer_a_lost_line(alice_through_relay, wire):
    """Found by a probe (the ninth review): the refusal of a HISTORY or SEARCH (`bad_argument`, `rate_limited`)
    was taken as the refusal of the oldest chat line in flight, so a line lost on the dying connection was
    never reported. A request's answer comes between its own two PINGs (history_requests.py): not a line's."""
    server, relay, alice = alice_through_relay(tls=False)  # plain: the relay may drop one whole line and go on
    wire(server, "bob", "lab")
    relay.freeze(to_client=False)  # what alice says is lost from here on; what the server says still arrives
    alice.session.send("SAY lost before the page")
    wait_until(lambda: relay.dropped.endswith(b"\n"), timeout=10)  # the whole line, dropped
    relay.thaw()
    answers = []
    alice.session.history.requests.submit("HISTORY #lab AFTER many 5", answers.append)
    alice.run_until(lambda: answers)
    assert answers[0].error is not None and answers[0].error["code"] == "bad_argument"
    assert alice.session.in_flight.unanswered() == 1  # still unanswered: the refusal was the page's
    cut_and_resume(alice, relay)
    alice.run_until(lambda: len(reports(alice)) == 1)
    assert reports(alice) == [LinesNotDelivered("#lab", ("lost before the page",), True)]
