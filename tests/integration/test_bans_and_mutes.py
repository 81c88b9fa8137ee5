"""Bans and mutes that last: by name and by address, across reconnects and restarts, until they end or are lifted.

The student connects from 127.0.0.2 ("another computer"); the teacher
from 127.0.0.1, which a ban never covers.
"""

from __future__ import annotations

import time

import pytest

from chat_server.storage import Sanction
from shared.errors import ErrorCode
from tests.integration.identity_support import moderate, teacher
from tests.integration.wire import Closed, WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

STUDENT = "127.0.0.2"
OTHER_STUDENT = "127.0.0.3"


def connect(server, source: str = STUDENT, nick: str | None = None, room: str | None = None) -> WireClient:
    client = WireClient(server.address, source=source)
    if nick is not None:
        client.register(nick, room)
    return client


def refused_at_the_door(server, source: str) -> list[dict]:
    """What a new connection from `source` gets, when it is refused before `welcome`."""
    client = WireClient(server.address, welcome=False, source=source)
    try:
        return client.rest_until_closed()
    finally:
        client.close()


def assert_banned(frames: list[dict]) -> None:
    assert [(f["type"], f.get("code") or f.get("reason")) for f in frames] == [
        ("error", ErrorCode.BANNED),
        ("bye", "banned"),
    ], frames


def error_of(client: WireClient, command: str) -> str:
    """Send a command that must be refused; notices that come before the error are skipped."""
    client.send(command)
    return client.expect("error")["code"]


def gone(server, nick: str) -> bool:
    return not [client for client in server.clients() if client.nick == nick]


