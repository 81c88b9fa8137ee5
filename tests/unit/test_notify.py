"""Desktop notifications: a real notifier program run off the calling thread, folding, the bell where none works."""

from __future__ import annotations

import json
import sys
import threading

import pytest

from chat_gui.window import notify
from chat_gui.window.notify import BELL_GAP_SECONDS, AppleScript, Notifier, NotifySend, ProgramBackend, WindowsToast
from tests.support import wait_until

RECORDER = """
import json, pathlib, sys, time
folder = pathlib.Path(sys.argv[1])
gate = folder / "gate"
(folder / "running").write_text("", encoding="utf-8")
while not gate.exists():  # the test opens the gate when it wants this notification shown
    time.sleep(0.01)
with open(folder / "shown.jsonl", "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[2:]) + "\\n")
sys.exit(int((folder / "exit").read_text()) if (folder / "exit").exists() else 0)
"""


@pytest.fixture
def tool(tmp_path):
    """A notifier program that records each (title, body) it is given, once the test opens its gate."""
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER, encoding="utf-8")

    class Tool:
        folder = tmp_path
        backend = ProgramBackend([sys.executable, str(script), str(tmp_path)], name="recorder")

        def running(self) -> bool:
            """Whether the program has been started (and waits at the gate, unless it is open)."""
            return (tmp_path / "running").exists()

        def open_gate(self) -> None:
            (tmp_path / "gate").write_text("", encoding="utf-8")

        def shown(self) -> list[list[str]]:
            log = tmp_path / "shown.jsonl"
            if not log.exists():
                return []
            return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    return Tool()


def test_notify_returns_at_once_and_the_program_shows_it_off_the_calling_thread(tool):
    bells: list[str] = []
    notifier = Notifier(lambda: bells.append(threading.current_thread().name), backend=tool.backend, min_interval=0)
    try:
        notifier.notify("ann mentioned you", "ann: are you there, bob?")
        # The program is still waiting at its gate, yet notify has returned: nothing blocked this thread.
        assert tool.shown() == []
        tool.open_gate()
        wait_until(lambda: tool.shown() == [["ann mentioned you", "ann: are you there, bob?"]])
        wait_until(lambda: notifier.shown == 1)
        assert bells == [] and notifier.available
    finally:
        notifier.close()


def test_notifications_arriving_during_the_pause_are_folded_into_one(tool):
    notifier = Notifier(lambda: None, backend=tool.backend, min_interval=0)
    try:
        notifier.notify("first", "one")
        wait_until(tool.running)  # the worker is showing the first one: the program waits at the gate
        for index in range(5):
            notifier.notify(f"title {index}", f"body {index}")
        tool.open_gate()
        wait_until(lambda: len(tool.shown()) == 2)
        assert tool.shown() == [["first", "one"], ["title 4", "body 4 (and 4 more)"]]
    finally:
        notifier.close()


def test_long_and_multi_line_text_is_one_short_line(tool):
    notifier = Notifier(lambda: None, backend=tool.backend, min_interval=0)
    tool.open_gate()
    try:
        notifier.notify("a\ntitle", "x" * 1000 + "\n\nend")
        wait_until(lambda: len(tool.shown()) == 1)
        [[title, body]] = tool.shown()
        assert title == "a title"
        assert len(body) == notify.MAX_BODY_CHARS and body.endswith("…") and "\n" not in body
    finally:
        notifier.close()


def test_without_a_notifier_the_bell_rings_on_the_calling_thread():
    rung: list[str] = []
    notifier = Notifier(lambda: rung.append(threading.current_thread().name), backend=None, bell_gap=0)
    notifier.notify("t", "b")
    notifier.notify("t", "b")
    assert rung == [threading.current_thread().name] * 2
    assert not notifier.available
    notifier.close()  # nothing was started; closing is still fine


def test_a_failing_program_turns_notifications_into_the_bell(tool):
    (tool.folder / "exit").write_text("1", encoding="utf-8")
    tool.open_gate()
    rung: list[bool] = []
    notifier = Notifier(lambda: rung.append(True), backend=tool.backend, min_interval=0, bell_gap=0)
    try:
        notifier.notify("t", "b")
        wait_until(lambda: notifier.failed)
        notifier.notify("t", "b")
        assert rung == [True] and not notifier.available
    finally:
        notifier.close()


def test_a_missing_program_turns_notifications_into_the_bell(tmp_path):
    notifier = Notifier(lambda: None, backend=ProgramBackend([str(tmp_path / "no-such-program")]), min_interval=0)
    try:
        notifier.notify("t", "b")
        wait_until(lambda: notifier.failed)
    finally:
        notifier.close()


def test_close_stops_the_worker_and_drops_what_waits(tool):
    notifier = Notifier(lambda: None, backend=tool.backend, min_interval=0)
    notifier.notify("one", "1")
    wait_until(tool.running)
    notifier.notify("two", "2")
    worker = notifier._worker
    tool.open_gate()
    notifier.close()
    assert worker is not None and not worker.is_alive()
    assert [title for title, _body in tool.shown()] == ["one"]


@pytest.mark.parametrize("text", ["-h", "--help", "<b>bold</b> & <a href='x'>link</a>", "'; rm -rf / #", '"quoted"'])
def test_hostile_text_stays_text_for_every_platform_tool(text):
    """Message text comes from other users: never an option, markup, script or shell syntax."""
    linux = NotifySend("/usr/bin/notify-send").command(text, text)
    assert linux.argv[linux.argv.index("--") + 1] == text  # the title: after "--", so never an option
    body = linux.argv[-1]
    assert "<" not in body and ">" not in body and ("&" not in text or "&amp;" in body)
    mac = AppleScript("/usr/bin/osascript").command(text, text)
    assert mac.argv[-2:] == [text, text]  # given as argv to the script, not spliced into its source
    assert all(text not in line for line in mac.argv[:-2])
    windows = WindowsToast("powershell").command(text, text)
    assert windows.env["CLASSCHAT_TITLE"] == text and windows.env["CLASSCHAT_BODY"] == text
    assert all(text not in argument for argument in windows.argv)


def test_platform_backend_needs_a_desktop_session(monkeypatch):
    if sys.platform in ("win32", "darwin"):
        pytest.skip("the Linux rules")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert notify.platform_backend() is None
    assert Notifier(lambda: None).backend is None


@pytest.mark.parametrize("backend", ["none", "failed"])
def test_a_flood_of_notifications_without_a_notifier_rings_the_bell_once_per_gap(tool, backend):
    """Thirty mentions at once: one bell; the next one only after the gap (a fake clock, no sleeping)."""
    now = [1000.0]
    rung: list[float] = []
    notifier = Notifier(
        lambda: rung.append(now[0]),
        backend=None if backend == "none" else tool.backend,
        min_interval=0,
        clock=lambda: now[0],
    )
    try:
        if backend == "failed":
            (tool.folder / "exit").write_text("1", encoding="utf-8")
            tool.open_gate()
            notifier.notify("t", "b")
            wait_until(lambda: notifier.failed)
        for _ in range(30):
            notifier.notify("alice mentioned you", "b")
        now[0] += BELL_GAP_SECONDS - 0.5
        notifier.notify("again", "b")
        assert len(rung) == 1
        now[0] += 0.5
        for _ in range(5):
            notifier.notify("after the gap", "b")
        assert rung == [1000.0, 1000.0 + BELL_GAP_SECONDS]
    finally:
        notifier.close()
