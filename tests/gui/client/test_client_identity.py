"""Who is who in the chat window, against a real server: join code, log in, register, a teacher's menus, room keys."""

from __future__ import annotations

import pytest

from chat_gui.core.events import State
from chat_gui.settings import load_settings, settings_path
from chat_gui.window.login_dialog import LOG_IN, REGISTER
from chat_gui.window.teacher_menu import Questions
from tests.gui.client.conftest import WAIT
from tests.support import wait_until

TEACHER_PASSWORD = "blackboard-42"
STUDENT_PASSWORD = "my-own-name-7"


class Answers:
    """The window's questions, answered by the test in order; each question is recorded."""

    def __init__(self, *answers: str | bool | None) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def text(self, title: str, prompt: str) -> str | None:
        self.asked.append(prompt)
        answer = self.answers.pop(0)
        assert answer is None or isinstance(answer, str), f"a text was asked, the test had {answer!r}"
        return answer

    def yes_no(self, title: str, prompt: str) -> bool:
        self.asked.append(prompt)
        answer = self.answers.pop(0)
        assert isinstance(answer, bool), f"a yes/no was asked, the test had {answer!r}"
        return answer

    def questions(self) -> Questions:
        return Questions(ask_text=self.text, ask_yes_no=self.yes_no)


def connect_with_dialog(window, server, nick: str, mode: str = "nickname", password: str = "", again: str = ""):
    window.show_connect_dialog()
    dialog = window.dialog
    dialog.host_var.set(server.address[0])
    dialog.port_var.set(str(server.address[1]))
    dialog.nick_var.set(nick)
    dialog.account.mode_var.set(mode)
    dialog.account._show_mode()
    dialog.account.password_var.set(password)
    dialog.account.again_var.set(again)
    dialog.connect_button.invoke()
    return dialog


def ready(window, tk_root, what: str = "") -> None:
    wait_until(
        lambda: window.session.state is State.READY,
        pump=tk_root.update,
        timeout=WAIT,
        message=what or f"not ready: {window.window.status.cget('text')}",
    )


def test_logging_in_from_the_connect_dialog_makes_a_teacher_with_a_moderate_menu(
    start_server, open_window, tk_root, make_client
):
    server = start_server()
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    make_client(server, "bob", "general")
    window = open_window()
    dialog = connect_with_dialog(window, server, "Teach", LOG_IN, "wrong-password")
    wait_until(lambda: dialog.account.password_message.cget("text"), pump=tk_root.update, timeout=WAIT)
    assert window.dialog is dialog, "a wrong password keeps the dialog open"
    assert dialog.account.password_var.get() == "", "the refused password is cleared"
    assert dialog.focus_get() == dialog.account.password_entry
    dialog.account.password_var.set(TEACHER_PASSWORD)
    dialog.connect_button.invoke()
    ready(window, tk_root)
    assert window.session.sign_in.is_teacher
    menubar = window.window.menubar
    labels = [menubar.entrycget(i, "label") for i in range(menubar.index("end") + 1)]
    assert "Moderate" in labels and labels[-1] == "Help"
    wait_until(lambda: "Teach (you, teacher)" in window.window.users.listbox.get(0, "end"), pump=tk_root.update)
    assert TEACHER_PASSWORD not in window.room_view.all_text()


def test_a_registered_nickname_asks_for_its_password_in_the_dialog(start_server, open_window, tk_root):
    server = start_server()
    server.create_account("alice", STUDENT_PASSWORD)
    window = open_window()
    dialog = connect_with_dialog(window, server, "alice")
    wait_until(lambda: dialog.account.mode() == LOG_IN, pump=tk_root.update, timeout=WAIT)
    said = dialog.account.password_message.cget("text")
    # the dialog's words, once: not the server's "/login alice PASSWORD" for a field that asks for it
    assert said.startswith("The nickname alice belongs to an account. If it is yours, type its password"), said
    assert "/login" not in said and said.count("If it is yours") == 1, said
    dialog.account.password_var.set(STUDENT_PASSWORD)
    dialog.connect_button.invoke()
    ready(window, tk_root)
    assert window.session.nick == "alice"


