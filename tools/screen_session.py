"""What the screenshot scripts share: a virtual X display, pumping Tk until a condition, saving a window (main thread)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def virtual_display(display: str, size: str = "1280x800x24", timeout: float = 10.0) -> Iterator[None]:
    """Use the DISPLAY there is, or run Xvfb on `display` until the block ends."""
    if os.environ.get("DISPLAY"):
        yield
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("no DISPLAY and no Xvfb: install the xvfb package")
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", size, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    x_socket = Path(f"/tmp/.X11-unix/X{display.lstrip(':')}")
    deadline = time.monotonic() + timeout
    while not x_socket.exists():  # Xvfb is ready once its socket exists
        if xvfb.poll() is not None or time.monotonic() > deadline:
            xvfb.kill()
            raise SystemExit(f"Xvfb did not start on {display}")
        time.sleep(0.05)
    os.environ["DISPLAY"] = display
    try:
        yield
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def pump_until(root: tk.Misc, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let Tk run until `condition()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        root.update()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {condition}")
        time.sleep(0.02)


def capture(window: tk.Misc, path: Path) -> Path:
    """Save the window's toplevel, frame included, as a PNG (ImageMagick's `import`)."""
    window.update()
    subprocess.run(["import", "-window", window.winfo_toplevel().wm_frame(), str(path)], check=True)
    return path
