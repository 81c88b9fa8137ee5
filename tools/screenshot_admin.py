"""Screenshots of the server admin window with real clients connected, for docs/screenshots/ (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_admin.py
Without a DISPLAY it starts Xvfb on :12 for the duration.  It opens the
window, presses Start (port 0), connects a few real clients that join
rooms and talk, mutes one, and saves docs/screenshots/admin-running.png;
then it stops the server and saves docs/screenshots/admin-stopped.png.
Needs ImageMagick's `import`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.connection import ChatConnection  # noqa: E402
from chat_server.admin_window import AdminWindow  # noqa: E402
from chat_server.config import ServerConfig  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
XVFB_DISPLAY = ":12"
CLASS = [("alice", "general"), ("bob", "general"), ("chloe", "general"), ("dmitri", "physics"), ("emma", "physics")]
TALK = [
    ("alice", "SAY Good morning everyone!"),
    ("bob", "SAY Morning! Is the homework due today?"),
    ("chloe", "SAY Friday, I think."),
    ("dmitri", "SAY Anyone got the lab sheet?"),
    ("emma", "SAY It's on the class page."),
    ("bob", "SAY spam spam spam"),
]


def pump_until(root: tk.Tk, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        root.update()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {condition}")
        time.sleep(0.02)


def capture(root: tk.Tk, name: str) -> Path:
    root.update()
    path = OUT / name
    frame = root.wm_frame()
    subprocess.run(["import", "-window", frame, str(path)], check=True)
    return path


def take_screenshots() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    root = tk.Tk(className="ClassChatServer")
    root.geometry("1060x780+0+0")
    window = AdminWindow(root, ServerConfig(host="0.0.0.0", port=0), ask_text=lambda *_: "", ask_yes_no=lambda *_: True)
    pump_until(root, root.winfo_ismapped)
    shots = []
    clients: dict[str, ChatConnection] = {}
    try:
        window.start_server()
        assert window.server is not None
        address = ("127.0.0.1", window.server.address[1])
        for nick, room in CLASS:
            client = ChatConnection(*address).connect()
            client.send_command(f"NICK {nick}")
            client.send_command(f"JOIN {room}")
            client.wait_for("joined")
            clients[nick] = client
        for nick, command in TALK:
            clients[nick].send_command(command)
        pump_until(root, lambda: len(window.clients_view.clients) == len(CLASS) and len(window.rooms_view.rooms) == 2)
        window.set_muted("bob", True)
        window.broadcast("Lab starts in 5 minutes: open the worksheet.")
        pump_until(root, lambda: any(c.nick == "bob" and c.muted for c in window.clients_view.clients.values())
                   and sum(room.messages for room, _ in window.rooms_view.rooms.values()) == len(TALK))
        window.clients_view.select_nick("bob")
        pump_until(root, lambda: "muted" in window.log_pane.shown_text())
        shots.append(capture(root, "admin-running.png"))
        window.stop_server()
        pump_until(root, lambda: window.phase == "stopped")
        shots.append(capture(root, "admin-stopped.png"))
    finally:
        for client in clients.values():
            client.close()
        window.close()
    return shots


def main() -> int:
    xvfb = None
    if not os.environ.get("DISPLAY"):
        if shutil.which("Xvfb") is None:
            sys.exit("screenshot_admin: no DISPLAY and no Xvfb")
        xvfb = subprocess.Popen(["Xvfb", XVFB_DISPLAY, "-screen", "0", "1280x900x24", "-nolisten", "tcp"])
        os.environ["DISPLAY"] = XVFB_DISPLAY
        time.sleep(1.0)  # Xvfb has no readiness signal; the first Tk() retries below cover a slow start
    try:
        for attempt in range(5):
            try:
                shots = take_screenshots()
                break
            except tk.TclError as exc:
                if "display" not in str(exc) or attempt == 4:
                    raise
                time.sleep(0.5)
        for path in shots:
            print(path)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
