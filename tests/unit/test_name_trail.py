"""Following the person a teacher clicked while a dialog is open: through their renames, or not at all."""

from __future__ import annotations

from chat_gui.core.name_trail import NameTrail


def rename(old: str, new: str) -> dict:
    return {"type": "system", "event": "nick", "old": old, "user": new, "room": "general"}


def came(event: str, user: str) -> dict:
    return {"type": "system", "event": event, "user": user, "room": "general"}


def test_nobody_renamed_the_name_is_the_person():
    trail = NameTrail()
    since = trail.mark()
    trail.learn(rename("pal", "pal2"))
    trail.learn(came("join", "zoe"))
    assert trail.follow("rex", since).nick == "rex"


def test_the_person_renamed_their_new_name_is_followed():
    trail = NameTrail()
    trail.learn(rename("rex", "rex0"))  # before the click: nothing to do with it
    since = trail.mark()
    trail.learn(rename("Rex", "rex_"))  # names compare as the server compares them
    trail.learn(rename("rex_", "rex__"))
    assert trail.follow("rex", since).nick == "rex__"


def test_someone_who_took_the_name_clicked_is_never_acted_on():
    trail = NameTrail()
    since = trail.mark()
    trail.learn(rename("rex", "rex_"))
    trail.learn(rename("pal", "rex"))
    followed = trail.follow("rex", since)
    assert followed.nick is None
    assert followed.why == "rex changed their name while you were choosing; pick them again."


def test_a_leave_or_join_of_the_name_or_a_changed_room_is_not_sure():
    for events in (
        [came("leave", "rex")],
        [rename("rex", "rex_"), came("join", "rex")],
        [{"type": "joined", "room": "maths", "users": []}],
    ):
        trail = NameTrail()
        since = trail.mark()
        for frame in events:
            trail.learn(frame)
        assert trail.follow("rex", since).nick is None, events
    trail = NameTrail()
    since = trail.mark()
    trail.lose_track()
    assert trail.follow("rex", since).nick is None


def test_more_happened_than_is_kept_is_not_sure():
    trail = NameTrail(keep=3)
    since = trail.mark()
    for number in range(4):
        trail.learn(came("join", f"s{number}"))
    assert trail.follow("rex", since).nick is None
    assert trail.follow("rex", trail.mark()).nick == "rex"
