"""Presence on the server: who is away, the `presence` and `typing` frames, `statuses` for member lists (handler threads, registry lock held).

PROTOCOL.md (Version 2, Presence).  A connection is online until it says
`AWAY [text]`, and online again after `BACK`; the state lives on the
Session (`away`: None, or the away text), so it ends with the connection:
a new connection, or one that takes a parked session back with RESUME,
starts online.  A RESUME that takes over a connection still open keeps
its state, because the room hears nothing of that hand-over.

Frames that name users (`joined`, `members`, `list`) carry `statuses`,
`{nick: "online" | "away"}` for exactly the users they name.  Each entry
costs at most STATUS_ENTRY_BYTES beyond the name itself, and the paging in
membership.py and listing.py counts it, so no frame passes 32 KiB.
"""

from __future__ import annotations

from collections.abc import Iterable

from chat_server.registry import ChatRegistry
from chat_server.session import Session
from shared.frames import Frame, server_frame
from shared.quoted_words import quoted

ONLINE = "online"
AWAY = "away"
MAX_AWAY_CHARS = 64
# '"<nick>":"online",' beyond the nickname's own bytes: two quotes, a colon, "online" quoted, a comma
STATUS_ENTRY_BYTES = len('"":"online",')
AWAY_TEXT_IN_CONTENT_CHARS = MAX_AWAY_CHARS  # shown whole, quoted, after the server's words


def status_of(session: Session) -> str:
    return ONLINE if session.away is None else AWAY


def statuses_of(sessions: Iterable[Session]) -> dict[str, str]:
    """`statuses` for these sessions, by nickname as shown."""
    return {session.nick: status_of(session) for session in sessions if session.nick}


def statuses_for(names: Iterable[str], registry: ChatRegistry) -> dict[str, str]:
    """`statuses` for nicknames as a frame lists them (someone gone meanwhile counts as online)."""
    result: dict[str, str] = {}
    for nick in names:
        session = registry.find_nick(nick)
        result[nick] = ONLINE if session is None else status_of(session)
    return result


def presence_frame(session: Session) -> Frame:
    """`presence` {"user", "status", "text"}: the server's words first, the user's own text only quoted after them."""
    nick = session.nick or ""
    if session.away is None:
        return server_frame("presence", f"{nick} is back", user=nick, status=ONLINE, text="")
    text = "" if session.muted else session.away  # a muted user's words reach nobody, an away text neither
    content = f"{nick} is away: {quoted(text)}" if text else f"{nick} is away"
    return server_frame("presence", content, user=nick, status=AWAY, text=text)


def typing_frame(session: Session, room: str) -> Frame:
    return server_frame("typing", f"{session.nick} is typing…", room=room, user=session.nick or "")
