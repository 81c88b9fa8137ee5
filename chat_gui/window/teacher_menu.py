"""Moderating from the chat window: right-click menus on people, and the Moderate menu (Tk thread).

    right-click a name in "People here"  -> Talk privately | Remove from #room… (the room's owner, teachers)
                                            | Kick… Ban… Mute Unmute Delete their messages… (teachers)
                                            | Mute class Unmute class (teachers: /mute *, /unmute *)
    menu bar: Moderate (teachers only)   -> Announce… Close room… Kick… Ban… Unban… Mute… Unmute…
                                            | Mute class Unmute class ; Rooms: Set topic… Set key…

(Right-click a message -> Delete message is the history's: chat_gui/window/history_display.py.)

Every action becomes the same typed command a teacher could type
(`/kick bob reason`, chat_gui/core/moderation_lines.py), sent through
`send_typed`, so the window and chat-term cannot differ.  The questions
(reason, minutes, text, key) go through `Questions`, callables given by
the controller: tests answer them without a modal dialog.  The server
decides who may; the menus only leave out what a student would be
refused anyway.

A person is named by nickname, and nicknames change hands while a dialog
is open: the action goes to the person clicked, under the name they have
when the dialog closes, or to nobody (and the window says why) when
another rename, join or leave touched their names meanwhile
(chat_gui/core/name_trail.py).  The Ban… dialog sends its reason in
double quotes, so a reason such as "3 warnings ignored" is never read as
a length (shared/ban_length.py).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import simpledialog
from typing import Any

from chat_gui.core.name_trail import NameTrail
from shared.ban_length import parse_ban_answer, quote_reason
from shared.errors import ProtocolError
from shared.names import name_key

AskText = Callable[[str, str], "str | None"]
AskYesNo = Callable[[str, str], bool]
SendTyped = Callable[[str, bool], bool]  # (line, built by a dialog) -> sent


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


class TeacherMenus:
    def __init__(
        self,
        root: tk.Misc,
        users: tk.Listbox,
        user_names: Callable[[], list[str]],
        send_typed: SendTyped,
        open_private: Callable[[str], None],
        me: Callable[[], str],
        is_teacher: Callable[[], bool],
        current_room: Callable[[], str | None],
        questions: Questions,
        say: Callable[[str], None],
        owns_room: Callable[[], bool] = lambda: False,
    ) -> None:
        self.root = root
        self.users = users
        self.user_names = user_names
        self.send_typed = send_typed
        self.open_private = open_private
        self.me = me
        self.is_teacher = is_teacher
        self.current_room = current_room
        self.questions = questions
        self.say = say  # a note in the window: why nothing was done
        self.owns_room = owns_room  # whether the server said the current room is mine (`joined` you_own)
        self.names = NameTrail()  # renames, joins and leaves: whom a name clicked before a dialog names now
        self.user_menu = tk.Menu(root, tearoff=False)
        self.moderate_menu: tk.Menu | None = None
        self.menubar: tk.Menu | None = None
        users.bind("<Button-3>", self.on_user_right_click, add="+")

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
        self._add_class_items(menu)
        self.moderate_menu = menu

    def _add_class_items(self, menu: tk.Menu) -> None:
        """Mute class / Unmute class: every student at once, for a test (the admin window's button, `/mute *`)."""
        menu.add_separator()
        menu.add_command(label="Mute class", command=lambda: self.send_typed("/mute *", True))
        menu.add_command(label="Unmute class", command=lambda: self.send_typed("/unmute *", True))

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
        since = self.names.mark()  # the person clicked is followed from here, through the menu and the dialogs
        if not mine:
            menu.add_command(label=f"Talk privately with {nick}", command=lambda: self.open_private(nick))
        room = self.current_room()
        teacher = self.is_teacher()
        if not mine and (teacher or (room and self.owns_room())):
            menu.add_separator()
        if room and not mine and (teacher or self.owns_room()):
            menu.add_command(label=f"Remove from #{room}…", command=lambda: self.remove(nick, room, since))
        if teacher and not mine:
            menu.add_command(label="Kick…", command=lambda: self.kick(nick, since))
            menu.add_command(label="Ban…", command=lambda: self.ban(nick, since))
            menu.add_command(label="Mute", command=lambda: self.mute(nick, since))
            menu.add_command(label="Unmute", command=lambda: self.unmute(nick, since))
            menu.add_command(label="Delete their messages…", command=lambda: self.purge(nick))
        if teacher and room and not mine:
            menu.add_command(label=f"Give #{room} to them", command=lambda: self.give_room(room, nick, since))
        if teacher:
            self._add_class_items(menu)
        return menu

    def learn(self, frame: Any) -> None:
        """A server frame: renames, joins and leaves keep the people clicked followable (NameTrail)."""
        self.names.learn(frame)

    def lose_track(self) -> None:
        self.names.lose_track()

    def kick(self, nick: str, since: int | None = None) -> None:
        since = self.names.mark() if since is None else since
        reason = self.questions.ask_text(f"Kick {nick}", f"Remove {nick} from the chat.\nReason ({nick} will see it):")
        if reason is None:
            return
        whom = self._now_called(nick, since, "Nobody was kicked")
        if whom is not None:
            self.send_typed(f"/kick {whom} {reason.strip()}".rstrip(), True)

    def remove(self, nick: str, room: str, since: int | None = None) -> None:
        """Move `nick` out of my room (REMOVE acts on the room I am in, so a room changed meanwhile does nothing)."""
        since = self.names.mark() if since is None else since
        reason = self.questions.ask_text(
            f"Remove {nick} from #{room}",
            f"Move {nick} out of #{room}? They stay in the chat; to keep them out, set a new key too.\n"
            f"Reason ({nick} and the room will see it):",
        )
        if reason is None:
            return
        if name_key(self.current_room() or "") != name_key(room):
            self.say(f"Nobody was removed: you are no longer in #{room}.")
            return
        whom = self._now_called(nick, since, "Nobody was removed")
        if whom is not None:
            self.send_typed(f"/remove {whom} {reason.strip()}".rstrip(), True)

    def ban(self, nick: str, since: int | None = None) -> None:
        since = self.names.mark() if since is None else since
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
        whom = self._now_called(nick, since, "Nobody was banned")
        if whom is None:
            return
        length = "" if minutes is None else str(minutes)
        # the reason in quotes: "3 warnings ignored" is the reason, not a ban of 3 minutes (shared/ban_length.py)
        self.send_typed(" ".join(filter(None, ("/ban", whom, length, quote_reason(reason.strip())))), True)

    def unban(self, nick: str) -> None:
        self.send_typed(f"/unban {nick}", True)

    def mute(self, nick: str, since: int | None = None) -> None:
        whom = nick if since is None else self._now_called(nick, since, "Nobody was muted")
        if whom is not None:
            self.send_typed(f"/mute {whom}", True)

    def unmute(self, nick: str, since: int | None = None) -> None:
        whom = nick if since is None else self._now_called(nick, since, "Nobody was unmuted")
        if whom is not None:
            self.send_typed(f"/unmute {whom}", True)

    def give_room(self, room: str, nick: str, since: int | None = None) -> None:
        """The room is theirs from now on (its topic and key): a group's room to its leader."""
        whom = nick if since is None else self._now_called(nick, since, f"#{room} was not given to anyone")
        if whom is not None:
            self.send_typed(f"/owner {room} @{whom}", True)  # @: the person, even one called None

    def purge(self, nick: str) -> None:
        """Delete what `nick` said in rooms lately, for everyone (a flood): by the name the messages show."""
        question = f"Delete what {nick} said in rooms, for everyone (private messages stay).\nHow many minutes back? (empty: the last 60)"
        while True:  # asked again until it is a number or empty
            answer = self.questions.ask_text(f"Delete {nick}'s messages", question)
            if answer is None:
                return
            minutes = answer.strip() or "60"
            if minutes.isascii() and minutes.isdigit() and int(minutes) > 0:
                break
            question = f"“{answer.strip()}” is not a number of minutes.\n\nHow many minutes back? (empty: the last 60)"
        self.send_typed(f"/purge {nick} {int(minutes)}", True)

    def _now_called(self, nick: str, since: int, nothing_done: str) -> str | None:
        """The nickname of the person who was `nick` at `since`; None (and a note saying why) when unsure."""
        followed = self.names.follow(nick, since)
        if followed.nick is None:
            self.say(f"{nothing_done}: {followed.why}")
        return followed.nick

    def _ask_nick_then(self, action: Callable[[str], None]) -> None:
        nick = self.questions.ask_text("Who?", "Nickname:")
        if nick and nick.strip():
            action(nick.strip())

    # -- the room and everyone --
    def ask_announce(self) -> None:
        text = self.questions.ask_text("Announce", "Say to everyone on the server:")
        if text and text.strip():
            self.send_typed(f"/announce {text.strip()}", True)

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
            self.send_typed(f"/close {name} {reason.strip()}".rstrip(), True)

    def ask_topic(self) -> None:
        text = self.questions.ask_text("Room topic", "The topic of your room (empty: no topic):")
        if text is not None:
            self.send_typed(f"/topic {text.strip()}".rstrip(), True)

    def ask_key(self) -> None:
        key = self.questions.ask_text(
            "Room key", "A key people need to join your room (at least 4 characters; empty: anyone may join):"
        )
        if key is not None:
            self.send_typed(f"/key {key.strip()}".rstrip(), True)
