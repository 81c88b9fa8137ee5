"""The client core and the terminal client load no tkinter: chat-term runs where Tk is missing (checked in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TK_FREE = [
    "chat_gui",
    "chat_gui.core.connection",
    "chat_gui.settings",
    "chat_gui.core",
    "chat_gui.core.events",
    "chat_gui.core.pacing",
    "chat_gui.core.keepalive",
    "chat_gui.core.partners",
    "chat_gui.core.roster",
    "chat_gui.core.scheduler",
    "chat_gui.core.session",
    "chat_gui.core.sending",
    "chat_gui.core.connect_failure",
    "chat_gui.core.typed_lines",
    "chat_gui.terminal",
    "chat_gui.terminal_client",
    "chat_gui.terminal_keyboard",
    "chat_gui.terminal_screen",
]


@pytest.mark.parametrize("module", TK_FREE)
def test_importing_loads_no_tkinter(module):
    code = f"import sys, {module}; print(sorted(name for name in sys.modules if name.split('.')[0] in ('tkinter', '_tkinter')))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_check_would_see_tkinter():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, chat_gui.window.tk_scheduler; print('tkinter' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "True"
