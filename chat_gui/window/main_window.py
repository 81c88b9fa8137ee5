"""The main window's widgets: menus, rooms and people on the left, conversation tabs, entry box, status bar (Tk thread).

    +-------------+-------------------------------------+
    | Rooms       | [#general] [✉ bob]                  |
    |  ▶ #general |  12:00:01  alice  hello             |
    |    #maths   |  ...                                |
    | People here |                                     |
    |  alice (you)+-------------------------------------+
    |  bob        | entry box                  [Send]   |
    +-------------+-------------------------------------+
    | status: connected to ... / others can join at ... |

The window only composes and offers intent methods; ChatController decides
what happens (it is given the callbacks below).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import ttk

from chat_gui.window.entry_box import EntryBox
from chat_gui.window.private_tabs import ConversationTabs
from chat_gui.window.room_list import RoomList
from chat_gui.window.user_list import UserList
from shared.icon import ICON_PNG
from shared.version import PRODUCT_NAME


@dataclass
class WindowActions:
    """What the window's menus, lists and entry ask for; the controller provides them."""

    submit: Callable[[str], bool]
    join: Callable[[str], None]
    private: Callable[[str], None]
    connect: Callable[[], None]
    reconnect: Callable[[], None]
    disconnect: Callable[[], None]
    join_dialog: Callable[[], None]
    leave: Callable[[], object]
    who: Callable[[], None]
    help: Callable[[], None]
    about: Callable[[], None]
    quit: Callable[[], None]
    tab_changed: Callable[[], None]
    nicknames: Callable[[], list[str]]


class ChatWindow:
    def __init__(self, root: tk.Tk | tk.Toplevel, actions: WindowActions) -> None:
        self.root = root
        self.actions = actions
        root.title(PRODUCT_NAME)
        root.geometry("900x600")
        root.minsize(560, 360)
        if ICON_PNG.exists():
            # Tk copies the picture, and freeing the image here keeps its deletion on the Tk thread
            icon = tk.PhotoImage(master=root, file=str(ICON_PNG))
            root.iconphoto(True, icon)
            del icon
        self._build_menus()
        panes = ttk.PanedWindow(root, orient="horizontal")
        panes.pack(fill="both", expand=True, padx=6, pady=(6, 0))
        side = ttk.Frame(panes)
        self.rooms = RoomList(side, on_join=actions.join)
        self.users = UserList(side, on_private=actions.private)
        self.rooms.pack(fill="both", expand=True)
        self.users.pack(fill="both", expand=True, pady=(6, 0))
        main = ttk.Frame(panes)
        self.tabs = ConversationTabs(main, on_tab_changed=actions.tab_changed)
        self.tabs.pack(fill="both", expand=True)
        typing = ttk.Frame(main)
        typing.pack(fill="x", pady=(6, 0))
        self.entry = EntryBox(typing, on_submit=actions.submit, nicknames=actions.nicknames)
        self.entry.pack(side="left", fill="both", expand=True)
        ttk.Button(typing, text="Send", command=self.entry.submit).pack(side="left", padx=(6, 0), anchor="s")
        panes.add(side, weight=0)
        panes.add(main, weight=1)
        self.status = ttk.Label(root, text="Not connected.", anchor="w", padding=(8, 3), relief="sunken")
        self.status.pack(fill="x", side="bottom", pady=(6, 0))
        root.protocol("WM_DELETE_WINDOW", actions.quit)
        self.entry.focus()

    def _build_menus(self) -> None:
        root, actions = self.root, self.actions
        root.option_add("*tearOff", False)
        menubar = tk.Menu(root)
        chat = tk.Menu(menubar)
        chat.add_command(label="Connect…", command=actions.connect)
        chat.add_command(label="Reconnect now", accelerator="Ctrl+R", command=actions.reconnect)
        chat.add_command(label="Disconnect", command=actions.disconnect)
        chat.add_separator()
        chat.add_command(label="Quit", accelerator="Ctrl+Q", command=actions.quit)
        rooms = tk.Menu(menubar)
        rooms.add_command(label="Join room…", accelerator="Ctrl+J", command=actions.join_dialog)
        rooms.add_command(label="Leave room", command=actions.leave)
        rooms.add_command(label="Who is online", accelerator="F5", command=actions.who)
        rooms.add_separator()
        rooms.add_command(label="Close private tab", accelerator="Ctrl+W", command=lambda: self.tabs.close_current())
        help_menu = tk.Menu(menubar)
        help_menu.add_command(label="Commands", accelerator="F1", command=actions.help)
        help_menu.add_command(label=f"About {PRODUCT_NAME}", command=actions.about)
        menubar.add_cascade(label="Chat", menu=chat, underline=0)
        menubar.add_cascade(label="Rooms", menu=rooms, underline=0)
        menubar.add_cascade(label="Help", menu=help_menu, underline=0)
        root.configure(menu=menubar)
        self.menubar, self.chat_menu, self.rooms_menu = menubar, chat, rooms  # others add entries (identity_flow)
        root.bind_all("<Control-q>", lambda event: actions.quit())
        root.bind_all("<Control-j>", lambda event: actions.join_dialog())
        root.bind_all("<Control-w>", lambda event: self.tabs.close_current())
        root.bind_all("<Control-r>", lambda event: actions.reconnect())
        root.bind_all("<F5>", lambda event: actions.who())
        root.bind_all("<F1>", lambda event: actions.help())

    # -- intent methods --
    def set_title(self, nick: str, room: str | None, unread: int) -> None:
        where = f"{nick} in #{room}" if nick and room else nick
        title = f"{PRODUCT_NAME} — {where}" if where else PRODUCT_NAME
        self.root.title(f"({unread}) {title}" if unread else title)

    def show_status(self, text: str) -> None:
        self.status.configure(text=text)
