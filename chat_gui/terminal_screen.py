"""chat-term's output: the printer thread that writes lines so a paused terminal stalls nobody (printer thread).

    core thread --Screen.show(line)--> a deque --chat-printer thread--> fit_for_terminal --> one write, flushed

On a terminal, long lines are broken to its width with the rest indented
(chat_gui/terminal_wrap.py), so no message can start a row of its own.
As a second guard, a terminal that understands it has its autowrap (DECAWM)
turned off while a line is written and on again right after, in the same
write: a row still counted too narrow (a terminal with width tables of its
own) is cut at the edge instead of going on at column 0. Only while a line
is written, because the keyboard's echo needs autowrap: a long line being
typed would otherwise pile up in the last column. So the terminal is left
with autowrap on between lines, whichever way chat-term ends.

`tolerate_unencodable` makes a character the terminal's encoding lacks
print as an escape instead of killing the printer thread.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import deque
from typing import TextIO

from chat_gui.terminal_wrap import fit_for_terminal

AUTOWRAP_OFF = "\x1b[?7l"  # DECAWM reset: a character past the last column replaces the last one
AUTOWRAP_ON = "\x1b[?7h"


class Screen:
    """Lines to print, written by a thread of its own so that a paused terminal (Ctrl+S) stalls nobody."""

    def __init__(self, out: TextIO, wide_ambiguous: bool = False) -> None:
        self.out = out
        self.wide_ambiguous = wide_ambiguous  # count East Asian "Ambiguous" characters as two columns
        self._lines: deque[str] = deque()
        self._changed = threading.Condition()
        self._closing = False
        self.gone = threading.Event()  # the output was closed (`chat-term | head -1`): nobody reads what is printed
        self._is_terminal = _is_terminal(out)
        self._guard_autowrap = self._is_terminal and _understands_autowrap_mode()
        self._thread = threading.Thread(target=self._write_loop, name="chat-printer", daemon=True)
        self._thread.start()

    def show(self, text: str) -> None:
        with self._changed:
            self._lines.append(text)
            self._changed.notify()

    def backlog(self) -> int:
        return len(self._lines)

    def close(self, timeout: float = 2.0) -> None:
        """Write what is left (waiting at most `timeout` seconds for a stuck terminal), then stop."""
        with self._changed:
            self._closing = True
            self._changed.notify()
        self._thread.join(timeout)

    def _write_loop(self) -> None:
        while True:
            with self._changed:
                while not self._lines and not self._closing:
                    self._changed.wait()
                if not self._lines:
                    return
                text = self._lines.popleft()
            rows = self._fitted(text) + "\n"
            if self._guard_autowrap:  # one write, so autowrap is back on before anything else reaches the terminal
                rows = AUTOWRAP_OFF + rows + AUTOWRAP_ON
            try:
                self.out.write(rows)
                self.out.flush()
            except (OSError, ValueError):
                self.gone.set()  # the terminal went away; nobody is reading
                return

    def _fitted(self, text: str) -> str:
        """`text` as it will be printed, broken to the terminal's width as it is now (resized windows too); as is
        when not a terminal."""
        if not self._is_terminal:
            return text
        try:
            columns = os.get_terminal_size(self.out.fileno()).columns
        except (OSError, ValueError):
            columns = shutil.get_terminal_size().columns
        return fit_for_terminal(text, columns, getattr(self.out, "encoding", None), self.wide_ambiguous)


def _is_terminal(out: TextIO) -> bool:
    try:
        return os.isatty(out.fileno())
    except (AttributeError, OSError, ValueError):  # a StringIO in tests, a closed stream
        return False


def _understands_autowrap_mode() -> bool:
    """Whether ESC[?7l and ESC[?7h switch autowrap rather than show up as text: a terminal emulator, not a dumb
    one; not the Windows console, where Python leaves escape sequences off."""
    return sys.platform != "win32" and os.environ.get("TERM", "dumb") not in ("", "dumb")


def now_stamp() -> str:
    return time.strftime("[%H:%M:%S]")


def tolerate_unencodable(out: TextIO) -> None:
    """Print characters the output's encoding lacks (an emoji on a Latin-1 terminal) as escapes.

    Otherwise one such character raises in the printer thread, which dies,
    and the client silently stops showing anything.
    """
    reconfigure = getattr(out, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