def test_registering_from_the_dialog_keeps_the_nickname_for_its_owner(start_server, open_window, tk_root, wire):
    server = start_server()
    window = open_window()
    dialog = connect_with_dialog(window, server, "carol", REGISTER, STUDENT_PASSWORD, STUDENT_PASSWORD + "x")
    tk_root.update()
    assert "not the same" in dialog.account.password_message.cget("text")
    assert str(dialog.account.password_message.cget("style")) == "Error.TLabel", (
        "the theme's error colour, light or dark"
    )
    assert window.session.state is State.OFFLINE, "nothing was sent with two different passwords"
    dialog.account.password_var.set("short")
    dialog.account.again_var.set("short")
    dialog.connect_button.invoke()
    assert "at least 8" in dialog.account.password_message.cget("text")
    dialog.account.password_var.set(STUDENT_PASSWORD)
    dialog.account.again_var.set(STUDENT_PASSWORD)
    dialog.connect_button.invoke()
    ready(window, tk_root)
    other = wire(server)
    other.send("NICK carol")
    refusal = other.expect("error")
    assert refusal["code"] == "nick_registered"


def test_a_join_code_is_asked_with_the_servers_words_and_the_rest_of_the_dialog_stays(
    start_server, open_window, tk_root
):
    server = start_server(join_code="K7P4XQ")
    window = open_window()
    dialog = connect_with_dialog(window, server, "dave")
    wait_until(lambda: dialog.account.code_shown(), pump=tk_root.update, timeout=WAIT)
    asked = dialog.account.code_hint.cget("text")
    assert asked.startswith("This server asks for a join code: type the one your teacher shows"), asked
    assert "/pass" not in asked and "/nick" not in asked, "no command to type in a dialog that has the field"
    assert dialog.nick_var.get() == "dave" and dialog.host_var.get() == server.address[0]
    dialog.account.code_var.set("WRONG1")
    dialog.connect_button.invoke()
    wait_until(lambda: dialog.account.code_hint.cget("text") != asked, pump=tk_root.update, timeout=WAIT)
    assert dialog.account.code_hint.cget("text") == "That is not the join code; check it on the teacher's screen."
    assert window.session.sign_in.code_for(*server.address) == "", "the wrong code is forgotten"
    assert dialog.focus_get() == dialog.account.code_entry
    dialog.account.code_var.set("k7p4xq")  # typed as read from the board
    dialog.connect_button.invoke()
    ready(window, tk_root)


def test_a_teacher_kicks_a_student_from_the_right_click_menu(start_server, open_window, tk_root, make_client):
    server = start_server()
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    student = make_client(server, "mallory", "general")
    window = open_window()
    answers = Answers("stop spamming the room")
    window.identity.menus.questions = answers.questions()
    connect_with_dialog(window, server, "Teach", LOG_IN, TEACHER_PASSWORD)
    ready(window, tk_root)
    users = window.window.users
    wait_until(lambda: "mallory" in users.users, pump=tk_root.update, timeout=WAIT)
    menu = window.identity.menus.build_user_menu("mallory")
    labels = [menu.entrycget(i, "label") for i in range(menu.index("end") + 1) if menu.type(i) == "command"]
    assert labels == [
        *("Talk privately with mallory", "Remove from #general…", "Kick…", "Ban…", "Mute", "Unmute"),
        "Delete their messages…",
        "Give #general to them",
        *("Mute class", "Unmute class"),
    ]
    menu.invoke(labels.index("Kick…") + 1)  # the separator takes one place
    bye = student.wait_for("bye", timeout=WAIT)
    assert "stop spamming the room" in bye["content"]
    wait_until(lambda: "mallory" not in users.users, pump=tk_root.update, timeout=WAIT)


def test_the_ban_dialog_asks_again_until_the_length_is_one_and_bans_for_it(
    start_server, open_window, tk_root, make_client
):
    # "ten" or "-5" in the minutes box would have become the reason of a ban until lifted.
    server = start_server()
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    student = make_client(server, "mallory", "general")
    window = open_window()
    answers = Answers("ten", "-5", "2 hours", "spamming")
    window.identity.menus.questions = answers.questions()
    connect_with_dialog(window, server, "Teach", LOG_IN, TEACHER_PASSWORD)
    ready(window, tk_root)
    wait_until(lambda: "mallory" in window.window.users.users, pump=tk_root.update, timeout=WAIT)
    window.identity.menus.ban("mallory")
    assert len(answers.asked) == 4 and answers.answers == []
    assert answers.asked[1].startswith("“ten” is not a number of minutes.")
    assert answers.asked[2].startswith("Minutes go from 1 to")
    assert answers.asked[3] == "Reason (mallory will see it):"
    banned = student.wait_for(lambda f: f.get("type") == "error" and f.get("code") == "banned", timeout=WAIT)
    assert "for 2 more hours" in banned["content"] and "spamming" in banned["content"], banned