def test_kicked_then_banned_cannot_return_by_name_or_address_even_after_a_restart(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    server = start_server(data_dir=data)
    lee = teacher(server, wire, room="lab")
    bob = connect(server, nick="bob", room="lab")
    moderate(lee, "KICK bob calm down")
    bob.rest_until_closed()
    wait_until(lambda: gone(server, "bob"))
    done = moderate(lee, "BAN bob 30 you were warned")  # bob is gone: his last address is banned with the name
    assert done["action"] == "ban" and STUDENT in done["content"]
    assert_banned(refused_at_the_door(server, STUDENT))
    elsewhere = connect(server, source=OTHER_STUDENT)
    frames = [elsewhere.reply("NICK bob"), *elsewhere.rest_until_closed()]
    assert_banned(frames)
    assert "30 more minutes" in frames[0]["content"] and "you were warned" in frames[0]["content"]
    assert frames[0]["until"].endswith("Z")
    assert connect(server, source=OTHER_STUDENT).reply("NICK carol")["type"] == "nick"  # others are fine

    server.stop()
    restarted = start_server(data_dir=data)
    assert_banned(refused_at_the_door(restarted, STUDENT))
    client = connect(restarted, source=OTHER_STUDENT)
    assert_banned([client.reply("NICK BOB"), *client.rest_until_closed()])  # any case
    assert [s.kind for s in restarted.sanctions()] == ["ban"]

    restarted.unban("bob")
    assert connect(restarted, source=STUDENT).reply("NICK bob")["type"] == "nick"


def test_a_ban_of_someone_online_sends_them_and_their_address_away(server, wire):
    lee = teacher(server, wire, room="lab")
    bob = connect(server, nick="bob", room="lab")
    second_window = connect(server, nick="bobs_alt")
    moderate(lee, "BAN bob")
    for client in (bob, second_window):
        frames = client.rest_until_closed()
        assert [(f["type"], f.get("code") or f.get("reason")) for f in frames][-2:] == [
            ("error", ErrorCode.BANNED),
            ("bye", "banned"),
        ]
        assert "until a teacher or the admin lifts it" in frames[-2]["content"]
        assert "until" not in frames[-2]
    lee.send("PING teacher-still-here")
    assert lee.expect("pong")["token"] == "teacher-still-here"  # 127.0.0.1 is never banned


def test_a_ban_ends_by_itself(server, wire):
    soon = int(time.time() * 1000) + 1500
    server.storage.moderation.add(Sanction("ban", "bob", STUDENT, "short", soon, "Ms_Lee", soon - 60_000))
    assert_banned(refused_at_the_door(server, STUDENT))
    wait_until(lambda: time.time() * 1000 > soon + 50, timeout=10)
    assert connect(server, source=STUDENT).reply("NICK bob")["type"] == "nick"


def test_a_lifted_ban_lets_them_back_at_once(server, wire):
    lee = teacher(server, wire)
    connect(server, nick="bob").close()
    wait_until(lambda: gone(server, "bob"))
    moderate(lee, "BAN bob 60")
    assert moderate(lee, "UNBAN bob")["action"] == "unban"
    assert connect(server, source=STUDENT).reply("NICK bob")["type"] == "nick"


def test_a_banned_name_is_refused_at_login_and_resume_too(server, wire):
    from tests.integration.identity_support import add_account, login

    add_account(server, "bob")
    bob = connect(server, source="127.0.0.1")
    token = login(bob, "bob")["token"]
    bob.close()
    wait_until(lambda: gone(server, "bob"))
    server.ban("bob", 10, "cheating")
    resume = wire(server)
    assert_banned([resume.reply(f"RESUME bob {token}"), *resume.rest_until_closed()])
    again = wire(server)
    from tests.integration.identity_support import PASSWORD

    assert_banned([again.reply(f"LOGIN bob {PASSWORD}"), *again.rest_until_closed()])


def test_an_address_ban_from_the_admin_and_this_computer_cannot_be_banned(server, wire):
    server.ban(STUDENT, None, "lab computer 4")
    assert_banned(refused_at_the_door(server, STUDENT))
    assert connect(server, source=OTHER_STUDENT).reply("NICK anyone")["type"] == "nick"
    with pytest.raises(Exception, match="own address"):
        server.ban("127.0.0.1")
    assert server.unban(STUDENT) == 1
    assert connect(server, source=STUDENT).reply("NICK anyone2")["type"] == "nick"


def test_an_address_ban_typed_in_another_form_still_keeps_the_computer_out(server, wire):
    """The admin banned "::ffff:127.0.0.2" (as a dual-stack listing writes it): confirmed, and the computer came in."""
    server.ban(f"::ffff:{STUDENT}", None, "lab computer 4")
    assert_banned(refused_at_the_door(server, STUDENT))
    with pytest.raises(Exception, match="own address"):
        server.ban("0:0:0:0:0:0:0:1")  # ::1 written out is still this computer
    assert server.unban(f"::FFFF:{STUDENT}") == 1
    assert connect(server, source=STUDENT).reply("NICK anyone")["type"] == "nick"


def test_a_mute_lasts_across_reconnect_and_restart(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    server = start_server(data_dir=data)
    lee = teacher(server, wire, room="lab")
    bob = connect(server, nick="bob", room="lab")
    moderate(lee, "MUTE bob")
    assert error_of(bob, "SAY hi") == ErrorCode.MUTED
    bob.send("QUIT")
    bob.rest_until_closed()
    wait_until(lambda: gone(server, "bob"))
    back = connect(server, nick="bob", room="lab")
    assert error_of(back, "SAY hi again") == ErrorCode.MUTED
    assert error_of(connect(server), "NICK not_bob") == ErrorCode.MUTED  # same computer, new name: refused

    server.stop()
    restarted = start_server(data_dir=data)
    carol = connect(restarted, OTHER_STUDENT, nick="carol", room="lab")  # the room again (muted bob makes none)
    after = connect(restarted, nick="bob", room="lab")
    assert error_of(after, "SAY after the restart") == ErrorCode.MUTED
    assert [c.muted for c in restarted.clients() if c.nick == "bob"] == [True]
    restarted.set_muted("bob", False)
    assert after.expect("system")["event"] == "unmuted"
    after.send("SAY free")
    assert after.expect("message")["content"] == "free"
    carol.close()


def test_unmute_of_someone_offline_lifts_the_mute(server, wire):
    lee = teacher(server, wire)
    bob = connect(server, nick="bob")
    moderate(lee, "MUTE bob")
    bob.close()
    wait_until(lambda: gone(server, "bob"))
    assert moderate(lee, "UNMUTE bob")["action"] == "unmute"
    back = connect(server, nick="bob", room="lab")
    back.send("SAY hello")
    assert back.expect("message")["content"] == "hello"


def test_the_bans_list_and_lifting_one_entry(server, wire):
    lee = teacher(server, wire)
    bob = connect(server, nick="bob")
    moderate(lee, "MUTE bob")
    server.ban("carol", 5, "typo")
    entries = {(s.kind, s.name, s.address, s.set_by) for s in server.sanctions()}
    assert entries == {("mute", "bob", STUDENT, "Ms_Lee"), ("ban", "carol", "", "admin")}
    (mute,) = server.sanctions("mute")
    server.lift(mute.id)
    assert bob.expect(lambda frame: frame.get("event") == "unmuted")["user"] == "bob"
    assert [s.kind for s in server.sanctions()] == ["ban"]
    with pytest.raises(Exception, match="no longer"):
        server.lift(mute.id)


def test_a_banned_user_cannot_slip_in_during_the_ban(server, wire):
    """Each variant a class would try: new name, other case, full width, RESUME, LOGIN of an unknown name."""
    lee = teacher(server, wire)
    bob = connect(server, nick="bob")
    token = [f for f in bob.received if f["type"] == "nick"][-1]["token"]
    moderate(lee, "BAN bob 10")
    try:
        bob.rest_until_closed()
    except Closed:
        pass
    for attempt in ["NICK Bob", "NICK ＢＯＢ", "NICK bob\u200b"]:
        client = connect(server, source=OTHER_STUDENT)
        first = client.reply(attempt)
        assert first.get("code") == ErrorCode.BANNED, (attempt, first)
    assert connect(server, source=OTHER_STUDENT).error(f"RESUME bob {token}") == ErrorCode.BAD_LOGIN  # forgotten
    assert_banned(refused_at_the_door(server, STUDENT))


@pytest.mark.parametrize("jump, shown", [(86400.0, "for 10 more minutes"), (-3600.0, "for 10 more minutes")])
def test_a_ten_minute_ban_lasts_ten_minutes_when_the_server_s_clock_jumps(server, wire, monkeypatch, jump, shown):
    """A day ahead ended every timed ban at once; an hour back made a 10-minute ban last 70 (and say so)."""
    lee = teacher(server, wire)
    connect(server, nick="bob").close()
    wait_until(lambda: gone(server, "bob"))
    moderate(lee, "BAN bob 10")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + jump)  # the computer's clock is set; no time passes
    frames = refused_at_the_door(server, STUDENT)
    assert_banned(frames)
    assert shown in frames[0]["content"], frames[0]["content"]
    server.storage.moderation.purge_expired(int(time.time() * 1000))  # the writer's pass, as it runs now
    assert_banned(refused_at_the_door(server, STUDENT))


@pytest.mark.parametrize("typo", ["-5", "1.5", "1e3", "10x", "0", "53w", "\u22125"])
def test_a_ban_length_that_is_no_length_is_refused_and_bans_nobody(server, wire, typo):
    # Taken for the reason before, "BAN bob -5" banned bob until lifted: a teacher who meant minutes got forever.
    lee = teacher(server, wire, room="lab")
    bob = connect(server, nick="bob", room="lab")
    answer = moderate(lee, f"BAN bob {typo} spamming")
    assert (answer["type"], answer["code"]) == ("error", ErrorCode.BAD_ARGUMENT)
    assert "10m, 2h, 3d" in answer["content"]
    bob.send("SAY still here")
    assert lee.expect(lambda f: f["type"] == "message" and f["sender"] == "bob")["content"] == "still here"
    assert server.storage.moderation.find("ban", nick_key="bob", address=None, now_ms=int(time.time() * 1000)) is None


@pytest.mark.parametrize(
    ("length", "shown"),
    [("10m", "10 more minutes"), ("2h", "2 more hours"), ("45", "45 more minutes"), ("3 hours", "3 more hours")],
)
def test_a_ban_length_with_a_unit_is_converted_and_the_name_keeps_its_case(server, wire, length, shown):
    lee = teacher(server, wire, room="lab")
    bob = connect(server, nick="bob", room="lab")
    done = moderate(lee, f"BAN bob {length} spamming")
    assert done["content"].startswith("bob is banned for "), done  # not "Bob": a nickname is shown as it is
    assert shown in done["content"] and ": spamming (and the address 127.0.0.2)." in done["content"], done
    frames = bob.rest_until_closed()
    assert shown in frames[-2]["content"], frames[-2]
