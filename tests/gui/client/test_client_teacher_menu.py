"""A teacher's menus against a real server: the person clicked, the Ban… dialog's reason, the message right-clicked."""

from __future__ import annotations

import time

from chat_gui.window.controller import ChatController
from chat_gui.window.login_dialog import LOG_IN
from chat_gui.window.teacher_menu import Questions
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_identity import TEACHER_PASSWORD, Answers, connect_with_dialog, ready
from tests.support import wait_until


def teacher_window(start_server, open_window, tk_root, **limits):
    server = start_server(**limits)
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    window = open_window()
    connect_with_dialog(window, server, "Teach", LOG_IN, TEACHER_PASSWORD)
    ready(window, tk_root)
    return server, window


def invoke(menu, label: str) -> None:
    labels = [menu.entrycget(i, "label") if menu.type(i) == "command" else "" for i in range(menu.index("end") + 1)]
    menu.invoke(labels.index(label))


def people(window: ChatController) -> list[str]:
    return list(window.window.users.users)


def test_kick_from_the_menu_goes_to_nobody_when_the_name_clicked_changed_hands(
    start_server, open_window, tk_root, wire
):
    # The probe: rex renamed to rex_ while the reason was asked, his friend took "rex", and the friend was kicked.
    server, window = teacher_window(start_server, open_window, tk_root)
    rex = wire(server, "rex", "general", source="127.0.0.10")
    pal = wire(server, "pal", "general", source="127.0.0.11")
    wait_until(lambda: {"rex", "pal"} <= set(people(window)), pump=tk_root.update, timeout=WAIT)

    def swap_names_then_answer(title: str, prompt: str) -> str:
        rex.send("NICK rex_")
        rex.expect("nick")
        pal.send("NICK rex")
        pal.expect("nick")
        wait_until(lambda: {"rex_", "rex"} <= set(people(window)), pump=tk_root.update, timeout=WAIT)
        return "go away"

    menus = window.identity.menus
    menus.questions = Questions(ask_text=swap_names_then_answer, ask_yes_no=lambda title, prompt: False)
    invoke(menus.build_user_menu("rex"), "Kick…")
    assert "Nobody was kicked: rex changed their name while you were choosing; pick them again." in (
        window.room_view.all_text()
    )
    # Picked again, rex (now rex_) goes; the friend, who was never meant, is still connected.
    menus.questions = Answers("go away").questions()
    invoke(menus.build_user_menu("rex_"), "Kick…")
    assert "go away" in rex.expect("bye")["content"]
    pal.send("PING")
    answer = pal.expect(lambda frame: frame["type"] in ("pong", "bye"))
    assert answer["type"] == "pong", "the friend who took the name was not kicked"


def test_kick_from_the_menu_follows_the_person_clicked_through_a_rename(start_server, open_window, tk_root, wire):
    server, window = teacher_window(start_server, open_window, tk_root)
    rex = wire(server, "rex", "general", source="127.0.0.10")
    wait_until(lambda: "rex" in people(window), pump=tk_root.update, timeout=WAIT)

    def rename_then_answer(title: str, prompt: str) -> str:
        rex.send("NICK rex_")
        wait_until(lambda: "rex_" in people(window), pump=tk_root.update, timeout=WAIT)
        return "go away"

    menus = window.identity.menus
    menus.questions = Questions(ask_text=rename_then_answer, ask_yes_no=lambda title, prompt: False)
    invoke(menus.build_user_menu("rex"), "Kick…")
    assert "go away" in rex.expect("bye")["content"]


def bans(server) -> dict[str, tuple[float | None, str]]:
    """Nickname -> (minutes, reason) of each ban the server keeps."""
    return {
        s.name: (None if s.until is None else round((s.until - s.created) / 60), s.reason)
        for s in server.sanctions()
        if s.kind == "ban"
    }


def test_the_ban_dialogs_reason_stays_the_reason_when_it_starts_with_a_number(start_server, open_window, tk_root, wire):
    # Sent as "/ban mallory 3 warnings ignored", the reason became a ban of 3 minutes "warnings ignored".
    server, window = teacher_window(start_server, open_window, tk_root)
    wire(server, "mallory", "general", source="127.0.0.12")
    wire(server, "trent", "general", source="127.0.0.13")
    wait_until(lambda: {"mallory", "trent"} <= set(people(window)), pump=tk_root.update, timeout=WAIT)
    menus = window.identity.menus
    menus.questions = Answers("", "3 warnings ignored", "5", "days of trolling").questions()
    invoke(menus.build_user_menu("mallory"), "Ban…")
    invoke(menus.build_user_menu("trent"), "Ban…")
    wait_until(lambda: len(bans(server)) == 2, pump=tk_root.update, timeout=WAIT)
    assert bans(server) == {"mallory": (None, "3 warnings ignored"), "trent": (5, "days of trolling")}


