"""Screenshots of sharing files: the chat window's cards, thumbnail and rows, the program warning, the Hand-ins (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_files.py
Without a DISPLAY it starts Xvfb on :12 for the duration.  It saves, in
docs/screenshots/:
  client-files.png          a saved worksheet's card, a screenshot shown inline, a video half-way up
  client-files-warning.png  the question before a received program is opened
  admin-handins.png         the admin window with four hand-ins beside the log
Servers, data and settings live in a temporary folder.  Needs ImageMagick's `import`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tkinter as tk
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.settings import ClientSettings  # noqa: E402
from chat_gui.window.controller import ChatController  # noqa: E402
from chat_gui.window.file_card import FileCard  # noqa: E402
from chat_server import ChatServer, ServerConfig  # noqa: E402
from tools.screen_session import pump_until, virtual_display  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
XVFB_DISPLAY = ":12"


def gradient_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(
        b"\x00" + b"".join(bytes([x * 255 // width, y * 255 // height, 180]) for x in range(width))
        for y in range(height)
    )
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def shoot(root: tk.Misc, path: Path) -> None:
    """The screen's top left, as far as the window reaches (its menu bar and any dialog over it included)."""
    root.update()
    width, height = root.winfo_rootx() + root.winfo_width(), root.winfo_rooty() + root.winfo_height()
    subprocess.run(["import", "-window", "root", "-crop", f"{width}x{height}+0+0", str(path)], check=True)


def cards(controller: ChatController, name: str) -> list[FileCard]:
    return [card for found in controller.files.cards.values() for card in found if card.name == name]


def held_connect(address: tuple[str, int], gate: threading.Event):
    """Transfer connections whose upload waits at 9 MiB until `gate` opens, so a row is caught half-way."""

    class Held(socket.socket):
        def sendfile(self, file, offset=0, count=None):  # type: ignore[no-untyped-def]
            if offset >= 9 * 1024 * 1024:
                gate.wait(60)
            return super().sendfile(file, offset, count)

    def connect() -> socket.socket:
        plain = socket.create_connection(address, timeout=30)
        held = Held(plain.family, plain.type, plain.proto, fileno=plain.detach())
        held.settimeout(30)
        return held

    return lambda: connect


def client_shots(folder: Path) -> None:
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=str(folder / "server"))).start()
    root = tk.Tk()
    bob = ChatController(root, ClientSettings(), save=False)
    alice_top = tk.Toplevel(root)
    alice = ChatController(alice_top, ClientSettings(), save=False)
    try:
        bob.start(*server.address, "bob", "general")
        alice.start(*server.address, "alice", "general")
        pump_until(root, lambda: bob.session.state == "ready" and alice.session.state == "ready", 20)
        alice_top.withdraw()
        downloads = folder / "Downloads"
        downloads.mkdir()
        bob.files.downloads = lambda: downloads
        bob.files.launch = lambda path: None
        files = folder / "files"
        files.mkdir()
        (files / "worksheet-3.pdf").write_bytes(os.urandom(1_250_000))
        (files / "screenshot.png").write_bytes(gradient_png(480, 300))
        (files / "setup.exe").write_bytes(b"MZ" + os.urandom(5000))
        (files / "class-video.mp4").write_bytes(os.urandom(22 * 1024 * 1024))
        alice.files.send_file(files / "worksheet-3.pdf")
        pump_until(root, lambda: cards(bob, "worksheet-3.pdf"), 20)
        worksheet = cards(bob, "worksheet-3.pdf")[0]
        worksheet.save_button.invoke()
        pump_until(root, lambda: worksheet.saved_path, 20)
        alice.files.send_file(files / "screenshot.png")
        pump_until(root, lambda: cards(bob, "screenshot.png"), 20)
        picture = cards(bob, "screenshot.png")[0]
        picture.picture_button.invoke()
        pump_until(root, picture.has_thumbnail, 20)
        gate = threading.Event()
        bob.files.transfers._connect = held_connect(server.address, gate)  # the core takes how to connect
        key = bob.files.send_file(files / "class-video.mp4")
        pump_until(root, lambda: (row := bob.window.transfers.get(key)) is not None and row.fraction() > 0, 20)
        deadline = time.monotonic() + 0.6
        pump_until(root, lambda: time.monotonic() > deadline)
        shoot(root, OUT / "client-files.png")
        gate.set()
        alice.files.send_file(files / "setup.exe")
        pump_until(root, lambda: cards(bob, "setup.exe"), 20)
        program = cards(bob, "setup.exe")[0]
        program.save_button.invoke()
        pump_until(root, lambda: program.saved_path, 20)

        crop = f"{root.winfo_rootx() + root.winfo_width()}x{root.winfo_rooty() + root.winfo_height()}+0+0"

        def shoot_the_question() -> None:  # the dialog runs its own event loop: shoot from beside it, no Tk here
            time.sleep(1.5)
            subprocess.run(["import", "-window", "root", "-crop", crop, str(OUT / "client-files-warning.png")])
            subprocess.run(["xdotool", "key", "Escape"])

        threading.Thread(target=shoot_the_question, daemon=True).start()
        program.open_button.invoke()
    finally:
        bob.shutdown()
        alice.shutdown()
        root.destroy()
        server.stop()


def admin_shot(folder: Path) -> None:
    from chat_server.admin_gui.window import AdminWindow
    from tests.integration.file_wire import ChatLine, share

    root = tk.Tk()
    window = AdminWindow(
        root,
        ServerConfig(host="127.0.0.1", port=0, data_dir=str(folder / "admin-server")),
        settings_path=folder / "admin.json",  # never the user's settings: light, as the other shots
    )
    window.theme.set_theme("light")
    lines: list[ChatLine] = []
    try:
        pump_until(root, root.winfo_ismapped)
        assert window.start_server()
        server = window.server
        assert server is not None
        # A teacher's account is logged in to (a NICK of a registered name is refused now).
        server.create_account("MsLee", "violet staircase 42", "teacher")
        teacher = ChatLine(server.address)
        teacher.send("LOGIN MsLee violet staircase 42")
        teacher.request("JOIN general", "joined")
        lines.append(teacher)
        for nick, name, size in (
            ("alice", "essay.pdf", 180_000),
            ("bob", "essay.pdf", 240_000),
            ("chen", "lab-report.docx", 1_300_000),
            ("dara", "graph.png", 64_000),
        ):
            chat = ChatLine(server.address, nick, "general")
            lines.append(chat)
            (folder / nick).mkdir()
            (folder / nick / name).write_bytes(os.urandom(size))
            share(chat, folder / nick / name, "@MsLee")
        pump_until(root, lambda: len(window.handins.records) == 4)
        window.handins.tree.selection_set(window.handins.tree.get_children()[1])
        deadline = time.monotonic() + 1.0
        pump_until(root, lambda: time.monotonic() > deadline)
        shoot(root, OUT / "admin-handins.png")
    finally:
        for chat in lines:
            chat.close()
        window.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary, virtual_display(XVFB_DISPLAY, "1366x768x24"):
        folder = Path(temporary)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        client_shots(folder)
        admin_shot(folder)
    print(f"saved in {OUT}")


if __name__ == "__main__":
    main()
