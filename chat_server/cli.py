"""The headless server script (`chat-server`, `python -m chat_server`): arguments, logging, run until a signal.

The main thread parses arguments, starts the server's threads and then only
waits for SIGINT/SIGTERM; it stops the server and exits 0.  The admin
console reads standard input on its own thread (chat_server.console).
Nothing is written to stdout or stderr directly once the server runs: the
log, the banner and the console's answers go through bounded queues to
writer threads (chat_server.log_output), so output that nobody reads never
blocks the server or its shutdown.  `--gui` hands over to the admin window
instead (chat_server.admin_gui), which logs to its own pane.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

from chat_server.announcing import Announcement
from chat_server.config import ServerConfig
from chat_server.console import AdminConsole
from chat_server.folder_busy import FolderBusy
from chat_server.log_output import HeadlessOutput
from chat_server.netinfo import join_addresses, join_lines
from chat_server.options import add_server_options, check_tls_options, config_from_args
from chat_server.server import ChatServer
from chat_server.tls.errors import CertificateError
from chat_server.tls.server_tls import NO_TLS_LINE
from shared.version import __version__

# What --self-test imports: the modules this executable must carry (tests/unit/test_shipped_modules.py
# checks that the build can find each of them from the entry point).
SHIPPED_MODULES = [
    "chat_server.cli",
    "chat_server.console",
    "chat_server.log_output",
    "chat_server.server",
    "chat_server.announcing",
    "chat_server.discovery",
    "zeroconf",
    "chat_server.files.sharing",
    "chat_server.handlers.files",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-server",
        description="Run the ClassChat server. Without --gui it runs in the terminal: type /help there "
        "for the admin commands, stop it with Ctrl+C.",
        epilog="For a classroom, use --host 0.0.0.0 and read out one of the addresses it prints. "
        "Every limit set to 0 is turned off.",
    )
    add_server_options(parser)
    parser.add_argument(
        "--gui",
        action="store_true",
        help="open the admin window instead (chat-server-gui; listens on 0.0.0.0 unless --host says otherwise)",
    )
    parser.add_argument(
        "--start",
        action="store_true",
        help="with --gui: start serving at once (without --gui the server always starts)",
    )
    parser.add_argument("--no-console", action="store_true", help="do not read admin commands from standard input")
    return parser


def bind_or_explain(config: ServerConfig) -> ChatServer:
    try:
        return ChatServer(config)
    except CertificateError as exc:
        print(f"chat-server: cannot start: {exc}", file=sys.stderr)
        sys.exit(2)
    except FolderBusy as exc:
        print(
            f"chat-server: cannot start: {exc}. Stop that server first, or give this one another folder "
            "with --data-dir.",
            file=sys.stderr,
        )
        sys.exit(2)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            sys.exit(
                f"chat-server: port {config.port} is already in use on {config.host}. "
                f"Is another ClassChat server running? Stop it, or pick another port with --port."
            )
        sys.exit(f"chat-server: cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")


def console_wanted(args: argparse.Namespace) -> bool:
    """Read admin commands from stdin unless told not to or started in the background of a terminal.

    A background job that reads its terminal is stopped by the shell
    (SIGTTIN), which would freeze the server, so then there is no console.
    """
    if args.no_console or sys.stdin is None or sys.stdin.closed:
        return False
    try:
        stdin_fd = sys.stdin.fileno()
    except (OSError, ValueError):
        return False
    if not os.isatty(stdin_fd) or not hasattr(os, "tcgetpgrp"):  # a pipe, or no job control (Windows)
        return True
    try:
        return os.tcgetpgrp(stdin_fd) == os.getpgrp()
    except OSError:
        return True


def print_banner(
    server: ChatServer, console: bool, say: Callable[[str], None], announcement: Announcement | None = None
) -> None:
    host, port = server.address
    say(f"ClassChat server {__version__} listening on {host}:{port}")
    if host in ("0.0.0.0", "::"):
        for line in join_lines(join_addresses(host, port)):
            say(line)
    if announcement is not None:
        say(announcement.describe())
    code = server.join_code()
    if code:
        say(f"Join code: {code}  (students type it when the chat window asks, or /pass {code})")
    for line in server.tls.describe() if server.tls is not None else [NO_TLS_LINE]:
        say(line)
    if server.tls is not None:
        say("Students compare these 20 digits with Connection details in their chat window.")
    status = server.storage.status()
    if not status.ok or status.notices:
        say(f"History: {status.describe()}")
    if console:
        say(
            "Type /help for the admin commands "
            "(/kick, /mute, /broadcast, /close, /clients, /rooms, /find, /export, /code, /bans)."
        )
    say("Press Ctrl+C to stop.")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_tls_options(parser, args)
    if args.self_test:
        from chat_server.self_test import run_self_test

        return run_self_test(SHIPPED_MODULES)
    if args.gui:
        try:
            from chat_server.admin_gui.app import run_window
        except ImportError as exc:  # e.g. the headless executable, built without Tk
            sys.exit(
                f"chat-server: the admin window is not available here ({exc}); use ClassChat-Server or chat-server-gui."
            )
        return run_window(args)
    # The log is set up first: what opening the data folder warns about ("memory only") is a log line like any other.
    output = HeadlessOutput(sys.stdout, sys.stderr, args.log_level)
    try:
        server = bind_or_explain(config_from_args(args))
    except BaseException:
        output.close()
        raise
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        logging.getLogger("chat_server").info("signal %d: stopping", signum)
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    announcement: Announcement | None = None
    try:
        server.start()
        announcement = Announcement.for_server(server).start()
        console = console_wanted(args)
        print_banner(server, console, output.print, announcement)
        if console:
            AdminConsole(server).start(sys.stdin, output.print)
        while not stop_requested.wait(0.5):
            pass
        announcement.stop()  # first: the Connect dialogs drop the server before it says goodbye to anyone
        server.stop()
    finally:
        if announcement is not None:
            announcement.stop()
        output.close()
    return 0
