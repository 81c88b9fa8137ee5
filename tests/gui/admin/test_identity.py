"""Who is who from the admin window: the join code panel, Ban…, the Accounts and Bans dialogs (real server, Xvfb).

Clients are real sockets (the tests' checked wire client); "another
computer" connects from 127.0.0.2.  Passwords set from the window are
really hashed (scrypt) on a helper thread, so those waits are long.
"""

from __future__ import annotations

import re
import time

import pytest

from chat_server.admin_gui.checked_question import CheckedQuestion, ask_checked_dialog
from chat_server.admin_gui.join_code_panel import NO_CODE
from chat_server.admin_gui.views import TEACHER_MARK
from chat_server.admin_gui.window import AdminWindow
from shared.errors import ErrorCode
from tests.gui.admin.helpers import Dialogs, enabled, pump_until, row_of, select_client, started
from tests.integration.identity_support import add_account
from tests.integration.wire import WireClient
from tests.support import wait_until

HASH_TIMEOUT = 90.0  # a real scrypt hash on a loaded 2-core machine, beside other test runs
SHOWN_CODE = re.compile(r"^[346789ACEFHJKMNPRTUWXY]{3}-[346789ACEFHJKMNPRTUWXY]{3}$")
NETWORK = "127.0.0.2"
PASSWORD = "correct horse battery"


@pytest.fixture
def wire_to():
    """wire_to(window, source=None, welcome=True) -> a WireClient to the window's server; all closed afterwards."""
    made: list[WireClient] = []

    def connect(window: AdminWindow, source: str | None = None, welcome: bool = True) -> WireClient:
        assert window.server is not None
        client = WireClient(window.server.address, welcome=welcome, source=source)
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()


def wait_pumped(window: AdminWindow, condition, timeout: float, message: str = "") -> None:
    wait_until(condition, timeout, pump=window.root.update, message=message)


def account_row(window: AdminWindow, nick: str) -> tuple[str, ...]:
    dialog = window.accounts_dialog
    assert dialog is not None
    return dialog.row_values(nick) if nick in dialog.accounts else ()


# -- the join code --
def test_no_code_at_first_then_new_makes_one_the_server_asks_for(window: AdminWindow, wire_to) -> None:
    assert window.join_code_shown() is None and window.code_panel.big.cget("text") == NO_CODE
    assert not enabled(window.code_panel.off_button)
    started(window)
    assert wire_to(window).reply("NICK before")["type"] == "nick"
    window.code_panel.new_button.invoke()
    shown = window.join_code_shown()
    assert shown is not None and SHOWN_CODE.match(shown), shown
    assert window.code_panel.big.cget("text") == shown and enabled(window.code_panel.off_button)
    assert window.server is not None and window.server.join_code() == shown
    late = wire_to(window)
    assert late.error("NICK after") == ErrorCode.CODE_REQUIRED
    assert late.error("PASS AAA-AAA" if shown != "AAA-AAA" else "PASS CCC-CCC") == ErrorCode.BAD_CODE
    assert late.reply(f"PASS {shown.lower()}")["event"] == "code_accepted"
    assert late.reply("NICK after")["type"] == "nick"
    pump_until(window, lambda: "admin set a new join code" in window.log_pane.shown_text())
    assert shown not in window.log_pane.shown_text()  # the code itself is never logged


def test_new_twice_makes_a_different_code_and_the_old_one_stops_working(window: AdminWindow, wire_to) -> None:
    started(window)
    window.code_panel.new_button.invoke()
    first = window.join_code_shown()
    codes = {first}
    for _ in range(5):  # 22**6 codes: six in a row alike would be a broken generator
        window.code_panel.new_button.invoke()
        codes.add(window.join_code_shown())
    assert len(codes) > 1
    current = window.join_code_shown()
    stale = next(code for code in codes if code != current)
    assert wire_to(window).error(f"PASS {stale}") == ErrorCode.BAD_CODE


