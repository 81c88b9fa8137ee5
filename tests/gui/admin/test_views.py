"""ClientsView and RoomsView: rows change only as their intent methods say (real Tk under Xvfb, no server)."""

from __future__ import annotations

import tkinter as tk

from chat_server.admin import ClientInfo, RoomInfo
from chat_server.admin_gui.views import NO_NICK, ClientsView, RoomsView


def client(
    session_id: int, nick: str | None = "alice", room: str | None = "general", sent: int = 0, muted: bool = False
) -> ClientInfo:
    return ClientInfo(session_id, nick, f"10.0.0.{session_id}:5000", room, 0.0, sent, muted)


def test_clients_view_adds_updates_and_removes_rows(tk_root: tk.Tk) -> None:
    view = ClientsView(tk_root)
    view.show_client(client(1, None, None))
    assert view.row_values(1)[:3] == (NO_NICK, "10.0.0.1:5000", "")
    view.show_client(client(1, "alice", "general"))
    view.show_client(client(2, "bob", "maths", muted=True))
    assert view.tree.get_children() == ("1", "2")
    assert view.row_values(1)[0] == "alice" and view.row_values(1)[2] == "#general"
    assert view.row_values(2)[5] == "muted"
    assert view.title.cget("text") == "Clients: 2"
    view.set_sent(1, 7)
    assert view.row_values(1)[4] == "7" and view.clients[1].messages_sent == 7
    view.set_sent(99, 3)  # a client that already left: nothing to update
    view.select_nick("BOB")
    assert [c.nick for c in view.selected()] == ["bob"]
    view.remove_client(2)
    view.remove_client(2)
    assert view.tree.get_children() == ("1",) and view.selected() == []
    view.clear()
    assert view.tree.get_children() == () and view.title.cget("text") == "Clients: 0"


def test_rooms_view_tells_a_room_from_a_later_one_of_the_same_name(tk_root: tk.Tk) -> None:
    view = RoomsView(tk_root)
    view.show_room(RoomInfo("General", ("alice", "bob"), 4, "general"), token=1)
    assert view.row_values("general") == ("#General", "2", "4", "alice, bob")
    view.set_messages("general", 1, 9)
    assert view.row_values("general")[2] == "9"
    view.remove_room("general", token=1)
    view.show_room(RoomInfo("general", ("carol",), 0, "general"), token=2)
    view.set_messages("general", 1, 50)  # a late count for the closed room
    view.remove_room("general", token=1)
    assert view.row_values("general") == ("#general", "1", "0", "carol")
    view.select_room("general")
    assert [room.name for room in view.selected()] == ["general"]
    view.clear()
    assert view.rooms == {} and view.title.cget("text") == "Rooms: 0"


def test_a_click_on_a_heading_sorts_the_table_and_later_rows_take_their_place(tk_root: tk.Tk) -> None:
    """Noticed in a classroom run: with 30 students the Clients table could not be sorted by name or by messages sent."""
    view = ClientsView(tk_root)
    for session_id, nick, sent in ((1, "chloe", 3), (2, "Alice", 12), (3, "bob", 7)):
        view.show_client(client(session_id, nick, sent=sent))
    assert view.tree.get_children() == ("1", "2", "3"), "arrival order until a heading is clicked"
    view.sort_by("nick")
    assert view.tree.get_children() == ("2", "3", "1"), "Alice, bob, chloe: case does not split the names"
    assert view.tree.heading("nick", "text").endswith("▲")
    view.show_client(client(4, "anna"))
    assert view.tree.get_children() == ("2", "4", "3", "1"), "a newcomer goes to its place"
    view.sort_by("sent")
    assert view.tree.get_children() == ("4", "1", "3", "2"), "0, 3, 7, 12: as numbers, not as text"
    assert view.tree.heading("sent", "text").endswith("▲") and not view.tree.heading("nick", "text").endswith("▲")
    view.sort_by("sent")
    assert view.tree.get_children() == ("2", "3", "1", "4") and view.tree.heading("sent", "text").endswith("▼")
    view.set_sent(4, 9)
    assert view.tree.get_children() == ("2", "4", "3", "1"), "a changed count moves its row"
    view.remove_client(3)
    view.show_client(client(5, "dan", sent=100))
    assert view.tree.get_children() == ("5", "2", "4", "1")


def test_the_rooms_table_sorts_by_members(tk_root: tk.Tk) -> None:
    view = RoomsView(tk_root)
    view.show_room(RoomInfo("maths", ("a",), 40, "maths"), token=1)
    view.show_room(RoomInfo("art", ("a", "b", "c"), 2, "art"), token=2)
    view.show_room(RoomInfo("lab", ("a", "b"), 9, "lab"), token=3)
    view.sort_by("count")
    view.sort_by("count")
    assert view.tree.get_children() == ("art", "lab", "maths")
    view.set_messages("maths", 1, 41)
    view.sort_by("messages")
    assert view.tree.get_children() == ("art", "lab", "maths")
    view.sort_by("room")
    assert view.tree.get_children() == ("art", "lab", "maths")


def test_a_row_update_in_a_sorted_table_does_not_read_every_row(tk_root: tk.Tk) -> None:
    """A probe: sorted by name, each count update re-read and re-keyed all 990 rows; now only its own row's key."""
    view = ClientsView(tk_root)
    for session_id in range(1, 301):
        view.show_client(client(session_id, f"s{session_id:03d}", sent=session_id % 7))
    view.sort_by("nick")
    keyed: list[str] = []
    sort_key = view._sort_key

    def counted(iid: str) -> tuple[object, ...]:
        keyed.append(iid)
        return sort_key(iid)

    view._sort_key = counted  # type: ignore[method-assign]
    for session_id in range(1, 301):
        view.set_sent(session_id, 1000 + session_id)  # the sort column (names) did not change
    assert len(keyed) <= 300, f"{len(keyed)} rows keyed for 300 updates"
    assert view.tree.get_children() == tuple(str(session_id) for session_id in range(1, 301))


def test_rows_that_change_stay_in_sorted_order_both_ways(tk_root: tk.Tk) -> None:
    view = ClientsView(tk_root)
    sent = {session_id: (session_id * 37) % 11 for session_id in range(1, 41)}
    for session_id, count in sent.items():
        view.show_client(client(session_id, f"n{session_id}", sent=count))

    def expected(descending: bool) -> tuple[str, ...]:
        order = sorted(sent, key=lambda session_id: (sent[session_id], str(session_id)), reverse=descending)
        return tuple(str(session_id) for session_id in order)

    for descending in (False, True):
        view.sort_by("sent")
        assert view.tree.get_children() == expected(descending)
        for step in range(120):
            session_id = 1 + (step * 13) % 40
            if step % 9 == 0:
                view.remove_client(session_id)
                del sent[session_id]
                session_id = 100 + step
            sent[session_id] = (step * 7) % 15
            if session_id in view.clients:
                view.set_sent(session_id, sent[session_id])
            else:
                view.show_client(client(session_id, f"n{session_id}", sent=sent[session_id]))
            assert view.tree.get_children() == expected(descending), step
