"""The admin window fits a 1366x768 screen after Start, keeps its controls in view when scaled, and its columns
show their content (real Tk under Xvfb; sizes measured with the fonts the window draws with)."""

from __future__ import annotations

import contextlib
import gc
import tkinter as tk
import traceback
from tkinter import font as tkfont

import pytest

from chat_server.admin import ClientInfo, RoomInfo
from chat_server.admin_gui.views import ClientsView, RoomsView
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from tests.gui.admin.helpers import TIMEOUT, Dialogs, pump_until, row_of, started, virtual_screen
from tests.support import wait_until

SCREEN = "1366x768"  # the smallest screen in common use on school laptops
# Its height less a title bar (about 30 px) and a taskbar (about 40 px): what a window may ask for.
USABLE_HEIGHT = 720
LONG_NICKS = ["Alexandra_Konstantinova1", "WWWWWWWWWWWWWWWWWWWWWWWW", "Maximilian-Wolkenstein_W"]
IPV6_ADDRESSES = ["[2001:db8:85a3:8d3:1319:8a2e:370:7348]:65535", "[fe80::1c2d:3e4f:5a6b:7c8d]:50123"]
CELL_PADDING = 8  # the Treeview draws a cell's text 4 px in from each side


def use_scaling(root: tk.Misc, percent: int) -> None:
    root.tk.call("tk", "scaling", 96 / 72 * percent / 100)


@pytest.fixture(scope="module")
def screens():
    """screen("1366x768") -> the DISPLAY of a private Xvfb screen that size (one per size, for the module)."""
    with contextlib.ExitStack() as stack:
        made: dict[str, str] = {}

        def screen(size: str) -> str:
            if size not in made:
                made[size] = stack.enter_context(virtual_screen(size))
            return made[size]

        yield screen


@pytest.fixture
def window_on(screens, dialogs: Dialogs):
    """window_on(size, percent) -> an AdminWindow opened on a screen of that size at that desktop scaling."""
    made: list[tuple[AdminWindow, list[str]]] = []

    def make(size: str, percent: int) -> AdminWindow:
        root = tk.Tk(screenName=screens(size))
        errors: list[str] = []
        root.report_callback_exception = lambda *exc: errors.append("".join(traceback.format_exception(*exc)))
        use_scaling(root, percent)
        admin = AdminWindow(
            root, ServerConfig(host="127.0.0.1", port=0), ask_text=dialogs.ask_text, ask_yes_no=dialogs.ask_yes_no
        )
        made.append((admin, errors))
        wait_until(root.winfo_ismapped, TIMEOUT, pump=root.update)
        return admin

    yield make
    for admin, _ in made:
        admin.close()
    gc.collect()  # free the Tk objects here, on the Tk thread
    failures = [error for _, errors in made for error in errors]
    if failures:
        pytest.fail("a Tk callback raised:\n" + "\n".join(failures))


def test_fits_a_1366x768_screen_after_start_with_a_class_connected(window_on, clients) -> None:
    window: AdminWindow = window_on(SCREEN, 100)
    root = window.root
    root.update_idletasks()
    before = root.winfo_reqheight()
    started(window)
    for nick, room in [(LONG_NICKS[0], "general"), ("bob", "general"), ("chloe", "chemistry-lab")]:
        clients(window, nick, room)
    pump_until(window, lambda: row_of(window, LONG_NICKS[0]) and len(window.clients_view.clients) == 3)
    window.say("Kicked Alexandra_Konstantinova1.")
    root.update_idletasks()
    assert root.winfo_reqheight() <= USABLE_HEIGHT, f"asks for {root.winfo_reqheight()} px"
    assert root.winfo_reqheight() == before, "Start made the window taller"
    assert root.winfo_reqwidth() <= 1366, f"asks for {root.winfo_reqwidth()} px"
    assert (root.winfo_width(), root.winfo_height()) == (root.winfo_reqwidth(), root.winfo_reqheight())
    min_width, min_height = root.minsize()
    assert min_width <= 1366 and min_height <= USABLE_HEIGHT


def inside(widget: tk.Misc, root: tk.Misc) -> bool:
    """Mapped, as large as it asks, and wholly within the root window's area."""
    if not widget.winfo_ismapped():
        return False
    left = widget.winfo_rootx() - root.winfo_rootx()
    top = widget.winfo_rooty() - root.winfo_rooty()
    return (
        left >= 0
        and top >= 0
        and left + widget.winfo_width() <= root.winfo_width()
        and top + widget.winfo_height() <= root.winfo_height()
        and widget.winfo_height() >= widget.winfo_reqheight()
    )