@pytest.mark.parametrize("bad", ["abc", "x" * 33, "no spaces!", "ключ12"])
def test_a_chosen_code_that_cannot_be_one_is_refused_and_the_old_code_kept(
    window: AdminWindow, dialogs: Dialogs, bad: str
) -> None:
    started(window)
    dialogs.text_answers.append("lesson42")
    window.code_panel.set_button.invoke()
    assert window.join_code_shown() == "LESS-ON42"
    dialogs.text_answers.append(bad)
    window.code_panel.set_button.invoke()
    assert window.join_code_shown() == "LESS-ON42"
    assert window.server is not None and window.server.join_code() == "LESS-ON42"
    assert "letters and digits" in window.status.get() or "4 to 32" in window.status.get(), window.status.get()


def test_set_cancelled_changes_nothing(window: AdminWindow, dialogs: Dialogs) -> None:
    started(window)
    dialogs.text_answers.append(None)
    window.code_panel.set_button.invoke()
    assert window.join_code_shown() is None and dialogs.titles == ["Join code"]


def test_off_lets_anyone_in_again(window: AdminWindow, dialogs: Dialogs, wire_to) -> None:
    started(window)
    dialogs.text_answers.append("physics7")
    window.code_panel.set_button.invoke()
    assert wire_to(window).error("NICK alice") == ErrorCode.CODE_REQUIRED
    window.code_panel.off_button.invoke()
    assert window.join_code_shown() is None and window.code_panel.big.cget("text") == NO_CODE
    assert wire_to(window).reply("NICK alice")["type"] == "nick"
    pump_until(window, lambda: "admin switched the join code off" in window.log_pane.shown_text())


def test_a_code_set_while_stopped_is_served_at_start_and_kept_across_a_restart(
    window: AdminWindow, dialogs: Dialogs, wire_to
) -> None:
    dialogs.text_answers.append("K7M-XR4")
    window.code_panel.set_button.invoke()
    assert window.join_code_shown() == "K7M-XR4"
    started(window)
    assert wire_to(window).error("NICK alice") == ErrorCode.CODE_REQUIRED
    assert window.stop_server()
    pump_until(window, lambda: window.phase == "stopped")
    assert window.join_code_shown() == "K7M-XR4"
    started(window)
    client = wire_to(window)
    assert client.error("NICK alice") == ErrorCode.CODE_REQUIRED
    assert client.reply("PASS k7m xr4")["event"] == "code_accepted"


# -- Ban… in the main window and the Bans dialog --
def test_ban_from_the_clients_table_keeps_the_name_and_address_out_until_lifted(
    window: AdminWindow, dialogs: Dialogs, wire_to
) -> None:
    started(window)
    bob = wire_to(window, source=NETWORK).register("bob", "lab")
    wire_to(window).register("alice", "lab")
    pump_until(window, lambda: row_of(window, "bob"))
    assert not enabled(window.ban_button)
    select_client(window, "bob")
    assert enabled(window.ban_button)
    dialogs.text_answers += ["30", "rude to classmates"]
    window.ban_button.invoke()
    frames = bob.rest_until_closed()[-2:]  # after "alice joined" and the like
    assert [(f["type"], f.get("code") or f.get("reason")) for f in frames] == [
        ("error", ErrorCode.BANNED),
        ("bye", "banned"),
    ], frames
    assert "rude to classmates" in frames[0]["content"]
    door = wire_to(window, source=NETWORK, welcome=False).rest_until_closed()
    assert door[0]["code"] == ErrorCode.BANNED  # the address, whatever the name
    assert wire_to(window).error("NICK BOB") == ErrorCode.BANNED  # the name, from another address

    bans = window.open_bans()
    pump_until(window, lambda: any(row[1] == "bob" for row in bans.rows()))
    (row,) = [row for row in bans.rows() if row[1] == "bob"]
    assert row[0] == "ban" and row[2] == NETWORK and row[5] == "rude to classmates" and row[3] != "until lifted"
    assert not enabled(bans.lift_button)
    bans.select_named("bob")
    bans.lift_button.invoke()
    assert bans.rows() == []
    assert wire_to(window, source=NETWORK).reply("NICK bob")["type"] == "nick"
    pump_until(window, lambda: "admin lifted the ban on bob" in window.log_pane.shown_text())


