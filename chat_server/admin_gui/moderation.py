"""Moderation: the admin window's Kick, Mute, Unmute, Mute class, Delete messages, Close room, Owner, Free room and Broadcast, and when each may be pressed (Tk thread).

Mixed into AdminWindow, which builds the buttons and the views.  Each
action has an intent method (`kick`, `set_muted`, `close_room`,
`broadcast`) that tests and the buttons call, and a button handler that
reads the selection and asks any question first.  `refresh_actions`
enables a button only when pressing it can do something: the server is
running and, for the per-row actions, a row it applies to is selected.

What is logged, and at which level (docs/admin.md, "The log"): every admin
action is one WARNING line starting "admin ".  The server core logs those
it carried out; one it refused is logged here, with its reason.
"""

from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import TYPE_CHECKING, TypeVar

from chat_server.admin_gui.views import ClientsView, RoomsView
from shared.errors import ProtocolError

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.server import ChatServer

Result = TypeVar("Result")  # what an action on the server answers

log = logging.getLogger("chat_server.admin_gui")

AskText = Callable[[str, str], "str | None"]

FREE_ROOM_LABEL = "Free a room…"
MOVE_LABEL = "Move the chosen students…"  # into a room, for group work (the console's /move)
FREE_DIALOG_ROOMS = 8  # the question stays on a small screen; the console's /rooms lists more
RESULT_POLL_MS = 50  # how often the Tk thread looks whether a helper thread's action is done