@pytest.mark.parametrize(
    ("percent", "size", "most_height"),
    [
        (100, SCREEN, USABLE_HEIGHT),
        (125, SCREEN, USABLE_HEIGHT),
        (150, SCREEN, 768),  # harsher than desktops offer on such a screen: it must at least fit on it
        (150, "1920x1080", 1000),  # the usual screen at 150%
    ],
)
def test_controls_and_status_line_stay_in_view_when_scaled(window_on, clients, percent, size, most_height) -> None:
    window: AdminWindow = window_on(size, percent)
    root = window.root
    started(window)
    clients(window, "alice", "general")
    pump_until(window, lambda: row_of(window, "alice"))
    window.say("Running on 127.0.0.1; this status line must be in view.")
    root.update()
    assert root.winfo_height() <= most_height, f"opened {root.winfo_height()} px tall on a {size} screen"
    assert root.winfo_width() <= int(size.split("x")[0])
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
        "log level": window.log_pane.level_box,
    }
    hidden = [name for name, widget in controls.items() if not inside(widget, root)]
    assert not hidden, f"at {percent}% on {size}: {hidden} out of view"
    # Rows are as tall as their text at this scaling, and the log still shows a line or two.
    tree = window.clients_view.tree
    first = tree.get_children()[0]
    assert tree.bbox(first, "nick"), "no row of the clients table is in view"
    assert int(tree.bbox(first, "nick")[3]) >= window.clients_view.row_font.metrics("linespace")
    assert window.log_pane.text.winfo_height() >= 2 * window.look.log.metrics("linespace")


def client(nick: str, address: str = "192.168.100.200:65535", room: str = "general") -> ClientInfo:
    return ClientInfo(1, nick, address, room, 0.0, 12345, True)


@pytest.mark.parametrize("percent", [100, 150])
def test_client_columns_show_a_24_character_nickname_and_an_ipv6_address(tk_root: tk.Tk, percent: int) -> None:
    use_scaling(tk_root, percent)
    view = ClientsView(tk_root)
    view.pack()
    font = tkfont.nametofont("TkDefaultFont")
    heading_font = tkfont.nametofont("TkHeadingFont")
    tree = view.tree
    # Before any row: the headings and realistic content already fit.
    for name in tree["columns"]:
        assert int(tree.column(name, "width")) >= heading_font.measure(tree.heading(name, "text")) + CELL_PADDING
    assert int(tree.column("address", "width")) >= font.measure("255.255.255.255:65535") + CELL_PADDING
    for number, nick in enumerate(LONG_NICKS):
        assert len(nick) == 24
        view.show_client(ClientInfo(number, nick, IPV6_ADDRESSES[number % 2], "chemistry-lab-year-10", 0.0, 7, False))
    tk_root.update()
    for number, nick in enumerate(LONG_NICKS):
        values = dict(zip(tree["columns"], view.row_values(number), strict=True))
        assert values["nick"] == nick
        for name, value in values.items():
            width = int(tree.column(name, "width"))
            assert width >= font.measure(value) + CELL_PADDING, f"{name} {value!r} is cut off at {width} px"


def test_room_columns_show_a_long_room_name_and_large_counts(tk_root: tk.Tk) -> None:
    use_scaling(tk_root, 100)
    view = RoomsView(tk_root)
    view.pack()
    font = tkfont.nametofont("TkDefaultFont")
    name = "r" * 16 + "W" * 16  # 32 characters, the longest a room name may be
    view.show_room(RoomInfo(name, ("alice", "bob"), 123456, name.lower()), token=1)
    tk_root.update()
    values = dict(zip(view.tree["columns"], view.row_values(name.lower()), strict=True))
    for column in ("room", "count", "messages"):
        assert int(view.tree.column(column, "width")) >= font.measure(values[column]) + CELL_PADDING


def test_a_wider_table_than_its_pane_scrolls_sideways(tk_root: tk.Tk) -> None:
    use_scaling(tk_root, 100)
    view = ClientsView(tk_root)
    view.pack(fill="both", expand=True)
    view.show_client(client("alice"))
    tk_root.geometry("300x300")
    wait_until(view.xscroll.winfo_ismapped, 5, pump=tk_root.update, message="no sideways scrollbar in a narrow pane")
    tk_root.geometry("")  # back to the size the table asks for: nothing to scroll
    wait_until(lambda: not view.xscroll.winfo_ismapped(), 5, pump=tk_root.update, message="the scrollbar stayed")
