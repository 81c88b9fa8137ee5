"""Roles and teacher commands (PROTOCOL.md, Version 2, Identity): students get not_allowed, teachers' commands work."""

from __future__ import annotations

import time

import pytest

from chat_server.storage import StoredMessage
from chat_server.storage.deletion_clock import DeletionClock
from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login, teacher
from tests.integration.test_resume import token_of
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

TEACHER_COMMANDS = [
    "KICK bob",
    "KICK bob because",
    "BAN bob",
    "BAN bob 10 spam",
    "UNBAN bob",
    "MUTE bob",
    "UNMUTE bob",
    "ANNOUNCE class is over",
    "CLOSE lab",
    "close lab now",
    "PURGE bob",
    "PURGE bob 30",
    "OWNER lab bob",
    "OWNER lab none",
    "/kick bob",
]


@pytest.mark.parametrize("command", TEACHER_COMMANDS)
def test_a_students_teacher_commands_get_not_allowed_and_change_nothing(server, wire, command):
    wire(server, "bob", "lab")
    student = wire(server, "TheTeacher", "lab")  # a nickname is just a name ("teacher" itself is kept)
    assert student.reply("NICK TheTeacher")["role"] == "student"
    assert student.error(command) == ErrorCode.NOT_ALLOWED
    assert [(c.nick, c.room, c.muted) for c in server.clients() if c.nick == "bob"] == [("bob", "lab", False)]
    assert server.sanctions() == []


def test_a_student_who_registered_is_still_a_student(server, wire):
    client = wire(server, "Mr_Teacher", "lab")
    assert client.reply("REGISTER a long enough password", timeout=60)["role"] == "student"
    assert client.error("ANNOUNCE hello") == ErrorCode.NOT_ALLOWED


def test_roles_show_in_nick_joined_join_notices_and_list(server, wire):
    bob = wire(server, "bob", "lab")
    lee = teacher(server, wire, "Ms_Lee")
    lee.send("JOIN lab")
    joined = lee.expect("joined")
    assert joined["roles"] == {"Ms_Lee": "teacher"}
    notice = bob.expect("system")
    assert (notice["event"], notice["user"], notice["role"]) == ("join", "Ms_Lee", "teacher")
    listing = bob.reply("LIST")
    assert listing["roles"] == {"Ms_Lee": "teacher"}
    rejoin = wire(server, "carol")
    rejoin.send("JOIN lab")
    assert rejoin.expect("joined")["roles"] == {"Ms_Lee": "teacher"}


def test_the_admin_makes_a_teacher_and_the_room_hears_it(server, wire):
    add_account(server, "lee")
    bob = wire(server, "bob", "lab")
    lee = wire(server)
    assert login(lee, "lee")["role"] == "student"
    lee.send("JOIN lab")
    lee.expect("joined")
    bob.expect("system")
    server.set_role("lee", "teacher")
    update = lee.expect("nick")
    assert (update["role"], update["nick"]) == ("teacher", "lee")
    notice = bob.expect("system")
    assert (notice["event"], notice["user"], notice["role"]) == ("role", "lee", "teacher")
    assert lee.reply("ANNOUNCE now I can")["type"] == "system"
    server.set_role("lee", "student")
    assert lee.expect("nick")["role"] == "student"
    assert lee.error("ANNOUNCE and now I cannot") == ErrorCode.NOT_ALLOWED


def test_a_teacher_kicks_and_the_student_is_told_who_did(server, wire):
    lee = teacher(server, wire, room="lab")
    bob = wire(server, "bob", "lab")
    lee.expect("system")
    done = lee.reply("KICK bob stop spamming")
    assert (done["event"], done["action"], done["user"]) == ("moderation", "kick", "bob")
    frames = bob.rest_until_closed()
    bye = frames[-1]
    assert (bye["type"], bye["reason"], bye["by"]) == ("bye", "kick", "Ms_Lee")
    assert "stop spamming" in bye["content"]
    leave = lee.expect("system")
    assert (leave["event"], leave["user"], leave["reason"]) == ("leave", "bob", "stop spamming")