def test_a_teacher_deletes_a_flooders_messages_from_the_people_menu_for_everyone(
    start_server, open_window, tk_root, make_client
):
    server = start_server()
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    classmate = make_client(server, "carol", "general")
    flooder = make_client(server, "mallory", "general")
    window = open_window()
    answers = Answers("lots", "")  # asked again after "lots"; empty: the last hour
    window.identity.menus.questions = answers.questions()
    connect_with_dialog(window, server, "Teach", LOG_IN, TEACHER_PASSWORD)
    ready(window, tk_root)
    wait_until(lambda: "mallory" in window.window.users.users, pump=tk_root.update, timeout=WAIT)
    sent = []
    for number in range(3):
        flooder.send_command(f"SAY spam {number}")
        sent.append(classmate.wait_for(lambda f, n=number: f.get("content") == f"spam {n}", timeout=WAIT)["id"])
    pane = window.window.tabs.room_view.text
    wait_until(lambda: "spam 2" in pane.get("1.0", "end"), pump=tk_root.update, timeout=WAIT)
    menu = window.identity.menus.build_user_menu("mallory")
    labels = [menu.entrycget(i, "label") if menu.type(i) == "command" else "" for i in range(menu.index("end") + 1)]
    menu.invoke(labels.index("Delete their messages…"))
    assert answers.asked[1].startswith("“lots” is not a number of minutes.") and answers.answers == []
    assert sorted(classmate.wait_for("deleted", timeout=WAIT)["id"] for _ in sent) == sent
    wait_until(lambda: "spam" not in pane.get("1.0", "end"), pump=tk_root.update, timeout=WAIT)
    wait_until(
        lambda: "Deleted 3 room messages of mallory from the last 60 minutes." in pane.get("1.0", "end"),
        pump=tk_root.update,
        timeout=WAIT,
    )


@pytest.mark.parametrize("name", ["rosa", "None"])  # None: a nickname, and a word OWNER reads as nobody
def test_a_teacher_gives_the_room_to_a_student_from_the_people_menu(
    start_server, open_window, tk_root, make_client, name
):
    server = start_server()
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    leader = make_client(server, name, "general")
    window = open_window()
    connect_with_dialog(window, server, "Teach", LOG_IN, TEACHER_PASSWORD)
    ready(window, tk_root)
    wait_until(lambda: name in window.window.users.users, pump=tk_root.update, timeout=WAIT)
    menu = window.identity.menus.build_user_menu(name)
    labels = [menu.entrycget(i, "label") if menu.type(i) == "command" else "" for i in range(menu.index("end") + 1)]
    menu.invoke(labels.index("Give #general to them"))
    heard = leader.wait_for(lambda f: f.get("event") == "owner", timeout=WAIT)
    assert (heard["owner"], heard["by"]) == (name, "Teach")
    leader.send_command("TOPIC Group 3: circuits")
    assert leader.wait_for(lambda f: f.get("event") == "topic" or f["type"] == "error", timeout=WAIT)["type"] != "error"
    pane = window.window.tabs.room_view.text
    wait_until(lambda: f"Teach gave #general to {name}" in pane.get("1.0", "end"), pump=tk_root.update, timeout=WAIT)


def test_a_student_sees_no_moderation_and_is_refused_when_typing_it(server, open_window, tk_root, make_client):
    make_client(server, "bob", "general")
    window = open_window(server, "alice")
    shown = record_frames(window)
    assert not window.session.sign_in.is_teacher
    menu = window.identity.menus.build_user_menu("bob")
    assert [menu.entrycget(i, "label") for i in range(menu.index("end") + 1)] == ["Talk privately with bob"]
    menubar = window.window.menubar
    assert "Moderate" not in [menubar.entrycget(i, "label") for i in range(menubar.index("end") + 1)]
    window.send_typed("/kick bob")
    wait_until(
        lambda: any(f["type"] == "error" and f["code"] == "not_allowed" for f in shown),
        pump=tk_root.update,
        timeout=WAIT,
    )


def record_frames(window) -> list[dict]:
    """Every frame the window receives, as the identity flow is handed it (after the pane showed it)."""
    shown: list[dict] = []
    on_frame = window.identity.on_frame

    def record(frame) -> None:
        shown.append(frame)
        on_frame(frame)

    window.identity.on_frame = record
    return shown


