"""The client's presence book: away states and typing indicators from frames, their expiry, and the user's own pace (no Tk, no sockets)."""

from __future__ import annotations

from chat_gui.core.presence import (
    MAX_AWAY_TEXT_CHARS,
    MAX_AWAY_TRACKED,
    MAX_TYPING_TRACKED,
    TYPING_EVERY_SECONDS,
    TYPING_SHOWN_SECONDS,
    OwnPresence,
    PresenceBook,
    typing_phrase,
)
from shared.frames import server_frame


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def typing(user: str, room: str = "lab") -> dict:
    return server_frame("typing", f"{user} is typing…", room=room, user=user)


def presence(user: str, status: str, text: str = "") -> dict:
    return server_frame("presence", "", user=user, status=status, text=text)


def book_in_lab(clock: Clock) -> PresenceBook:
    book = PresenceBook(clock)
    book.learn(server_frame("joined", "", room="lab", users=["me", "ann", "bob"], statuses={"ann": "away"}), "me")
    return book


def test_statuses_from_joined_and_presence_frames():
    book = book_in_lab(Clock())
    assert book.status("ann") == "away" and book.status("ANN") == "away" and book.status("bob") == "online"
    assert book.learn(presence("bob", "away", "at lunch"), "me")
    assert (book.status("bob"), book.away_text("Bob")) == ("away", "at lunch")
    book.learn(presence("bob", "online"), "me")
    assert book.status("bob") == "online" and book.away_text("bob") == ""
    book.learn(server_frame("members", "", room="lab", users=["cy"], more=False, statuses={"cy": "away"}), "me")
    assert book.status("cy") == "away"
    book.learn(server_frame("list", "", users=["ann"], rooms=[], statuses={"ann": "online"}), "me")
    assert book.status("ann") == "online"


def test_a_hostile_server_announcing_endless_away_people_fills_no_memory():
    """Made-up people away by the ten thousand (by `presence` and by `members` statuses), with huge texts."""
    book = book_in_lab(Clock())
    for number in range(MAX_AWAY_TRACKED * 2):
        book.learn(presence(f"ghost{number}", "away", "x" * 100_000), "me")
    book.learn(
        server_frame(
            "members", "", room="lab", users=[], more=True, statuses={f"shade{n}": "away" for n in range(3000)}
        ),
        "me",
    )
    assert len(book._away) == MAX_AWAY_TRACKED
    assert book.status("shade2999") == "away" and book.status(f"ghost{MAX_AWAY_TRACKED * 2 - 1}") == "away"
    assert book.status("ghost0") == "online" and book.status("ann") == "online"  # the longest known went first
    assert len(book.away_text(f"ghost{MAX_AWAY_TRACKED * 2 - 1}")) == MAX_AWAY_TEXT_CHARS
    book.learn(presence("ann", "away", "back at ten"), "me")  # the newest always counts
    assert (book.status("ann"), book.away_text("ann"), len(book._away)) == ("away", "back at ten", MAX_AWAY_TRACKED)


def test_hostile_statuses_are_ignored():
    book = PresenceBook(Clock())
    book.learn(server_frame("joined", "", room="lab", users=["a"], statuses=["not", "a", "dict"]), "me")
    book.learn(server_frame("joined", "", room="lab", users=["a"], statuses={"a": "sleeping", "7": 3}), "me")
    assert book.status("a") == "online"


def test_a_typing_indicator_lasts_six_seconds_unless_renewed():
    clock = Clock()
    book = book_in_lab(clock)
    book.learn(typing("ann"), "me")
    assert book.typing_now("lab") == ["ann"] and book.typing_now("LAB") == ["ann"] and book.typing_now("hall") == []
    assert book.next_expiry() == TYPING_SHOWN_SECONDS
    clock.now += TYPING_SHOWN_SECONDS - 0.1
    book.learn(typing("ann"), "me")  # renewed
    clock.now += TYPING_SHOWN_SECONDS - 0.1
    assert book.typing_now("lab") == ["ann"]
    clock.now += 0.2
    assert book.typing_now("lab") == [] and book.next_expiry() is None


def test_the_indicator_goes_on_the_message_a_leave_going_away_or_losing_the_room():
    clock = Clock()
    book = book_in_lab(clock)
    for frame in (
        server_frame("message", "hi", id=1, room="lab", sender="Ann"),
        server_frame("system", "ann left", event="leave", room="lab", user="ann"),
        presence("ann", "away"),
        server_frame("left", "", room="lab"),
    ):
        book.learn(typing("ann"), "me")
        book.learn(typing("bob"), "me")
        assert book.typing_now("lab") == ["ann", "bob"]
        book.learn(frame, "me")
        expected = [] if frame["type"] == "left" else ["bob"]
        assert book.typing_now("lab") == expected, frame
        book.learn(server_frame("message", "", id=2, room="lab", sender="bob"), "me")
    book.learn(typing("ann"), "me")
    book.clear()  # the connection went
    assert book.typing_now("lab") == []


