"""Desktop notifications, e.g. for a mention while the window is not focused (called on the Tk thread; shown off it).

    Notifier.notify(title, body)      Tk thread, returns at once
        -> queue -> worker thread "notifier": runs the platform's tool, waits
           for it (at most 10 s), then lets at least 3 s pass before the next;
           what arrives meanwhile is shown as one ("... and 2 more")

Which tool, and why not a library: each desktop's own notifier, run as a
program, with the text passed as arguments (never through a shell):
  Linux    notify-send (package libnotify-bin; GNOME, KDE, Xfce... all
           answer it over D-Bus); the text is escaped, since the body may be
           read as markup
  macOS    osascript "display notification", title and text given as argv
  Windows  PowerShell showing a toast through the WinRT API that Windows 10
           and 11 have, the text in environment variables
The `desktop-notifier` package does the same from Python, but on macOS it
works only from a signed app bundle (ClassChat's executables are not
signed), and on Windows it pulls in seven winrt packages; a program run
off the Tk thread needs no asyncio loop and adds nothing to the download.
Where none is there (a headless machine, a desktop without a notification
service) or the tool fails, the window's bell rings instead, on the Tk
thread, at most once every BELL_GAP_SECONDS however many arrive.
"""

from __future__ import annotations

import html
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger(__name__)

APP_NAME = "ClassChat"
TOOL_TIMEOUT = 10.0  # seconds a notifier program may take before it is killed
MIN_INTERVAL = 3.0  # seconds between two notifications; the ones between are folded into the next
BELL_GAP_SECONDS = 10.0  # the bell instead: at most once in this long, as for private messages (frame_display.py)
MAX_TITLE_CHARS = 80
MAX_BODY_CHARS = 300
_QUEUE_LIMIT = 100

# PowerShell's own AppUserModelID: an app that Windows knows, so the toast is shown without installing ours.
_POWERSHELL_APP_ID = r"{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\WindowsPowerShell\v1.0\powershell.exe"
_TOAST_SCRIPT = "; ".join(
    (
        "$ErrorActionPreference = 'Stop'",
        "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]"
        " | Out-Null",
        "$kind = [Windows.UI.Notifications.ToastTemplateType]::ToastText02",
        "$xml = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent($kind)",
        "$texts = $xml.GetElementsByTagName('text')",
        "$texts.Item(0).AppendChild($xml.CreateTextNode($env:CLASSCHAT_TITLE)) | Out-Null",
        "$texts.Item(1).AppendChild($xml.CreateTextNode($env:CLASSCHAT_BODY)) | Out-Null",
        "$toast = [Windows.UI.Notifications.ToastNotification]::new($xml)",
        "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($env:CLASSCHAT_APP_ID).Show($toast)",
    )
)
_OSASCRIPT = ("on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run")


@dataclass(frozen=True)
class Command:
    """One notifier program run: its arguments and any extra environment variables."""

    argv: Sequence[str]
    env: Mapping[str, str]


class Backend:
    """How to show one notification with a program; subclasses per platform."""

    name = "none"

    def command(self, title: str, body: str) -> Command:
        raise NotImplementedError


class NotifySend(Backend):
    name = "notify-send"

    def __init__(self, program: str) -> None:
        self.program = program

    def command(self, title: str, body: str) -> Command:
        # "--" ends the options, so a message starting with "-" is text; the body may be read as markup.
        return Command([self.program, f"--app-name={APP_NAME}", "--", title, html.escape(body, quote=False)], {})


class AppleScript(Backend):
    name = "osascript"

    def __init__(self, program: str) -> None:
        self.program = program

    def command(self, title: str, body: str) -> Command:
        argv = [self.program]
        for line in _OSASCRIPT:
            argv += ["-e", line]
        return Command([*argv, title, body], {})


