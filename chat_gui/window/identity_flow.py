"""Who is who in the chat window: the join code and login in the Connect dialog, roles, topics, room keys (Tk thread).

ChatController hands this module what belongs to identity, and it answers
through the widgets' intent methods:

    Connect dialog's choice (join code, log in, register) --> ClientSession.sign_in, before start()
    StateChanged with an identity Problem --> the dialog asks for the code or the password, with the server's words
    frames: nick (role) --> Moderate menu, "(teacher)" marks;  joined / rooms (topic, locked) --> topic bar, 🔒
            system nick / join / leave --> TeacherMenus: whom a name clicked before a dialog is called now
            error bad_room_key --> RoomKeyDialog, which joins again with the key
    typed /login, /register --> AccountDialog, or straight to the core when the password was typed

It sends only through the controller's send_typed and the core's log_in /
register_account, so nothing reaches the wire that a typed line could not.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from chat_gui.core.events import Problem, StateChanged
from chat_gui.core.sign_in import password_problem
from chat_gui.core.typed_lines import Login, Register
from chat_gui.window.login_dialog import LOG_IN, NICKNAME, REGISTER, AccountChoice, AccountDialog
from chat_gui.window.room_key_dialog import RoomKeyDialog
from chat_gui.window.teacher_menu import Questions, TeacherMenus, tk_questions
from shared.frame_types import JoinedFrame, RoomsFrame, ServerFrame, SystemFrame
from shared.names import name_key
from shared.quoted_words import quoted

if TYPE_CHECKING:
    from chat_gui.window.connect_dialog import ConnectDialog
    from chat_gui.window.controller import ChatController

# The Connect dialog's own words where the server's name commands ("/pass CODE ... then /nick NAME",
# "/login NAME PASSWORD") that the dialog asks for in its fields (found by the fifteenth review).
CODE_ASKED = "This server asks for a join code: type the one your teacher shows, then press Connect."


def registered_words(nick: str) -> str:
    """Why a nickname needs its password, said for the dialog's password field."""
    return (
        f"The nickname {nick} belongs to an account. If it is yours, type its password; "
        "if not, type another nickname and choose Just a nickname."
    )


def teachers_named(frame: ServerFrame) -> set[str] | None:
    """Name keys of the teachers a frame names (`roles` {nick: role}, or `teachers` [nick]); None: it names none."""
    roles: object = frame.get("roles")
    if isinstance(roles, dict):
        return {name_key(nick) for nick, role in roles.items() if isinstance(nick, str) and role == "teacher"}
    teachers: object = frame.get("teachers")
    if isinstance(teachers, list):
        return {name_key(nick) for nick in teachers if isinstance(nick, str)}
    return None


class TopicBar(ttk.Frame):
    """One line above the conversation: the room's topic and whether it is locked; hidden when there is neither."""

    def __init__(self, master: tk.Misc, above: tk.Widget) -> None:
        super().__init__(master, padding=(6, 2))
        self.above = above
        self.label = ttk.Label(self, text="", anchor="w", justify="left")
        self.label.pack(fill="x")
        # a long topic wraps: on one line it pushed the lock and the owner's name past the window's edge
        self.label.bind("<Configure>", lambda event: self.label.configure(wraplength=max(event.width, 100)))
        self.topic = ""
        self.locked = False

    def show(self, room: str | None, topic: str, locked: bool, owner: str = "") -> None:
        """The server's facts first (lock, owner), then the owner's topic in quotes: a topic worded like
        "Maths · 🔒 locked with a key · owner Ms_Lee (teacher)" came before the real owner and passed for the
        facts (found by the ninth review); now whatever it says comes after them, inside its quotes."""
        self.topic, self.locked = topic, locked
        parts = ["🔒 locked with a key"] if locked else []
        if owner and (topic or locked):
            parts.append(f"owner {owner}")
        if topic:
            parts.append(f"Topic: {quoted(' '.join(topic.split()))}")
        self.label.configure(text="   ·   ".join(parts))
        if room and parts:
            if not self.winfo_manager():
                self.pack(fill="x", before=self.above)
        else:
            self.pack_forget()

    def text(self) -> str:
        return str(self.label.cget("text")) if self.winfo_manager() else ""


