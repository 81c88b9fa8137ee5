"""Moderating from the chat window: right-click menus on people and messages, and the Moderate menu (Tk thread).

    right-click a name in "People here"  -> Talk privately | Kick… Ban… Mute Unmute (teachers)
    right-click a message                -> Delete message (your own; anyone's for a teacher)
    menu bar: Moderate (teachers only)   -> Announce… Close room… Unban… ; Rooms: Set topic… Set key…

Every action becomes the same typed command a teacher could type
(`/kick bob reason`, chat_gui/core/moderation_lines.py), sent through
`send_typed`, so the window and chat-term cannot differ.  The questions
(reason, minutes, text, key) go through `Questions`, callables given by
the controller: tests answer them without a modal dialog.  The server
decides who may; the menus only leave out what a student would be
refused anyway.
"""

from __future__ import annotations

import tkinter as tk
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import simpledialog

from shared.ban_length import parse_ban_answer
from shared.errors import ProtocolError
from shared.names import name_key

AskText = Callable[[str, str], "str | None"]
AskYesNo = Callable[[str, str], bool]
RECENT_MESSAGES = 5000  # as many as a message pane keeps lines


@dataclass
class Questions:
    """How the window asks; tests give their own answers."""

    ask_text: AskText
    ask_yes_no: AskYesNo


def tk_questions(root: tk.Misc) -> Questions:
    from tkinter import messagebox

    return Questions(
        ask_text=lambda title, prompt: simpledialog.askstring(title, prompt, parent=root),
        ask_yes_no=lambda title, prompt: bool(messagebox.askyesno(title, prompt, parent=root, default="no")),
    )


@dataclass(frozen=True)
class ShownMessage:
    id: int
    stamp: str
    sender: str
    start: str  # the first characters of its text, as the pane shows them


