"""Opens the admin window on the screen in DISPLAY at a desktop scaling, and prints what it measured as JSON.

Run by test_layout.py in a child process on a private Xvfb screen of the size under test: Tk keeps its
display connection until the process exits, so a window on a screen the test then takes away must live
in a process of its own.  Usage: python -m tests.gui.admin.layout_probe PERCENT [JOIN_CODE [LATER_CODE]]
(the window starts with JOIN_CODE, as `--join-code CODE --start` does; LATER_CODE is set while it runs;
`--hide-top` anywhere unticks View › Server and join address after Start);
`python -m tests.gui.admin.layout_probe PERCENT accounts` measures the Accounts dialog instead.
"""

from __future__ import annotations

import json
import sys
import tkinter as tk
from tkinter import ttk

from chat_gui.core.connection import ChatConnection
from chat_server.admin_gui.join_banner import WIDE_ADDRESS
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from tests.gui.scaled_tk import scaled_root
from tests.support import connect_client, wait_until

LONG_NICK = "Alexandra_Konstantinova1"  # 24 characters, the longest a nickname may be
TIMEOUT = 15.0


def inside(widget: tk.Misc, root: tk.Misc) -> bool:
    """Mapped, as large as it asks, on the screen, and wholly within each of its containers up to the root."""
    if not widget.winfo_ismapped() or widget.winfo_height() < widget.winfo_reqheight():
        return False
    left, top, right, bottom = box(widget)
    if left < 0 or top < 0 or right > root.winfo_screenwidth() or bottom > root.winfo_screenheight():
        return False
    container = widget.master
    while container is not None:
        c_left, c_top, c_right, c_bottom = box(container)
        if left < c_left or top < c_top or right > c_right or bottom > c_bottom:
            return False
        if container is root:
            return True
        container = container.master
    return True


def box(widget: tk.Misc) -> tuple[int, int, int, int]:
    """Where `widget` is drawn on the screen: left, top, right, bottom."""
    left, top = widget.winfo_rootx(), widget.winfo_rooty()
    return left, top, left + widget.winfo_width(), top + widget.winfo_height()


def right_limit(widget: tk.Misc, root: tk.Misc) -> int:
    """The leftmost right edge of the screen and of `widget`'s containers up to the root: where it is cut off."""
    limit = root.winfo_screenwidth()
    container = widget.master
    while container is not None:
        limit = min(limit, box(container)[2])
        container = None if container is root else container.master
    return limit


def rows_in_view(tree: ttk.Treeview, root: tk.Misc) -> int:
    """How many of the table's rows are drawn whole: inside the table, each of its containers and the screen."""
    if not tree.winfo_ismapped():
        return 0
    limits = [(0, 0, root.winfo_screenwidth(), root.winfo_screenheight())]
    container: tk.Misc | None = tree
    while container is not None:
        limits.append(box(container))
        container = None if container is root else container.master
    top_limit = max(limit[1] for limit in limits)
    bottom_limit = min(limit[3] for limit in limits)
    shown = 0
    for iid in tree.get_children():
        place = tree.bbox(iid)
        if (
            place
            and top_limit <= tree.winfo_rooty() + place[1]
            and tree.winfo_rooty() + place[1] + place[3] <= bottom_limit
        ):
            shown += 1
    return shown


def overlapping(named: dict[str, tk.Misc]) -> list[str]:
    """The pairs of mapped widgets among `named` that are drawn over each other, as "a / b"."""
    shown = [(name, box(widget)) for name, widget in named.items() if widget.winfo_ismapped()]
    found = []
    for number, (name, (left, top, right, bottom)) in enumerate(shown):
        for other, (o_left, o_top, o_right, o_bottom) in shown[number + 1 :]:
            if left < o_right and o_left < right and top < o_bottom and o_top < bottom:
                found.append(f"{name} / {other}")
    return found


