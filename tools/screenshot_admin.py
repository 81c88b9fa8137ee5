"""Screenshots of the server admin window with real clients connected, for docs/screenshots/ (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_admin.py [--scaling PERCENT] [--out DIR]
Without a DISPLAY it starts Xvfb on :12, a 1366x768 screen (the smallest
common laptop screen), for the duration.  It opens the window at its own
size, presses Start (port 0), connects a few real clients that join rooms
and talk (with the join code; a teacher logs in to her account), mutes one,
and saves admin-running.png; then admin-accounts.png and admin-bans.png
with those dialogs open over it; then it stops the server and saves
admin-stopped.png.  --scaling 125 or 150 draws it as a desktop
set to that scaling would (for checking; the docs show 100%).  --theme dark
takes the same pictures in the dark theme, named admin-running-dark.png
and so on.  The settings file is a temporary one, never the user's.
Needs ImageMagick's `import`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.core.connection import ChatConnection  # noqa: E402
from chat_server.admin_gui.window import AdminWindow  # noqa: E402
from chat_server.config import ServerConfig  # noqa: E402
from tools.screen_session import pump_until, virtual_display  # noqa: E402

SCREEN_SIZE = (1366, 768)


def capture_with_menu(root: tk.Tk, path: Path) -> Path:
    """The main window with its menu bar (Tk draws the bar above the window's own area, at the screen's top)."""
    root.update()
    width, height = root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height()
    subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+0+0", str(path)], check=True)
    return path


def capture_screen(root: tk.Misc, path: Path) -> Path:
    """The whole screen (the main window with a dialog over it), cropped to the screen's size."""
    root.update()
    subprocess.run(
        ["import", "-window", "root", "-crop", f"{SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}+0+0", str(path)], check=True
    )
    return path


OUT = ROOT / "docs" / "screenshots"
XVFB_DISPLAY = ":12"
SCREEN = "1366x768x24"
JOIN_CODE = "K7MXR4"
CLASS_NAME = "Physics 3B"
LOOPBACK = ("127.0.0.1",)  # announce on this computer only, never on the real network
TEACHER, TEACHER_PASSWORD = "Ms_Khan", "violet staircase 42"
CLASS = [("alice", "general"), ("bob", "general"), ("chloe", "general"), ("dmitri", "physics"), ("emma", "physics")]
TALK = [
    ("alice", "SAY Good morning everyone!"),
    ("bob", "SAY Morning! Is the homework due today?"),
    ("chloe", "SAY Friday, I think."),
    ("dmitri", "SAY Anyone got the lab sheet?"),
    ("emma", "SAY It's on the class page."),
    ("bob", "SAY spam spam spam"),
]


def take_screenshots(out: Path, scaling_percent: int = 100, theme: str = "light") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    root = tk.Tk(className="ClassChatServer")
    root.tk.call("tk", "scaling", 96 / 72 * scaling_percent / 100)
    folder = tempfile.TemporaryDirectory(prefix="classchat-shot-")  # never the user's data or settings folder
    # Listening on every interface shows the LAN addresses in the banner; the announcement stays on loopback.
    config = ServerConfig(
        host="0.0.0.0", port=0, join_code=JOIN_CODE, data_dir=folder.name, class_name=CLASS_NAME, announce_on=LOOPBACK
    )
    settings = Path(folder.name) / "admin.json"
    window = AdminWindow(root, config, ask_text=lambda *_: "", ask_yes_no=lambda *_: True, settings_path=settings)
    window.theme.set_theme(theme)
    suffix = "" if theme == "light" else f"-{theme}"
    root.geometry("+0+0")
    pump_until(root, root.winfo_ismapped)
    shots = []
    clients: dict[str, ChatConnection] = {}
    try:
        window.start_server()
        assert window.server is not None
        address = ("127.0.0.1", window.server.address[1])
        window.server.create_account(TEACHER, TEACHER_PASSWORD, "teacher")
        window.server.create_account("fatima", TEACHER_PASSWORD, "student")
        teacher = ChatConnection(*address).connect()
        teacher.send_command(f"PASS {JOIN_CODE}")
        teacher.send_command(f"LOGIN {TEACHER} {TEACHER_PASSWORD}")
        teacher.send_command("JOIN general")
        teacher.wait_for("joined", 30)
        clients[TEACHER] = teacher
        for nick, room in CLASS:
            client = ChatConnection(*address).connect()
            client.send_command(f"PASS {JOIN_CODE}")
            client.send_command(f"NICK {nick}")
            client.send_command(f"JOIN {room}")
            client.wait_for("joined")
            clients[nick] = client
        for nick, command in TALK:
            clients[nick].send_command(command)
        pump_until(
            root, lambda: len(window.clients_view.clients) == len(CLASS) + 1 and len(window.rooms_view.rooms) == 2
        )
        window.set_muted("bob", True)
        window.broadcast("Lab starts in 5 minutes: open the worksheet.")
        pump_until(
            root,
            lambda: (
                any(c.nick == "bob" and c.muted for c in window.clients_view.clients.values())
                and sum(room.messages for room, _ in window.rooms_view.rooms.values()) == len(TALK)
            ),
        )
        window.clients_view.select_nick("bob")
        pump_until(root, lambda: "muted" in window.log_pane.shown_text())
        shots.append(capture_with_menu(root, out / f"admin-running{suffix}.png"))
        accounts = window.open_accounts()
        accounts.geometry("+300+140")
        accounts.select(TEACHER)
        pump_until(root, accounts.winfo_ismapped)
        shots.append(capture_screen(root, out / f"admin-accounts{suffix}.png"))
        accounts.destroy()
        window.ban("dmitri", 30, "rude to classmates")
        pump_until(root, lambda: len(window.clients_view.clients) == len(CLASS))
        bans = window.open_bans()
        bans.geometry("+250+160")
        pump_until(root, bans.winfo_ismapped)
        shots.append(capture_screen(root, out / f"admin-bans{suffix}.png"))
        bans.destroy()
        window.stop_server()
        pump_until(root, lambda: window.phase == "stopped")
        shots.append(capture_with_menu(root, out / f"admin-stopped{suffix}.png"))
    finally:
        for client in clients.values():
            client.close()
        window.close()
        folder.cleanup()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scaling", type=int, default=100, help="desktop scaling in percent (default 100)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT})")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="dark adds -dark to the names")
    args = parser.parse_args()
    with virtual_display(XVFB_DISPLAY, SCREEN):
        for path in take_screenshots(args.out, args.scaling, args.theme):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