@pytest.mark.parametrize("minutes", ["abc", "0", "-5", "99999999999", "3.5", "2 hours please"])
def test_ban_with_minutes_that_are_not_a_number_bans_nobody(
    window: AdminWindow, dialogs: Dialogs, wire_to, minutes: str
) -> None:
    started(window)
    bob = wire_to(window).register("bob")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    dialogs.text_answers += [minutes, None, "never asked"]  # refused in the question; then Cancel
    window.ban_button.invoke()
    assert dialogs.text_answers == ["never asked"]  # no reason asked: the minutes were refused
    assert len(dialogs.problems) == 1 and "minutes" in dialogs.problems[0].lower()
    assert bob.reply("PING still-here")["type"] == "pong"
    assert window.server is not None and window.server.sanctions() == []


def test_ban_cancelled_bans_nobody(window: AdminWindow, dialogs: Dialogs, wire_to) -> None:
    started(window)
    bob = wire_to(window).register("bob")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    dialogs.text_answers += ["", None]  # until lifted, then Cancel at the reason
    window.ban_button.invoke()
    assert bob.reply("PING still-here")["type"] == "pong"
    assert window.server is not None and window.server.sanctions() == []


def test_bans_dialog_bans_an_address_lists_mutes_and_lifts_a_mute(
    window: AdminWindow, dialogs: Dialogs, wire_to
) -> None:
    started(window)
    carol = wire_to(window).register("carol", "lab")
    pump_until(window, lambda: row_of(window, "carol"))
    assert window.set_muted("carol", True)
    carol.expect(lambda frame: frame.get("event") == "muted")
    bans = window.open_bans()
    dialogs.text_answers += ["127.0.0.3", "", "a laptop nobody owns up to"]
    bans.ban_button.invoke()
    rows = bans.rows()
    assert ("ban", "", "127.0.0.3", "until lifted", "admin", "a laptop nobody owns up to") in rows, rows
    assert any(row[0] == "mute" and row[1] == "carol" for row in rows), rows
    door = wire_to(window, source="127.0.0.3", welcome=False).rest_until_closed()
    assert door[0]["code"] == ErrorCode.BANNED
    bans.select_named("carol")
    bans.lift_button.invoke()
    carol.expect(lambda frame: frame.get("event") == "unmuted")
    carol.send("JOIN lab")
    carol.send("SAY heard again")
    assert carol.expect("message")["content"] == "heard again"
    assert [row[0] for row in bans.rows()] == ["ban"]


def test_this_computers_own_address_cannot_be_banned(window: AdminWindow, dialogs: Dialogs) -> None:
    started(window)
    bans = window.open_bans()
    dialogs.text_answers += ["127.0.0.1", "", "oops"]
    bans.ban_button.invoke()
    assert "cannot be banned" in window.status.get()
    assert bans.rows() == []


def test_the_dialogs_say_when_the_server_is_stopped_and_fill_in_at_start(window: AdminWindow) -> None:
    accounts = window.open_accounts()
    bans = window.open_bans()
    assert "Start the server" in accounts.heading.cget("text") and not enabled(accounts.new_button)
    assert "start the server" in bans.heading.cget("text") and not enabled(bans.ban_button)
    started(window)
    pump_until(window, lambda: accounts.heading.cget("text") == "Accounts: 0")
    assert enabled(accounts.new_button) and enabled(bans.ban_button)
    assert bans.heading.cget("text") == "Bans and mutes: 0"