class WindowsToast(Backend):
    name = "powershell toast"

    def __init__(self, program: str) -> None:
        self.program = program

    def command(self, title: str, body: str) -> Command:
        argv = [self.program, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", _TOAST_SCRIPT]
        return Command(argv, {"CLASSCHAT_TITLE": title, "CLASSCHAT_BODY": body, "CLASSCHAT_APP_ID": _POWERSHELL_APP_ID})


class ProgramBackend(Backend):
    """Any program given the title and body as its last two arguments (tests, or a user's own script)."""

    def __init__(self, argv: Sequence[str], name: str = "program") -> None:
        self.argv = list(argv)
        self.name = name

    def command(self, title: str, body: str) -> Command:
        return Command([*self.argv, title, body], {})


def platform_backend() -> Backend | None:
    """This platform's notifier, or None where there is none (no desktop session, tool not installed)."""
    if sys.platform == "win32":
        program = shutil.which("powershell")
        return WindowsToast(program) if program else None
    if sys.platform == "darwin":
        program = shutil.which("osascript")
        return AppleScript(program) if program else None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.path.exists(f"/run/user/{os.getuid()}/bus"):
        return None  # notify-send would only fail: no session bus to reach a notification service
    program = shutil.which("notify-send")
    return NotifySend(program) if program else None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())  # one line: notifiers show a few lines at most
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Notifier:
    """Shows notifications off the Tk thread; rings `bell` (on the calling thread) where it cannot."""

    def __init__(
        self,
        bell: Callable[[], object],
        backend: Backend | None | Literal["platform"] = "platform",
        min_interval: float = MIN_INTERVAL,
        bell_gap: float = BELL_GAP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bell = bell
        self.backend = platform_backend() if backend == "platform" else backend
        self.min_interval = min_interval
        self.bell_gap = bell_gap
        self.clock = clock
        self._last_bell = float("-inf")
        self.failed = False  # set by the worker when the tool did not work: from then on, the bell
        self.shown = 0  # notifications the tool took (for tests and the log)
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=_QUEUE_LIMIT)
        self._worker: threading.Thread | None = None
        log.info("desktop notifications: %s", self.backend.name if self.backend else "none (the bell instead)")

    @property
    def available(self) -> bool:
        return self.backend is not None and not self.failed

    def notify(self, title: str, body: str) -> None:
        """Show `title` and `body` (made one short line each); never blocks.

        Without a notifier the bell rings instead, at most once per `bell_gap`:
        thirty students naming you at once is one bell, not thirty.
        """
        if not self.available:
            now = self.clock()
            if now - self._last_bell >= self.bell_gap:
                self._last_bell = now
                self.bell()
            return
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="notifier", daemon=True)
            self._worker.start()
        try:
            self._queue.put_nowait((_shorten(title, MAX_TITLE_CHARS), _shorten(body, MAX_BODY_CHARS)))
        except queue.Full:
            pass  # hundreds waiting: the user has been told already

    def close(self, timeout: float = TOOL_TIMEOUT + 1) -> None:
        """Stop the worker after what it is showing now; notifications still waiting are dropped."""
        if self._worker is None:
            return
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._worker.join(timeout)
        self._worker = None

    # -- the worker thread --
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            title, body = item
            folded = 0
            while True:  # fold what piled up during the pause into one notification, the newest
                try:
                    newer = self._queue.get_nowait()
                except queue.Empty:
                    break
                if newer is None:
                    return
                title, body = newer
                folded += 1
            if folded:
                body = _shorten(f"{body} (and {folded} more)", MAX_BODY_CHARS + 20)
            self._show(title, body)
            time.sleep(self.min_interval)

    def _show(self, title: str, body: str) -> None:
        assert self.backend is not None
        command = self.backend.command(title, body)
        no_console_window = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        try:
            result = subprocess.run(
                list(command.argv),
                env={**os.environ, **command.env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=TOOL_TIMEOUT,
                check=False,
                creationflags=no_console_window,
            )
        except (OSError, subprocess.SubprocessError) as error:
            self._give_up(f"{self.backend.name} could not run: {error}")
            return
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip()[:200]
            self._give_up(f"{self.backend.name} failed ({result.returncode}): {detail}")
            return
        self.shown += 1

    def _give_up(self, why: str) -> None:
        log.warning("desktop notifications off, the bell instead: %s", why)
        self.failed = True
