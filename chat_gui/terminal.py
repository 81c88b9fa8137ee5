"""The terminal client (`chat-term`): type commands, read the room, no screen needed; the client core does the rest.

    keyboard thread:  reads lines; hands each to the core thread (scheduler.call_soon)
    core thread:      ThreadScheduler running ClientSession and TerminalClient: typed lines become
                      commands (chat_gui.core.typed_lines, as in the window), events become printed lines
    printer thread:   Screen: writes the printed lines, so a paused terminal never stops the core
    main thread:      starts them and waits for the end (this module: arguments, run, main)

Modules: terminal_client.py (the core thread's side), terminal_keyboard.py
(the keyboard thread), terminal_screen.py (the printer thread).

Like the window, it reconnects by itself (RESUME first, so the nickname and
room come back), keeps lines typed while offline and sends them once back,
says at once when the server drops it, and does not come back after a kick.
A line that cannot be sent is printed back, never silently dropped.
After a reconnect it fetches what was said meanwhile (chat_gui.core.history)
and prints it once, in order; `/history [N]` and `/search WORDS` print kept
messages (chat_gui.text.history_lines).
`/login NICK` and `/register` ask for the password on the keyboard thread,
without echo on a terminal (getpass); no password is ever printed.
Incoming text is printed through `harmless()`, so a control sequence such
as ESC[2J shows up as the visible text "\\x1b[2J" and cannot clear the screen.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from chat_gui.core.scheduler import ThreadScheduler
from chat_gui.terminal_client import PASTE_WAITING_LINES, TerminalClient
from chat_gui.terminal_keyboard import read_keyboard, read_secret, tolerate_undecodable, typed_text
from chat_gui.terminal_screen import Screen, tolerate_unencodable
from chat_gui.terminal_wrap import ambiguous_is_wide_here
from shared.fingerprint import is_short_fingerprint
from shared.frames import DEFAULT_PORT
from shared.server_address import port_number, split_address
from shared.version import __version__

__all__ = ["Screen", "TerminalClient", "build_parser", "main", "run"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chat-term", description="ClassChat in a terminal.")
    parser.add_argument(
        "host",
        nargs="?",
        default="127.0.0.1",
        help="server address, with its port if you like: 192.168.1.20:55555, [fe80::1]:55555 (default 127.0.0.1)",
    )
    parser.add_argument("port", nargs="?", help=f"server port (default {DEFAULT_PORT})")
    parser.add_argument("--nick", help="nickname to register with at once")
    parser.add_argument(
        "--room",
        default="general",
        help='room to join once registered (default general, as the window; --room "" joins none)',
    )
    parser.add_argument("--join-code", metavar="CODE", help="the join code, for a server that asks for one")
    parser.add_argument(
        "--login", action="store_true", help="log in as --nick: the password is asked for (not shown) before connecting"
    )
    parser.add_argument(
        "--accept-new-key",
        action="store_true",
        help="trust the server's key even if it changed since last time, or go on without encryption if the "
        "server stopped offering it (compare the key with the teacher's screen first)",
    )
    parser.add_argument(
        "--accept-key",
        metavar="DIGITS",
        help="trust a changed server key only if its 20 digits are these (as chat-term printed them, or as the "
        "teacher's screen shows them: 0472-9918-3065-4410-7286); another key still stops",
    )
    parser.add_argument(
        "--allow-plain-passwords",
        action="store_true",
        help="send a password or join code even over an unencrypted connection to another computer, where anyone "
        "on the network could read it (without it chat-term refuses and says so)",
    )
    parser.add_argument(
        "--wide-ambiguous",
        action="store_true",
        help='count East Asian "ambiguous" characters (Greek, Cyrillic, box drawing, ①) as two columns, for a '
        "terminal set to draw them wide (automatic in a Chinese, Japanese or Korean locale)",
    )
    parser.add_argument(
        "--ids",
        action="store_true",
        help="print each message's id in its time stamp, [12:00:01 id 42], for /reply ID TEXT and /delete ID",
    )
    parser.add_argument("--version", action="version", version=f"ClassChat terminal client {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation (server on port 0, two clients) and exit"
    )
    return parser


def run(args: argparse.Namespace, keyboard: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    tolerate_unencodable(out)
    tolerate_undecodable(keyboard)
    wide = bool(getattr(args, "wide_ambiguous", False))
    screen = Screen(out, wide or ambiguous_is_wide_here(os.environ, getattr(out, "encoding", None)))
    scheduler = ThreadScheduler().start()
    restore_sigterm = _exit_on_sigterm()
    try:
        client = TerminalClient(args, scheduler, screen)
        if _is_terminal(keyboard):  # a paste is held to a few seconds of lines; a pipe is meant whole
            client.waiting_cap = PASTE_WAITING_LINES
        else:
            client.piped = True
        if getattr(args, "login", False) and args.nick:
            client.session.sign_in.log_in(args.nick, read_secret(keyboard, f"Password for {args.nick}: "))
        scheduler.call_soon(client.start)
        threading.Thread(target=read_keyboard, args=(keyboard, client), name="chat-keyboard", daemon=True).start()
        ended = False
        while True:
            try:
                while not client.finished.wait(0.5):
                    if screen.gone.is_set() and not ended:  # as a pipe's end: what was typed goes, then quit
                        ended = True
                        scheduler.call_soon(client.end_of_input)
                break
            except KeyboardInterrupt:  # cancels a transfer under way, else quits
                scheduler.call_soon(client.interrupt)
        client.finished.wait(2)
    finally:  # an exception and SIGTERM too: the line being written ends with autowrap back on (terminal_screen.py)
        scheduler.stop()
        screen.close()
        restore_sigterm()
        if screen.gone.is_set():
            _silence(out)
    return client.exit_code


def _silence(out: TextIO) -> None:
    """Point a closed output at the null device, so that Python's last flush at exit raises nothing and no
    "Exception ignored ... BrokenPipeError" is printed (with exit code 120) for what could not be shown."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, out.fileno())
        os.close(null)
    except (AttributeError, OSError, ValueError):
        pass