def test_a_teacher_mutes_and_unmutes(server, wire):
    lee = teacher(server, wire, room="lab")
    bob = wire(server, "bob", "lab")
    lee.expect("system")
    assert lee.reply("MUTE bob")["action"] == "mute"
    muted = bob.expect("system")
    assert (muted["event"], muted["by"]) == ("muted", "Ms_Lee")
    assert bob.error("SAY hello?") == ErrorCode.MUTED
    assert bob.error("NICK bobby") == ErrorCode.MUTED  # no new name to shed the mute
    assert lee.reply("UNMUTE bob")["action"] == "unmute"
    assert bob.expect("system")["event"] == "unmuted"
    bob.send("SAY thanks")
    assert lee.expect("message")["content"] == "thanks"


def test_a_teacher_announces_to_everyone_with_their_name(server, wire):
    lee = teacher(server, wire)
    bob, carol = wire(server, "bob", "lab"), wire(server, "carol")
    lee.send("ANNOUNCE Tests at ten")
    for person in (lee, bob, carol):
        notice = person.expect("system")
        assert (notice["event"], notice["by"], notice["text"]) == ("announcement", "Ms_Lee", "Tests at ten")
        assert notice["content"] == "Announcement from Ms_Lee: Tests at ten"


def test_the_admins_announcement_has_no_by(server, wire):
    bob = wire(server, "bob")
    server.broadcast("From the admin")
    notice = bob.expect("system")
    assert "by" not in notice and notice["text"] == "From the admin"


def test_a_teacher_closes_a_room_from_outside_it(server, wire):
    lee = teacher(server, wire)
    bob = wire(server, "bob", "lab")
    done = lee.reply("CLOSE lab the lesson is over")
    assert (done["action"], done["room"]) == ("close", "lab")
    closed = bob.expect("system")
    assert (closed["event"], closed["by"], closed["reason"]) == ("room_closed", "Ms_Lee", "the lesson is over")
    assert bob.expect("left")["room"] == "lab"
    assert lee.error("CLOSE nowhere") == ErrorCode.BAD_ROOM


def test_a_teacher_cannot_act_on_another_teacher(server, wire):
    lee = teacher(server, wire, "Ms_Lee")
    teacher(server, wire, "Mr_Kim")
    add_account(server, "Mrs_Offline", "teacher")
    for command in ["KICK Mr_Kim", "BAN Mr_Kim", "MUTE Mr_Kim", "BAN Mrs_Offline 5", "PURGE Mr_Kim", "PURGE Ms_Lee"]:
        assert lee.error(command) == ErrorCode.NOT_ALLOWED, command
    assert server.sanctions() == []


def test_teacher_commands_refuse_bad_arguments_clearly(server, wire):
    lee = teacher(server, wire)
    for command in ["KICK", "BAN", "MUTE", "UNMUTE", "CLOSE", "UNBAN", "ANNOUNCE", "BAN bob 0", "BAN bob 99999999"]:
        assert lee.error(command) == ErrorCode.BAD_ARGUMENT, command
    for command in ["PURGE", "PURGE bob 0", "PURGE bob 10081", "PURGE bob ten", "PURGE bob 5 more", "PURGE bob -1"]:
        assert lee.error(command) == ErrorCode.BAD_ARGUMENT, command
    for command in ["KICK nobody", "MUTE nobody"]:
        assert lee.error(command) == ErrorCode.NO_SUCH_USER, command
    assert lee.error("KICK bad!name") == ErrorCode.BAD_NICK
    assert lee.error("UNBAN nobody") == ErrorCode.NO_SUCH_USER


def test_a_teacher_sets_topic_and_key_in_someone_elses_room(server, wire):
    bob = wire(server, "bob", "lab")  # bob made #lab
    lee = teacher(server, wire, room="lab")
    bob.expect("system")
    topic = lee.reply("TOPIC Titration today")
    assert (topic["event"], topic["topic"], topic["user"]) == ("topic", "Titration today", "Ms_Lee")
    assert bob.expect("system")["topic"] == "Titration today"
    assert lee.next()["owner"] == ""  # the teacher's topic took the room from bob (he could write over it)
    key = lee.reply("KEY sesame", timeout=30)
    assert (key["event"], key["locked"]) == ("key", True)
    assert "sesame" not in str(key)


