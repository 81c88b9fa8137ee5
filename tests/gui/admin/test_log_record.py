"""The admin window's log keeps the record of what the admin did through a flood of students coming and going
(a real server and a real client; the window under Xvfb)."""

from __future__ import annotations

import logging

from chat_server.admin_gui.log_pane import MAX_LINES
from chat_server.admin_gui.window import AdminWindow
from tests.gui.admin.helpers import pump_until, row_of, select_client, started


def test_warning_view_keeps_the_admin_lines_after_a_flood_of_info(window: AdminWindow, clients) -> None:
    """Found by a classroom probe: 2,000 INFO lines from students pushed every `admin …` line out of the log."""
    started(window)
    clients(window, "student01", "general")
    pump_until(window, lambda: row_of(window, "student01"))
    select_client(window, "student01")
    window.mute_button.invoke()
    pane = window.log_pane
    pump_until(window, lambda: "admin muted student01" in pane.shown_text())
    server_log = logging.getLogger("chat_server")  # where the server says who came and went
    for batch in range(0, MAX_LINES + 500, 250):
        for n in range(batch, batch + 250):
            server_log.info("127.0.0.%d:%d disconnected (client closed the connection)", n % 200 + 2, 40000 + n)
        pump_until(window, lambda: window.log_handler.lines.empty())
    last = f"127.0.0.{(MAX_LINES + 499) % 200 + 2}:{40000 + MAX_LINES + 499} disconnected"
    pump_until(window, lambda: last in pane.shown_text())
    pane.level_box.set("WARNING")
    pane.level_box.event_generate("<<ComboboxSelected>>")
    window.root.update()
    shown = pane.shown_text()
    assert "admin muted student01" in shown
    assert "admin started the server" in shown
    assert "disconnected" not in shown
