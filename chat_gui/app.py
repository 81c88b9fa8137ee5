"""`chat-client` and `python -m chat_gui`: parse the arguments, build the window, run Tk's main loop (main thread).

Arguments are parsed before tkinter is imported, so --version and
--self-test work on a machine with no display.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from shared.frames import DEFAULT_PORT
from shared.version import PRODUCT_NAME, __version__

SHIPPED_MODULES = [
    "chat_gui.app",
    "chat_gui.window.controller",
    "chat_gui.window.main_window",
    "chat_gui.window.tk_scheduler",
    "chat_gui.window.frame_display",
    "chat_gui.core.session",
    "chat_gui.core.sending",
    "chat_gui.core.connect_failure",
    "chat_gui.core.scheduler",
    "chat_gui.core.events",
    "chat_gui.core.pacing",
    "chat_gui.core.keepalive",
    "chat_gui.core.roster",
    "chat_gui.core.partners",
    "chat_gui.core.unread",
    "chat_gui.core.typed_lines",
    "chat_gui.core.sign_in",
    "chat_gui.core.moderation_lines",
    "chat_gui.window.identity_flow",
    "chat_gui.window.login_dialog",
    "chat_gui.window.teacher_menu",
    "chat_gui.window.room_key_dialog",
    "chat_gui.core.connection",
    "chat_gui.core.connection_security",
    "chat_gui.core.tls_client",
    "chat_gui.core.trust_store",
    "chat_gui.window.message_view",
    "chat_gui.window.entry_box",
    "chat_gui.window.room_list",
    "chat_gui.window.user_list",
    "chat_gui.window.private_tabs",
    "chat_gui.window.connect_dialog",
    "chat_gui.window.embedded_server",
    "chat_gui.window.security_view",
    "chat_gui.window.security_shown",
    "chat_gui.window.key_warning",
    "ssl",
    "chat_gui.settings",
    "chat_gui.core.presence",
    "chat_gui.core.discovery",
    "chat_gui.text.emoji_data",
    "chat_gui.text.mentions",
    "chat_gui.window.window_presence",
    "chat_gui.window.presence_dots",
    "chat_gui.window.mention_alerts",
    "chat_gui.window.notify",
    "chat_gui.window.window_look",
    "chat_gui.window.text_size",
    "chat_gui.text.bidi_display",
    "chat_gui.text.arabic_shaping",
    "shared_tk.theme",
    "chat_gui.window.emoji_picker",
    "chat_gui.window.found_servers",
    "emoji",
    "zeroconf",
    "sv_ttk",
    "darkdetect",
    "chat_gui.window.file_sharing",
    "chat_gui.window.file_card",
    "chat_gui.window.transfer_bar",
    "chat_gui.window.attach",
    "chat_gui.window.open_file",
    "chat_gui.core.file_transfers",
    "chat_gui.core.transfer_client",
    "chat_gui.core.downloads_folder",
    "tkinter",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-client",
        description=f"The {PRODUCT_NAME} window. With no arguments a Connect dialog asks where to connect; "
        f"--nick (with --host, --port, --room) connects at once.",
    )
    parser.add_argument("--host", help="server address (default: the last one used, or localhost)")
    parser.add_argument("--port", type=int, help=f"server port (default {DEFAULT_PORT})")
    parser.add_argument("--nick", help="nickname; given, the Connect dialog is skipped")
    parser.add_argument("--room", help="room to join (default general)")
    parser.add_argument(
        "--accept-new-key",
        action="store_true",
        help="trust the server's key even if it changed since last time (compare it with the teacher's first)",
    )
    parser.add_argument(
        "--accept-key",
        metavar="DIGITS",
        help="trust a changed server key only if its 20 digits are these (as the teacher's screen shows them)",
    )
    parser.add_argument("--version", action="version", version=f"{PRODUCT_NAME} client {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation without a display: a real server, two clients, exit 0 if fine",
    )
    return parser


def terminal_client() -> str:
    """How to start chat-term from here: the script beside this Python (`.venv/bin/chat-term` in a checkout)."""
    script = Path(sys.executable).parent / ("chat-term.exe" if sys.platform == "win32" else "chat-term")
    if not script.exists():
        return "chat-term"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from chat_server.self_test import run_self_test

        return run_self_test(SHIPPED_MODULES)
    if args.accept_key is not None:
        from shared.fingerprint import is_short_fingerprint

        if not is_short_fingerprint(args.accept_key):
            print("--accept-key takes the server key's 20 digits, e.g. 0472-9918-3065-4410-7286.", file=sys.stderr)
            return 2
    import tkinter as tk

    from chat_gui.settings import load_settings
    from chat_gui.window.controller import ChatController

    settings = load_settings()
    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    if args.room:
        settings.room = args.room
    if args.nick:
        settings.nick = args.nick
    try:
        root = tk.Tk(className=PRODUCT_NAME)
    except tk.TclError as exc:
        print(
            f"{PRODUCT_NAME} needs a display for its window ({exc}). Use {terminal_client()} for a terminal client.",
            file=sys.stderr,
        )
        return 2
    controller = ChatController(root, settings)
    if args.accept_new_key or args.accept_key:
        from chat_gui.core.connection_security import TlsPolicy

        controller.session.tls_policy = TlsPolicy(accept_new_key=args.accept_new_key, accept_only=args.accept_key or "")
    signal.signal(signal.SIGTERM, lambda _signum, _frame: controller.quit_soon())  # like Quit: an in-app server closes
    if args.nick:
        controller.start(settings.host, settings.port, settings.nick, settings.room)
    else:
        controller.show_connect_dialog()
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
