"""Presence in the chat window (issue 16): the dot changes on away with the words in a tooltip, "bob is typing…"
appears and goes, the window says TYPING and goes away by itself, mentions stand out and are counted apart,
the theme is switched from the View menu and remembered.  Real server, real Tk under Xvfb."""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import ttk

from chat_gui.settings import load_settings
from chat_gui.window.controller import ChatController
from chat_gui.window.notify import Notifier
from shared.palette import DARK, LIGHT
from tests.gui.client.conftest import WAIT, map_window
from tests.integration.test_presence import nothing_more
from tests.support import wait_until


def dot_of(controller: ChatController, nick: str) -> str | None:
    """The kind of dot ("online" or "away") drawn beside `nick`'s row of the people list."""
    users = controller.window.users
    rows = [users._nick_at(index) for index in range(users.listbox.size())]
    if nick not in rows:
        return None
    box = users.listbox.bbox(rows.index(nick))
    if not box:
        return None
    offset = users.listbox.winfo_y() - users.dots.winfo_y()
    middle = offset + box[1] + box[3] // 2
    for kind, y in users.dots.dots():
        if abs(y - middle) <= 1:
            return kind
    return None


def menu_named(controller: ChatController, label: str) -> tk.Menu:
    menubar = controller.root.nametowidget(controller.root.cget("menu"))
    index = next(i for i in range(menubar.index("end") + 1) if menubar.entrycget(i, "label") == label)
    return menubar.nametowidget(menubar.entrycget(index, "menu"))


def typing_text(controller: ChatController) -> str:
    return str(controller.window.typing_line.cget("text"))


