"""Kick, Mute, Unmute, Delete messages, Close room, Owner and Broadcast from the admin window, on a real server with real clients (Xvfb).

Also when each can be pressed, and what the log says about it.
"""

from __future__ import annotations

from chat_server.admin_gui.moderation import FREE_ROOM_LABEL
from chat_server.admin_gui.window import AdminWindow
from chat_server.console import AdminConsole
from tests.gui.admin.helpers import (
    Dialogs,
    enabled,
    frame_where,
    pump_until,
    row_of,
    select_client,
    select_room,
    started,
    wait_disconnected,
)
from tests.integration.identity_support import add_account


def test_kick_with_reason(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    clients(window, "alice", "general")
    bob = clients(window, "bob", "general")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    dialogs.text_answers.append("spamming the room")
    window.kick_button.invoke()
    bye = frame_where(bob, "bye")
    assert "spamming the room" in bye["content"]
    wait_disconnected(bob)
    pump_until(window, lambda: not row_of(window, "bob"))
    assert row_of(window, "alice")
    pump_until(window, lambda: "admin kicked bob: spamming the room" in window.log_pane.shown_text())


def test_kick_cancelled_keeps_the_client(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    bob = clients(window, "bob")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    dialogs.text_answers.append(None)
    window.kick_button.invoke()
    assert dialogs.asked
    bob.send_command("PING still-here")
    assert frame_where(bob, "pong")["token"] == "still-here"


def test_mute_and_unmute(window: AdminWindow, clients) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    pump_until(window, lambda: row_of(window, "alice"))
    select_client(window, "alice")
    window.mute_button.invoke()
    assert frame_where(alice, "system", event="muted")
    pump_until(window, lambda: row_of(window, "alice")[5] == "muted")
    alice.send_command("SAY can anyone hear me")
    assert frame_where(alice, "error")["code"] == "muted"
    window.unmute_button.invoke()
    assert frame_where(alice, "system", event="unmuted")
    pump_until(window, lambda: row_of(window, "alice")[5] == "")
    alice.send_command("SAY back again")
    assert frame_where(alice, "message")["content"] == "back again"


def test_delete_messages_takes_a_flooders_room_messages_away_from_everyone(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    troll = clients(window, "troll", "general")
    sent = []
    for number in range(3):
        troll.send_command(f"SAY spam {number}")
        sent.append(frame_where(alice, "message", content=f"spam {number}")["id"])
    alice.send_command("SAY a real question")
    frame_where(troll, "message", content="a real question")
    pump_until(window, lambda: row_of(window, "troll"))
    select_client(window, "troll")
    assert enabled(window.wipe_button)
    dialogs.text_answers.append("ten")
    window.wipe_button.invoke()
    assert "'ten' is not a number of minutes" in window.status.get()
    dialogs.text_answers.append("")  # the last 60 minutes
    window.wipe_button.invoke()
    assert sorted(frame_where(alice, "deleted")["id"] for _ in sent) == sent
    pump_until(window, lambda: window.status.get() == "Deleted 3 room messages of troll from the last 60 minutes.")
    pump_until(window, lambda: "admin deleted 3 room messages of troll" in window.log_pane.shown_text())


def test_broadcast_reaches_everyone(window: AdminWindow, clients) -> None:
    started(window)
    people = [clients(window, "alice", "general"), clients(window, "bob", "maths"), clients(window, "carol")]
    window.announcement.set("Lab starts in five minutes")
    window.broadcast_button.invoke()
    for person in people:
        notice = frame_where(person, "system", event="announcement")
        assert "Lab starts in five minutes" in notice["content"]
    assert window.announcement.get() == ""


def test_close_room_moves_members_out(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    bob = clients(window, "bob", "general")
    clients(window, "carol", "maths")
    pump_until(window, lambda: "general" in window.rooms_view.rooms and "maths" in window.rooms_view.rooms)
    select_room(window, "general")
    dialogs.text_answers.append("lesson over")
    window.close_room_button.invoke()
    for member in (alice, bob):
        assert "lesson over" in frame_where(member, "system", event="room_closed")["content"]
        assert frame_where(member, "left")["room"] == "general"
    pump_until(window, lambda: "general" not in window.rooms_view.rooms and row_of(window, "alice")[2] == "")
    assert "maths" in window.rooms_view.rooms


def test_owner_gives_the_chosen_room_to_a_teacher(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    """A student who made the room first kept re-locking it; the admin gives it to the teacher (found by a probe)."""
    started(window)
    assert window.server is not None
    add_account(window.server, "Ms_Lee", "teacher")
    alice = clients(window, "alice", "homework")
    pump_until(window, lambda: "homework" in window.rooms_view.rooms)
    select_room(window, "homework")
    assert enabled(window.owner_button)
    dialogs.text_answers.append("Ms_Lee")
    window.owner_button.invoke()
    assert window.status.get() == "#homework now belongs to Ms_Lee."
    assert frame_where(alice, "system", event="owner")["owner"] == "Ms_Lee"
    alice.send_command("TOPIC mine")
    assert frame_where(alice, "error")["code"] == "not_allowed"
    dialogs.text_answers.append("")  # empty: nobody owns it
    window.owner_button.invoke()
    assert window.status.get() == "Nobody owns #homework now."
    pump_until(window, lambda: "admin gave #homework to nobody" in window.log_pane.shown_text())


def test_actions_need_a_selection(window: AdminWindow, dialogs: Dialogs) -> None:
    started(window)
    assert not enabled(window.kick_button) and not enabled(window.close_room_button)
    window.on_kick_clicked()  # a keyboard route that bypasses the disabled button still explains itself
    assert "Select a client" in window.status.get()
    window.on_close_room_clicked()
    assert "Select a room" in window.status.get()
    assert not dialogs.asked
    assert not window.kick("nobody", "x")
    assert "Nobody called nobody" in window.status.get()


def action_states(window: AdminWindow) -> dict[str, bool]:
    buttons = {
        "kick": window.kick_button,
        "mute": window.mute_button,
        "unmute": window.unmute_button,
        "close_room": window.close_room_button,
        "broadcast": window.broadcast_button,
    }
    return {name: enabled(button) for name, button in buttons.items()}


NOTHING = {"kick": False, "mute": False, "unmute": False, "close_room": False, "broadcast": False}


def test_actions_are_disabled_until_start_and_follow_the_selection(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    assert action_states(window) == NOTHING
    started(window)
    assert action_states(window) == {**NOTHING, "broadcast": True}
    clients(window, "alice", "general")
    clients(window, "bob", "general")
    pump_until(window, lambda: row_of(window, "bob") and "general" in window.rooms_view.rooms)
    select_client(window, "alice")
    assert action_states(window) == {**NOTHING, "kick": True, "mute": True, "broadcast": True}
    window.mute_button.invoke()
    pump_until(window, lambda: enabled(window.unmute_button), "Unmute did not light up once alice was muted")
    assert action_states(window) == {**NOTHING, "kick": True, "unmute": True, "broadcast": True}
    window.clients_view.tree.selection_set([str(c.session_id) for c in window.clients_view.clients.values()])
    pump_until(window, lambda: enabled(window.mute_button), "a muted and an unmuted client: both ways apply")
    assert action_states(window)["unmute"]
    window.clients_view.tree.selection_set([])
    pump_until(window, lambda: not enabled(window.kick_button))
    select_room(window, "general")
    assert action_states(window) == {**NOTHING, "close_room": True, "broadcast": True}
    dialogs.yes_no_answers.append(True)
    window.form.stop_button.invoke()
    assert action_states(window) == NOTHING  # already while stopping
    pump_until(window, lambda: window.phase == "stopped")
    assert action_states(window) == NOTHING


def test_a_selected_client_who_leaves_takes_the_buttons_with_them(window: AdminWindow, clients) -> None:
    started(window)
    bob = clients(window, "bob")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    bob.close()
    pump_until(window, lambda: not row_of(window, "bob"))
    pump_until(window, lambda: not enabled(window.kick_button) and not enabled(window.mute_button))


def test_a_connection_without_a_nickname_cannot_be_kicked_or_muted(window: AdminWindow, clients) -> None:
    started(window)
    clients(window)  # connected, no nickname yet
    pump_until(window, lambda: len(window.clients_view.clients) == 1)
    window.clients_view.tree.selection_set(window.clients_view.tree.get_children())
    window.root.update()
    assert not enabled(window.kick_button) and not enabled(window.mute_button)
    window.on_kick_clicked()
    assert "no nickname yet" in window.status.get()


def test_actions_while_stopped_are_refused_with_a_reason(window: AdminWindow) -> None:
    window.announcement.set("hello")
    window.on_broadcast_clicked()  # Enter in the announcement box: the button is disabled, the key is not
    assert "not running" in window.status.get() and window.announcement.get() == "hello"
    assert not window.kick("alice", "x") and not window.set_muted("alice", True)
    assert not window.close_room("general", "x")


def test_every_admin_action_is_a_warning_line_the_warning_filter_keeps(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    port = started(window)
    clients(window, "alice", "general")
    clients(window, "bob", "maths")
    pump_until(window, lambda: row_of(window, "bob") and "maths" in window.rooms_view.rooms)
    window.log_pane.level_name.set("WARNING")
    window.log_pane.refilter()
    assert window.set_muted("alice", True)
    assert window.set_muted("alice", False)
    assert window.broadcast("Tests at ten")
    assert window.close_room("maths", "lesson over")
    assert window.kick("bob", "spam")
    assert not window.kick("nobody", "typo")
    pump_until(window, lambda: not row_of(window, "bob"))
    dialogs.yes_no_answers.append(True)
    assert window.on_stop_clicked()
    pump_until(window, lambda: window.phase == "stopped")
    expected = [
        f"admin started the server on 127.0.0.1 port {port}",
        "admin muted alice",
        "admin unmuted alice",
        "admin broadcast to 2 clients: Tests at ten",
        "admin closed #maths (1 members moved out): lesson over",
        "admin kicked bob: spam",
        "admin kick of nobody not done: Nobody called nobody is online.",
        "admin stopped the server (1 person connected)",
    ]
    pump_until(window, lambda: expected[-1] in window.log_pane.shown_text(), "the stop was not logged")
    shown = window.log_pane.shown_text().splitlines()
    assert [next(line.split(" ", 2)[2] for line in shown if text in line) for text in expected] == expected
    assert all(line.split()[1] == "WARNING" for line in shown if " admin " in line)
    assert not any("registered as" in line for line in shown)  # INFO lines are filtered out
    window.log_pane.level_name.set("INFO")
    window.log_pane.refilter()
    assert "registered as alice" in window.log_pane.shown_text()


def _renames_while_asked(window: AdminWindow, chosen, friend, answers: list[str]):
    """The dialog's stand-in: while it is open, the chosen student renames and a friend takes the old name."""
    old = window.ask_text

    def ask(title: str, prompt: str) -> str | None:
        if answers and len(answers) == 1:  # the last question: the renames happen before it is answered
            chosen.send_command("NICK bob_away")
            frame_where(chosen, "nick", nick="bob_away")
            friend.send_command("NICK bob")
            frame_where(friend, "nick", nick="bob")
        return answers.pop(0) if answers else old(title, prompt)

    return ask


def _bob_chosen_then_renamed(window: AdminWindow, clients, answers: list[str]):
    """bob and carol in #general, bob's row chosen; the dialogs answer `answers`, the renames before the last."""
    started(window)
    bob = clients(window, "bob", "general")
    carol = clients(window, "carol", "general")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    window.ask_text = asked = _renames_while_asked(window, bob, carol, answers)
    window.ask_checked = lambda title, prompt, _check: asked(title, prompt)  # the ban's length, in the same order
    return bob, carol


def test_a_kick_follows_the_chosen_student_who_renamed_while_the_dialog_was_open(window: AdminWindow, clients) -> None:
    """Found by a probe: the kick went to the friend who took the old name, not to the student chosen."""
    bob, carol = _bob_chosen_then_renamed(window, clients, ["spamming"])
    window.kick_button.invoke()
    assert "spamming" in frame_where(bob, "bye")["content"]
    carol.send_command("PING still-here")
    assert frame_where(carol, "pong")["token"] == "still-here"


def test_a_ban_follows_the_chosen_student_who_renamed_while_the_dialogs_were_open(window: AdminWindow, clients) -> None:
    bob, carol = _bob_chosen_then_renamed(window, clients, ["30", "spamming"])
    window.ban_button.invoke()
    frame_where(bob, "bye")
    carol.send_command("PING still-here")
    assert frame_where(carol, "pong")["token"] == "still-here"
    assert window.server is not None and window.server.registry.find_nick("bob") is not None  # carol, not banned


def test_broadcast_with_nobody_online_says_so_and_keeps_the_text(window: AdminWindow) -> None:
    """Found by a classroom probe: "Announcement sent to everyone." when nobody was there to get it."""
    started(window)
    window.announcement.set("Lab starts in 5 minutes")
    window.broadcast_button.invoke()
    assert window.status.get() == "Nobody is online to hear it: not sent."
    assert window.announcement.get() == "Lab starts in 5 minutes"


def test_free_room_names_a_locked_room_nobody_is_in_and_opens_it(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    """A student locked #homework before the lesson and left: the Rooms table never showed it (found by a probe)."""
    assert window.rooms_menu.entrycget(FREE_ROOM_LABEL, "state") == "disabled"  # no server yet
    started(window)
    alice = clients(window, "alice", "homework")
    alice.send_command("TOPIC [server] homework moved to #hw2")
    frame_where(alice, "system", event="topic")
    alice.send_command("KEY squat-key-1")
    frame_where(alice, "system", event="key")
    alice.send_command("SAY answers in here")  # a kept message: freed, the room is kept with it
    frame_where(alice, "message", room="homework")
    alice.send_command("JOIN elsewhere")
    frame_where(alice, "joined", room="elsewhere")
    pump_until(window, lambda: "homework" not in window.rooms_view.rooms and "elsewhere" in window.rooms_view.rooms)
    assert window.rooms_menu.entrycget(FREE_ROOM_LABEL, "state") == "normal"  # no row: nobody is in the room
    dialogs.text_answers.append("#homework")
    window.rooms_menu.invoke(FREE_ROOM_LABEL)
    assert '#homework: locked, owner alice, topic "[server] homework moved to #hw2"' in dialogs.asked[-1]
    said = "Took the key, the topic and the owner off #homework: anyone may join it, and nobody owns it."
    assert window.status.get() == said
    bob = clients(window, "bob")
    bob.send_command("JOIN homework")
    joined = frame_where(bob, "joined", room="homework")
    assert (joined["locked"], joined["owner"], joined["topic"]) == (False, "", "")
    pump_until(window, lambda: "homework" in window.rooms_view.rooms)
    select_room(window, "homework")
    dialogs.text_answers.append("")  # empty: the room chosen in the table
    window.rooms_menu.invoke(FREE_ROOM_LABEL)
    assert "No room nobody is in keeps a key or a topic." in dialogs.asked[-1]
    assert window.status.get() == "#homework had no key, topic or owner: anyone may join it already."


def test_mute_class_silences_every_student_and_latecomers_until_unmute_class(window: AdminWindow, clients) -> None:
    """A test in class: one button instead of a Mute for each of 30 rows (the exam probe); nothing is kept."""
    started(window)
    alice = clients(window, "alice", "general")
    bob = clients(window, "bob", "general")
    pump_until(window, lambda: row_of(window, "bob"))
    assert enabled(window.class_button) and window.class_button.cget("text") == "Mute class"
    window.class_button.invoke()
    for student in (alice, bob):
        assert "whole class" in frame_where(student, "system", event="muted")["content"]
    pump_until(window, lambda: row_of(window, "bob")[5] == "muted")
    assert window.class_button.cget("text") == "Unmute class"
    late = clients(window, "carol", "general")
    late.send_command("SAY q3 is B")
    assert frame_where(late, "error")["code"] == "muted"
    assert window.server is not None and window.server.sanctions("mute") == []
    window.class_button.invoke()
    assert frame_where(bob, "system", event="unmuted")
    assert window.class_button.cget("text") == "Mute class"
    bob.send_command("SAY pens down")
    assert frame_where(alice, "message")["content"] == "pens down"
    pump_until(window, lambda: "admin unmuted the whole class (3 students)" in window.log_pane.shown_text())


def test_the_class_button_follows_a_mute_made_elsewhere_and_a_restart(window: AdminWindow) -> None:
    """The exam2 probe: a teacher's MUTE * before the students came changed no row, so the button kept saying
    Mute class; a click then meant to mute unmuted the class instead."""
    started(window)
    assert window.server is not None
    console = AdminConsole(window.server)  # as a teacher's /mute * in the chat: no student online, no row changes
    console.execute("/mute *")
    pump_until(window, lambda: window.class_button.cget("text") == "Unmute class", "the button missed the mute")
    console.execute("/unmute *")
    pump_until(window, lambda: window.class_button.cget("text") == "Mute class", "the button missed the unmute")
    window.class_button.invoke()
    assert window.server.class_muted() and window.class_button.cget("text") == "Unmute class"
    assert window.stop_server()
    pump_until(window, lambda: window.phase == "stopped")
    assert window.class_button.cget("text") == "Mute class"  # nothing of a class mute outlives its server
    started(window)
    assert not window.server.class_muted() and window.class_button.cget("text") == "Mute class"
