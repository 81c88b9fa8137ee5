"""What the status bar and the title say about the connection, composed from where things stand (any thread; pure).

    status_text(Situation(State.READY, "", "10.0.0.5", 55555, "alice", "maths")) ->
        "Connected to 10.0.0.5:55555 as alice · in #maths"

Composed afresh after every change (a room joined by any route, left,
closed by the teacher; a nickname change; every state of the connection),
so the bar never keeps a sentence that has stopped being true, such as the
room the connection started in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chat_gui.core.events import State


@dataclass(frozen=True)
class Situation:
    state: State
    detail: str  # the connection's last sentence (StateChanged.detail)
    host: str
    port: int
    nick: str
    room: str | None
    room_note: str = ""  # why you are in no room now ("#maths was closed: end of lesson")
    server_here: list[str] = field(default_factory=list)  # "address:port" others join at, when this computer serves
    dialog_problem: bool = False  # the Connect dialog is showing what went wrong
    ever_ready: bool = False
    behind: bool = False  # far more frames wait than the window shows at once: it is catching up
    reader_gone: bool = False  # the connection ended; what arrived before that is still being shown
    elsewhere: bool = False  # sent away because this person's other window or computer took the name


def status_text(situation: Situation) -> str:
    state, detail = situation.state, situation.detail
    if state is State.READY:
        where = f"in #{situation.room}" if situation.room else _no_room(situation.room_note)
        text = f"Connected to {situation.host}:{situation.port} as {situation.nick} · {where}"
        if (
            situation.reader_gone
        ):  # the loss is handled once the frames before it are shown: never "Connected" meanwhile
            return f"Connection lost; showing what arrived before it, then reconnecting… · {where}"
        if situation.behind:
            text += " · catching up…"
        if situation.server_here:
            from chat_server.netinfo import only_this_computer  # loaded already: this computer runs the server

            if only_this_computer(situation.server_here):  # no network address: 127.0.0.1 is no use to others
                text += " · This computer runs the chat server: only this computer can join (no network address)."
            else:
                text += f" · This computer runs the chat server: others join at {', '.join(situation.server_here)}."
        return text
    if state is State.REMOVED and situation.elsewhere and not situation.dialog_problem:
        return (
            f"Not connected: you are signed in as {situation.nick} somewhere else now. "
            "Reconnect now (Ctrl+R) takes the name back here."
        )
    if state is State.REMOVED and not situation.dialog_problem:
        return f"Not connected: {detail.rstrip('.')}. Nothing reconnects by itself; Reconnect now (Ctrl+R) tries again."
    if state is State.OFFLINE and situation.ever_ready:
        return "Disconnected. Nothing is sent until you connect again: Chat > Reconnect now (Ctrl+R)."
    if situation.dialog_problem:
        return "Not connected: the Connect dialog says what to change."
    if state is State.OFFLINE:
        return "Not connected."
    return detail


def title_condition(situation: Situation) -> str:
    """A few words for the title when the window is not simply chatting ("" when it is)."""
    state = situation.state
    if state is State.REMOVED and situation.elsewhere:
        return "signed in elsewhere"
    if state is State.REMOVED:
        return "removed from the server"
    if state is State.OFFLINE and situation.ever_ready:
        return "disconnected"
    if state is State.RECONNECTING:
        return "reconnecting…"
    if state is State.FAILED and situation.ever_ready:
        return "not connected"
    return ""


def _no_room(note: str) -> str:
    if note:
        return f"not in a room ({note.rstrip('.')}): double-click a room to join it"
    return "not in a room: double-click a room to join it"