def test_a_student_called_10_can_be_banned_from_the_dialog_without_a_length(start_server, open_window, tk_root, wire):
    # "/ban 10 spamming" looks like the slip "/ban 10 bob"; the dialog knows "10" is the nickname.
    server, window = teacher_window(start_server, open_window, tk_root)
    wire(server, "10", "general", source="127.0.0.14")
    wait_until(lambda: "10" in people(window), pump=tk_root.update, timeout=WAIT)
    menus = window.identity.menus
    menus.questions = Answers("", "spamming").questions()
    invoke(menus.build_user_menu("10"), "Ban…")
    assert "nickname comes first" not in window.room_view.all_text()
    wait_until(lambda: bans(server), pump=tk_root.update, timeout=WAIT)
    assert bans(server) == {"10": (None, "spamming")}


def test_delete_from_the_menu_takes_the_message_right_clicked_of_two_in_one_second(
    start_server, open_window, tk_root, wire
):
    # A match by time, sender and first words took the later "y" for the abusive line above it.
    server, window = teacher_window(start_server, open_window, tk_root, rate_per_second=0)
    eve = wire(server, "eve", "general", source="127.0.0.15")
    abusive = "you are all idiots and I hate this class"
    for attempt in range(5):  # two lines in one second, as the server stamps them (a pair may straddle a second)
        wait_until(lambda: time.time() % 1 < 0.5, timeout=WAIT)
        eve.send(f"SAY {abusive} {attempt}")
        eve.send("SAY y")
        first = eve.expect(lambda frame: frame["type"] == "message" and frame["content"].startswith(abusive))
        second = eve.expect(lambda frame: frame["type"] == "message" and frame["content"] == "y")
        if first["timestamp"] == second["timestamp"]:
            break
    else:
        raise AssertionError("no two lines in one second")
    pane = window.history.pane(window.room_view)
    wait_until(lambda: pane.has(first["id"]) and pane.has(second["id"]), pump=tk_root.update, timeout=WAIT)
    text = window.room_view.text
    start = str(pane.span(first["id"])[0])
    text.see(start)
    tk_root.update()
    x, y, _width, _height = text.bbox(f"{start} lineend -3c")  # on the words, where a teacher clicks
    asked: list[str] = []
    window.history.ask = lambda title, question: asked.append(question) or True
    menu = window.history.menu_at(window.room_view, x + 1, y + 1)
    assert menu is not None and labels_of(menu) == ["Reply", "Delete message"]
    menu.invoke(1)
    assert asked and f"eve's message “{abusive}" in asked[0]
    assert eve.expect("deleted")["id"] == first["id"]
    wait_until(lambda: not pane.has(first["id"]), pump=tk_root.update, timeout=WAIT)
    assert pane.has(second["id"]), "the other line stays"
    assert window.history.menu_at(window.room_view, x + 1, y + 1) is None, "the deleted line offers nothing"


def labels_of(menu) -> list[str]:
    last = menu.index("end")
    return [menu.entrycget(i, "label") for i in range(0 if last is None else last + 1) if menu.type(i) == "command"]


def test_a_room_owner_removes_someone_from_the_people_menu_and_the_item_is_only_the_owners(
    start_server, open_window, tk_root, wire
):
    # The probe: ivan came into #secret with a leaked key; its student owner set a new key, but /kick got
    # not_allowed and nothing else could take ivan out of the room.
    server = start_server()
    window = open_window(server, "olivia", "secret")  # she makes #secret, so she owns it
    wait_until(lambda: window.identity.room_is_mine, pump=tk_root.update, timeout=WAIT)
    ivan = wire(server, "ivan", "secret", source="127.0.0.10")
    wait_until(lambda: "ivan" in people(window), pump=tk_root.update, timeout=WAIT)
    menus = window.identity.menus
    assert not labels_of(menus.build_user_menu("olivia"))  # nothing on one's own row
    menu = menus.build_user_menu("ivan")  # the same menu, built for ivan
    assert "Remove from #secret…" in labels_of(menu) and "Kick…" not in labels_of(menu)  # a student owner
    answers = Answers("came in with the leaked key")
    menus.questions = answers.questions()
    invoke(menu, "Remove from #secret…")
    assert "ivan" in answers.asked[0] and "#secret" in answers.asked[0]
    removed = ivan.expect("system")
    assert (removed["event"], removed["by"], removed["reason"]) == ("removed", "olivia", "came in with the leaked key")
    assert ivan.next()["type"] == "left"
    wait_until(lambda: "ivan" not in people(window), pump=tk_root.update, timeout=WAIT)

    # In a room someone else owns, the window offers no Remove (the server would refuse it anyway).
    ivan.send("JOIN ivans_room")
    ivan.expect("joined")
    window.send_typed("/join ivans_room", False)
    wait_until(
        lambda: window.session.room == "ivans_room" and "ivan" in people(window), pump=tk_root.update, timeout=WAIT
    )
    assert not window.identity.room_is_mine
    assert not [label for label in labels_of(menus.build_user_menu("ivan")) if label.startswith("Remove")]