class IdentityFlow:
    def __init__(self, controller: ChatController, questions: Questions | None = None) -> None:
        self.controller = controller
        window = controller.window
        self.session = controller.session
        self.topic_bar = TopicBar(window.tabs.master, window.tabs)
        self.owner = ""
        self.room_is_mine = False  # the server said I own the room I am in (`joined` you_own): Remove from #room…
        self.locked: set[str] = set()  # rooms (name keys) that have a key, from joined and the rooms push
        self.teachers: set[str] = set()  # the teachers in my room, as far as the server said
        self.key_dialog: RoomKeyDialog | None = None
        self.account_dialog: AccountDialog | None = None
        self.menus = TeacherMenus(
            window.root,
            window.users.listbox,
            lambda: list(window.users.users),
            controller.send_typed,
            controller.open_private,
            lambda: self.session.nick,
            lambda: self.session.sign_in.is_teacher,
            lambda: self.session.room,
            questions or tk_questions(window.root),
            lambda text: controller.current_view().show_notice(text, "error"),
            lambda: self.room_is_mine,
        )
        self.menus.install(window.menubar, window.rooms_menu)
        window.chat_menu.insert_command(1, label="Log in or register…", command=self.ask_account)

    # -- the Connect dialog --
    def apply_choice(self, dialog: ConnectDialog, host: str, port: int, nick: str) -> None:
        """Give the core what the dialog says about the join code and the account, before it connects."""
        choice = dialog.account.choice()
        if choice is None:
            return
        sign_in = self.session.sign_in
        if choice.code:
            sign_in.set_code(host, port, choice.code)
        if choice.mode == LOG_IN:
            sign_in.log_in(nick, choice.password, choice.keep)
        elif choice.mode == REGISTER:
            sign_in.register(nick, choice.password, choice.keep)
        else:
            sign_in.no_account()

    def show_problem(self, event: StateChanged, dialog: ConnectDialog) -> bool:
        """An identity problem: the dialog asks for what is missing, with the server's words.  False: not one."""
        account = dialog.account
        if event.problem is not Problem.JOIN_CODE and self.session.sign_in.code_for(
            self.session.host, self.session.port
        ):
            account.code_taken()
        if event.problem is Problem.JOIN_CODE:
            dialog.show_error("")
            account.show_code(CODE_ASKED if event.code == "code_required" else event.detail)
        elif event.problem is Problem.NICK_REGISTERED:
            dialog.show_error("")
            self._fill_nick(dialog)
            account.show_password_error(registered_words(dialog.nick_var.get().strip()), LOG_IN)
        elif event.problem is Problem.BAD_LOGIN:
            dialog.show_error("")
            self._fill_nick(dialog)
            account.show_password_error(event.detail, LOG_IN)
        elif event.problem is Problem.REGISTER_REFUSED:
            dialog.show_error("")
            account.show_password_error(event.detail, REGISTER)
        elif event.problem is Problem.TLS_REQUIRED:
            dialog.show_error(event.detail, "host")
        else:
            return False
        return True

    def _fill_nick(self, dialog: ConnectDialog) -> None:
        account = self.session.sign_in.account
        if account is not None and not dialog.nick_var.get().strip():
            dialog.nick_var.set(account.nick)

    def on_removed(self) -> None:
        """Sent away: the room's topic, teacher marks and menus go with it (Standing and the dialog say why)."""
        self._forget_room()

    def _forget_room(self) -> None:
        self.topic_bar.show(None, "", False)
        self.room_is_mine = False
        self.teachers.clear()
        self.menus.lose_track()

    def logged_in(self) -> bool:
        account = self.session.sign_in.account
        return account is not None and name_key(account.nick) == name_key(self.session.nick)

    # -- frames --
    def on_frame(self, frame: ServerFrame) -> None:
        self.menus.learn(frame)  # renames, joins, leaves: Kick… and Ban… act on the person clicked, or on nobody
        if frame["type"] == "nick":
            self.menus.show_role(self.session.sign_in.is_teacher)
            self._show_teachers()
        elif frame["type"] == "joined":
            self._joined(frame)
        elif frame["type"] == "left":
            self._forget_room()
        elif frame["type"] == "rooms":
            self._rooms(frame)
        elif frame["type"] == "members":
            named = teachers_named(frame)
            if named is not None and self.session.roster.in_my_room(frame["room"]):
                self.teachers |= named
                self._show_teachers()
        elif frame["type"] == "system":
            self._system(frame)
        elif frame["type"] == "error" and frame["code"] == "bad_room_key":
            self.ask_room_key(self.session.sign_in.joining, frame["content"])

    def _joined(self, frame: JoinedFrame) -> None:
        room, locked = frame["room"], bool(frame.get("locked"))
        self.owner = frame.get("owner", "")
        you_own: object = frame.get("you_own")
        # a server without `you_own`: by the owner's name (the server decides all the same)
        self.room_is_mine = (
            you_own
            if isinstance(you_own, bool)
            else bool(self.owner) and name_key(self.owner) == name_key(self.session.nick)
        )
        (self.locked.add if locked else self.locked.discard)(name_key(room))
        self.topic_bar.show(room, frame.get("topic", ""), locked, self.owner)
        self.controller.window.rooms.set_locked(self.locked)
        self.teachers = teachers_named(frame) or set()
        self._show_teachers()
        if self.key_dialog is not None and name_key(self.key_dialog.room) == name_key(room):
            self.key_dialog.destroy()
            self.key_dialog = None

    def _rooms(self, frame: RoomsFrame) -> None:
        entries: list[object] = list(frame["rooms"])
        locked: set[str] = set()
        mine = self.session.room
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            if entry.get("locked") is True:
                locked.add(name_key(entry["name"]))
            topic = entry.get("topic")
            if mine is not None and name_key(entry["name"]) == name_key(mine) and isinstance(topic, str):
                self.topic_bar.show(mine, topic, entry.get("locked") is True, self.owner)
        self.locked = locked | ({name_key(mine)} if mine and self.topic_bar.locked else set())
        self.controller.window.rooms.set_locked(self.locked)

    def _system(self, frame: SystemFrame) -> None:
        user, event = frame.get("user", ""), frame["event"]
        if not self.session.roster.in_my_room(frame.get("room")):
            return
        if event in ("join", "role") and frame.get("role") == "teacher":
            self.teachers.add(name_key(user))
        elif event == "role" or event == "leave":
            self.teachers.discard(name_key(user))
        elif event == "topic" and isinstance(frame.get("topic"), str):
            self.topic_bar.show(self.session.room, str(frame.get("topic")), self.topic_bar.locked, self.owner)
        elif event == "owner":  # the admin gave the room to someone else, or to nobody
            owner: object = frame.get("owner")
            self.owner = owner if isinstance(owner, str) else ""
            self.room_is_mine = bool(self.owner) and name_key(self.owner) == name_key(self.session.nick or "")
            self.topic_bar.show(self.session.room, self.topic_bar.topic, self.topic_bar.locked, self.owner)
            return
        else:
            return
        self._show_teachers()

    def _show_teachers(self) -> None:
        teachers = set(self.teachers)
        if self.session.sign_in.is_teacher and self.session.nick:
            teachers.add(name_key(self.session.nick))
        self.controller.window.users.set_teachers(teachers)

    # -- room keys --
    def join_room(self, room: str) -> bool:
        """A locked room whose key this window does not know: ask for it first.  False: join as usual."""
        session = self.session
        if name_key(room) not in self.locked or session.sign_in.has_key(session.host, session.port, room):
            return False
        if session.room is not None and name_key(room) == name_key(session.room):
            return False
        self.ask_room_key(room, "")
        return True

    def ask_room_key(self, room: str, message: str) -> None:
        if not room:
            return
        dialog = self.key_dialog
        if dialog is not None and dialog.winfo_exists() and name_key(dialog.room) == name_key(room):
            dialog.show_wrong(message)
            return
        if dialog is not None and dialog.winfo_exists():
            dialog.destroy()
        self.key_dialog = RoomKeyDialog(self.controller.root, room, self._join_with_key, message)

    def _join_with_key(self, room: str, key: str) -> None:
        self.key_dialog = None
        self.session.send(f"JOIN {room} {key}")

    # -- /login, /register and the Chat menu --
    def typed(self, typed: Login | Register) -> bool:
        """A typed /login or /register; a password typed on the line leaves the entry's history at once."""
        entry = self.controller.window.entry
        if typed.password and entry.history:
            entry.history.pop()
        view = self.controller.current_view()
        if isinstance(typed, Login):
            if not typed.password:
                self.ask_account(LOG_IN, typed.nick)
                return True
            self.session.log_in(typed.nick or self.session.nick, typed.password)
            view.show_notice(f"Logging in as {typed.nick or self.session.nick}…", "system")
            return True
        if not typed.password:
            self.ask_account(REGISTER)
            return True
        problem = password_problem(typed.password)
        if problem:
            view.show_notice(f"Not registered: {problem}", "error")
            return True
        return self._register(typed.password, keep=True)

    def ask_account(self, mode: str = LOG_IN, nick: str = "") -> None:
        if self.account_dialog is not None and self.account_dialog.winfo_exists():
            self.account_dialog.lift()
            return
        self.account_dialog = AccountDialog(self.controller.root, nick or self.session.nick, mode, self._account_chosen)

    def _account_chosen(self, nick: str, choice: AccountChoice) -> None:
        self.account_dialog = None
        view = self.controller.current_view()
        if choice.mode == LOG_IN:
            if self.session.log_in(nick, choice.password, choice.keep):
                view.show_notice(f"Logging in as {nick}…", "system")
            else:
                view.show_notice(f"Not connected: you will be logged in as {nick} when the chat connects.", "system")
        elif choice.mode == REGISTER:
            if name_key(nick) != name_key(self.session.nick):
                view.show_notice(
                    f"Registering keeps the nickname you have now ({self.session.nick or 'none yet'}). "
                    f"To register {nick}, take it first: /nick {nick}",
                    "error",
                )
                return
            self._register(choice.password, choice.keep)
        elif choice.mode == NICKNAME:
            self.session.sign_in.no_account()

    def _register(self, password: str, keep: bool) -> bool:
        view = self.controller.current_view()
        if not self.session.register_account(password, keep):
            view.show_notice("Connect first: registering keeps the nickname you are using now.", "error")
            return True
        view.show_notice(f"Registering {self.session.nick}…", "system")
        return True
