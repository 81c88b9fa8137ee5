"""Private tabs only ever send privately, to the person they name; a flood of private messages opens a bounded number of tabs."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from chat_gui.text.arabic_shaping import joined
from chat_gui.text.bidi_display import visual_line
from chat_gui.window.main_window import MAX_DRAFTS
from chat_gui.window.private_tabs import COLLECTOR_TITLE, MAX_TABS_BY_OTHERS
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import wait_until


def own_tab(controller, nick: str):
    controller.open_private(nick)
    return controller.window.tabs.private[nick]


def typed_in_tab_is_refused(controller, tk_root, line: str) -> bool:
    controller.window.entry.set_text("")
    type_line(controller, line)
    tk_root.update()
    return controller.window.entry.get_text() == line  # a refused line stays in the box


def nothing_private_or_public_from(client, sender: str, marker_client) -> list[dict]:
    """What `client` got from `sender` before the marker line `marker_client` says next."""
    marker_client.send_command("SAY marker")
    seen: list[dict] = []
    client.wait_for(lambda frame: seen.append(frame) or frame.get("content") == "marker", WAIT)
    return [frame for frame in seen if frame.get("sender") == sender]


def test_after_a_rename_the_tab_sends_nothing_not_to_the_room_nor_to_the_names_new_holder(
    server, open_window, make_client, tk_root
):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    mallory = make_client(server, "mallory", "lab")
    tab = own_tab(alice, "bob")
    type_line(alice, "before the rename")
    assert bob.wait_for("private", WAIT)["content"] == "before the rename"
    bob.send_command("NICK bob2")
    wait_until(lambda: "bob is now called bob2" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    mallory.send_command("NICK bob")  # someone else takes the name
    wait_until(lambda: "mallory has taken the name bob" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "bob is not here: nothing you type in this tab is sent" in tab.banner.cget("text")
    assert alice.window.tabs.current_tab() is tab
    assert typed_in_tab_is_refused(alice, tk_root, "for bob's eyes only")
    assert "Not sent: bob is not here" in tab.view.all_text()
    watcher = make_client(server, "watcher", "lab")
    assert nothing_private_or_public_from(mallory, "alice", watcher) == []
    assert nothing_private_or_public_from(bob, "alice", watcher) == []
    assert "for bob's eyes only" not in alice.room_view.all_text()
    bob.send_command("NICK carl")  # the chain of names is followed...
    mallory.send_command("NICK mallory")
    mallory.wait_for(lambda frame: frame["type"] == "nick" and frame["nick"] == "mallory", WAIT)
    bob.send_command("NICK bob")  # ...and when the same person takes the name back, the tab sends again
    wait_until(lambda: "bob is back under this name" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "only the two of you" in tab.banner.cget("text")
    alice.window.entry.set_text("")
    type_line(alice, "welcome back")
    assert bob.wait_for("private", WAIT)["content"] == "welcome back"


def test_after_a_leave_the_tab_waits_until_the_person_is_back(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    tab = own_tab(alice, "bob")
    bob.send_command("QUIT off to lunch")
    wait_until(lambda: "bob left the chat" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert typed_in_tab_is_refused(alice, tk_root, "are you there?")
    bob_again = make_client(server, "bob", "lab")
    wait_until(lambda: "Someone named bob is online again" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    alice.window.entry.set_text("")
    type_line(alice, "hello again")
    assert bob_again.wait_for("private", WAIT)["content"] == "hello again"


def test_moving_to_another_room_does_not_shut_the_tab(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    tab = own_tab(alice, "bob")
    bob.send_command("JOIN maths")
    wait_until(lambda: alice.window.users.users == ["alice"], pump=tk_root.update, timeout=WAIT)
    type_line(alice, "still private")
    assert bob.wait_for("private", WAIT)["content"] == "still private"
    assert "left the chat" not in tab.view.all_text()


def test_pm_typed_on_purpose_opens_a_shut_tab_again(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    tab = own_tab(alice, "bob")
    bob.send_command("NICK bob2")
    wait_until(lambda: "bob is now called bob2" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    newcomer = make_client(server, "bob", "lab")
    alice.window.entry.set_text("")
    type_line(alice, "/pm bob you are the new bob")  # the user chose to write to whoever is bob now
    assert newcomer.wait_for("private", WAIT)["content"] == "you are the new bob"


def test_a_flood_of_private_messages_opens_a_bounded_number_of_tabs_with_one_notice_and_one_bell(
    start_server, open_window, make_client, tk_root, monkeypatch
):
    server = start_server(max_per_address=0, max_unregistered_per_address=0)
    alice = open_window(server, "alice", "lab")
    bells: list[int] = []
    monkeypatch.setattr(alice.root, "bell", lambda *args: bells.append(1))
    senders = [make_client(server, f"bot{number}") for number in range(MAX_TABS_BY_OTHERS + 12)]
    for round_ in range(3):
        for sender in senders:
            sender.send_command(f"PM alice spam {round_}")
    tabs = alice.window.tabs
    wait_until(
        lambda: tabs.collector is not None and tabs.collector.view.all_text().count("spam 2") == 12,
        pump=tk_root.update,
        timeout=WAIT,
    )
    assert len(tabs.private) == MAX_TABS_BY_OTHERS
    assert tabs.tab(tabs.collector.frame, "text").startswith(COLLECTOR_TITLE)
    assert alice.room_view.all_text().count("Private messages are arriving from many people") == 1
    assert len(bells) == 1
    assert "spam" not in alice.room_view.all_text()
    tabs.select(tabs.collector.frame)
    tk_root.update()  # the tab change is seen (each tab keeps its own draft) before typing, as a person would
    assert typed_in_tab_is_refused(alice, tk_root, "who are you all?")
    tabs.close_private(next(iter(tabs.private.values())).nick)  # the first to arrive got tabs, in any order
    collected = next(sender for sender in senders if f"bot{senders.index(sender)}" not in tabs.private)
    nick = f"bot{senders.index(collected)}"
    collected.send_command("PM alice now with room for a tab")
    wait_until(lambda: nick in tabs.private, pump=tk_root.update, timeout=WAIT)
    opened_by_me = own_tab(alice, "carol")  # tabs the user opens do not count against the cap
    assert opened_by_me is tabs.private["carol"]


def test_ctrl_tab_and_ctrl_page_keys_switch_tabs_from_the_entry_box_and_typing_goes_to_the_tab_in_front(
    server, open_window, make_client, tk_root
):
    """The keyboard probe of the ninth review: Ctrl+Tab did a name completion, Ctrl+Page Down scrolled the
    entry box sideways; four private tabs with unread lines could not be reached without the mouse."""
    alice = open_window(server, "alice")
    bob = make_client(server, "bob")
    make_client(server, "carol")
    tabs = alice.window.tabs
    tabs.open_private("bob", select=False, by_other=True)
    tabs.open_private("carol", select=False, by_other=True)
    box = alice.window.entry.text
    box.focus_force()
    wait_until(lambda: box.focus_get() is box, pump=tk_root.update, message="the entry box never had the focus")
    assert tabs.current_tab() is None

    def press(sequence: str) -> str | None:
        box.focus_force()
        tk_root.update()
        box.event_generate(sequence)
        tk_root.update()
        tab = tabs.current_tab()
        return None if tab is None else tab.nick

    assert press("<Control-Tab>") == "bob"
    assert box.focus_get() is box, "the focus stays in the entry box"
    assert alice.window.entry.get_text() == "", "no completion or tab character was typed"
    assert press("<Control-Next>") == "carol"
    assert press("<Control-Tab>") is None, "round the end to the room's tab"
    assert press("<Control-Prior>") == "carol"
    assert press("<Control-ISO_Left_Tab>") == "bob"
    type_line(alice, "typed after Ctrl+Tab")
    assert bob.wait_for("private", WAIT)["content"] == "typed after Ctrl+Tab"


def test_a_draft_typed_in_a_private_tab_stays_with_that_tab_and_never_goes_to_the_room(
    server, open_window, make_client, tk_root
):
    """The keyboard probe of the ninth review: a line typed for bob in his tab stayed in the one entry box
    when the student went to the room's tab (Ctrl+Tab, a click, the rooms list), and Enter posted it to
    the whole room. Each tab keeps its own draft, as in Discord or Teams."""
    alice = open_window(server, "alice")
    bob = make_client(server, "bob")
    carol = make_client(server, "carol", "general")
    tabs = alice.window.tabs
    entry = alice.window.entry
    own_tab(alice, "bob")
    tk_root.update()
    entry.set_text("only for bob: my answer is 42")
    tabs.select(tabs.room_frame)
    tk_root.update()
    assert entry.get_text() == "", "the room's tab has its own (empty) draft"
    type_line(alice, "hello room")
    assert carol.wait_for(lambda frame: frame.get("content") == "hello room", WAIT)
    assert entry.get_text() == ""
    tabs.select(tabs.private["bob"].frame)
    tk_root.update()
    assert entry.get_text() == "only for bob: my answer is 42", "bob's draft is back in his tab"
    type_line(alice, "")
    assert bob.wait_for("private", WAIT)["content"] == "only for bob: my answer is 42"
    tabs.select(tabs.room_frame)
    tk_root.update()
    assert entry.get_text() == ""


def test_a_draft_outlives_closing_its_tab_and_the_drafts_kept_are_bounded(server, open_window, make_client, tk_root):
    """Drafts are kept by conversation, not by tab: closing bob's tab with a line half typed and opening it
    again brings the line back (a closed tab's draft was kept under a frame that never came back: lost to
    the user, and kept for good)."""
    alice = open_window(server, "alice")
    make_client(server, "bob")
    tabs = alice.window.tabs
    entry = alice.window.entry
    own_tab(alice, "bob")
    tk_root.update()
    entry.set_text("half a thought for bob")
    tabs.close_current()
    tk_root.update()
    assert tabs.current_private() is None and entry.get_text() == ""
    alice.open_private("Bob")  # another case: the same conversation
    tk_root.update()
    assert entry.get_text() == "half a thought for bob"
    for number in range(MAX_DRAFTS + 20):  # many conversations, each left with a draft
        tabs.open_private(f"pupil{number}")
        tk_root.update()
        entry.set_text(f"draft {number}")
        tabs.close_current()
        tk_root.update()
    assert len(alice.window._drafts) <= MAX_DRAFTS
    own_tab(alice, f"pupil{MAX_DRAFTS + 19}")
    tk_root.update()
    assert entry.get_text() == f"draft {MAX_DRAFTS + 19}", "the newest drafts are kept"


def drawn_tabs(notebook) -> dict[int, tuple[int, int]]:
    """Tab index -> (left, right) in pixels as drawn, found with `index @x,y` along the middle of the tab row."""
    rows = [y for y in range(80) if _tab_at(notebook, 6, y) is not None]
    assert rows, "no tab row found"
    row = (rows[0] + rows[-1]) // 2
    spans: dict[int, tuple[int, int]] = {}
    for x in range(notebook.winfo_width()):
        index = _tab_at(notebook, x, row)
        if index is not None:
            left, _right = spans.get(index, (x, x))
            spans[index] = (left, x)
    return spans


def _tab_at(notebook, x: int, y: int) -> int | None:
    try:
        found = notebook.index(f"@{x},{y}")
    except tk.TclError:
        return None
    return int(found) if str(found) != "" else None


def test_with_many_tabs_every_title_is_whole_and_the_others_are_one_menu_away(server, open_window, tk_root):
    """The ninth review left it, the tenth (screens) found it at 1024x600: with seven or more tabs Tk squeezed
    every title to a few letters ("✉ st", "#genera") and nobody could tell the tabs apart."""
    alice = open_window(server, "alice")
    tk_root.geometry("800x560")
    tabs = alice.window.tabs
    names = ["bob", "محمد_علي", "王小明同学", "kenji_田中", "maximilian_von_hohenstein", "chloe", "dmitri", "eve"]
    names += ["fatima", "gustav"]
    for name in names:
        tabs.open_private(name, select=False, by_other=True)
    wait_until(lambda: tabs.winfo_width() < 700 and tabs.overflow.hidden(), pump=tk_root.update, timeout=WAIT)
    font = ttk.Style(tabs).lookup("TNotebook.Tab", "font") or "TkDefaultFont"

    def check_row() -> list[str]:
        tk_root.update()
        spans = drawn_tabs(tabs)
        shown = [index for index, tab in enumerate(tabs.tabs()) if tabs.tab(tab, "state") != "hidden"]
        assert sorted(spans) == shown
        for index in shown:
            title = tabs.tab(index, "text")
            left, right = spans[index]
            width = int(tabs.tk.call("font", "measure", font, title))
            assert right - left + 1 >= width + 8, f"the title {title!r} is cut: {right - left + 1} px for {width}"
        button = tabs.overflow.button
        assert button.winfo_ismapped()
        assert max(right for _left, right in spans.values()) < button.winfo_rootx() - tabs.winfo_rootx()
        assert button.winfo_rootx() + button.winfo_width() <= tabs.winfo_rootx() + tabs.winfo_width()
        return [str(tab) for tab in tabs.tabs()]

    check_row()
    assert tabs.tab(tabs.private["maximilian_von_hohenstein"].frame, "text") == "✉ maximilian_von_…"
    menu = tabs.overflow.menu
    labels = [menu.entrycget(index, "label").strip(" ●") for index in range(menu.index("end") + 1)]
    # (a right-to-left name in reading order, as on its tab: chat_gui/text/bidi_display.py)
    in_menu = [visual_line(joined(f"✉ {name}"), base=0) for name in names]
    assert labels[0] == "#general" and labels[1:] == in_menu, "every tab is in the menu"
    last = tabs.private["gustav"]
    assert str(last.frame) in tabs.overflow.hidden()
    tabs.mark_unread(last)
    tk_root.update()
    assert str(last.frame) not in tabs.overflow.hidden(), "a tab with unread lines comes into the row first"
    for tab in tabs.private.values():
        tabs.mark_unread(tab)
    tk_root.update()
    unread_hidden = sum(tab.unread for tab in tabs.private.values() if str(tab.frame) in tabs.overflow.hidden())
    assert unread_hidden and f"({unread_hidden})" in tabs.overflow.button.cget("text"), "the button counts them"
    target = next(tab for tab in tabs.private.values() if str(tab.frame) in tabs.overflow.hidden())
    menu.invoke(labels.index(f"✉ {target.nick}"))
    tk_root.update()
    assert tabs.current_tab() is target
    check_row()
    assert tabs.tab(target.frame, "state") == "normal", "the tab chosen in the menu is in the row, in front"
    for tab in list(tabs.private.values())[:-2]:
        tabs.close_private(tab.nick)
    tk_root.update()
    assert not tabs.overflow.hidden() and not tabs.overflow.button.winfo_ismapped(), "all fit again: no menu"