def probe(
    percent: int, join_code: str | None = None, later_code: str | None = None, hide_top: bool = False
) -> dict[str, object]:
    """`hide_top`: untick View › Server and join address after Start, as a teacher on a short screen does."""
    root, errors = scaled_root(percent)
    window = AdminWindow(
        root,
        ServerConfig(host="127.0.0.1", port=0, announce=False, join_code=join_code),
        ask_text=lambda *_: None,
        ask_yes_no=lambda *_: True,
    )
    clients: list[ChatConnection] = []
    try:
        wait_until(root.winfo_ismapped, TIMEOUT, pump=root.update)
        root.update_idletasks()
        asked_before_start = root.winfo_reqheight()
        root.update()
        settings = {caption.cget("text"): entry for caption, entry in window.form.settings}
        before_start = {"Start": window.form.start_button, "status line": window.status_label, **settings}
        hidden_before_start = [name for name, widget in before_start.items() if not inside(widget, root)]
        if not window.start_server():
            raise RuntimeError(window.status.get())
        assert window.server is not None
        for nick, room in [(LONG_NICK, "general"), ("bob", "general"), ("chloe", "chemistry-lab")]:
            client = connect_client(window.server.address)
            clients.append(client)
            if join_code is not None:
                client.send_command(f"PASS {join_code}")
            client.send_command(f"NICK {nick}")
            client.wait_for("nick")
            client.send_command(f"JOIN {room}")
            client.wait_for("joined")
        wait_until(lambda: len(window.clients_view.clients) == 3, TIMEOUT, pump=root.update)
        if later_code is not None and not window.set_code(later_code):
            raise RuntimeError(window.status.get())
        key = window.banner.key.fingerprint
        window.banner.show([WIDE_ADDRESS], local_only=False)  # a long LAN address, as a class server shows
        window.banner.key.show(key)  # as Start does after the addresses
        started_status = window.status.get()
        if hide_top:
            window.view_menu.invoke(0)
        window.say(f"Kicked {LONG_NICK}. This status line must be in view.")
        root.update()
        controls = {
            "Start": window.form.start_button,
            "Stop": window.form.stop_button,
            "status line": window.status_label,
            "Broadcast": window.broadcast_button,
            "announcement box": window.announcement_entry,
            "Kick": window.kick_button,
            "Mute": window.mute_button,
            "Close room": window.close_room_button,
            "join address": window.banner.big,
            "server key": window.banner.key.digits,
            "server key Copy": window.banner.key.copy_button,
            "join address Copy": window.banner.copy_button,
            "log level": window.log_pane.level_box,
            "Ban": window.ban_button,
            "Accounts": window.accounts_button,
            "Bans": window.bans_button,
            "join code": window.code_panel.big,
            "join code New": window.code_panel.new_button,
            "join code Off": window.code_panel.off_button,
        }
        if window.form.rows[0].winfo_ismapped():  # not folded away while running (a short screen: window.py)
            controls |= {"Idle timeout": window.form.settings[4][1], "Class": window.form.settings[-1][1]}
        buttons = [window.form.start_button, window.form.stop_button, window.accounts_button, window.bans_button]
        buttons += [window.kick_button, window.ban_button, window.mute_button, window.unmute_button]
        buttons += [window.wipe_button, window.close_room_button, window.owner_button, window.history_button]
        window_right = root.winfo_rootx() + root.winfo_width()
        tree = window.clients_view.tree
        first_row = tree.bbox(tree.get_children()[0], "nick")
        return {
            "screen": [root.winfo_screenwidth(), root.winfo_screenheight()],
            "asked_before_start": asked_before_start,
            "asked": [root.winfo_reqwidth(), root.winfo_reqheight()],
            "size": [root.winfo_width(), root.winfo_height()],
            "minsize": list(root.minsize()),
            "menu_bar": window.menu_bar_height(),  # drawn above the window's own area, so not in its size
            "hidden": [name for name, widget in controls.items() if not inside(widget, root)],
            "hidden_before_start": hidden_before_start,
            # Toolbar buttons not mapped, narrower than they ask, or past the window's, the screen's or a container's edge.
            "buttons_past_right": [
                str(button.cget("text"))
                for button in buttons
                if not button.winfo_ismapped()
                or button.winfo_width() < button.winfo_reqwidth()  # pack gives the last one what is left
                or box(button)[2] > min(window_right, right_limit(button, root))
            ],
            "settings_folded": not window.form.rows[0].winfo_ismapped(),
            "rows_in_view": [rows_in_view(view.tree, root) for view in (window.clients_view, window.rooms_view)],
            "row_height": int(first_row[3]) if first_row else 0,
            "row_linespace": window.clients_view.row_font.metrics("linespace"),
            "log_height": window.log_pane.text.winfo_height(),
            "log_linespace": window.look.log.metrics("linespace"),
            "overlapping": overlapping(
                {
                    "join address": window.banner.big,
                    "join address Copy": window.banner.copy_button,
                    "server key": window.banner.key,
                    "join code": window.code_panel,
                    "other addresses": window.banner.others,
                }
            ),
            "banner": [window.banner.winfo_width(), window.banner.winfo_reqwidth()],
            "started_status": started_status,
            "view_menu": hasattr(window, "view_menu"),  # only on a screen too short for the whole window
            "top_shown": window.form.winfo_ismapped() and window.banner.winfo_ismapped(),
            "top_shown_after_stop": shown_after_stop(window) if hide_top else None,
            "errors": errors,
        }
    finally:
        for client in clients:
            client.close()
        window.close()


def shown_after_stop(window: AdminWindow) -> bool:
    """Stop the server and tell whether the server box (Start) and the join banner are back in view."""
    root = window.root
    window.stop_server()
    wait_until(lambda: window.phase == "stopped", TIMEOUT, pump=root.update)
    root.update()
    return inside(window.form.start_button, root) and window.banner.winfo_ismapped()


def probe_accounts(percent: int) -> dict[str, object]:
    """The Accounts dialog of a running server: its size and which of its buttons are not wholly on the screen."""
    root, errors = scaled_root(percent)
    window = AdminWindow(
        root,
        ServerConfig(host="127.0.0.1", port=0, announce=False),
        ask_text=lambda *_: None,
        ask_yes_no=lambda *_: True,
    )
    try:
        wait_until(root.winfo_ismapped, TIMEOUT, pump=root.update)
        if not window.start_server():
            raise RuntimeError(window.status.get())
        accounts = window.open_accounts()
        accounts.geometry("+0+0")
        wait_until(accounts.winfo_ismapped, TIMEOUT, pump=root.update)
        root.update()
        buttons = [accounts.new_button, accounts.teacher_button, accounts.student_button, accounts.password_button]
        buttons += [accounts.delete_button, accounts.refresh_button]
        buttons += [getattr(accounts, "close_button", accounts.refresh_button)]
        return {
            "size": [accounts.winfo_width(), accounts.winfo_height()],
            "hidden": [
                str(button.cget("text"))
                for button in buttons
                if not inside(button, accounts)
                or root.winfo_containing(button.winfo_rootx() + 4, button.winfo_rooty() + 4) is not button
            ],
            "errors": errors,
        }
    finally:
        window.close()


if __name__ == "__main__":
    if sys.argv[2:] == ["accounts"]:
        print(json.dumps(probe_accounts(int(sys.argv[1]))))
    else:
        hide = "--hide-top" in sys.argv
        words = [word for word in sys.argv[2:] if word != "--hide-top"]
        print(json.dumps(probe(int(sys.argv[1]), *words[:2], hide_top=hide)))