def test_a_room_key_dialog_asks_again_when_wrong_and_the_key_is_remembered(server, open_window, tk_root, make_client):
    owner = make_client(server, "olga", "lab")
    owner.send_command("KEY s3cret")
    owner.send_command("PING key-set")
    owner.wait_for(lambda f: f.get("type") == "pong" and f.get("content") == "key-set")
    window = open_window(server, "alice", "general")
    wait_until(lambda: "lab" in window.identity.locked, pump=tk_root.update, timeout=WAIT)
    assert any("🔒" in line for line in window.window.rooms.listbox.get(0, "end"))
    window.join_room("lab")
    dialog = window.identity.key_dialog
    assert dialog is not None and window.session.room == "general", "asked before anything is sent"
    dialog.key_var.set("guess")
    dialog.submit()
    wait_until(
        lambda: window.identity.key_dialog is not None and window.identity.key_dialog.message.cget("text"),
        pump=tk_root.update,
        timeout=WAIT,
    )
    window.identity.key_dialog.key_var.set("s3cret")
    window.identity.key_dialog.submit()
    wait_until(lambda: window.session.room == "lab", pump=tk_root.update, timeout=WAIT)
    assert window.session.sign_in.has_key(*server.address, "lab")
    assert "locked" in window.identity.topic_bar.text()


@pytest.mark.parametrize("typed", ["/login", "/register"])
def test_login_and_register_typed_in_the_window_open_the_dialog_and_keep_no_password(
    server, open_window, tk_root, typed
):
    window = open_window(server, "alice")
    window.window.entry.set_text(f"{typed}")
    window.window.entry.submit()
    tk_root.update()
    assert window.identity.account_dialog is not None
    window.window.entry.set_text("/login alice hunter2-password")
    window.window.entry.submit()
    assert all("hunter2" not in line for line in window.window.entry.history)


def test_a_kicked_student_loses_the_rooms_topic_and_teacher_marks_with_one_banner(
    server, open_window, tk_root, make_client
):
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    alice = open_window(server, "alice", "general")
    alice.send_typed("/topic fractions today")  # alice made #general, so it is hers to give a topic
    teacher = make_client(server)
    teacher.send_command(f"LOGIN Teach {TEACHER_PASSWORD}")
    teacher.send_command("JOIN general")
    teacher.wait_for("joined")
    wait_until(lambda: "Teach (teacher)" in alice.window.users.row_texts(), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: "fractions today" in alice.identity.topic_bar.text(), pump=tk_root.update, timeout=WAIT)
    teacher.send_command("KICK alice talking over the lesson")
    wait_until(lambda: alice.session.state is State.REMOVED, pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert alice.identity.teachers == set() and alice.identity.topic_bar.text() == ""
    assert alice.window.users.row_texts() == []
    pane = alice.room_view.all_text()
    assert pane.count("You were removed from the chat") == 1, "Standing's banner, and no second notice"
    assert "does not reconnect by itself" not in pane


def test_a_banned_student_reads_the_ban_once_in_the_pane_and_once_in_the_banner(
    server, open_window, tk_root, make_client
):
    """Found by the fifteenth review: the `banned` error and the `bye` after it carry the same words, and the
    pane printed both, then the banner said them a third time."""
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    alice = open_window(server, "alice", "general")
    teacher = make_client(server)
    teacher.send_command(f"LOGIN Teach {TEACHER_PASSWORD}")
    teacher.wait_for("nick")
    teacher.send_command("BAN alice 1 spamming")
    wait_until(lambda: alice.session.state is State.REMOVED, pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    pane = alice.room_view.all_text()
    assert pane.count("You were removed from the chat") == 1
    # the refusal as it came, and the banner's reason (with the time it ends): the bye's copy is not printed
    assert pane.count("You are banned from this server for 1 more minute: spamming") == 2, pane


def test_connecting_keeps_the_theme_and_joins_setting_and_remembers_the_login(start_server, open_window, tk_root):
    server = start_server()
    server.create_account("Teach", TEACHER_PASSWORD, "teacher")
    window = open_window(save=True)
    window.look.set_theme("dark")
    window.set_presence_shown(False)
    connect_with_dialog(window, server, "Teach", LOG_IN, TEACHER_PASSWORD)
    ready(window, tk_root)
    wait_until(lambda: load_settings().nick == "Teach", pump=tk_root.update, timeout=WAIT)
    saved = load_settings()
    assert (saved.theme, saved.show_joins, saved.log_in) == ("dark", False, True)
    assert TEACHER_PASSWORD not in settings_path().read_text(encoding="utf-8")
