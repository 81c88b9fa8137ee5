"""Whom a private conversation may send to (chat_gui/core/partners.py): renames, leaves, returns, impostors."""

from __future__ import annotations

from chat_gui.core.events import State
from chat_gui.core.partners import Partners, left_the_server
from shared.frames import server_frame


def rename(old: str, new: str) -> dict:
    return server_frame("system", f"{old} is now {new}", event="nick", old=old, user=new)


def leave(user: str, cause: str = "", reason: str = "") -> dict:
    text = f"{user} left #lab" + (f" ({cause})" if cause else "")
    fields = {"reason": reason} if reason else {}
    return server_frame("system", text, event="leave", room="lab", user=user, **fields)


def join(user: str) -> dict:
    return server_frame("system", f"{user} joined #lab", event="join", room="lab", user=user)


def private(sender: str, to: str = "me") -> dict:
    return server_frame("private", "hi", id=1, sender=sender, to=to)


def test_a_rename_shuts_the_conversation_until_the_same_person_takes_the_name_back():
    partners = Partners()
    partners.open("bob")
    notices = partners.learn(rename("bob", "bob2"), "me")
    assert [notice.nick for notice in notices] == ["bob"] and "bob2" in notices[0].text
    assert not partners.get("bob").here
    partners.learn(rename("bob2", "bob3"), "me")  # the conversation follows the person's names
    assert not partners.get("bob").here
    notices = partners.learn(rename("bob3", "Bob"), "me")
    assert partners.get("bob").here and "back" in notices[0].text


def test_someone_else_taking_the_name_does_not_open_the_conversation():
    partners = Partners()
    partners.open("bob")
    partners.learn(rename("bob", "bob2"), "me")
    notices = partners.learn(rename("mallory", "bob"), "me")
    assert not partners.get("bob").here
    assert "mallory has taken the name bob" in notices[0].text


def test_a_name_taken_while_we_thought_its_owner_here_shuts_the_conversation():
    partners = Partners()
    partners.open("bob")  # bob left in a room we do not share: we never heard
    partners.learn(rename("mallory", "bob"), "me")
    assert not partners.get("bob").here


def test_leaving_the_server_shuts_it_and_coming_back_opens_it():
    partners = Partners()
    partners.open("bob")
    assert partners.learn(leave("bob", "quit"), "me") and not partners.get("bob").here
    partners.learn(join("bob"), "me")
    assert partners.get("bob").here


def test_moving_to_another_room_keeps_it_open():
    partners = Partners()
    partners.open("bob")
    assert not left_the_server(leave("bob"))
    assert partners.learn(leave("bob"), "me") == [] and partners.get("bob").here
    assert left_the_server(leave("bob", reason="off to lunch"))
    assert left_the_server(leave("bob", cause="disconnected"))


def test_a_message_from_the_name_or_the_users_choice_opens_it_again():
    partners = Partners()
    partners.open("bob")
    partners.learn(leave("bob", "disconnected"), "me")
    notices = partners.learn(private("bob"), "me")
    assert partners.get("bob").here and notices
    partners.learn(rename("bob", "bob2"), "me")
    assert partners.open("bob") == (partners.get("bob"), True)
    assert partners.get("bob").here


def test_own_echo_and_case_only_renames_change_nothing():
    partners = Partners()
    partners.open("bob")
    assert partners.learn(private("me", "bob"), "me") == []
    assert partners.learn(rename("bob", "BOB"), "me") == [] and partners.get("bob").here


