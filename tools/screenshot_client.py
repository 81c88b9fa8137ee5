"""Screenshots of the client window in a real X session, with real classmates on a real server (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_client.py
Without a DISPLAY it starts Xvfb on :11 for the duration.  It saves, in
docs/screenshots/:
  client-connect.png       the Connect dialog as it opens when nothing answers on this computer, listing a
                           class server announced (on loopback only) by DNS-SD
  client-chat.png          a room in full swing: rooms, people with their presence dots (one away), a link,
                           emoji, a mention, an announcement, "bob is typing…", an unread private message
  client-chat-dark.png     the same in the dark theme
  client-emoji-picker.png  the emoji picker the ☺ button beside Send opens
  client-private.png       a private conversation tab, the room's unread messages counted
  client-reconnecting.png  the server went away: lines typed meanwhile wait, marked
Needs ImageMagick's `import`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.core.connection import ChatConnection  # noqa: E402
from chat_gui.settings import ClientSettings  # noqa: E402
from chat_gui.window.controller import ChatController  # noqa: E402
from chat_server import ChatServer, ServerConfig  # noqa: E402
from chat_server.discovery import ServerAnnouncer  # noqa: E402
from tests.support import connect_client  # noqa: E402
from tools.screen_session import capture, pump_until, virtual_display  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
XVFB_DISPLAY = ":11"
LOOPBACK = ["127.0.0.1"]  # announce and look for servers on this computer only, never on the real network
CLASSMATES = [("bob", "general"), ("chloe", "general"), ("dmitri", "general"), ("emma", "maths"), ("farid", "maths")]


def settle(root: tk.Misc, seconds: float = 0.4) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)


def type_line(controller: ChatController, line: str) -> None:
    controller.window.entry.text.insert("insert", line)
    controller.window.entry.text.event_generate("<Return>")


def say(controller: ChatController, client: ChatConnection, text: str) -> None:
    """A classmate says text in the room; wait until the window shows it, so the lines keep their order."""
    client.send_command(f"SAY {text}")
    pump_until(controller.root, lambda: text in controller.room_view.all_text())


def take_screenshots() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("900x560+0+0")
    pump_until(root, root.winfo_ismapped)

    # 1. The Connect dialog as it opens when nothing answers on this computer, a class server announced on loopback.
    probe = ChatServer(ServerConfig(host="127.0.0.1", port=0)).start()
    free_port = probe.address[1]
    probe.stop()
    announced = ChatServer(ServerConfig(host="127.0.0.1", port=0)).start()
    announcer = ServerAnnouncer(
        "Physics 3B", announced.address[1], addresses=LOOPBACK, interfaces=LOOPBACK, fingerprint_prefix="3fa9c2"
    ).start()
    controller.settings = ClientSettings("localhost", free_port, "alice")
    controller.show_connect_dialog()
    dialog = controller.dialog
    assert dialog is not None
    dialog.geometry("+40+40")
    pump_until(root, lambda: dialog.start_button.winfo_manager() == "pack")
    pump_until(root, lambda: dialog.found.servers, 10)
    settle(root)
    saved.append(capture(dialog, OUT / "client-connect.png"))
    controller.shutdown()
    root.destroy()
    announcer.stop()
    announced.stop()

    # 2. A room in full swing.
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, rate_per_second=0)).start()
    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("900x560+0+0")
    pump_until(root, root.winfo_ismapped)
    classmates = {nick: connect_client(server.address, nick, room) for nick, room in CLASSMATES[:1]}
    controller.start(*server.address, "alice", "general")
    pump_until(root, lambda: controller.session.state == "ready")
    for nick, room in CLASSMATES[1:]:
        classmates[nick] = connect_client(server.address, nick, room)
    pump_until(root, lambda: len(controller.window.users.users) == 4)
    say(controller, classmates["bob"], "Good morning! Did everyone get the worksheet?")
    say(controller, classmates["chloe"], "Yes 👍 it's on https://example.org/physics/worksheet-3")
    type_line(controller, "Thanks! Question 4 is tricky 🤔")
    pump_until(root, lambda: "tricky" in controller.room_view.all_text())
    say(controller, classmates["dmitri"], "Alice, join me for lunch and we can go through it")
    say(controller, classmates["bob"], "The answer should be 9.81 m/s² — gravity again 🍎")
    server.broadcast("Test on Friday at 10:30 in room B12. Bring a calculator ✏️")
    pump_until(root, lambda: "calculator" in controller.room_view.all_text())
    say(controller, classmates["chloe"], "Thanks for the reminder!")
    classmates["emma"].send_command("PM alice are you coming to the maths room later?")
    pump_until(root, lambda: any("✉ emma" in row for row in controller.window.rooms.row_texts()))
    pump_until(root, lambda: len(controller.window.rooms.rooms) == 2, 25)
    classmates["chloe"].send_command("AWAY at the library until 2")
    pump_until(root, lambda: controller.session.presence.status("chloe") == "away")
    controller.window.entry.text.insert("insert", "see you at 12:30 :smi")
    controller.window.entry.text.event_generate("<Tab>")
    classmates["bob"].send_command("TYPING")
    pump_until(root, lambda: "typing" in str(controller.window.typing_line.cget("text")))
    settle(root)
    saved.append(capture(root, OUT / "client-chat.png"))
    controller.look.set_theme("dark")
    settle(root)
    saved.append(capture(root, OUT / "client-chat-dark.png"))
    controller.look.set_theme("light")
    picker = controller.look.open_picker()
    settle(root)
    saved.append(capture(picker, OUT / "client-emoji-picker.png"))
    picker.destroy()

    # 3. A private conversation.
    controller.window.entry.set_text("")
    classmates["chloe"].send_command("PM alice can you send me your notes from Monday?")
    pump_until(root, lambda: "chloe" in controller.window.tabs.private)
    controller.window.tabs.select(controller.window.tabs.private["chloe"].frame)
    type_line(controller, "Sure, I'll bring them tomorrow 🙂")
    classmates["chloe"].send_command("PM alice thank you!")
    pump_until(root, lambda: "thank you!" in controller.window.tabs.private["chloe"].view.all_text())
    say_unseen = classmates["dmitri"]
    say_unseen.send_command("SAY who has the link to the worksheet?")
    say_unseen.send_command("SAY found it, never mind")
    pump_until(root, lambda: any("2 new" in row for row in controller.window.rooms.row_texts()))
    settle(root, 0.6)
    saved.append(capture(root, OUT / "client-private.png"))

    # 4. The server goes away: typed lines wait.
    controller.window.tabs.select(controller.room_view)
    for client in classmates.values():
        client.close()
    server.stop()
    pump_until(root, lambda: controller.session.state in ("reconnecting", "connecting"))
    type_line(controller, "is the server down?")
    type_line(controller, "I'll keep typing, it will be sent later")
    settle(root, 0.6)
    saved.append(capture(root, OUT / "client-reconnecting.png"))
    controller.shutdown()
    root.destroy()
    return saved


def main() -> int:
    if shutil.which("import") is None:
        print("ImageMagick's `import` is needed to save the screenshots.", file=sys.stderr)
        return 2
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="classchat-screens-")  # never touch real settings
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="classchat-screens-data-")  # nor real history: a fresh room
    os.environ["CLASSCHAT_DISCOVERY_INTERFACES"] = ",".join(LOOPBACK)  # the dialog browses on loopback only
    with virtual_display(XVFB_DISPLAY, "1280x800x24"):
        for path in take_screenshots():
            print(f"saved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