# -- the Accounts dialog --
def test_new_teacher_account_logs_in_as_teacher_and_is_marked(window: AdminWindow, dialogs: Dialogs, wire_to) -> None:
    started(window)
    accounts = window.open_accounts()
    dialogs.text_answers += ["Ms_Lee", PASSWORD]
    dialogs.yes_no_answers.append(True)
    accounts.new_button.invoke()
    assert "Working" in window.status.get()  # the hash runs off the Tk thread
    wait_pumped(window, lambda: account_row(window, "Ms_Lee"), HASH_TIMEOUT, window.status.get())
    assert account_row(window, "Ms_Lee")[:3] == ("Ms_Lee", "teacher", "")
    lee = wire_to(window)
    answer = lee.reply(f"LOGIN ms_lee {PASSWORD}", timeout=HASH_TIMEOUT)
    assert (answer["type"], answer["nick"], answer["role"]) == ("nick", "Ms_Lee", "teacher")
    pump_until(window, lambda: row_of(window, "Ms_Lee")[:1] == (f"Ms_Lee {TEACHER_MARK}",))
    accounts.refresh()
    assert account_row(window, "Ms_Lee")[2] == "online"
    assert wire_to(window).error("NICK MS_LEE") == ErrorCode.NICK_REGISTERED
    log_text = window.log_pane.shown_text()
    assert "admin made the account Ms_Lee (teacher)" in log_text and PASSWORD not in log_text


@pytest.mark.parametrize("nick", ["Мs_Lee", "bad name", "x" * 40])
def test_new_account_with_a_name_that_cannot_be_one_is_refused(
    window: AdminWindow, dialogs: Dialogs, nick: str
) -> None:
    started(window)
    accounts = window.open_accounts()
    dialogs.text_answers += [nick, PASSWORD]
    dialogs.yes_no_answers.append(False)
    accounts.new_button.invoke()
    wait_pumped(window, lambda: window.status.get().startswith("Not done"), HASH_TIMEOUT, window.status.get())
    assert accounts.accounts == {}


def test_make_student_set_password_and_unregister(window: AdminWindow, dialogs: Dialogs, wire_to) -> None:
    started(window)
    assert window.server is not None
    add_account(window.server, "Ms_Lee", "teacher")
    lee = wire_to(window)
    assert lee.reply(f"LOGIN Ms_Lee {PASSWORD}", timeout=HASH_TIMEOUT)["role"] == "teacher"
    accounts = window.open_accounts()
    accounts.select("Ms_Lee")
    assert not enabled(accounts.teacher_button) and enabled(accounts.student_button)
    accounts.student_button.invoke()
    changed = lee.expect(lambda frame: frame["type"] == "nick" and frame.get("role") == "student")
    assert "student" in changed["content"]
    status = window.status.get()  # says whose account it is (a student may have registered the name first)
    assert status.startswith("Ms_Lee is now a student (account made ") and "logged in now from 127.0.0.1" in status
    assert account_row(window, "Ms_Lee")[1] == "student"
    pump_until(window, lambda: row_of(window, "Ms_Lee")[:1] == ("Ms_Lee",))  # the mark is gone
    assert lee.error("KICK nobody") == ErrorCode.NOT_ALLOWED

    accounts.select("Ms_Lee")
    dialogs.text_answers.append("a new secret phrase")
    accounts.password_button.invoke()
    wait_pumped(window, lambda: "has a new password" in window.status.get(), HASH_TIMEOUT, window.status.get())
    assert "connection was closed" in window.status.get(), window.status.get()
    assert lee.expect("bye")["reason"] == "password"  # whoever had the old password logs in again
    again = wire_to(window)
    assert again.reply(f"LOGIN Ms_Lee {PASSWORD}", timeout=HASH_TIMEOUT)["code"] == ErrorCode.BAD_LOGIN
    lee = wire_to(window)
    assert lee.reply("LOGIN Ms_Lee a new secret phrase", timeout=HASH_TIMEOUT)["type"] == "nick"
    assert "a new secret phrase" not in window.log_pane.shown_text()

    accounts.select("Ms_Lee")
    dialogs.yes_no_answers.append(False)
    accounts.delete_button.invoke()
    assert account_row(window, "Ms_Lee")
    accounts.select("Ms_Lee")
    dialogs.yes_no_answers.append(True)
    accounts.delete_button.invoke()
    assert accounts.accounts == {}
    lee.expect(lambda frame: frame["type"] == "nick" and "deleted" in frame["content"])
    lee.close()
    pump_until(window, lambda: not row_of(window, "Ms_Lee"))
    assert wire_to(window).reply("NICK ms_lee")["type"] == "nick"  # the name is free again