def test_the_names_new_holder_writing_after_a_rename_away_is_warned_of_and_the_conversation_stays_shut():
    """Found by a probe: dave renamed to dave_afk, mallory took "dave" and wrote; the tab said "dave is here
    again", opened, and the reply went to mallory."""
    partners = Partners()
    partners.open("dave")
    partners.learn(rename("dave", "dave_afk"), "me")
    notices = partners.learn(private("dave"), "me")
    assert [notice.nick for notice in notices] == ["dave"]
    assert "Someone else may be using the name dave now" in notices[0].text and "dave_afk" in notices[0].text
    assert "here again" not in notices[0].text
    assert not partners.get("dave").here, "nothing typed in the tab goes to the new holder"
    assert partners.learn(private("dave"), "me") == [], "warned once, not at every message"
    assert not partners.get("dave").here
    partners.learn(join("dave"), "me")  # the new holder joining our room changes nothing either
    assert not partners.get("dave").here
    assert partners.open("dave") == (partners.get("dave"), True), "the user may open it for them on purpose"
    assert partners.get("dave").here and partners.learn(private("dave"), "me") == []


def test_the_name_taken_then_its_new_holder_writing_stays_shut():
    partners = Partners()
    partners.open("bob")
    partners.learn(rename("mallory", "bob"), "me")
    notices = partners.learn(private("bob"), "me")
    assert "Someone else may be using the name bob now" in notices[0].text and not partners.get("bob").here


def test_a_lost_connection_shuts_every_open_conversation_until_the_name_is_seen_again():
    """Found by a probe: after a server restart mallory took "gina" first; the gina tab went on sending to her."""
    partners = Partners()
    assert partners.follow(State.READY) == []
    partners.open("gina")
    partners.open("bob")
    partners.learn(rename("bob", "bob2"), "me")
    notices = partners.follow(State.RECONNECTING)
    assert [notice.nick for notice in notices] == ["gina"] and "may have taken the name" in notices[0].text
    assert not partners.get("gina").here and partners.get("bob").moved_to == "bob2"
    assert partners.follow(State.CONNECTING) == [] and partners.follow(State.JOINING) == []
    partners.follow(State.READY)
    notices = partners.learn(private("gina"), "me")  # someone named gina writes: honest words, then it sends
    assert "Someone named gina wrote to you; it may not be the gina of before" in notices[0].text
    assert partners.get("gina").here
    assert not partners.get("bob").here, "a conversation shut after a rename away stays shut"


def test_after_a_lost_connection_the_name_in_our_room_opens_it_with_a_warning():
    partners = Partners()
    partners.follow(State.READY)
    partners.open("gina")
    partners.follow(State.OFFLINE)
    notices = partners.learn(server_frame("joined", "", room="lab", users=["me", "gina"]), "me")
    assert "Someone named gina is online again" in notices[0].text and partners.get("gina").here


def test_nothing_is_lost_before_a_connection_was_ready():
    partners = Partners()
    partners.open("gina")  # /pm typed while connecting
    assert partners.follow(State.CONNECTING) == [] and partners.get("gina").here


def test_the_people_remembered_are_bounded_but_a_conversation_with_a_tab_is_never_forgotten():
    """A lesson where hundreds of names wrote once (renames, comers and goers) kept an entry for each for good."""
    tabs = {"bob"}
    partners = Partners(keep=lambda key: key in tabs, limit=50)
    partners.open("bob")
    partners.learn(leave("bob", "quit"), "me")  # bob's tab is shut until someone named bob is seen again
    for number in range(2000):
        partners.learn(private(f"guest{number}"), "me")
    assert len(partners) <= 50
    assert partners.get("guest1999") is not None and partners.get("guest0") is None
    assert partners.get("bob") is not None and not partners.get("bob").here, "a tab's state is kept"
    # a forgotten name writing again starts a new conversation, as a first message does
    assert partners.learn(private("guest0"), "me") == [] and partners.get("guest0").here
    # the one heard of least lately goes first: an old name that writes again is kept over the others
    oldest = next(f"guest{number}" for number in range(1900, 2000) if partners.get(f"guest{number}") is not None)
    partners.learn(private(oldest), "me")
    for number in range(2000, 2045):
        partners.learn(private(f"guest{number}"), "me")
    assert partners.get(oldest) is not None
