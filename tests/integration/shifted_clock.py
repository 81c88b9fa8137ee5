"""A server process whose wall clock is set wrong, and set right again while it runs: a sitecustomize on its path.

time.time() and time.time_ns() in that process add the seconds written in
a file the test changes at will (time.monotonic() and the boot-time clock
are left alone, as on a computer whose clock is set by hand or by NTP).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.integration.test_headless_script import ROOT, ScriptRun

SITECUSTOMIZE = """
import os, time
_path, _time, _time_ns = os.environ["CLASSCHAT_CLOCK_OFFSET_FILE"], time.time, time.time_ns

def _offset():
    try:
        with open(_path, encoding="ascii") as file:
            return float(file.read() or 0)
    except (OSError, ValueError):
        return 0.0

time.time = lambda: _time() + _offset()
time.time_ns = lambda: _time_ns() + int(_offset() * 1e9)
"""


class ShiftedClock:
    """The offset file and the folder with the sitecustomize; `run(*args)` starts a server that uses them."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        self.folder = folder
        self.file = folder / "offset"
        self.set(0.0)

    def set(self, seconds: float) -> None:
        """From now on the server's clock is `seconds` off (0: right)."""
        self.file.write_text(repr(seconds), encoding="ascii")

    def run(self, *args: str) -> ScriptRun:
        return ScriptRun(
            *args, env={"PYTHONPATH": f"{self.folder}{os.pathsep}{ROOT}", "CLASSCHAT_CLOCK_OFFSET_FILE": str(self.file)}
        )
