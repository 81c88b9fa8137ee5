"""A stolen password, a name dropped and taken back, a crowd of wrong logins: found by a probe of who is who.

A real server on port 0; "other computers" are connections bound to
127.0.2.x (tests never send traffic outside 127.0.0.0/8).  Passwords go
over plain connections here with --allow-plain-passwords (TLS has its own
tests); the hash is real scrypt.
"""

from __future__ import annotations

import threading

import pytest

from chat_server.console import AdminConsole
from chat_server.handlers.accounts import MAX_WAITING_HASHES, MAX_WAITING_PER_ADDRESS
from chat_server.identity.hash_turns import HASHES_AT_ONCE, PASSWORD_TURNS
from chat_server.identity.service import NEW_ACCOUNTS_PER_ADDRESS
from shared.errors import ErrorCode
from tests.integration.identity_support import PASSWORD, add_account, login, password_hash
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

NEW_PASSWORD = "the admin's new one"


def computer(server, number: int) -> WireClient:
    return WireClient(server.address, source=f"127.0.2.{number}")


@pytest.fixture
def plain(start_server):
    return start_server(allow_plain_passwords=True, max_per_address=0)


class HeldHashes:
    """Holds every hashing slot from the test, so password checks queue up until released one at a time."""

    def __init__(self) -> None:
        self._releases: list[threading.Event] = []
        self._threads: list[threading.Thread] = []
        held = threading.Barrier(HASHES_AT_ONCE + 1)
        for _ in range(HASHES_AT_ONCE):
            release = threading.Event()

            def hold(release: threading.Event = release) -> None:
                with PASSWORD_TURNS.turn(first=True):
                    held.wait(10)
                    release.wait(30)

            thread = threading.Thread(target=hold, daemon=True)
            thread.start()
            self._releases.append(release)
            self._threads.append(thread)
        held.wait(10)

    def release_one(self) -> None:
        self._releases.pop().set()

    def release_all(self) -> None:
        while self._releases:
            self.release_one()
        for thread in self._threads:
            thread.join(10)


@pytest.fixture
def held_hashes():
    password_hash(PASSWORD)  # the accounts' hash is made (and cached) before the slots are held
    held = HeldHashes()
    yield held
    held.release_all()


# -- a password reset --
def _owner_and_thief(server) -> tuple[WireClient, WireClient, dict]:
    owner = computer(server, 3).register("Chloe_A", "lab")
    assert owner.reply(f"REGISTER {PASSWORD}")["type"] == "nick"
    owner.send("QUIT")
    owner.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("Chloe_A") is None)
    thief = computer(server, 4)
    answer = login(thief, "Chloe_A")
    return owner, thief, answer


def test_a_password_reset_sends_away_whoever_is_logged_in_with_the_old_one(plain):
    _, thief, _ = _owner_and_thief(plain)
    said = AdminConsole(plain).execute(f"/password Chloe_A {NEW_PASSWORD}")
    assert "connection was closed" in said, said
    bye = thief.expect("bye")
    assert bye.get("reason") == "password" and "new password" in bye["content"], bye
    thief.rest_until_closed()
    owner = computer(plain, 3)
    assert login(owner, "Chloe_A", NEW_PASSWORD)["nick"] == "Chloe_A"


def test_after_a_reset_the_thief_can_neither_log_in_with_the_old_password_nor_resume(plain):
    _, thief, answer = _owner_and_thief(plain)
    AdminConsole(plain).execute(f"/password Chloe_A {NEW_PASSWORD}")
    thief.rest_until_closed()
    again = computer(plain, 4)
    refused = again.reply(f"RESUME Chloe_A {answer['token']}")
    assert refused.get("code") == ErrorCode.BAD_LOGIN, refused
    assert again.reply(f"LOGIN Chloe_A {PASSWORD}").get("code") == ErrorCode.BAD_LOGIN


def test_a_reset_while_the_thiefs_connection_is_dropped_forgets_its_token(plain):
    _, thief, answer = _owner_and_thief(plain)
    thief.close()  # dropped, not QUIT: the session is parked for RESUME
    wait_until(lambda: plain.registry.find_nick("Chloe_A") is None)
    AdminConsole(plain).execute(f"/password Chloe_A {NEW_PASSWORD}")
    refused = computer(plain, 5).reply(f"RESUME Chloe_A {answer['token']}")
    assert refused.get("code") == ErrorCode.BAD_LOGIN, refused