class TeacherMenus:
    def __init__(
        self,
        root: tk.Misc,
        users: tk.Listbox,
        user_names: Callable[[], list[str]],
        message_text: tk.Text,
        send_typed: Callable[[str], bool],
        open_private: Callable[[str], None],
        me: Callable[[], str],
        is_teacher: Callable[[], bool],
        current_room: Callable[[], str | None],
        questions: Questions,
    ) -> None:
        self.root = root
        self.users = users
        self.user_names = user_names
        self.message_text = message_text
        self.send_typed = send_typed
        self.open_private = open_private
        self.me = me
        self.is_teacher = is_teacher
        self.current_room = current_room
        self.questions = questions
        self.recent: deque[ShownMessage] = deque(maxlen=RECENT_MESSAGES)
        self.user_menu = tk.Menu(root, tearoff=False)
        self.message_menu = tk.Menu(root, tearoff=False)
        self.moderate_menu: tk.Menu | None = None
        self.menubar: tk.Menu | None = None
        users.bind("<Button-3>", self.on_user_right_click, add="+")
        message_text.bind("<Button-3>", self.on_message_right_click, add="+")

    # -- the menu bar --
    def install(self, menubar: tk.Menu, rooms_menu: tk.Menu | None) -> None:
        """Add Set topic… and Set key… to the Rooms menu; the Moderate menu appears for teachers (show_role)."""
        self.menubar = menubar
        if rooms_menu is not None:
            rooms_menu.add_separator()
            rooms_menu.add_command(label="Set topic…", command=self.ask_topic)
            rooms_menu.add_command(label="Set key…", command=self.ask_key)
        menu = tk.Menu(menubar, tearoff=False)
        menu.add_command(label="Announce…", command=self.ask_announce)
        menu.add_command(label="Close room…", command=self.ask_close)
        menu.add_separator()
        menu.add_command(label="Kick…", command=lambda: self._ask_nick_then(self.kick))
        menu.add_command(label="Ban…", command=lambda: self._ask_nick_then(self.ban))
        menu.add_command(label="Unban…", command=lambda: self._ask_nick_then(self.unban))
        menu.add_command(label="Mute…", command=lambda: self._ask_nick_then(self.mute))
        menu.add_command(label="Unmute…", command=lambda: self._ask_nick_then(self.unmute))
        self.moderate_menu = menu

    def show_role(self, teacher: bool) -> None:
        """The Moderate menu is there for a teacher only."""
        menubar, menu = self.menubar, self.moderate_menu
        if menubar is None or menu is None:
            return
        shown = self._moderate_index() is not None
        if teacher and not shown:
            last = menubar.index("end")  # Help stays last
            if last is None:
                menubar.add_cascade(label="Moderate", menu=menu, underline=0)
            else:
                menubar.insert_cascade(last, label="Moderate", menu=menu, underline=0)
        elif not teacher and shown:
            index = self._moderate_index()
            if index is not None:
                menubar.delete(index)

    def _moderate_index(self) -> int | None:
        assert self.menubar is not None
        last = self.menubar.index("end")
        for index in range(0, (last if last is not None else -1) + 1):
            if self.menubar.type(index) == "cascade" and self.menubar.entrycget(index, "label") == "Moderate":
                return index
        return None

    # -- people --
    def on_user_right_click(self, event: tk.Event) -> None:
        nick = self.nick_at(event.y)
        if nick is None:
            return
        self.users.selection_clear(0, "end")
        self.users.selection_set(self.user_names().index(nick))
        self.build_user_menu(nick)
        self.user_menu.tk_popup(event.x_root, event.y_root)

    def nick_at(self, y: int) -> str | None:
        names = self.user_names()
        index = self.users.nearest(y)
        return names[index] if 0 <= index < len(names) else None

    def build_user_menu(self, nick: str) -> tk.Menu:
        menu = self.user_menu
        menu.delete(0, "end")
        mine = name_key(nick) == name_key(self.me())
        if not mine:
            menu.add_command(label=f"Talk privately with {nick}", command=lambda: self.open_private(nick))
        if self.is_teacher() and not mine:
            menu.add_separator()
            menu.add_command(label="Kick…", command=lambda: self.kick(nick))
            menu.add_command(label="Ban…", command=lambda: self.ban(nick))
            menu.add_command(label="Mute", command=lambda: self.mute(nick))
            menu.add_command(label="Unmute", command=lambda: self.unmute(nick))
        return menu

    def kick(self, nick: str) -> None:
        reason = self.questions.ask_text(f"Kick {nick}", f"Remove {nick} from the chat.\nReason ({nick} will see it):")
        if reason is not None:
            self.send_typed(f"/kick {nick} {reason.strip()}".rstrip())

    def ban(self, nick: str) -> None:
        question = (
            f"Keep {nick} out for how many minutes (or 10m, 2h, 3d, 1w)?\n"
            f"Leave it empty for a ban until you unban {nick}."
        )
        while True:  # asked again until it is a length or empty: a word typed here must not become the reason
            answer = self.questions.ask_text(f"Ban {nick}", question)
            if answer is None:
                return
            try:
                minutes = parse_ban_answer(answer)
                break
            except ProtocolError as slip:
                question = f"{slip.message}\n\nKeep {nick} out for how many minutes? Empty: until you unban {nick}."
        reason = self.questions.ask_text(f"Ban {nick}", f"Reason ({nick} will see it):")
        if reason is None:
            return
        length = "" if minutes is None else str(minutes)
        self.send_typed(f"/ban {nick} {length} {reason.strip()}".replace("  ", " ").rstrip())

    def unban(self, nick: str) -> None:
        self.send_typed(f"/unban {nick}")

    def mute(self, nick: str) -> None:
        self.send_typed(f"/mute {nick}")

    def unmute(self, nick: str) -> None:
        self.send_typed(f"/unmute {nick}")

    def _ask_nick_then(self, action: Callable[[str], None]) -> None:
        nick = self.questions.ask_text("Who?", "Nickname:")
        if nick and nick.strip():
            action(nick.strip())

    # -- the room and everyone --
    def ask_announce(self) -> None:
        text = self.questions.ask_text("Announce", "Say to everyone on the server:")
        if text and text.strip():
            self.send_typed(f"/announce {text.strip()}")

    def ask_close(self) -> None:
        room = self.current_room() or ""
        name = self.questions.ask_text("Close room", "Move everyone out of which room?")
        if name is None:
            return
        name = name.strip().lstrip("#") or room
        if not name or not self.questions.ask_yes_no("Close room", f"Move everyone out of #{name}?"):
            return
        reason = self.questions.ask_text("Close room", "Reason (members will see it):")
        if reason is not None:
            self.send_typed(f"/close {name} {reason.strip()}".rstrip())

    def ask_topic(self) -> None:
        text = self.questions.ask_text("Room topic", "The topic of your room (empty: no topic):")
        if text is not None:
            self.send_typed(f"/topic {text.strip()}".rstrip())

    def ask_key(self) -> None:
        key = self.questions.ask_text(
            "Room key", "A key people need to join your room (one word; empty: anyone may join):"
        )
        if key is not None:
            self.send_typed(f"/key {key.strip()}".rstrip())

    # -- messages --
    def remember(self, message_id: int, stamp: str, sender: str, text: str) -> None:
        """A message shown in the room pane (FrameDisplay shows it; this keeps its id to find it again)."""
        self.recent.append(ShownMessage(message_id, stamp, sender, text.split("\n", 1)[0][:40]))

    def forget_all(self) -> None:
        self.recent.clear()

    def message_at(self, x: int, y: int) -> ShownMessage | None:
        """The message whose block is under the pointer (None over a notice or empty space)."""
        text = self.message_text
        index = text.index(f"@{x},{y}")
        if "notice" in text.tag_names(index) or not text.get(index, f"{index} lineend+1c").strip():
            return None
        nick = text.tag_prevrange("nick", f"{index} +1c")
        if not nick:
            return None
        header = str(nick[0]).split(".")[0]
        stamp = text.get(f"{header}.0", nick[0]).strip()
        sender = text.get(nick[0], nick[1])
        start = text.get(f"{nick[1]} +2c", f"{nick[1]} lineend")
        for shown in reversed(self.recent):
            if shown.stamp == stamp and shown.sender == sender and start.startswith(shown.start[: len(start)]):
                return shown
        return None

    def on_message_right_click(self, event: tk.Event) -> None:
        shown = self.message_at(event.x, event.y)
        if shown is None:
            return
        if self.build_message_menu(shown).index("end") is not None:
            self.message_menu.tk_popup(event.x_root, event.y_root)

    def build_message_menu(self, shown: ShownMessage) -> tk.Menu:
        menu = self.message_menu
        menu.delete(0, "end")
        own = name_key(shown.sender) == name_key(self.me())
        if own or self.is_teacher():
            menu.add_command(label="Delete message", command=lambda: self.delete(shown))
        return menu

    def delete(self, shown: ShownMessage) -> None:
        whose = "your message" if name_key(shown.sender) == name_key(self.me()) else f"{shown.sender}'s message"
        if self.questions.ask_yes_no("Delete message", f"Delete {whose} “{shown.start}” for everyone?"):
            self.send_typed(f"/delete {shown.id}")
