"""Fixtures for the admin window tests: a window on a real Tk root, scripted dialogs, real clients."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

import pytest

from chat_gui.core.connection import ChatConnection
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from tests.gui.admin.helpers import TIMEOUT, Dialogs
from tests.gui.scaled_tk import set_display_scaling
from tests.support import collect_tk_garbage_here, connect_client, wait_until


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def make_window(tk_root: tk.Tk, dialogs: Dialogs):
    """make_window(scaling_percent=None) -> a mapped AdminWindow on 127.0.0.1 port 0; closed afterwards.

    With a percentage, `tk scaling` is set first, as a desktop at that scaling would (100% is 96 dpi).
    """
    made: list[AdminWindow] = []

    def make(scaling_percent: int | None = None, settings_path: Path | None = None) -> AdminWindow:
        if scaling_percent is not None:
            set_display_scaling(tk_root, scaling_percent)
        admin = AdminWindow(
            tk_root,
            ServerConfig(host="127.0.0.1", port=0, announce=False),  # a test that sets host 0.0.0.0 announces nothing
            ask_text=dialogs.ask_text,
            ask_yes_no=dialogs.ask_yes_no,
            ask_secret=dialogs.ask_secret,
            ask_save_path=dialogs.ask_save_path,
            ask_checked=dialogs.ask_checked,
            settings_path=settings_path,  # None: admin.json in the temporary config folder every test gets
        )
        made.append(admin)
        wait_until(tk_root.winfo_ismapped, TIMEOUT, pump=tk_root.update)
        return admin

    yield make
    for admin in made:
        admin.close()
    made.clear()
    collect_tk_garbage_here()  # collect the window's Tk variables here, on the Tk thread, not later on some server thread


@pytest.fixture
def window(make_window) -> AdminWindow:
    return make_window()


@pytest.fixture
def clients():
    """connect(window, nick, room) -> a registered ChatConnection; all closed afterwards."""
    made: list[ChatConnection] = []

    def connect(window: AdminWindow, nick: str | None = None, room: str | None = None) -> ChatConnection:
        assert window.server is not None
        client = connect_client(window.server.address, nick, room)
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()
