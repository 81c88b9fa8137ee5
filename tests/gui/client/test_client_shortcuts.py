"""The window's Ctrl+letter shortcuts (docs/client.md, "Menus and shortcuts") work with Caps Lock on too."""

from __future__ import annotations

import pytest

from chat_gui.window.main_window import ChatWindow, WindowActions


@pytest.mark.parametrize("caps_lock", [False, True])
def test_every_ctrl_letter_shortcut_of_the_menus_acts_with_or_without_caps_lock(tk_root, caps_lock):
    # Found by the eleventh review: Ctrl+E and Ctrl+F took Caps Lock into account, but with it on Ctrl+Q,
    # Ctrl+J, Ctrl+R and Ctrl+O did nothing, though the menus show them.
    called: list[str] = []

    def record(name: str):
        return lambda *args: called.append(name)

    actions = WindowActions(
        submit=lambda line: True,
        join=record("join"),
        private=record("private"),
        connect=record("connect"),
        reconnect=record("reconnect"),
        disconnect=record("disconnect"),
        join_dialog=record("join_dialog"),
        leave=record("leave"),
        who=record("who"),
        help=record("help"),
        about=record("about"),
        quit=record("quit"),
        tab_changed=lambda: None,
        nicknames=lambda: [],
        attach=record("attach"),
    )
    window = ChatWindow(tk_root, actions)
    tk_root.update()
    for letter, name in (("q", "quit"), ("j", "join_dialog"), ("r", "reconnect"), ("o", "attach")):
        key = letter.upper() if caps_lock else letter
        window.entry.text.focus_force()
        window.entry.text.event_generate(f"<Control-{key}>")
        tk_root.update()
        assert called[-1:] == [name], (key, called)
