"""Rooms > Move the chosen students… in the admin window: the chosen students into a room (group work), on a real server with real clients."""

from __future__ import annotations

from chat_server.admin_gui.moderation import MOVE_LABEL
from chat_server.admin_gui.window import AdminWindow
from tests.gui.admin.helpers import Dialogs, frame_where, pump_until, row_of, select_client, started


def move_item_enabled(window: AdminWindow) -> bool:
    return str(window.rooms_menu.entrycget(MOVE_LABEL, "state")) == "normal"


def test_move_sends_the_chosen_students_into_a_room_with_the_reason(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    started(window)
    assert not move_item_enabled(window)
    alice = clients(window, "alice", "general")
    bob = clients(window, "bob", "general")
    clients(window, "carol", "general")
    pump_until(window, lambda: row_of(window, "carol"))
    select_client(window, "alice")
    window.clients_view.tree.selection_add(str(session_id(window, "bob")))
    pump_until(window, lambda: move_item_enabled(window))
    dialogs.text_answers.append("g1 Group 1: fractions")
    window.rooms_menu.invoke(MOVE_LABEL)
    for student in (alice, bob):
        assert frame_where(student, "joined")["room"] == "g1"
        assert frame_where(student, "system", event="moved")["reason"] == "Group 1: fractions"
    pump_until(window, lambda: row_of(window, "alice")[2] == "#g1" and row_of(window, "bob")[2] == "#g1")
    assert row_of(window, "carol")[2] == "#general"
    assert window.status.get() == "Moved 2 to #g1: alice, bob."


def session_id(window: AdminWindow, nick: str) -> int:
    return next(client.session_id for client in window.clients_view.clients.values() if client.nick == nick)
