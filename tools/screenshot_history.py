"""A screenshot of the admin window's History dialog after an export, for docs/screenshots/ (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_history.py [--out DIR] [--display :N]
Without a DISPLAY it starts Xvfb on :14 (or --display), a 1366x768 screen.
It starts the admin window's server on 127.0.0.1 port 0 with a temporary
data folder (never the user's), connects a few real clients that talk in
#physics, selects the room, opens History…, finds the messages with
"force" and selects one, exports today's transcript to a temporary .html
file and saves admin-history.png once the dialog shows the result and the
database's figures.  Needs ImageMagick's `import`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.core.connection import ChatConnection  # noqa: E402
from chat_server.admin_gui.window import AdminWindow  # noqa: E402
from chat_server.config import ServerConfig  # noqa: E402
from tools.screen_session import capture, pump_until, virtual_display  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
XVFB_DISPLAY = ":14"
SCREEN = "1366x768x24"
TALK = [
    ("dmitri", "physics", "SAY Anyone got the lab sheet?"),
    ("emma", "physics", "SAY It's on the class page."),
    ("dmitri", "physics", "SAY Thanks! What does question 3 mean by 'net force'?"),
    ("emma", "physics", "SAY The sum of all the forces on the trolley."),
    ("farid", "physics", "SAY So if they cancel out it moves at constant speed?"),
    ("emma", "physics", "SAY Yes, Newton's first law."),
]


def take_screenshot(out: Path, folder: Path, theme: str = "light") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    root = tk.Tk(className="ClassChatServer")
    transcript = folder / "physics-lesson.html"
    window = AdminWindow(
        root,
        ServerConfig(host="127.0.0.1", port=0, data_dir=str(folder / "data")),
        ask_text=lambda *_: "",
        ask_yes_no=lambda *_: True,
        ask_save_path=lambda *_: str(transcript),
        settings_path=folder / "admin.json",  # never the user's settings
    )
    window.theme.set_theme(theme)
    root.geometry("+0+0")
    pump_until(root, root.winfo_ismapped)
    clients: dict[str, ChatConnection] = {}
    try:
        window.start_server()
        assert window.server is not None
        for nick, room, command in TALK:
            if nick not in clients:
                client = ChatConnection(*window.server.address).connect()
                client.send_command(f"NICK {nick}")
                client.send_command(f"JOIN {room}")
                client.wait_for("joined")
                clients[nick] = client
            clients[nick].send_command(command)
        pump_until(root, lambda: any(room.messages == len(TALK) for room, _ in window.rooms_view.rooms.values()))
        window.rooms_view.select_room("physics")
        pump_until(root, lambda: window.rooms_view.selected())
        dialog = window.open_history()
        dialog.geometry(f"+{root.winfo_width() // 3}+{root.winfo_height() // 4}")
        pump_until(root, lambda: dialog.busy == 0 and "messages kept" in dialog.info.get())
        dialog.words.set("force")
        dialog.find_button.invoke()
        pump_until(root, lambda: dialog.busy == 0 and len(dialog.results.get_children()) == 2)
        dialog.results.selection_set(dialog.results.get_children()[-1])
        dialog.export_button.invoke()
        pump_until(root, lambda: dialog.busy == 0 and dialog.outcome.get().startswith("Wrote"))
        return capture(dialog, out / ("admin-history.png" if theme == "light" else f"admin-history-{theme}.png"))
    finally:
        for client in clients.values():
            client.close()
        window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNG (default {OUT})")
    parser.add_argument("--display", default=XVFB_DISPLAY, help=f"the Xvfb display to start (default {XVFB_DISPLAY})")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="dark: admin-history-dark.png")
    args = parser.parse_args()
    with virtual_display(args.display, SCREEN), tempfile.TemporaryDirectory(prefix="classchat-shot-") as folder:
        print(take_screenshot(args.out, Path(folder), args.theme))
    return 0


if __name__ == "__main__":
    sys.exit(main())