def owner_answer(client, command: str) -> dict:
    """Send an OWNER command and return its answer (a notice of someone joining may come first)."""
    client.send(command)
    return client.expect(lambda frame: frame.get("event") in ("owner", "moderation") or frame["type"] == "error")


def test_a_teacher_gives_a_students_locked_room_to_another_and_the_old_owner_loses_it(server, wire):
    bob = wire(server, "bob", "lab")  # bob made #lab and locks it
    assert bob.reply("KEY sesame", timeout=30)["locked"] is True
    add_account(server, "carol")
    carol = wire(server, "carol_guest")
    login(carol, "carol")
    lee = teacher(server, wire)  # not in the room
    done = owner_answer(lee, "OWNER lab carol")
    assert (done["event"], done["action"], done["room"], done["owner"]) == ("moderation", "owner", "lab", "carol")
    heard = bob.expect(lambda frame: frame.get("event") == "owner")
    assert (heard["owner"], heard["by"]) == ("carol", "Ms_Lee") and "Ms_Lee gave #lab to carol" in heard["content"]
    assert bob.error("KEY other") == ErrorCode.NOT_ALLOWED  # bob no longer owns it
    assert bob.error("TOPIC mine again") == ErrorCode.NOT_ALLOWED
    carol.send("JOIN lab sesame")
    assert carol.expect("joined")["owner"] == "carol"
    assert carol.reply("KEY", timeout=30)["locked"] is False  # the new owner unlocks it


def test_a_teacher_takes_a_room_from_its_owner_and_gives_a_kept_room_to_a_guest(server, wire):
    bob = wire(server, "bob", "squat")
    assert bob.reply("TOPIC ours now")["topic"] == "ours now"
    lee = teacher(server, wire, room="squat")
    bob.expect(lambda frame: frame["type"] == "joined" or frame.get("type") == "system")
    taken = owner_answer(lee, "OWNER #squat none")
    assert (taken["event"], taken["owner"]) == ("owner", "") and "nobody owns it now" in taken["content"]
    assert bob.expect(lambda frame: frame.get("event") == "owner")["owner"] == ""
    assert bob.error("TOPIC back to me") == ErrorCode.NOT_ALLOWED
    bob.send("JOIN hall")
    lee.send("JOIN hall")
    lee.expect("joined")
    dan = wire(server, "dan")
    done = owner_answer(lee, "OWNER squat dan")  # #squat is kept (it has a topic), nobody is in it
    assert (done["action"], done["owner"]) == ("owner", "dan")
    dan.send("JOIN squat")
    assert dan.expect("joined")["owner"] == "dan"


def test_owner_refuses_bad_arguments_clearly(server, wire):
    lee = teacher(server, wire, room="lab")
    for command in ["OWNER", "OWNER lab", "OWNER lab bob extra"]:
        assert lee.error(command) == ErrorCode.BAD_ARGUMENT, command
    assert lee.error("OWNER lab nobody_here") == ErrorCode.NO_SUCH_USER
    assert lee.error("OWNER nowhere none") == ErrorCode.BAD_ROOM
    refused = lee.reply("OWNER lab \u202eevil\u200b")
    assert refused["type"] == "error" and "\u202e" not in refused["content"] and "\u200b" not in refused["content"]


def test_a_kicked_teacher_account_logged_out_by_the_admin_loses_its_powers(server, wire):
    lee = teacher(server, wire)
    server.delete_account("Ms_Lee")
    update = lee.expect("nick")
    assert (update["account"], update["role"]) == (False, "student")
    assert lee.error("ANNOUNCE still?") == ErrorCode.NOT_ALLOWED
    wait_until(lambda: server.accounts() == [])


def _said(client, text: str) -> int:
    client.send(f"SAY {text}")
    return client.expect(lambda frame: frame["type"] == "message" and frame["content"] == text)["id"]