def _exit_on_sigterm() -> Callable[[], object]:
    """SIGTERM ends chat-term through `run`'s `finally` rather than at once, so the printer finishes the line it is
    writing (which turns the terminal's autowrap back on) and what is left is written. Returns what puts the
    handler it replaced back (nothing to do where signals cannot be set: not the main thread)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, stop)
    return lambda: signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    tolerate_unencodable(sys.stdout)  # --help has a ①: an ASCII locale or `> help.txt` on Windows (cp1252) raised
    args = build_parser().parse_args(argv)
    for name in ("host", "nick", "room", "join_code"):  # "Zoë" typed in an ASCII locale: escapes, read as UTF-8
        if isinstance(getattr(args, name, None), str):
            setattr(args, name, typed_text(getattr(args, name), sys.getfilesystemencoding()))
    if args.self_test:
        from chat_server.self_test import run_self_test

        return run_self_test(
            [
                "chat_gui.core.connection",
                "chat_gui.core.connection_security",
                "chat_gui.core.plain_secrets",
                "chat_gui.core.session",
                "chat_gui.core.typed_lines",
                "chat_gui.core.file_transfers",
                "chat_gui.core.transfer_client",
                "chat_gui.terminal",
                "chat_gui.terminal_client",
                "chat_gui.terminal_keyboard",
                "chat_gui.terminal_screen",
            ],
        )
    if args.accept_key is not None and not is_short_fingerprint(args.accept_key):
        print(
            "chat-term: --accept-key takes the server key's 20 digits, e.g. 0472-9918-3065-4410-7286.", file=sys.stderr
        )
        return 2
    if args.login and not args.nick:
        print("chat-term: --login needs --nick NAME (the account to log in to).", file=sys.stderr)
        return 2
    try:
        args.host, args.port = server_address(args.host, args.port)
    except ValueError as exc:
        print(f"chat-term: {exc}", file=sys.stderr)
        return 2
    return run(args)


def server_address(host: str, port: str | None) -> tuple[str, int]:
    """The host and port to connect to, from `host` (which may end in :PORT) and `port`; ValueError if they clash."""
    host, port_in_host = split_address(host)
    given = port_number(port) if port is not None else None
    if port_in_host is not None and given is not None and given != port_in_host:
        raise ValueError(f"two ports given, {port_in_host} in the address and {given} after it; give one.")
    return host or "127.0.0.1", port_in_host or given or DEFAULT_PORT


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main())
