"""Screenshots of who is who in the chat window, on a real server with real classmates (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_identity.py
Without a DISPLAY it starts Xvfb on :12 for the duration.  It saves, in
docs/screenshots/:
  client-login.png          the Connect dialog: the server asked for a join code, and a wrong password was refused
  client-teacher-menu.png   a teacher's window: topic, a locked room, teachers marked (and her line), the right-click menu on a student
Needs ImageMagick's `import`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.settings import ClientSettings  # noqa: E402
from chat_gui.window.controller import ChatController  # noqa: E402
from chat_gui.window.login_dialog import LOG_IN  # noqa: E402
from chat_server import ChatServer, ServerConfig  # noqa: E402
from tests.support import connect_client  # noqa: E402
from tools.screen_session import capture, pump_until, virtual_display  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "blackboard-42"


def settle(root: tk.Misc, seconds: float = 0.5) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)


def take_screenshots(data_dir: str) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=data_dir, join_code="K7P4XQ")).start()
    try:
        server.create_account("Ms_Okafor", PASSWORD, "teacher")
        classmates = []
        for nick, room in (("bob", "general"), ("chloe", "general"), ("dmitri", "general"), ("emma", "lab")):
            client = connect_client(server.address)
            client.send_command("PASS K7P4XQ")
            client.send_command(f"NICK {nick}")
            client.send_command(f"JOIN {room}")
            client.wait_for("joined")
            classmates.append(client)
        classmates[-1].send_command("KEY circuits")
        root = tk.Tk(className="ClassChat")
        root.geometry("+0+0")
        controller = ChatController(root, ClientSettings(nick="Ms_Okafor", log_in=True), save=False)
        pump_until(root, root.winfo_ismapped)

        # 1. The Connect dialog: the server wants a join code, and the password typed first was wrong.
        controller.show_connect_dialog()
        dialog = controller.dialog
        assert dialog is not None
        dialog.geometry("+40+40")
        dialog.host_var.set("127.0.0.1")
        dialog.port_var.set(str(server.address[1]))
        dialog.account.password_var.set("blackbaord-42")
        dialog.connect_button.invoke()
        pump_until(root, dialog.account.code_shown)
        dialog.account.code_var.set("K7P4XQ")
        dialog.connect_button.invoke()
        pump_until(root, lambda: "password" in str(dialog.account.password_message.cget("text")).lower())
        settle(root)
        saved.append(capture(dialog, OUT / "client-login.png"))
        assert dialog.account.mode() == LOG_IN

        # 2. Logged in: a teacher's window and its right-click menu on a student.
        dialog.account.password_var.set(PASSWORD)
        dialog.connect_button.invoke()
        pump_until(root, lambda: controller.session.state == "ready")
        controller.send_typed("/topic Circuits, week 3: bring your worksheets")
        for client, text in zip(
            classmates[:3], ("morning!", "is the quiz today?", "I brought the worksheet"), strict=True
        ):
            client.send_command(f"SAY {text}")
            pump_until(root, lambda text=text: text in controller.room_view.all_text())  # in order
        controller.send_typed("The quiz is on Friday: chapters 3 and 4")  # the teacher's own line, marked teacher
        pump_until(root, lambda: "chapters 3 and 4" in controller.room_view.all_text())
        pump_until(root, lambda: any("🔒" in line for line in controller.window.rooms.listbox.get(0, "end")))
        users = controller.window.users
        pump_until(root, lambda: "dmitri" in users.users)
        settle(root)
        index = users.users.index("dmitri")
        users.listbox.selection_set(index)
        x, y, _w, h = users.listbox.bbox(index)
        menu = controller.identity.menus.build_user_menu("dmitri")
        menu.post(users.listbox.winfo_rootx() + users.listbox.winfo_width() - 8, users.listbox.winfo_rooty() + y)
        settle(root)
        path = OUT / "client-teacher-menu.png"
        # the menu is a window of its own, so the screen is cut to the chat window's place (menu included)
        # (from the screen's corner, where the window is, so that its menu bar is in the picture too)
        place = f"{root.winfo_rootx() + root.winfo_width()}x{root.winfo_rooty() + root.winfo_height()}+0+0"
        subprocess.run(["import", "-window", "root", "-crop", place, str(path)], check=True)
        saved.append(path)
        menu.unpost()
        controller.shutdown()
        root.destroy()
        for client in classmates:
            client.close()
    finally:
        server.stop()
    return saved


def main() -> int:
    with virtual_display(":12", size="1100x700x24"), tempfile.TemporaryDirectory() as data_dir:
        for path in take_screenshots(data_dir):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