def test_a_teacher_deletes_a_students_room_message_for_everyone(server, wire):
    lee = teacher(server, wire, room="lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "lab")
    message_id = _said(bob, "something rude")
    lee.send(f"DELETE {message_id}")
    for client in (lee, bob, carol):
        gone = client.expect(lambda frame: frame["type"] in ("deleted", "error"))
        assert (gone["type"], gone["id"], gone["room"]) == ("deleted", message_id, "lab")
    _said(bob, "something kind")
    before = len(carol.received)
    carol.send("HISTORY #lab")
    assert carol.expect("history")["count"] >= 1  # the kind one
    paged = [frame.get("id") for frame in carol.received[before:] if frame["type"] == "message"]
    assert paged and message_id not in paged


def test_a_teacher_purges_a_flooders_room_messages_in_every_room_and_leaves_the_rest(server, wire):
    lee = teacher(server, wire, room="lab")
    carol = wire(server, "carol", "lab")
    art = wire(server, "dan", "art")
    troll = wire(server, "troll", "lab", source="127.0.0.2")
    flood = [_said(troll, f"spam {number}") for number in range(4)]
    troll.send("JOIN art")
    troll.expect("joined")
    flood += [_said(troll, f"more spam {number}") for number in range(2)]
    troll.send("PM carol a private word")
    private_id = carol.expect("private")["id"]
    kept = _said(carol, "a real question")
    lee.send("PURGE troll")
    gone_for_lee = {lee.expect("deleted")["id"] for _ in flood}  # the teacher is told of every one
    done = lee.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "moderation")
    assert (done["action"], done["user"], done["count"]) == ("purge", "troll", 6)
    assert done["content"] == "Deleted 6 room messages of troll from the last 60 minutes."
    assert gone_for_lee == set(flood)
    assert {carol.expect("deleted")["id"] for _ in range(4)} == set(flood[:4])
    assert {art.expect("deleted")["id"] for _ in range(2)} == set(flood[4:])
    carol.send("HISTORY #lab")
    carol.expect("history")
    carol.send("HISTORY @troll")
    carol.expect("history")
    paged = [
        frame["id"] for frame in carol.received if frame["type"] in ("message", "private") and frame.get("history")
    ]
    assert kept in paged and private_id in paged and not set(flood) & set(paged)
    lee.send("PURGE troll 5")
    again = lee.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "moderation")
    assert again["count"] == 0


def test_a_purge_while_the_server_s_clock_says_1970_takes_the_last_minutes_not_the_whole_term(
    server, wire, monkeypatch
):
    """PURGE troll 10 reached back to 1970: every message troll ever said that the history kept."""
    yesterday = int(time.time() * 1000) - 86_400_000
    server.storage.messages.append(
        StoredMessage.public(server.registry.next_id(), "lab", "troll", "a fair answer yesterday", yesterday)
    )
    lee = teacher(server, wire, room="lab")
    troll = wire(server, "troll", "lab", source="127.0.0.2")
    spam = _said(troll, "spam")
    server.storage.deletion_clock = DeletionClock(lambda: time.time())  # sees the clock set below, as a server would
    server.storage.deletion_clock.stamp()  # its last sane reading: now
    monkeypatch.setattr(time, "time", lambda: 3600.0)  # a dead CMOS battery: an hour after the epoch
    lee.send("PURGE troll 10")
    assert lee.expect("deleted")["id"] == spam
    done = lee.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "moderation")
    assert done["count"] == 1
    kept = server.storage.messages.room_messages_by("troll", 0, 10)
    assert [m.text for m in kept] == ["a fair answer yesterday"]


