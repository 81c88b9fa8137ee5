"""The headless server script (`chat-server`, `python -m chat_server`): arguments, logging, run until a signal.

The main thread parses arguments, starts the server's threads and then only
waits for SIGINT/SIGTERM; it stops the server and exits 0.  The admin
console reads standard input on its own thread (chat_server.console).
`--gui` hands over to the admin window instead (chat_server.admin_window).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import threading

from chat_server.config import ServerConfig
from chat_server.console import AdminConsole
from chat_server.netinfo import join_addresses
from chat_server.server import ChatServer
from shared.frames import DEFAULT_HOST, DEFAULT_PORT
from shared.version import __version__

DEFAULTS = ServerConfig()


def add_server_options(parser: argparse.ArgumentParser, host_default: str = DEFAULT_HOST) -> None:
    """The options the headless script and the admin window share: address, limits, logging.

    --host stays None when not given, so `config_from_args` can apply the
    default of the program that runs (the window listens on the LAN).
    """
    parser.add_argument("--version", action="version", version=f"ClassChat server {__version__}")
    parser.add_argument("--host", help=f"address to listen on (default {host_default}; 0.0.0.0 for the LAN)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)")
    limits = parser.add_argument_group("limits (0 turns one off)")
    limits.add_argument("--max-clients", type=int, default=DEFAULTS.max_clients, help="connections at once (default %(default)s)")
    limits.add_argument("--register-timeout", type=float, default=DEFAULTS.register_timeout, metavar="SECONDS", help="time to get a nickname accepted (default %(default)s)")
    limits.add_argument("--idle-timeout", type=float, default=DEFAULTS.idle_timeout, metavar="SECONDS", help="silence before hanging up (default %(default)s)")
    limits.add_argument("--max-outbound-bytes", type=int, default=DEFAULTS.max_outbound_bytes, metavar="BYTES", help="unsent output per client before it is cut off (default %(default)s)")
    limits.add_argument("--rate", type=float, default=DEFAULTS.rate_per_second, metavar="PER_SECOND", help="commands per second per connection (default %(default)s)")
    limits.add_argument("--burst", type=int, default=DEFAULTS.rate_burst, help="commands allowed in a burst (default %(default)s)")
    limits.add_argument("--backlog", type=int, default=DEFAULTS.listen_backlog, help="pending connections the OS may queue (default %(default)s)")
    parser.add_argument("--self-test", action="store_true", help="check this installation (server on port 0, two clients) and exit")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="how much to log (default INFO; message text only at DEBUG)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-server",
        description="Run the ClassChat server. Without --gui it runs in the terminal: type /help there "
        "for the admin commands, stop it with Ctrl+C.",
        epilog="For a classroom, use --host 0.0.0.0 and read out one of the addresses it prints. "
        "Every limit set to 0 is turned off.",
    )
    add_server_options(parser)
    parser.add_argument("--gui", action="store_true", help="open the admin window instead (chat-server-gui; listens on 0.0.0.0 unless --host says otherwise)")
    parser.add_argument("--start", action="store_true", help="with --gui: start serving at once (without --gui the server always starts)")
    parser.add_argument("--no-console", action="store_true", help="do not read admin commands from standard input")
    return parser


def config_from_args(args: argparse.Namespace, default_host: str = DEFAULT_HOST) -> ServerConfig:
    return ServerConfig(
        host=args.host or default_host,
        port=args.port,
        max_clients=args.max_clients,
        register_timeout=args.register_timeout,
        idle_timeout=args.idle_timeout,
        max_outbound_bytes=args.max_outbound_bytes,
        rate_per_second=args.rate,
        rate_burst=args.burst,
        listen_backlog=args.backlog,
    )


def bind_or_explain(config: ServerConfig) -> ChatServer:
    try:
        return ChatServer(config)
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


def print_banner(server: ChatServer, console: bool) -> None:
    host, port = server.address
    print(f"ClassChat server {__version__} listening on {host}:{port}", flush=True)
    if host in ("0.0.0.0", "::"):
        print("Others on the network can connect to:", flush=True)
        for address in join_addresses(host, port):
            print(f"    {address}", flush=True)
    if console:
        print("Type /help for the admin commands (/kick, /mute, /broadcast, /close, /clients, /rooms).", flush=True)
    print("Press Ctrl+C to stop.", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from chat_server.self_test import run_self_test

        return run_self_test(["chat_server.cli", "chat_server.console"])
    if args.gui:
        try:
            from chat_server.admin_window import run_window
        except ImportError as exc:  # e.g. the headless executable, built without Tk
            sys.exit(f"chat-server: the admin window is not available here ({exc}); use ClassChat-Server or chat-server-gui.")
        return run_window(args)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = bind_or_explain(config_from_args(args))
    stop_requested = threading.Event()

    def request_stop(signum, _frame) -> None:
        logging.getLogger("chat_server").info("signal %d: stopping", signum)
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    server.start()
    console = console_wanted(args)
    print_banner(server, console)
    if console:
        AdminConsole(server).start(sys.stdin, lambda text: print(text, flush=True))
    while not stop_requested.wait(0.5):
        pass
    server.stop()
    return 0