def test_a_fresh_login_forgets_the_token_of_the_accounts_dropped_connection(plain):
    """The teacher's connection at a lab computer dropped; she logged in again from her laptop and quit: the lab
    computer's old token made a student the teacher (found by a probe)."""
    add_account(plain, "Ms_Lee", "teacher")
    lab = computer(plain, 20)
    token = login(lab, "Ms_Lee")["token"]
    lab.close()  # dropped, not QUIT: parked for RESUME
    wait_until(lambda: plain.registry.find_nick("Ms_Lee") is None)
    laptop = computer(plain, 30)
    assert login(laptop, "Ms_Lee")["role"] == "teacher"
    laptop.send("QUIT")
    laptop.rest_until_closed()
    wait_until(lambda: plain.registry.find_nick("Ms_Lee") is None)
    student = computer(plain, 20)
    refused = student.reply(f"RESUME Ms_Lee {token}")
    assert refused.get("code") == ErrorCode.BAD_LOGIN, refused
    assert plain.registry.find_nick("Ms_Lee") is None


# -- a ban while the password is being checked --
@pytest.mark.parametrize("banned", ["the name", "the computer"])
def test_a_ban_made_while_a_login_is_checked_stops_that_login(plain, wire, held_hashes, banned):
    add_account(plain, "Sam_acc")
    student = computer(plain, 51)
    student.send(f"LOGIN Sam_acc {PASSWORD}")
    wait_until(lambda: PASSWORD_TURNS.waiting() == 1, message="the login's check did not queue")
    plain.ban("Sam_acc" if banned == "the name" else "127.0.2.51", 30, "cheating")
    held_hashes.release_all()
    frames = student.rest_until_closed(timeout=60)
    assert not [frame for frame in frames if frame["type"] == "nick"], frames
    assert [frame for frame in frames if frame.get("code") == ErrorCode.BANNED or frame["type"] == "bye"], frames
    assert plain.registry.find_nick("Sam_acc") is None


# -- a crowd of wrong logins --
def test_the_teachers_login_goes_before_a_queue_of_wrong_logins(plain, held_hashes):
    add_account(plain, "Ms_Khan", "teacher")
    attackers = [computer(plain, 60 + number) for number in range(MAX_WAITING_HASHES)]
    for number, attacker in enumerate(attackers):  # names with and without accounts: each costs a hash
        attacker.send(f"LOGIN {'Ms_Khan' if number < 4 else f'ghost{number}'} wrong-password-1")
    wait_until(lambda: PASSWORD_TURNS.waiting() == MAX_WAITING_HASHES, message="the wrong logins did not queue")
    at_the_server = WireClient(plain.address)  # 127.0.0.1: the teacher's own computer
    at_the_server.send(f"LOGIN Ms_Khan {PASSWORD}")
    wait_until(lambda: PASSWORD_TURNS.waiting(first=True) == 1, message="the teacher's check did not queue")
    held_hashes.release_one()  # one hash at a time from now: the first free turn must be hers
    assert at_the_server.expect("nick", timeout=60)["role"] == "teacher"
    assert PASSWORD_TURNS.waiting() >= MAX_WAITING_HASHES - 1, "wrong logins went before the teacher's"


def test_past_the_waiting_limit_a_new_login_is_refused_at_once_and_not_counted(plain, held_hashes):
    add_account(plain, "Ms_Khan", "teacher")
    attackers = [computer(plain, 80 + number) for number in range(MAX_WAITING_HASHES)]
    for number, attacker in enumerate(attackers):
        attacker.send(f"LOGIN ghost{number} wrong-password-1")
    wait_until(lambda: PASSWORD_TURNS.waiting() == MAX_WAITING_HASHES)
    late = computer(plain, 99)
    refused = late.reply("LOGIN ghost99 wrong-password-2")
    assert refused.get("code") == ErrorCode.RATE_LIMITED and "many passwords" in refused["content"], refused
    assert refused["checked"] is False  # the clients keep the password and ask again (not a wrong one)
    registering = computer(plain, 98).register("newcomer")
    refused = registering.reply("REGISTER whatever-password")
    assert refused.get("code") == ErrorCode.RATE_LIMITED and "many passwords" in refused["content"], refused
    assert refused["checked"] is False
    held_hashes.release_all()
    for attacker in attackers:
        assert attacker.expect("error", timeout=60)["code"] == ErrorCode.BAD_LOGIN
    # nothing was counted for the refused one: its computer still has its five tries
    assert login(computer(plain, 99), "Ms_Khan")["nick"] == "Ms_Khan"


