"""chat-term and a long paste at a terminal: a few seconds of lines go out, the rest is printed back (the eleventh
review: 5,000 pasted lines went out at the server's pace for 8 minutes, filling every screen of the room)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chat_gui.terminal_client import PASTE_WAITING_LINES
from tests.integration.wire import DEADLINE, nothing_more
from tests.support import read_pty_into, wait_until

pytestmark = [
    pytest.mark.usefixtures("no_server_errors"),
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal"),
]

ROOT = Path(__file__).resolve().parents[2]
PASTED = 400


def test_a_long_paste_at_a_terminal_sends_a_few_seconds_of_lines_and_prints_the_rest_back(server, wire):
    import termios

    watcher = wire(server, "watcher", "lab")
    master, slave = os.openpty()
    attributes = termios.tcgetattr(slave)
    attributes[3] &= ~termios.ECHO  # the screen shows what chat-term prints, not the pasted keys
    termios.tcsetattr(slave, termios.TCSANOW, attributes)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "TERM": "dumb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_gui.terminal", *map(str, server.address), "--nick", "paster", "--room", "lab"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    screen = bytearray()
    reader = read_pty_into(master, screen)
    try:
        wait_until(lambda: b"You joined #lab" in screen, timeout=DEADLINE, message=f"screen: {bytes(screen)!r}")
        paste = "".join(f"pasted line {number}\n" for number in range(1, PASTED + 1)).encode()
        writer = threading.Thread(target=lambda: os.write(master, paste), daemon=True)  # the pty takes it in parts
        writer.start()
        wait_until(lambda: f"(a long paste?): pasted line {PASTED}".encode() in screen, timeout=DEADLINE * 2)
        printed_back = screen.decode("utf-8", "replace").count("(a long paste?): pasted line")
        let_through = PASTED - printed_back  # every line was taken or printed back once the last one was
        said = [watcher.expect("message")["content"] for _ in range(let_through)]  # at the server's pace
        extra = [f for f in nothing_more(watcher) if f["type"] == "message"]
    finally:
        process.terminate()
        process.wait(DEADLINE)
        reader.join(DEADLINE)
        os.close(master)
        assert process.stderr is not None
        process.stderr.close()
    assert said == [f"pasted line {number}" for number in range(1, let_through + 1)] and not extra  # in order
    assert PASTE_WAITING_LINES <= let_through < PASTE_WAITING_LINES + 40, let_through  # a first burst, then the cap
