"""Screenshots of the client window in a real X session, with real classmates on a real server (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_client.py
Without a DISPLAY it starts Xvfb on :11 for the duration.  It saves, in
docs/screenshots/:
  client-connect.png       the Connect dialog as it opens when nothing answers on this computer, listing a
                           class server announced (on loopback only) by DNS-SD
  client-connect-impostor.png  the Connect dialog after a real join pinned the teacher's key at 127.0.0.1: a
                           "Physics 3B" at 127.0.0.2 (a real second server) listed with that key reads "⚠ not
                           the address you trusted" in red, with the sentence under the list (the row given to
                           the list as tests/gui/client/test_client_found_servers.py does)
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
from shared.discovery_record import ANNOUNCED_PROTOCOL, FoundServer  # noqa: E402
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


def teacher_and_impostor() -> tuple[ChatServer, ChatServer]:
    """The teacher's server on 127.0.0.1 and another one on 127.0.0.2 at the same port (a few tries)."""
    for _attempt in range(5):
        teacher = ChatServer(
            ServerConfig(host="127.0.0.1", port=0, data_dir=tempfile.mkdtemp(prefix="teacher-"))
        ).start()
        config = ServerConfig(host="127.0.0.2", port=teacher.address[1], data_dir=tempfile.mkdtemp(prefix="impostor-"))
        try:
            return teacher, ChatServer(config).start()
        except OSError:
            teacher.stop()
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


def take_impostor() -> Path:
    """The Connect dialog after a real TLS join pinned the teacher's key at 127.0.0.1: another server, running on
    127.0.0.2 at the same port, is listed with the teacher's class name and key prefix, its own address first and the
    teacher's second; its row warns, in red, with a sentence under the list."""
    teacher, impostor = teacher_and_impostor()
    assert teacher.tls is not None
    host, port = teacher.address
    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("900x560+0+0")
    pump_until(root, root.winfo_ismapped)
    controller.start(host, port, "alice", "general")  # trust on first use: the teacher's key is pinned for 127.0.0.1
    pump_until(root, lambda: controller.session.state == "ready")
    controller.shutdown()
    root.destroy()

    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("900x560+0+0")
    pump_until(root, root.winfo_ismapped)
    controller.settings = ClientSettings(host, port, "alice")  # the address the class joined last time
    controller.show_connect_dialog()
    dialog = controller.dialog
    assert dialog is not None
    dialog.geometry("+40+40")
    pump_until(root, lambda: dialog.found.winfo_ismapped())
    # The announcement as the browser hands it on (chat_gui/core/discovery.py), given to the list as the test does:
    # announced by zeroconf on loopback, the two addresses came back with the teacher's first in either order.
    impostor_row = FoundServer(
        f"Physics 3B on school-pc port {port}._classchat._tcp.local.",
        "Physics 3B",
        ("127.0.0.2", host),  # its own address first (the one a double-click joins), the teacher's second
        port,
        ANNOUNCED_PROTOCOL,
        teacher.tls.fingerprint.hex[:16],  # the teacher's key, borrowed
        "",
    )
    found = dialog.found
    for _attempt in range(3):  # another run's announcement on loopback may replace the list meanwhile
        found.show_servers((impostor_row,))
        settle(root)
        path = capture(dialog, OUT / "client-connect-impostor.png")
        if found.servers == (impostor_row,) and [key.state for key in found.key_states] == ["elsewhere"]:
            break
    else:
        raise RuntimeError("the list kept changing: other announcements on loopback")
    controller.shutdown()
    root.destroy()
    impostor.stop()
    teacher.stop()
    return path


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
    saved.append(take_impostor())

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