def test_the_dot_turns_to_a_ring_on_away_with_the_words_in_a_tooltip(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    wait_until(lambda: dot_of(alice, "bob") == "online", pump=tk_root.update, timeout=WAIT)
    assert dot_of(alice, "alice") == "online"
    bob.send('AWAY gone to lunch. Ms_Lee is away: "ill"')
    wait_until(lambda: dot_of(alice, "bob") == "away", pump=tk_root.update, timeout=WAIT)
    assert dot_of(alice, "alice") == "online", "only bob's dot changed"
    # hovering bob's row shows his words after a short pause
    users = alice.window.users
    box = users.listbox.bbox(users.row_texts().index(next(t for t in users.row_texts() if "bob" in t)))
    users.listbox.event_generate("<Motion>", x=box[0] + 5, y=box[1] + box[3] // 2)
    wait_until(lambda: users.dots.tooltip.shown, pump=tk_root.update, timeout=WAIT)
    # bob's words in quotes (theirs shown as '), or they read as a second person's status (ninth review)
    assert users.dots.tooltip.text == "bob is away: \"gone to lunch. Ms_Lee is away: 'ill'\""
    users.listbox.event_generate("<Leave>")
    tk_root.update()
    assert not users.dots.tooltip.shown
    bob.send("BACK")
    wait_until(lambda: dot_of(alice, "bob") == "online", pump=tk_root.update, timeout=WAIT)


def test_no_dots_while_the_connection_is_lost(start_server, open_window, wire, tk_root):
    server = start_server()
    alice = open_window(server, "alice", "general")
    wait_until(lambda: dot_of(alice, "alice") == "online", pump=tk_root.update, timeout=WAIT)
    server.stop()
    wait_until(lambda: alice.session.state != "ready", pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: alice.window.users.dots.dots() == [], pump=tk_root.update, timeout=WAIT)


def test_someone_already_away_is_shown_away_when_the_window_joins(server, open_window, wire, tk_root):
    bob = wire(server, "bob", "general")
    bob.send("AWAY")
    bob.expect("presence")
    alice = open_window(server, "alice", "general")
    wait_until(lambda: dot_of(alice, "bob") == "away", pump=tk_root.update, timeout=WAIT)


def test_the_typing_line_appears_and_goes_on_the_message_and_on_leave(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    bob.send("TYPING")
    wait_until(lambda: typing_text(alice) == "bob is typing…", pump=tk_root.update, timeout=WAIT)
    bob.send("SAY done")
    wait_until(lambda: "done" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert typing_text(alice) == "", "the message ends the indicator"
    # the server passes one TYPING per user per 3 s: the next indicator comes from someone else
    cy = wire(server, "cy", "general")
    cy.send("TYPING")
    wait_until(lambda: typing_text(alice) == "cy is typing…", pump=tk_root.update, timeout=WAIT)
    cy.send("LEAVE")
    wait_until(lambda: typing_text(alice) == "", pump=tk_root.update, timeout=WAIT)


def test_the_typing_line_goes_by_itself_when_no_other_typing_comes(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    shift = [0.0]
    alice.session.presence.clock = lambda: time.monotonic() + shift[0]
    bob = wire(server, "bob", "general")
    bob.send("TYPING")
    wait_until(lambda: typing_text(alice) == "bob is typing…", pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert typing_text(alice) == "bob is typing…", "still shown well within 6 s"
    shift[0] = 5.7  # 0.3 s before the 6 s are over; the window's own timer must take it away
    alice.presence.refresh()
    assert typing_text(alice) == "bob is typing…"
    wait_until(lambda: typing_text(alice) == "", pump=tk_root.update, timeout=WAIT)


def test_typing_in_the_entry_says_typing_at_most_every_three_seconds_and_not_for_commands(
    server, open_window, wire, tk_root
):
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    entry = alice.window.entry.text
    entry.insert("insert", "/jo")
    tk_root.update()
    assert [frame["type"] for frame in nothing_more(bob)] == [], "a command being typed is not typing"
    entry.delete("1.0", "end")
    for char in "hello there":
        entry.insert("insert", char)
        tk_root.update()
    frame = bob.expect("typing")
    assert (frame["user"], frame["room"]) == ("alice", "general")
    for char in " again":
        entry.insert("insert", char)
        tk_root.update()
    assert [frame["type"] for frame in nothing_more(bob)] == [], "no second TYPING within 3 s"


def test_the_window_goes_away_by_itself_when_idle_and_comes_back_on_input(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    wait_until(lambda: dot_of(alice, "bob") == "online", pump=tk_root.update, timeout=WAIT)
    alice.presence.check_idle()
    assert [frame["type"] for frame in nothing_more(bob)] == [], "not idle long enough"
    alice.presence.last_input -= alice.presence.auto_away_seconds + 1
    alice.presence.check_idle()
    frame = bob.expect("presence")
    assert (frame["user"], frame["status"]) == ("alice", "away")
    wait_until(lambda: dot_of(alice, "alice") == "away", pump=tk_root.update, timeout=WAIT)
    assert alice.window.status_bar.flag("away") == "Away"
    alice.window.entry.text.event_generate("<KeyPress>", keysym="a")
    frame = bob.expect("presence")
    assert (frame["user"], frame["status"]) == ("alice", "online")
    wait_until(lambda: dot_of(alice, "alice") == "online", pump=tk_root.update, timeout=WAIT)


def test_a_window_muted_with_its_class_does_not_go_away_by_itself(server, open_window, wire, tk_root):
    """The exam review: during a test (MUTE *) every idle student's window sent AWAY after 5 minutes and drew the
    server's refusal; a muted window now stays as it is."""
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    wait_until(lambda: dot_of(alice, "bob") == "online", pump=tk_root.update, timeout=WAIT)
    server.set_class_muted(True)
    wait_until(lambda: alice.frames.muted, pump=tk_root.update, timeout=WAIT)
    alice.presence.last_input -= alice.presence.auto_away_seconds + 1
    alice.presence.check_idle()
    tk_root.update()
    assert alice.session.own_presence.away is None
    assert [frame["type"] for frame in nothing_more(bob) if frame["type"] == "presence"] == []
    server.set_class_muted(False)
    wait_until(lambda: not alice.frames.muted, pump=tk_root.update, timeout=WAIT)
    alice.presence.check_idle()
    assert (bob.expect("presence")["status"]) == "away"


def test_a_window_muted_with_its_class_agrees_with_the_server_about_away(server, open_window, wire, tk_root):
    """The exam2 probe: a window away before the test could not come back (BACK refused), so it showed itself
    back while every classmate saw it away; /away typed during the test is refused and the window stays online."""
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    wait_until(lambda: dot_of(alice, "bob") == "online", pump=tk_root.update, timeout=WAIT)
    alice.send_typed("/away", False)  # away before the test
    assert bob.expect("presence")["status"] == "away"
    server.set_class_muted(True)
    wait_until(lambda: alice.frames.muted, pump=tk_root.update, timeout=WAIT)
    alice.send_typed("/back", False)  # coming back is allowed, once
    assert bob.expect("presence")["status"] == "online"
    wait_until(lambda: dot_of(alice, "alice") == "online", pump=tk_root.update, timeout=WAIT)
    alice.send_typed("/away", False)  # refused: the window learns it is still online
    wait_until(lambda: "away status stays" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: alice.session.own_presence.away is None, pump=tk_root.update, timeout=WAIT)
    assert dot_of(alice, "alice") == "online"
    assert [frame for frame in nothing_more(bob) if frame["type"] == "presence"] == []


def test_away_by_hand_is_not_undone_by_input(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    entry = alice.window.entry.text
    entry.focus_force()
    entry.insert("insert", "/away in a meeting")
    entry.event_generate("<Return>")
    frame = bob.expect("presence")
    assert (frame["status"], frame.get("text")) == ("away", "in a meeting")
    alice.presence.last_input = 0.0
    alice.room_view.text.event_generate("<Motion>", x=20, y=20)  # input, but not typing
    alice.room_view.text.event_generate("<ButtonPress>", button=1, x=20, y=20)
    tk_root.update()
    assert alice.presence.last_input > 0.0, "the window saw the input"
    assert [frame["type"] for frame in nothing_more(bob)] == []
    wait_until(lambda: dot_of(alice, "alice") == "away", pump=tk_root.update, timeout=WAIT)


def test_a_mention_is_highlighted_counted_apart_and_notified_when_not_focused(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    rung: list[bool] = []
    alice.mention_alerts._notifier = Notifier(lambda: rung.append(True), backend=None)  # no desktop here: the bell
    bob = wire(server, "bob", "general")
    alice.set_focused(False)
    bob.send("SAY malice aforethought")  # alice inside another word: no mention
    bob.send("SAY look here, ALICE!")
    view = alice.room_view
    wait_until(lambda: "ALICE!" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    mentioned = view.text.search("look here", "1.0")
    assert "mention" in view.text.tag_names(mentioned)
    plain = view.text.search("malice", "1.0")
    assert "mention" not in view.text.tag_names(plain)
    assert alice.counts.mentions == 1 and rung == [True]
    assert alice.root.title().startswith("(2, @1) "), "two unread, one of them names alice"
    alice.set_focused(True)
    assert alice.counts.mentions == 0 and "@" not in alice.root.title()


def test_the_theme_is_chosen_in_the_view_menu_and_remembered(server, open_window, tk_root, private_settings):
    alice = open_window(server, "alice", "general", save=True)
    view_menu = menu_named(alice, "View")
    dark_entry = next(i for i in range(view_menu.index("end") + 1) if view_menu.type(i) == "radiobutton"
                      and view_menu.entrycget(i, "label") == "Dark theme")  # fmt: skip
    view_menu.invoke(dark_entry)
    tk_root.update()
    assert ttk.Style(tk_root).theme_use() == "sun-valley-dark"
    assert alice.room_view.text.cget("background") == DARK.background
    assert str(alice.window.users.dots.cget("background")) == DARK.background
    assert load_settings().theme == "dark"
    # a window opened later starts dark
    later = ChatController(tk.Toplevel(tk_root), load_settings())
    map_window(later.root, tk_root)
    try:
        assert later.window.theme_choice.get() == "dark"
        assert later.room_view.text.cget("background") == DARK.background
        light_entry = next(i for i in range(view_menu.index("end") + 1) if view_menu.type(i) == "radiobutton"
                           and view_menu.entrycget(i, "label") == "Light theme")  # fmt: skip
        view_menu.invoke(light_entry)
        tk_root.update()
        assert alice.room_view.text.cget("background") == LIGHT.background
        assert later.room_view.text.cget("background") == LIGHT.background, "one theme for every window"
        assert load_settings().theme == "light"
    finally:
        later.shutdown()


def test_deleted_messages_leave_the_titles_unread_and_mention_counts(server, open_window, wire, tk_root):
    """Found by a probe: five mentions deleted by their sender left "(5, @5)" in the title."""
    alice = open_window(server, "alice", "general")
    alice.mention_alerts._notifier = Notifier(lambda: None, backend=None)
    mallory = wire(server, "mallory", "general")
    alice.set_focused(False)
    ids = []
    for number in range(3):
        mallory.send(f"SAY hey alice look at this {number}")
        ids.append(mallory.expect(lambda frame: frame["type"] == "message")["id"])
    mallory.send("SAY and a plain line")
    wait_until(lambda: alice.root.title().startswith("(4, @3) "), pump=tk_root.update, timeout=WAIT)
    for number in ids:
        mallory.send(f"DELETE {number}")
    wait_until(lambda: alice.root.title().startswith("(1) "), pump=tk_root.update, timeout=WAIT)
    assert alice.counts.mentions == 0 and "@" not in alice.root.title()


def test_someone_shown_away_who_joins_the_room_is_online_unless_the_server_says_away(
    server, open_window, wire, tk_root
):
    """Found by a probe: ann, away in a /list, came BACK in another room and joined: her ring stayed; and a new
    student taking a name that was away in a /list was shown away."""
    alice = open_window(server, "alice", "general")
    ann = wire(server, "ann", "lab")
    bob = wire(server, "bob", "lab")
    carl = wire(server, "carl", "lab")
    for person, nick in ((ann, "ann"), (bob, "bob"), (carl, "carl")):
        person.send("AWAY gone home")
        # Its own presence, not a room-mate's: ann's and bob's reach carl too, and the /list below must come
        # after carl's AWAY (matching any presence frame let it overtake, under load: a flaky failure).
        person.expect(lambda frame, nick=nick: frame["type"] == "presence" and frame.get("user") == nick)
    alice.send_typed("/list")
    book = alice.session.presence
    wait_until(lambda: book.status("carl") == "away", pump=tk_root.update, timeout=WAIT)
    ann.send("BACK")  # only #lab hears it
    ann.expect("presence")
    ann.send("JOIN general")
    bob.send("QUIT")
    bob.rest_until_closed()
    wire(server, "bob", "general", source="127.0.0.2")  # another student takes "bob"
    carl.send("JOIN general")  # still away: the server says so right after the join
    wait_until(lambda: {"ann", "bob", "carl"} <= set(alice.window.users.users), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: dot_of(alice, "carl") == "away", pump=tk_root.update, timeout=WAIT)
    # The dots are redrawn soon after the rows move, not at once: wait for the drawing, with a deadline.
    wait_until(
        lambda: (dot_of(alice, "ann"), dot_of(alice, "bob"), dot_of(alice, "carl")) == ("online", "online", "away"),
        pump=tk_root.update,
        timeout=WAIT,
    )