def test_make_teacher_names_the_copies_of_her_name_and_sends_away_those_online(
    window: AdminWindow, dialogs: Dialogs, wire_to
) -> None:
    """A student sat online as "MsKhan" before the admin made Ms_Khan's account a teacher's (found by a probe)."""
    started(window)
    assert window.server is not None
    add_account(window.server, "Ms_Khan")
    add_account(window.server, "Ms-Khan")
    copy = wire_to(window, source=NETWORK)
    assert copy.reply("NICK MsKhan")["type"] == "nick"
    accounts = window.open_accounts()
    accounts.select("Ms_Khan")
    accounts.teacher_button.invoke()
    status = window.status.get()
    assert status.startswith("Ms_Khan is now a teacher"), status
    assert "Ms-Khan" in status and "can no longer be used" in status, status
    assert f"MsKhan ({NETWORK}" in status and "1 disconnected" in status, status
    assert copy.expect("bye")["reason"] == "name"
    pump_until(window, lambda: not row_of(window, "MsKhan"))
    assert "could pass for the teacher Ms_Khan" in window.log_pane.shown_text()


def test_account_actions_need_a_running_server(window: AdminWindow) -> None:
    assert not window.set_role("Ms_Lee", "teacher")
    assert not window.create_account("Ms_Lee", PASSWORD, "teacher")
    assert "press Start" in window.status.get()


def test_the_ban_question_stays_open_with_its_error_on_a_length_it_cannot_read(
    window: AdminWindow, dialogs: Dialogs, wire_to
) -> None:
    """Found by a classroom probe: "half an hour" closed the question and the admin's input was lost.

    The real question (not a scripted one): the test types and presses OK as the admin would.
    """
    started(window)
    bob = wire_to(window).register("bob")
    pump_until(window, lambda: row_of(window, "bob"))
    select_client(window, "bob")
    window.ask_checked = ask_checked_dialog(window.root)
    after_refusal: list[tuple[bool, str, str]] = []

    deadline = time.monotonic() + 10

    def admin_answers() -> None:
        shown = [w for w in window.root.winfo_children() if isinstance(w, CheckedQuestion) and w.winfo_viewable()]
        if not shown:
            if time.monotonic() < deadline:  # else no question came: the assertions below say so
                window.root.after(20, admin_answers)
            return
        question = shown[0]
        if not after_refusal:
            question.value.set("half an hour")
            question.ok_button.invoke()
            after_refusal.append((bool(question.winfo_exists()), question.problem.cget("text"), question.value.get()))
            window.root.after(20, admin_answers)
        else:
            question.value.set("30m")
            question.ok_button.invoke()

    window.root.after(20, admin_answers)
    dialogs.text_answers.append("rude to classmates")
    window.ban_button.invoke()
    (still_open, problem, typed) = after_refusal[0]
    assert still_open and typed == "half an hour"
    assert "minutes" in problem.lower()
    assert dialogs.asked[-1].startswith("Reason for banning bob")
    assert window.server is not None
    (ban,) = window.server.sanctions()
    assert ban.name == "bob" and ban.reason == "rude to classmates" and ban.until is not None
    assert 29 * 60 <= ban.until - time.time() <= 30 * 60 + 5
    bob.rest_until_closed()


def test_the_bans_dialog_opens_without_the_windows_last_message(window: AdminWindow, dialogs: Dialogs) -> None:
    """Found by a classroom probe: Bans… opened showing an unrelated error of the main window."""
    window.form.port.set("seventy")
    assert not window.start_server()
    window.form.port.set("0")
    started(window)
    window.say("Cannot listen on 0.0.0.0 port 80: Permission denied.")
    bans = window.open_bans()
    assert bans.status.get() == ""
    dialogs.text_answers += ["127.0.0.1", "", "oops"]
    bans.ban_button.invoke()
    assert "cannot be banned" in bans.status.get()  # an answer to what the dialog did shows in it