def test_a_rename_carries_the_indicator_and_the_away_state_along():
    book = book_in_lab(Clock())
    book.learn(typing("bob"), "me")
    book.learn(presence("bob", "away", "brb"), "me")
    book.learn(typing("cy"), "me")
    book.learn(server_frame("system", "", event="nick", room="lab", user="cyril", old="cy"), "me")
    assert book.typing_now("lab") == ["cyril"]
    book.learn(server_frame("system", "", event="nick", room="lab", user="robert", old="bob"), "me")
    assert book.status("robert") == "away" and book.away_text("robert") == "brb" and book.status("bob") == "online"


def test_ones_own_typing_frames_and_a_flood_of_typists_are_bounded():
    book = book_in_lab(Clock())
    assert not book.learn(typing("me"), "ME")
    for n in range(MAX_TYPING_TRACKED + 50):
        book.learn(typing(f"user{n}"), "me")
    assert len(book.typing_now("lab")) == MAX_TYPING_TRACKED


def test_own_presence_says_each_change_once_and_again_after_a_reconnect():
    own = OwnPresence(Clock())
    assert own.want_back() is None and own.command_after_reconnect() is None
    assert own.want_away("lunch") == "AWAY lunch"
    assert own.want_away("lunch") is None
    assert own.command_after_reconnect() == "AWAY lunch"
    assert own.want_back() == "BACK" and own.want_back() is None
    assert own.want_away(automatic=True) == "AWAY" and own.automatic


def test_typing_goes_out_at_most_every_three_seconds():
    clock = Clock()
    own = OwnPresence(clock)
    sent = []
    for _ in range(100):  # ten seconds of keystrokes, ten a second
        sent.append(own.typing_due())
        clock.now += 0.1
    assert sum(sent) == 4 and TYPING_EVERY_SECONDS == 3.0


def test_typing_phrases():
    assert typing_phrase([]) == ""
    assert typing_phrase(["ann"]) == "ann is typing…"
    assert typing_phrase(["ann", "bob"]) == "ann and bob are typing…"
    assert typing_phrase(["ann", "bob", "cy"]) == "ann, bob and cy are typing…"
    assert typing_phrase(["ann", "bob", "cy", "dee", "eve"]) == "ann, bob and 3 others are typing…"


def test_own_presence_follows_the_servers_word_about_this_user():
    own = OwnPresence(Clock())
    own.want_away(automatic=True)
    own.learn(presence("ME", "away"), "me")  # the echo of the automatic AWAY keeps it automatic
    assert own.away == "" and own.automatic
    own.learn(presence("me", "away", "typed /away myself"), "me")
    assert own.away == "typed /away myself" and not own.automatic
    own.learn(presence("bob", "online"), "me")
    assert own.away == "typed /away myself"
    own.learn(presence("me", "online"), "me")
    assert own.away is None and own.command_after_reconnect() is None


def join(user: str, room: str = "general") -> dict:
    return server_frame("system", f"{user} joined #{room}", event="join", room=room, user=user)


def test_a_join_says_online_and_the_presence_after_it_says_away():
    """Found by a probe: ann, known away from a /list, came BACK where this client could not hear it and joined
    its room: she stayed shown away.  The server sends `presence` right after the join of someone away."""
    book = PresenceBook(Clock())
    book.learn(server_frame("list", "", users=["ann", "bob"], rooms=[], statuses={"ann": "away", "bob": "away"}), "me")
    assert book.learn(join("ann"), "me") and book.status("ann") == "online"
    book.learn(join("bob"), "me")  # bob is still away: the server says so right after
    book.learn(presence("bob", "away", "brb"), "me")
    assert book.status("bob") == "away" and book.away_text("bob") == "brb"


def test_a_message_is_not_taken_for_back():
    book = PresenceBook(Clock())
    book.learn(presence("ann", "away", "at lunch"), "me")
    book.learn(server_frame("message", "still here", id=1, room="general", sender="ann"), "me")
    assert book.status("ann") == "away", "only BACK (a `presence` online) says back; an away student may type"


def test_a_quit_forgets_and_a_new_holder_of_the_name_starts_online():
    book = PresenceBook(Clock())
    book.learn(server_frame("list", "", users=["bob"], rooms=[], statuses={"bob": "away"}), "me")
    book.learn(server_frame("system", "bob left #general (quit)", event="leave", room="general", user="bob"), "me")
    assert book.status("bob") == "online"
    book.learn(server_frame("list", "", users=["bob"], rooms=[], statuses={"bob": "away"}), "me")
    book.learn(join("bob"), "me")  # another student took "bob" after a quit this client never heard
    assert book.status("bob") == "online"


def test_a_rename_to_a_name_known_away_takes_the_renamers_own_status():
    book = PresenceBook(Clock())
    book.learn(presence("bob", "away", "brb"), "me")  # bob, away, then left unheard; cy takes "bob"
    assert book.learn(server_frame("system", "", event="nick", room="lab", user="bob", old="cy"), "me")
    assert book.status("bob") == "online" and book.away_text("bob") == ""
    book.learn(presence("ann", "away", "lunch"), "me")
    book.learn(server_frame("system", "", event="nick", room="lab", user="bob", old="ann"), "me")
    assert (book.status("bob"), book.away_text("bob"), book.status("ann")) == ("away", "lunch", "online")
