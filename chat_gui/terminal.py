"""The terminal client (`chat-term`): type commands, read the room, no screen needed.

    main thread:    reads the keyboard (the only thread that does), sends commands
    printer thread: takes frames off the connection's inbox and prints them

Incoming text is printed through `harmless()`, so a control sequence such as
ESC[2J shows up as the visible text "\\x1b[2J" and cannot clear the screen.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TextIO

from chat_gui.connection import ChatConnection, Disconnected, NotConnected
from shared.frame_text import render_text
from shared.frames import DEFAULT_PORT
from shared.names import harmless
from shared.version import __version__

INTRO = "Connected. Lines starting with / are commands (/help lists them); other lines are said in your room."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chat-term", description="ClassChat in a terminal.")
    parser.add_argument("host", nargs="?", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("port", nargs="?", type=int, default=DEFAULT_PORT, help=f"server port (default {DEFAULT_PORT})")
    parser.add_argument("--nick", help="nickname to register with at once")
    parser.add_argument("--room", help="room to join once registered")
    parser.add_argument("--version", action="version", version=f"ClassChat terminal client {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation (server on port 0, two clients) and exit"
    )
    return parser


def line_to_command(line: str) -> str | None:
    """What to send for a typed line: "/join x" -> "join x", "hi" -> "SAY hi", blank -> None."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("/"):
        return text[1:]
    return f"SAY {text}"


def print_frames(connection: ChatConnection, out: TextIO, done: threading.Event) -> None:
    """Printer thread: print every frame until the connection ends."""
    while True:
        item = connection.inbox.get()
        if isinstance(item, Disconnected):
            if not item.by_user and not done.is_set():  # after a bye the server said why already
                print(f"*** {item.reason}. Press Enter to exit.", file=out, flush=True)
            done.set()
            return
        print(render_text(item, clean=harmless, multiline_help=True), file=out, flush=True)
        if item.get("type") == "bye":
            done.set()


def tolerate_unencodable(out: TextIO) -> None:
    """Print characters the output's encoding lacks (an emoji on a Latin-1 terminal) as escapes.

    Otherwise one such character raises in the printer thread, which dies,
    and the client silently stops showing anything.
    """
    reconfigure = getattr(out, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def run(args: argparse.Namespace, keyboard: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    tolerate_unencodable(out)
    connection = ChatConnection(args.host, args.port)
    try:
        connection.connect()
    except OSError as exc:
        print(
            f"chat-term: cannot connect to {args.host}:{args.port} ({exc.strerror or exc}). "
            f"Is the server running, and are the address and port right?",
            file=sys.stderr,
        )
        return 2
    done = threading.Event()
    printer = threading.Thread(target=print_frames, args=(connection, out, done), name="chat-printer", daemon=True)
    printer.start()
    print(INTRO, file=out, flush=True)
    try:
        if args.nick:
            connection.send_command(f"NICK {args.nick}")
        if args.room:
            connection.send_command(f"JOIN {args.room}")
        for line in keyboard:
            if done.is_set():
                break
            command = line_to_command(line)
            if command is not None:
                connection.send_command(command)
    except (NotConnected, KeyboardInterrupt):
        pass
    if not done.is_set():
        try:
            connection.send_command("QUIT")
        except NotConnected:
            pass
        done.wait(2)
    connection.close()
    printer.join(2)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from chat_server.self_test import run_self_test

        return run_self_test(["chat_gui.connection", "chat_gui.terminal"])
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
