"""What the admin window tests share: scripted dialogs, waiting with the window pumped, reading rows, screens."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from tkinter import ttk

import pytest

from chat_gui.core.connection import ChatConnection, NotConnected
from chat_server.admin_gui.history_dialog import HistoryDialog
from chat_server.admin_gui.window import AdminWindow
from tests.support import stop_process, wait_until

TIMEOUT = 10.0


class Dialogs:
    """Answers the window's questions the way an admin would, and remembers what was asked."""

    def __init__(self) -> None:
        self.text_answers: list[str | None] = []
        self.yes_no_answers: list[bool] = []
        self.save_paths: list[str | None] = []
        self.asked: list[str] = []
        self.titles: list[str] = []
        self.problems: list[str] = []  # what a checked question said was wrong with an answer

    def ask_text(self, title: str, prompt: str) -> str | None:
        self.titles.append(title)
        self.asked.append(prompt)
        return self.text_answers.pop(0)

    def ask_secret(self, title: str, prompt: str) -> str | None:
        """A password question (shown masked in the real window); answered from `text_answers` too."""
        return self.ask_text(title, prompt)

    def ask_checked(self, title: str, prompt: str, check: Callable[[str], str | None]) -> str | None:
        """A question that stays open on an answer `check` refuses: the next answer is the admin's next try."""
        self.titles.append(title)
        self.asked.append(prompt)
        while True:
            answer = self.text_answers.pop(0)
            problem = None if answer is None else check(answer)
            if problem is None:
                return answer
            self.problems.append(problem)

    def ask_yes_no(self, title: str, prompt: str) -> bool:
        self.titles.append(title)
        self.asked.append(prompt)
        return self.yes_no_answers.pop(0)

    def ask_save_path(self, title: str, suggested: str) -> str | None:
        self.titles.append(title)
        self.asked.append(suggested)
        return self.save_paths.pop(0)


def pump_until(window: AdminWindow, condition, message: str = ""):
    return wait_until(condition, TIMEOUT, pump=window.root.update, message=message)


def started(window: AdminWindow) -> int:
    assert window.start_server(), window.status.get()
    assert window.server is not None
    return window.server.address[1]


def row_of(window: AdminWindow, nick: str) -> tuple[str, ...]:
    for client in window.clients_view.clients.values():
        if client.nick == nick:
            return window.clients_view.row_values(client.session_id)
    return ()


def enabled(button: ttk.Button) -> bool:
    return not button.instate(["disabled"])


def select_client(window: AdminWindow, nick: str) -> None:
    """Select the row as a click would, and let the window react to the selection."""
    window.clients_view.select_nick(nick)
    pump_until(window, lambda: enabled(window.kick_button), f"selecting {nick} did not enable Kick")


def select_room(window: AdminWindow, key: str) -> None:
    window.rooms_view.select_room(key)
    pump_until(window, lambda: enabled(window.close_room_button), f"selecting #{key} did not enable Close room")


def frame_where(client: ChatConnection, frame_type: str, **fields) -> dict:
    return client.wait_for(
        lambda frame: frame.get("type") == frame_type and all(frame.get(k) == v for k, v in fields.items()), TIMEOUT
    )


def wait_disconnected(client: ChatConnection) -> None:
    with pytest.raises(NotConnected):
        client.wait_for(lambda frame: False, TIMEOUT)


@contextlib.contextmanager
def virtual_screen(size: str, timeout: float = 10.0) -> Iterator[str]:
    """A private Xvfb screen of `size` ("1366x768") for the block; yields its DISPLAY name.

    The server picks a free display number itself (-displayfd), so tests running side by
    side never collide.
    """
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + timeout
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                raise RuntimeError(f"Xvfb did not report its display within {timeout} s")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_end)
        stop_process(process)


def said(client: ChatConnection, text: str) -> dict:
    """Say `text` in the client's room and return the message frame that comes back."""
    client.send_command(f"SAY {text}")
    return frame_where(client, "message", content=text)


def settled(window: AdminWindow, dialog: HistoryDialog) -> str:
    """Wait until the History dialog's helper threads are done; return what it says."""
    pump_until(window, lambda: dialog.busy == 0, "the dialog's action did not finish")
    return dialog.outcome.get()
