"""The server key's fingerprint in the admin window: shown large with Copy on Start, what clients see, gone on Stop;
"Not encrypted" with TLS off; a --cert that cannot be used stops the start with a sentence (real server, Xvfb)."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

from chat_server.admin_gui.key_badge import NOT_ENCRYPTED
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from tests.gui.admin.helpers import TIMEOUT, Dialogs, pump_until, started
from tests.integration.test_tls_chat_server import expired_pair
from tests.support import collect_tk_garbage_here, wait_until


def admin_window(tk_root: tk.Tk, config: ServerConfig) -> AdminWindow:
    dialogs = Dialogs()
    admin = AdminWindow(tk_root, config, ask_text=dialogs.ask_text, ask_yes_no=dialogs.ask_yes_no)
    wait_until(tk_root.winfo_ismapped, TIMEOUT, pump=tk_root.update)
    return admin


def test_start_shows_the_key_clients_see_large_with_copy_and_stop_clears_it(window: AdminWindow, clients) -> None:
    key = window.banner.key
    assert key.digits.cget("text") == "" and not key.copy_button.winfo_manager()
    started(window)
    assert window.server is not None and window.server.tls is not None
    fingerprint = window.server.tls.fingerprint
    window.root.update()
    # Copy is packed; whether it is in view depends on the window's width (test_layout checks the real window's)
    assert key.digits.cget("text") == fingerprint.short and key.copy_button.winfo_manager() == "pack"
    assert key.digits.winfo_ismapped() and key.caption.winfo_ismapped() and key.caption.cget("text") == "Server key"
    assert key.key_font.actual("size") >= 14, "large enough to read out to the class"
    key.copy_button.invoke()
    assert window.root.clipboard_get() == fingerprint.short
    student = clients(window, "student")
    assert student.security is not None and student.security.fingerprint == fingerprint
    window.stop_server()
    pump_until(window, lambda: window.phase == "stopped")
    assert key.digits.cget("text") == "" and not key.copy_button.winfo_manager()


def test_with_tls_off_the_banner_says_not_encrypted(tk_root: tk.Tk) -> None:
    admin = admin_window(tk_root, ServerConfig(host="127.0.0.1", port=0, tls=False))
    try:
        started(admin)
        tk_root.update()
        assert admin.banner.key.digits.cget("text") == NOT_ENCRYPTED
        assert not admin.banner.key.copy_button.winfo_manager()
    finally:
        admin.close()
        collect_tk_garbage_here()


def test_an_expired_cert_stops_the_start_with_a_sentence(tk_root: tk.Tk, tmp_path: Path) -> None:
    cert_path, key_path = expired_pair(tmp_path)
    config = ServerConfig(host="127.0.0.1", port=0, cert_file=str(cert_path), key_file=str(key_path))
    admin = admin_window(tk_root, config)
    try:
        assert not admin.start_server()
        assert admin.server is None
        assert "Cannot start" in admin.status.get() and "expired" in admin.status.get()
        assert admin.banner.key.digits.cget("text") == ""
    finally:
        admin.close()
        collect_tk_garbage_here()
