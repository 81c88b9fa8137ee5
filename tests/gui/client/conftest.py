"""Fixtures for the client window tests: ready windows on a real server, and a private settings folder."""

from __future__ import annotations

import sys
import tkinter as tk

import pytest

from chat_gui.settings import ClientSettings
from chat_gui.window.controller import ChatController
from chat_server import ChatServer
from tests.support import collect_tk_garbage_here, wait_until

WAIT = 20.0  # seconds; generous, because the test machine may be busy (wait_until returns as soon as it can)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Collect once more after pytest has let go of the test's fixture values (item.funcargs).

    pytest clears them only after every fixture's teardown, so the widgets a
    fixture returned become garbage after `collect_tk_garbage` ran; a later
    collection on a reader thread would then free a Tk interpreter there
    ("Tcl_AsyncDelete: async handler deleted by the wrong thread").
    """
    yield
    collect_tk_garbage_here()


@pytest.fixture(autouse=True)
def collect_tk_garbage():
    """After the Tk root is gone, free its objects on this thread.

    Widgets and the controller refer to each other in cycles; left to the
    garbage collector, they may be freed on a server thread, and Tcl aborts
    the process when an interpreter is deleted by a thread other than its own.
    Requested before `tk_root`, this fixture is torn down after it.
    """
    yield
    # A failed test's traceback (pytest keeps it in sys.last_traceback) holds the window's objects:
    # drop it here, or they are freed by a later collection on another thread and Tcl aborts.
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    collect_tk_garbage_here()


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """No test reads or writes the real user's settings file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "config"))
    return tmp_path / "config"


def map_window(window: tk.Misc, root: tk.Tk) -> None:
    """Pump until the window is on screen (wait_visibility() can hang, and events sent to unmapped windows are lost)."""
    window.deiconify()
    wait_until(window.winfo_ismapped, pump=root.update, message="the window never appeared")


@pytest.fixture
def open_window(tk_root):
    """Factory: open_window(server, nick, room="general") -> a ChatController, ready (connected, in the room).

    The first window uses the test's Tk root, later ones a Toplevel of it.
    With server=None the window is only built, not connected.
    """
    controllers: list[ChatController] = []

    def open_(
        server: ChatServer | None = None, nick: str = "alice", room: str | None = "general", save: bool = False
    ) -> ChatController:
        toplevel = tk_root if not controllers else tk.Toplevel(tk_root)
        controller = ChatController(toplevel, ClientSettings(), save=save)
        controllers.append(controller)
        map_window(toplevel, tk_root)
        if server is not None:
            controller.start(*server.address, nick, room)
            wait_until(
                lambda: controller.session.state == "ready",
                pump=tk_root.update,
                timeout=WAIT,
                message=f"{nick}'s window did not get ready",
            )
        return controller

    yield open_
    for controller in controllers:
        controller.shutdown()