def test_a_student_cannot_delete_a_teachers_or_another_students_message(server, wire):
    lee = teacher(server, wire, room="lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "lab")
    for sender in (lee, carol):
        message_id = _said(sender, f"kept {sender}")
        bob.send(f"DELETE {message_id}")
        assert bob.expect(lambda frame: frame["type"] in ("deleted", "error"))["code"] == ErrorCode.NOT_ALLOWED


def test_a_student_named_teacher_or_a_logged_out_teacher_deletes_only_their_own(server, wire):
    add_account(server, "Ms_Lee", "teacher")
    fake = wire(server, "TheTeacher", "lab")
    bob = wire(server, "bob", "lab")
    message_id = _said(bob, "mine")
    fake.send(f"DELETE {message_id}")
    assert fake.expect(lambda frame: frame["type"] in ("deleted", "error"))["code"] == ErrorCode.NOT_ALLOWED


def test_a_teacher_cannot_delete_a_private_message_between_two_students(server, wire):
    lee = teacher(server, wire, room="lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "lab")
    bob.send("PM carol a secret")
    message_id = carol.expect(lambda frame: frame["type"] == "private")["id"]
    lee.send(f"DELETE {message_id}")
    refused = lee.expect(lambda frame: frame["type"] in ("deleted", "error"))
    assert refused["type"] == "error" and refused["code"] == ErrorCode.BAD_ARGUMENT  # not even shown to exist


@pytest.mark.parametrize("length", [121, 1201, 5000])
def test_a_topic_too_long_is_refused_with_its_real_length_and_changes_nothing(server, wire, length):
    # A 5,000-character topic was cut at 1,200 before it was measured, so the refusal said "has 1200".
    bob = wire(server, "bob", "lab")
    answer = bob.reply("TOPIC " + "x" * length)
    assert (answer["type"], answer["code"]) == ("error", ErrorCode.TOO_LONG)
    assert answer["content"] == f"A topic has at most 120 characters; this one has {length}."
    assert bob.reply("TOPIC " + "x" * 120)["topic"] == "x" * 120


def test_a_teachers_messages_carry_role_teacher_and_nobody_elses_do(server, wire):
    """The mark the window and chat-term show after a teacher's name: set by the server, never by a client."""
    lee = teacher(server, wire, "Ms_Lee", room="lab")
    student = wire(server, "Ms-Lee", "lab")
    watcher = wire(server, "watcher", "lab")
    lee.send("SAY from the teacher")
    student.send_raw(b'{"type":"command","content":"SAY from a student","role":"teacher","sender":"Ms_Lee"}\n')
    said = [watcher.expect("message"), watcher.expect("message")]
    assert {frame["sender"]: frame.get("role") for frame in said} == {"Ms_Lee": "teacher", "Ms-Lee": None}
    lee.send("PM watcher privately")
    student.send("PM watcher privately too")
    private = [watcher.expect("private"), watcher.expect("private")]
    assert {frame["sender"]: frame.get("role") for frame in private} == {"Ms_Lee": "teacher", "Ms-Lee": None}


def test_replayed_and_paged_lines_of_a_teacher_carry_the_mark_too(server, wire):
    lee = teacher(server, wire, "Ms_Lee", room="lab")
    student = wire(server, "Ms-Lee", "lab")
    lee.send("SAY said by the teacher")
    lee.expect("message")
    student.send("SAY said by a student")
    student.expect("message")
    late = wire(server, "late", replays=True)
    late.send("JOIN lab")
    late.expect("joined")
    replayed = [late.expect("message"), late.expect("message")]
    assert [(frame["sender"], frame.get("role")) for frame in replayed] == [("Ms_Lee", "teacher"), ("Ms-Lee", None)]
    late.send("HISTORY #lab 10")
    paged = [late.expect("message"), late.expect("message")]
    assert [(frame["sender"], frame.get("role")) for frame in paged] == [("Ms_Lee", "teacher"), ("Ms-Lee", None)]


def test_owner_at_nick_gives_the_room_to_a_student_called_none_and_a_typed_none_never_does(server, wire):
    """Found by a probe (the ninth review): "None", "Nobody" and "-" are nicknames, and OWNER lab None (the
    window's Give #lab to them) took the room from its owner. @NICK is always the person; the bare word stays
    nobody, so a student who takes that name never gets a room a teacher meant to take back."""
    bob = wire(server, "bob", "lab")
    named = wire(server, "None", "lab")
    lee = teacher(server, wire, room="hall")
    taken = owner_answer(lee, "OWNER lab None")
    assert (taken["action"], taken["owner"]) == ("owner", "")
    given = owner_answer(lee, "OWNER lab @None")
    assert (given["action"], given["owner"], given["content"]) == ("owner", "None", "#lab now belongs to None.")
    named.expect(lambda frame: frame.get("event") == "owner" and frame.get("owner") == "None")
    assert named.reply("TOPIC ours", timeout=30)["type"] != "error"
    bob.send("KEY mine")
    assert bob.expect(lambda frame: frame["type"] == "error")["code"] == ErrorCode.NOT_ALLOWED
    assert owner_answer(lee, "OWNER lab @nobody_here")["code"] == ErrorCode.NO_SUCH_USER


def test_a_room_given_to_a_guest_who_left_does_not_show_the_next_holder_of_the_name_as_its_owner(server, wire):
    """Found by a probe (the ninth review): the live room kept the owner's name from when it was given, so whoever
    took dan's name after he left was shown as #lab's owner in `joined` and in the refusal of KEY."""
    wire(server, "bob", "lab")
    dan = wire(server, "dan", "hall", source="127.0.0.2")
    lee = teacher(server, wire, room="hall")
    assert owner_answer(lee, "OWNER lab \u0434an")["code"] == ErrorCode.NO_SUCH_USER  # a look-alike: nobody
    assert owner_answer(lee, "OWNER lab DAN")["owner"] == "dan"
    token = token_of(dan)
    dan.close()
    wait_until(lambda: len(server.registry.parked.all()) == 1)
    other = wire(server, source="127.0.0.2")  # the same computer may take the name meanwhile
    assert other.reply("NICK dan")["nick"] == "dan"
    other.send("JOIN lab")
    joined = other.expect("joined")
    assert (joined["owner"], joined["you_own"]) == ("", False)
    other.send("KEY mine")
    refused = other.expect(lambda frame: frame["type"] == "error")
    assert refused["code"] == ErrorCode.NOT_ALLOWED and "(dan)" not in refused["content"]
    other.send("QUIT")
    other.rest_until_closed()
    back = wire(server, source="127.0.0.2")
    assert back.reply(f"RESUME dan {token}")["resumed"] is True
    back.send("JOIN lab")
    joined = back.expect("joined")
    assert (joined["owner"], joined["you_own"]) == ("dan", True)


def test_an_account_made_again_under_an_owners_name_does_not_look_like_the_owner(server, wire):
    """The same for an account (found reading the code, the ninth review): the admin deleted carol's account and
    someone else registered carol; #lab, given to the first carol, showed the new one as its owner."""
    wire(server, "bob", "lab")
    add_account(server, "carol")
    carol = wire(server, "carol_guest")
    login(carol, "carol")
    lee = teacher(server, wire, room="hall")
    assert owner_answer(lee, "OWNER lab carol")["owner"] == "carol"
    carol.send("QUIT")
    carol.rest_until_closed()
    server.delete_account("carol")
    wait_until(lambda: all(info.nick != "carol" for info in server.accounts()))
    add_account(server, "carol")  # another person's account of that name
    other = wire(server, "someone")
    login(other, "carol")
    other.send("JOIN lab")
    joined = other.expect("joined")
    assert (joined["owner"], joined["you_own"]) == ("", False)
    fresh = wire(server, "dan", "hall")
    fresh.send("JOIN lab")
    assert fresh.expect("joined")["owner"] == ""


def test_a_purge_takes_what_the_flooder_said_under_earlier_names_and_not_what_the_next_holder_said(server, wire):
    """troll flooded, renamed to troll2 and flooded again: PURGE troll2 left the first flood (found by the tenth
    review's probe; the teacher had to purge name by name). A classmate who took "troll" afterwards keeps hers."""
    lee = teacher(server, wire, room="lab")
    troll = wire(server, "troll", "lab", source="127.0.0.2")
    first = [_said(troll, f"spam {number}") for number in range(3)]
    assert troll.reply("NICK troll2")["nick"] == "troll2"
    second = [_said(troll, f"more spam {number}") for number in range(2)]
    pal = wire(server, "troll", "lab", source="127.0.0.3")  # the old name, now someone else's
    kept = _said(pal, "I only just came")
    lee.send("PURGE troll2")
    gone = {lee.expect("deleted")["id"] for _ in first + second}
    done = lee.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "moderation")
    assert done["count"] == 5 and gone == set(first + second), done
    lee.send("HISTORY #lab")
    lee.expect("history")
    paged = [frame["id"] for frame in lee.received if frame["type"] == "message" and frame.get("history")]
    assert kept in paged and not set(first + second) & set(paged)