class Moderation:
    # Provided by AdminWindow.
    phase: str
    ask_text: AskText
    clients_view: ClientsView
    rooms_view: RoomsView
    announcement: tk.StringVar
    kick_button: ttk.Button
    mute_button: ttk.Button
    unmute_button: ttk.Button
    class_button: ttk.Button  # "Mute class" / "Unmute class": every student at once, for a test
    wipe_button: ttk.Button
    close_room_button: ttk.Button
    owner_button: ttk.Button
    rooms_menu: tk.Menu
    history_button: ttk.Button
    broadcast_button: ttk.Button
    root: tk.Tk

    @property
    def server(self) -> ChatServer | None:
        raise NotImplementedError

    def say(self, text: str) -> None:
        raise NotImplementedError

    # -- which buttons can be pressed --
    def refresh_actions(self) -> None:
        """Enable each action only when it can do something now."""
        running = self.phase == "running"
        clients = [client for client in self.clients_view.selected() if client.nick] if running else []
        _enable(self.kick_button, bool(clients))
        _enable(self.mute_button, any(not client.muted for client in clients))
        _enable(self.unmute_button, any(client.muted for client in clients))
        self.show_class_muted()
        _enable(self.class_button, running)
        _enable(self.wipe_button, bool(clients))
        students = any(client.role != "teacher" for client in clients)
        self.rooms_menu.entryconfigure(MOVE_LABEL, state="normal" if students else "disabled")
        _enable(self.close_room_button, running and bool(self.rooms_view.selected()))
        _enable(self.owner_button, running and len(self.rooms_view.selected()) == 1)
        # Free a room… needs no row: most rooms it is for have nobody in them, so the table has none of them.
        self.rooms_menu.entryconfigure(FREE_ROOM_LABEL, state="normal" if running else "disabled")
        _enable(self.broadcast_button, running)
        _enable(self.history_button, running)

    def show_class_muted(self) -> None:
        """The class button says what the server has now: a teacher's MUTE * with no student online changes no row."""
        server = self.server if self.phase == "running" else None
        # A glance, not class_muted(): this runs on every poll, and the Tk thread must not wait for the registry lock.
        text = "Unmute class" if server is not None and server.class_muted_glance() else "Mute class"
        if self.class_button.cget("text") != text:
            self.class_button.configure(text=text)

    # -- intent methods: the buttons (and tests) call these --
    def _act(self, action: Callable[[ChatServer], Result], what: str, done: str | Callable[[Result], str]) -> bool:
        """Run `action` on the server now and say `done` (or what done(its result) makes of it), or why not."""
        server = self.server
        if server is None or self.phase != "running":
            self.say("The server is not running; press Start first.")
            return False
        try:
            result = action(server)
        except ProtocolError as exc:
            self.say(f"Not done: {exc.message}")
            log.warning("admin %s not done: %s", what, exc.message)
            return False
        self.say(done if isinstance(done, str) else done(result))
        return True

    def kick(self, nick: str, reason: str, session_id: int | None = None) -> bool:
        """`session_id`: the chosen row's connection, which the kick follows if it renamed meanwhile."""
        return self._act(lambda server: server.kick(nick, reason, session_id), f"kick of {nick}", f"Kicked {nick}.")

    def set_muted(self, nick: str, muted: bool) -> bool:
        verb = "mute" if muted else "unmute"
        return self._act(
            lambda server: server.set_muted(nick, muted), f"{verb} of {nick}", f"{verb.capitalize()}d {nick}."
        )

    def set_class_muted(self, muted: bool) -> bool:
        """Every student at once (a test), and those who come meanwhile; teachers never; nothing is kept."""
        verb = "mute" if muted else "unmute"
        done = self._act(
            lambda server: server.set_class_muted(muted), f"{verb} of the whole class", lambda summary: f"{summary}."
        )
        self.refresh_actions()
        return done

    def on_class_mute_clicked(self) -> None:
        """What the button said when clicked: a teacher's UNMUTE * a moment before must not turn Mute into Unmute."""
        self.set_class_muted(self.class_button.cget("text") == "Mute class")

    def delete_messages_by(self, nick: str, minutes: int) -> bool:
        """Delete what `nick` said in rooms in the last `minutes`, for everyone (a flood); private messages stay.

        It reads and writes the disk (up to 2,000 messages), so it runs on a
        helper thread and the status line says the outcome when it is done;
        False when it could not start (the server is not running).
        """
        server = self.server
        if server is None or self.phase != "running":
            self.say("The server is not running; press Start first.")
            return False
        self.say(f"Deleting {nick}'s messages…")
        outcome: queue.Queue[str] = queue.Queue(maxsize=1)

        def work() -> None:
            try:
                count = server.delete_messages_by(nick, minutes)
            except ProtocolError as exc:
                log.warning("admin deletion of %s's messages not done: %s", nick, exc.message)
                outcome.put(f"Not done: {exc.message}")
                return
            except Exception:
                log.exception("admin deletion of %s's messages failed", nick)
                outcome.put(f"Deleting {nick}'s messages failed; the log has the details.")
                return
            plural = "" if count == 1 else "s"
            outcome.put(f"Deleted {count} room message{plural} of {nick} from the last {minutes} minutes.")

        def show_when_done() -> None:
            try:
                self.say(outcome.get_nowait())
            except queue.Empty:
                self.root.after(RESULT_POLL_MS, show_when_done)

        threading.Thread(target=work, name="admin-purge", daemon=True).start()
        self.root.after(RESULT_POLL_MS, show_when_done)
        return True

    def broadcast(self, text: str) -> bool:
        """True if anyone heard it; with nobody online it says so (the text stays in the box for later)."""
        heard: list[int] = []

        def send(server: ChatServer) -> int:
            heard.append(server.broadcast(text))
            return heard[-1]

        done = self._act(
            send,
            "announcement",
            lambda count: "Announcement sent to everyone." if count else "Nobody is online to hear it: not sent.",
        )
        return done and heard[-1] > 0

    def close_room(self, name: str, reason: str) -> bool:
        return self._act(lambda server: server.close_room(name, reason), f"closing #{name}", f"Closed #{name}.")

    def set_room_owner(self, name: str, owner: str | None) -> bool:
        """Give the room to `owner` (a teacher, say) or to nobody (None): a student who made it first keeps it."""
        return self._act(lambda server: server.set_room_owner(name, owner), f"owner of #{name}", lambda said: said)

    def add_rooms_menu(self, menubar: tk.Menu) -> None:
        """The menu bar's Rooms: Free a room… (a menu, not a button: the Rooms bar at 150% on 1024x600 had
        no width left, and another line of buttons hid a row of the table)."""
        self.rooms_menu = menu = tk.Menu(menubar, tearoff=False)
        menu.add_command(label=FREE_ROOM_LABEL, command=self.on_free_room_clicked, state="disabled")
        # Group work: a menu item too, for the same lack of width in the Clients bar (a button there hid a row).
        menu.add_command(label=MOVE_LABEL, command=self.on_move_clicked, state="disabled")
        menubar.add_cascade(label="Rooms", menu=menu, underline=0)

    def free_room(self, name: str) -> bool:
        """Take the key, topic and owner off a room, live or kept: anyone may join it again, nobody owns it."""
        return self._act(lambda server: server.free_room(name), f"freeing #{name}", lambda said: said)

    # -- button handlers: the selection, a question, then the intent method --
    def _selected_named(self) -> list[tuple[str, int]]:
        """The chosen rows that have a nickname, as (nickname, connection id)."""
        clients = self.clients_view.selected()
        named = [(client.nick, client.session_id) for client in clients if client.nick]
        if not clients:
            self.say("Select a client in the list first.")
        elif not named:
            self.say("That connection has no nickname yet; it is dropped if it does not choose one.")
        return named

    def on_kick_clicked(self) -> None:
        chosen = self._selected_named()
        if not chosen:
            return
        names = ", ".join(nick for nick, _session_id in chosen)
        reason = self.ask_text("Kick", f"Remove {names} from the chat.\nReason (they will see it):")
        if reason is None:
            return
        for nick, session_id in chosen:  # the connections chosen, whatever names they took while the dialog was open
            self.kick(nick, reason, session_id)

    def on_delete_messages_clicked(self) -> None:
        chosen = self._selected_named()
        if not chosen:
            return
        names = ", ".join(nick for nick, _session_id in chosen)
        answer = self.ask_text(
            "Delete messages",
            f"Delete what {names} said in rooms, for everyone (private messages stay).\n"
            "How many minutes back? (empty: the last 60)",
        )
        if answer is None:
            return
        text = answer.strip() or "60"
        if not (text.isascii() and text.isdigit()):
            self.say(f"Not done: {text!r} is not a number of minutes.")
            return
        for nick, _session_id in chosen:
            self.delete_messages_by(nick, int(text))

    def on_mute_clicked(self, muted: bool) -> None:
        for client in self.clients_view.selected():
            if client.nick and client.muted != muted:
                self.set_muted(client.nick, muted)
        if not self.clients_view.selected():
            self.say("Select a client in the list first.")

    def on_close_room_clicked(self) -> None:
        rooms = self.rooms_view.selected()
        if not rooms:
            self.say("Select a room in the list first.")
            return
        names = ", ".join(f"#{room.name}" for room in rooms)
        reason = self.ask_text("Close room", f"Move everyone out of {names}.\nReason (members will see it):")
        if reason is None:
            return
        for room in rooms:
            self.close_room(room.name, reason)

    def on_move_clicked(self) -> None:
        """The chosen students into a room, for group work (the console's /move; a teacher's MOVE)."""
        nicks = [client.nick for client in self.clients_view.selected() if client.nick and client.role != "teacher"]
        if not nicks:
            self.say("Select one or more students in the list first.")
            return
        answer = self.ask_text(
            "Move students",
            f"Move {', '.join(nicks)} to which room?\nThe room's name, then a reason if you like (they see it), "
            "e.g.  g1 Group 1: fractions",
        )
        words = (answer or "").split(None, 1)
        if not words:
            return
        reason = words[1] if len(words) > 1 else ""
        self._act(lambda server: server.move(words[0], ",".join(nicks), reason), f"moving to #{words[0]}", str)

    def on_change_owner_clicked(self) -> None:
        rooms = self.rooms_view.selected()
        if len(rooms) != 1:
            self.say("Select one room in the list first.")
            return
        name = rooms[0].name
        answer = self.ask_text(
            "Change owner",
            f"Give #{name} to whom? A nickname (a teacher's account, say), or leave it empty so nobody owns it.\n"
            "The owner sets its topic and key; teachers may anyway.",
        )
        if answer is None:
            return
        self.set_room_owner(name, answer.strip() or None)

    def on_free_room_clicked(self) -> None:
        """Name the rooms nobody is in that keep a key or a topic (the table shows none of them), then ask which."""
        server = self.server
        if server is None or self.phase != "running":
            self.say("The server is not running; press Start first.")
            return
        from chat_server.kept_rooms_text import kept_room_lines  # a server module: loaded once a server runs

        rooms = self.rooms_view.selected()
        chosen = rooms[0].name if len(rooms) == 1 else ""
        listed = kept_room_lines(server.kept_rooms(), FREE_DIALOG_ROOMS)[1:]
        prompt = "\n".join(
            [
                "Rooms nobody is in that keep a key or a topic:"
                if listed
                else "No room nobody is in keeps a key or a topic.",
                *listed,
                "Take the key, topic and owner off which room? Anyone may join it again; nobody owns it.",
                *([f"(empty: #{chosen}, chosen in the table)"] if chosen else []),
            ]
        )
        answer = self.ask_text("Free a room", prompt)
        if answer is None:
            return
        name = answer.strip().lstrip("#") or chosen
        if not name:
            self.say("Not done: type the room's name.")
            return
        self.free_room(name)

    def on_broadcast_clicked(self) -> None:
        text = self.announcement.get().strip()
        if not text:
            self.say("Type the announcement first.")
            return
        if self.broadcast(text):
            self.announcement.set("")


def _enable(button: ttk.Button, enabled: bool) -> None:
    button.state(["!disabled"] if enabled else ["disabled"])