def test_registers_refused_while_busy_do_not_use_the_days_new_accounts(plain, held_hashes):
    """Found by a probe: a REGISTER turned away unchecked ("many passwords") used one of the computer's 3 a day."""
    waiting = [computer(plain, 120) for _ in range(MAX_WAITING_PER_ADDRESS)]
    for number, client in enumerate(waiting):  # this computer's checks that may wait at once
        client.send(f"LOGIN ghost{number} wrong-password-1")
    wait_until(lambda: PASSWORD_TURNS.waiting_from("127.0.2.120") == MAX_WAITING_PER_ADDRESS)
    for name in ("busy_a", "busy_b", "busy_c", "busy_d"):
        refused = computer(plain, 120).register(name).reply(f"REGISTER {PASSWORD}")
        assert refused.get("code") == ErrorCode.RATE_LIMITED and "many passwords" in refused["content"], refused
    held_hashes.release_all()
    for client in waiting:
        assert client.expect("error", timeout=60)["code"] == ErrorCode.BAD_LOGIN
    for name in ("sam_a", "sam_b", "sam_c")[:NEW_ACCOUNTS_PER_ADDRESS]:
        made = computer(plain, 120).register(name).reply(f"REGISTER {PASSWORD}", timeout=60)
        assert made["type"] == "nick" and made["registered"] is True, made


# -- RESUME of a dropped guest name asks what NICK asks --
def _dropped(server, number: int, nick: str, room: str = "maths") -> str:
    """A guest `nick` on computer `number` whose connection drops (parked for RESUME); its token."""
    client = computer(server, number)
    named = client.reply(f"NICK {nick}")
    assert named["type"] == "nick", named
    client.send(f"JOIN {room}")
    client.expect("joined")
    client.close()
    wait_until(lambda: server.registry.find_nick(nick) is None)
    return named["token"]


@pytest.mark.parametrize("lookalike", ["0liver_K", "OIiver_K", "0Iiver_K"])
def test_resume_does_not_bring_back_a_name_whose_lookalike_was_taken_meanwhile(plain, lookalike):
    token = _dropped(plain, 10, "Oliver_K")
    stranger = computer(plain, 11).reply(f"NICK {lookalike}")  # another computer: kept for Oliver_K meanwhile
    assert stranger.get("code") == ErrorCode.NICK_TAKEN and "kept for Oliver_K" in stranger["content"], stranger
    other = computer(plain, 10)  # the same computer may take it (a window started again without its token)
    answer = other.reply(f"NICK {lookalike}")
    if answer["type"] != "nick":  # refused for its own reasons (mixed scripts): nothing to test for this one
        pytest.skip(f"{lookalike!r} is refused by NICK itself: {answer['content']}")
    refused = computer(plain, 10).reply(f"RESUME Oliver_K {token}")
    assert refused.get("code") == ErrorCode.NICK_TAKEN, refused
    assert plain.registry.find_nick("Oliver_K") is None


def test_resume_does_not_bring_back_a_name_that_could_pass_for_a_teacher_made_meanwhile(plain):
    token = _dropped(plain, 12, "Ms-Khan")
    add_account(plain, "Ms_Khan", "teacher")
    refused = computer(plain, 12).reply(f"RESUME Ms-Khan {token}")
    assert refused.get("code") == ErrorCode.BAD_NICK and "Ms_Khan" in refused["content"], refused


@pytest.mark.parametrize("parked", ["Khan_is_useless", "Khan_smells"])
def test_a_computer_muted_meanwhile_cannot_resume_its_other_dropped_names(plain, parked):
    insult = _dropped(plain, 13, parked)
    sam = computer(plain, 13).register("sam", "maths")
    plain.set_muted("sam", True)  # the mute covers sam's computer too
    refused = computer(plain, 13).reply(f"RESUME {parked} {insult}")
    assert refused.get("code") == ErrorCode.MUTED, refused
    assert plain.registry.find_nick(parked) is None
    sam.close()


def test_a_plain_resume_still_works(plain):
    """The checks must not refuse an ordinary student whose window lost its network."""
    token = _dropped(plain, 14, "Oliver_K")
    back = computer(plain, 14)
    answer = back.reply(f"RESUME Oliver_K {token}")
    assert answer["type"] == "nick" and answer.get("resumed"), answer


