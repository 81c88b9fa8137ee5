"""The admin window's entry points: `chat-server-gui`, `python -m chat_server.admin_gui`, `chat-server --gui` (main thread).

    main(argv)        --version and --self-test need no display; otherwise run_window
    run_window(args)  a Tk root, the AdminWindow (window.py), signals, mainloop

SHIPPED_MODULES is what `--self-test` of the ClassChat-Server executable
imports, to show that the build carried every module the window needs.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading
import tkinter as tk

from chat_server.admin_gui.window import AdminWindow
from chat_server.options import add_server_options, check_tls_options, config_from_args

WINDOW_HOST = "0.0.0.0"  # the window is for a classroom: listen on the LAN unless told otherwise

SHIPPED_MODULES = [
    "chat_server.admin_gui.app",
    "chat_server.admin_gui.window",
    "chat_server.admin_gui.views",
    "chat_server.admin_gui.feed",
    "chat_server.admin_gui.log_pane",
    "chat_server.log_queue",
    "chat_server.admin_gui.server_form",
    "chat_server.admin_gui.runner",
    "chat_server.admin_gui.join_banner",
    "chat_server.admin_gui.key_badge",
    "chat_server.admin_gui.look",
    "chat_server.admin_gui.admin_theme",
    "chat_server.admin_gui.admin_settings",
    "shared.settings_file",
    "shared_tk.theme",
    "sv_ttk",
    "chat_server.admin_gui.moderation",
    "chat_server.admin_gui.identity_actions",
    "chat_server.admin_gui.join_code_panel",
    "chat_server.admin_gui.accounts_dialog",
    "chat_server.admin_gui.bans_dialog",
    "chat_server.admin_gui.record_dialog",
    "chat_server.admin_gui.handins",
    "shared.system_open",
    "chat_server.admin_gui.history_dialog",
    "chat_server.announcing",
    "chat_server.discovery",
    "zeroconf",
    "chat_server.files.sharing",
    "tkinter",
    "tkinter.ttk",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-server-gui",
        description="The ClassChat server with an admin window: start it, read the address out to the class, "
        "watch who is connected, mute, kick, broadcast, close rooms.",
    )
    add_server_options(parser, host_default=WINDOW_HOST)
    parser.add_argument("--start", action="store_true", help="start serving at once (for launchers and shortcuts)")
    return parser


def load_server_modules() -> None:
    """Import the server (chat_server.server and everything under it) on a helper thread (Tk thread calls this).

    The window's modules leave it out, so the window shows sooner
    (docs/executables.md); loading it once the window is up makes the first
    Start as quick as before.  Start itself imports it too, so a click that
    comes first only waits for this import to finish.
    """
    threading.Thread(
        target=importlib.import_module, args=("chat_server.server",), name="load-server", daemon=True
    ).start()


def run_window(args: argparse.Namespace) -> int:
    """Open the window with the parsed arguments and run it until it is closed (main thread)."""
    if sys.stderr is not None:  # None when started without a console (pythonw, a windowed executable)
        logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = config_from_args(args, default_host=WINDOW_HOST)
    try:
        root = tk.Tk(className="ClassChatServer")
    except tk.TclError as exc:
        print(f"chat-server-gui: cannot open a window ({exc}). Without a screen use chat-server.", file=sys.stderr)
        return 2
    window = AdminWindow(root, config, args.log_level)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: window.quit_soon())
    if getattr(args, "start", False):
        root.after_idle(window.start_server)
    root.after_idle(load_server_modules)  # idle callbacks run in turn: this one after the window is mapped
    root.mainloop()
    return 0


def main(argv: list[str] | None = None) -> None:
    """`chat-server-gui`: --version and --self-test need no display; both exit here."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_tls_options(parser, args)
    if args.self_test:
        from chat_server.self_test import run_self_test

        sys.exit(run_self_test(SHIPPED_MODULES))
    sys.exit(run_window(args))


if __name__ == "__main__":
    main()