def test_the_person_removed_sees_who_removed_them_and_why_and_is_in_no_room(start_server, open_window, tk_root, wire):
    server = start_server()
    olivia = wire(server, "olivia", "secret", source="127.0.0.10")
    window = open_window(server, "ivan", "secret")
    olivia.expect(lambda frame: frame.get("event") == "join")
    olivia.send("REMOVE ivan came in with the leaked key")
    wait_until(lambda: window.session.room is None, pump=tk_root.update, timeout=WAIT)
    text = window.window.tabs.view_for_room("secret").all_text()
    assert "olivia removed you from #secret" in text and "came in with the leaked key" in text
    assert window.frames.room_note.startswith("olivia removed you from #secret")


def test_the_window_follows_the_admin_giving_the_room_away_and_back(start_server, open_window, tk_root, wire):
    # Noticed in a review: the topic line and the owner's Remove item stayed as the `joined` said, so after
    # the admin took #squat from olivia her window still offered Remove (refused by the server) and named her.
    server = start_server()
    window = open_window(server, "olivia", "squat")
    wait_until(lambda: window.identity.room_is_mine, pump=tk_root.update, timeout=WAIT)
    wire(server, "ivan", "squat", source="127.0.0.10")
    window.send_typed("/topic our room", False)
    wait_until(lambda: "owner olivia" in window.identity.topic_bar.text(), pump=tk_root.update, timeout=WAIT)
    server.set_room_owner("squat", "ivan")
    wait_until(lambda: "owner ivan" in window.identity.topic_bar.text(), pump=tk_root.update, timeout=WAIT)
    assert not window.identity.room_is_mine
    assert not [
        label for label in labels_of(window.identity.menus.build_user_menu("ivan")) if label.startswith("Remove")
    ]
    assert 'Topic: "our room"' in window.identity.topic_bar.text()
    server.set_room_owner("squat", "none")
    wait_until(lambda: "owner" not in window.identity.topic_bar.text(), pump=tk_root.update, timeout=WAIT)
    server.set_room_owner("squat", "olivia")
    wait_until(lambda: window.identity.room_is_mine, pump=tk_root.update, timeout=WAIT)
    assert "owner olivia" in window.identity.topic_bar.text()


def test_a_teacher_mutes_and_unmutes_the_class_from_either_menu(start_server, open_window, tk_root, wire):
    """The exam2 probe: a test in the chat window needed `/mute *` typed; neither teacher menu offered it."""
    server, window = teacher_window(start_server, open_window, tk_root)
    amy = wire(server, "amy", "general", source="127.0.0.10")
    wait_until(lambda: "amy" in people(window), pump=tk_root.update, timeout=WAIT)
    menus = window.identity.menus
    invoke(menus.build_user_menu("amy"), "Mute class")
    assert "whole class" in amy.expect(lambda frame: frame.get("event") == "muted")["content"]
    assert amy.error("SAY q3 is B") == "muted"
    assert menus.moderate_menu is not None
    invoke(menus.moderate_menu, "Unmute class")
    assert amy.expect(lambda frame: frame.get("event") == "unmuted")
    amy.send("SAY done")
    assert amy.expect("message")["content"] == "done"
    invoke(menus.moderate_menu, "Mute class")
    amy.expect(lambda frame: frame.get("event") == "muted")
    # A student's window offers neither (the server would refuse it anyway).
    student_window = open_window(server, "bob", "general")
    wait_until(lambda: "amy" in people(student_window), pump=tk_root.update, timeout=WAIT)
    assert "Mute class" not in labels_of(student_window.identity.menus.build_user_menu("amy"))