def test_one_computer_dropping_names_by_the_hundred_does_not_push_out_a_classmates_resume(start_server):
    """Found by a probe: 10,500 connect-name-drop cycles from one computer emptied RESUME's table of 10,000."""
    server = start_server(max_per_address=0)
    server.registry.parked.capacity = 150  # the same attack at a test's scale (the table is 10,000 by default)
    token = _dropped(server, 20, "alice_r")
    for number in range(200):
        churn = computer(server, 21)
        assert churn.reply(f"NICK churn{number}")["type"] == "nick"
        churn.close()
    wait_until(lambda: server.registry.find_nick("churn199") is None)
    back = computer(server, 20).reply(f"RESUME alice_r {token}")
    assert back["type"] == "nick" and back.get("resumed"), back


# -- round two (a probe of this session's fixes) --
def test_a_students_own_logins_wait_with_everyone_and_cannot_fill_the_queue(plain):
    """A student logging in to their own accounts again and again from their own computer went first and
    starved every other student's check; now they wait in the ordinary lane, two at a time per computer."""
    for name in ("own_a", "own_b", "own_c"):
        add_account(plain, name)
    login(computer(plain, 120), "own_a")  # the computer is known to own_a from now on
    connections = [computer(plain, 120) for _ in range(3)]
    held = HeldHashes()
    try:
        for connection, name in zip(connections, ("own_a", "own_b", "own_c"), strict=True):
            connection.send(f"LOGIN {name} {PASSWORD}")
            if name != "own_c":
                wait_until(lambda name=name: PASSWORD_TURNS.waiting_from("127.0.2.120") == 1 + (name == "own_b"))
        assert PASSWORD_TURNS.waiting(first=True) == 0, "a student's own account does not go first"
        third = connections[2].expect("error")
        assert third["code"] == ErrorCode.RATE_LIMITED and "many passwords" in third["content"], third
        classmate = computer(plain, 121)
        classmate.send(f"LOGIN own_b {PASSWORD}")  # another computer still gets a place in the queue
        wait_until(lambda: PASSWORD_TURNS.waiting_from("127.0.2.121") == 1)
    finally:
        held.release_all()
    assert classmate.expect("nick", timeout=60)["nick"] == "own_b"


def test_an_upload_begun_with_the_old_password_is_not_shared_after_a_reset(plain, tmp_path):
    from tests.adversarial.test_file_abuse import SMALL, _finish, _no_file_frame, offer
    from tests.integration.file_wire import start_sending

    _owner, thief, _answer = _owner_and_thief(plain)
    classmate = computer(plain, 6).register("classmate", "lab")
    thief.send("JOIN lab")
    thief.expect("joined")
    ticket = offer(thief, target="#lab")
    start_sending(plain, ticket, SMALL[:1])  # with no byte it would be voided as the reset sends the thief away
    AdminConsole(plain).execute(f"/password Chloe_A {NEW_PASSWORD}")
    refusal = _finish(plain, ticket, tmp_path, source="127.0.2.4")
    assert refusal is not None and refusal.code == ErrorCode.NOT_ALLOWED and "password" in str(refusal), refusal
    _no_file_frame(classmate)


def test_a_kicked_student_with_an_account_who_logs_in_again_does_not_share_the_upload(plain, tmp_path):
    from tests.adversarial.test_file_abuse import SMALL, _finish, _no_file_frame, offer
    from tests.integration.file_wire import start_sending

    add_account(plain, "Rude_R")
    classmate = computer(plain, 7).register("classmate", "lab")
    rude = computer(plain, 8)
    login(rude, "Rude_R")
    rude.send("JOIN lab")
    rude.expect("joined")
    ticket = offer(rude, target="#lab")
    start_sending(plain, ticket, SMALL[:1])  # with no byte it would be voided as the kick sends rude away
    plain.kick("Rude_R", "rude picture")
    rude.rest_until_closed()
    back = computer(plain, 9)  # the kicked computer waits a minute for the name (chat_server/kick_cooldown.py)
    login(back, "Rude_R")  # back at once, under the account, and online while the bytes come in
    refusal = _finish(plain, ticket, tmp_path, source="127.0.2.8")
    assert refusal is not None and refusal.code == ErrorCode.NOT_ALLOWED and "removed" in str(refusal), refusal
    _no_file_frame(classmate)
    back.send("JOIN lab")
    back.expect("joined")
    assert _finish(plain, offer(back, target="#lab"), tmp_path, source="127.0.2.9") is None, "a new upload is fine"


def test_resume_does_not_bring_back_a_lookalike_of_a_name_banned_meanwhile(plain):
    token = _dropped(plain, 15, "\u0435\u0475\u04352")
    plain.ban("eve2", None, "3 warnings")
    refused = computer(plain, 15).reply(f"RESUME \u0435\u0475\u04352 {token}")
    assert refused.get("code") == ErrorCode.BAD_NICK, refused
