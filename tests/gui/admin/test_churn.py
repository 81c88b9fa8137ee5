"""Students hopping between rooms faster than the window looks: it catches up at its next look, and Stop is not kept waiting."""

from __future__ import annotations

from chat_gui.core.connection import ChatConnection
from chat_server.admin_gui.window import AdminWindow
from tests.gui.admin.helpers import TIMEOUT, started
from tests.support import wait_until

STUDENTS = 20  # max_per_address: all from 127.0.0.1
HOPS = 26  # within the rate limit's burst of 30, with NICK and the first JOIN


def churn(window: AdminWindow, clients) -> list[ChatConnection]:
    """Every student hops between two rooms HOPS times, the window not pumped meanwhile; returns when all are done."""
    students = [clients(window, f"s{number:02d}", "north") for number in range(STUDENTS)]
    for hop in range(HOPS):
        for student in students:
            student.send_command(f"JOIN {'south' if hop % 2 == 0 else 'north'}")
    for student in students:
        answered = [0]

        def last_hop_answered(frame: dict[str, object], answered: list[int] = answered) -> bool:
            assert frame.get("type") != "error", frame
            answered[0] += frame.get("type") == "joined"
            return answered[0] == HOPS

        student.wait_for(last_hop_answered, TIMEOUT)
    return students


def shown(window: AdminWindow) -> tuple[dict[int, tuple[str | None, str | None]], dict[str, tuple[str, ...]]]:
    clients = {id_: (client.nick, client.room) for id_, client in window.clients_view.clients.items()}
    rooms = {key: tuple(sorted(room.members)) for key, (room, _token) in window.rooms_view.rooms.items()}
    return clients, rooms


def on_server(window: AdminWindow) -> tuple[dict[int, tuple[str | None, str | None]], dict[str, tuple[str, ...]]]:
    server = window.server
    assert server is not None
    clients = {client.session_id: (client.nick, client.room) for client in server.clients()}
    rooms = {room.key: tuple(sorted(room.members)) for room in server.rooms()}
    return clients, rooms


def test_one_look_after_the_churn_shows_what_the_server_has(window: AdminWindow, clients) -> None:
    started(window)
    churn(window, clients)
    feed = window.runner.feed
    assert feed is not None
    window.pump()  # one tick: the backlog of every hop was 4 changes a hop, 500 a tick, so it took 5 ticks and more
    assert shown(window) == on_server(window)
    assert shown(window)[1] == {"north": tuple(f"s{number:02d}" for number in range(STUDENTS))}
    assert feed.pending() == 0


def test_what_waits_is_bounded_by_the_clients_and_rooms_not_the_hops(window: AdminWindow, clients) -> None:
    started(window)
    churn(window, clients)
    feed = window.runner.feed
    assert feed is not None
    assert feed.pending() <= STUDENTS + 2  # each student's latest state and the two rooms', not 4 per hop
    window.pump()
    assert feed.pending() == 0 and shown(window) == on_server(window)


def test_stop_is_seen_at_the_next_look_whatever_waits(window: AdminWindow, clients) -> None:
    started(window)
    students = churn(window, clients)
    assert window.stop_server()
    for student in students:  # everyone was told and is gone: the stop is done but for the flag
        student.wait_for(lambda frame: frame.get("event") == "shutdown", TIMEOUT)
    stopping = window.runner._stop_thread
    assert stopping is not None
    wait_until(lambda: not stopping.is_alive(), TIMEOUT, message="the admin-stop thread did not finish")
    window.pump()
    assert window.phase == "stopped" and window.clients_view.clients == {} and window.rooms_view.rooms == {}
