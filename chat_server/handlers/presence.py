"""AWAY, BACK and TYPING: presence and the typing indicator (handler threads, registry lock held).

PROTOCOL.md (Version 2, Presence):

    AWAY [text]   the user is away; the text (one line, at most 64 characters, cut with "…") is optional
    BACK          the user is online again
    TYPING        the others in the room get `typing` {"room", "user"}

The people in the user's room get `presence` {"user", "status", "text"};
the user gets it too, as the answer, also when nothing changed (then only
the user).  A muted user may go away, but without words: the away text
would be a way round the mute.  While the whole class is muted (MUTE *)
its students may not go away (a status flipped at will is a signal); one
who was away already may come back, once, so the window and the server
agree on the status (the window sends BACK on input).

TYPING is passed on at most once per `typing_interval` seconds (3) per
connection, and while the room's share of the server's budget of typing
frames (`typing_frames_per_second`, 160, split evenly among the rooms
where people type; chat_server/typing_budget.py) lasts; the rest, and TYPING outside a room or from a muted user, are
dropped without an answer: an indicator is worth nothing late, and an
error for each would cost more than the frame it refuses.  Text-mode
connections get no `typing` frames (a line each would drown the chat).
Nothing here is stored.  Someone who has ignored the typist (IGNORE,
chat_server/ignoring.py) is not told.
"""

from __future__ import annotations

import time

from chat_server.handlers.base import CommandModule, Delivery, ServerServices
from chat_server.presence import MAX_AWAY_CHARS, presence_frame, typing_frame
from chat_server.session import Session
from chat_server.typing_budget import TypingBudget
from shared.errors import ErrorCode, ProtocolError
from shared.names import one_line


class PresenceCommands(CommandModule):
    def __init__(self, services: ServerServices) -> None:
        super().__init__(services)
        self.typing_budget = TypingBudget(self.config.typing_frames_per_second)

    def handle_away(self, session: Session, argument: str) -> list[Delivery]:
        text = one_line(argument, MAX_AWAY_CHARS)
        self._refuse_in_a_test(session)
        if text and session.muted:
            raise ProtocolError(ErrorCode.MUTED, "You are muted, so your away text is not shown; use /away on its own.")
        if not self.notice_allowed(session):
            return []
        return self._set(session, text)

    def handle_back(self, session: Session, argument: str) -> list[Delivery]:
        if session.away is None:  # away when the class was muted: coming back once is allowed, going again is not
            self._refuse_in_a_test(session)
        if not self.notice_allowed(session):
            return []
        return self._set(session, None)

    def _refuse_in_a_test(self, session: Session) -> None:
        """`muted` for AWAY and BACK while the whole class is muted (MUTE *): the status stays as it was.

        A status that flips is a signal the class sees: a muted student sent 40 away/back changes in
        3 s, each relayed to every classmate (the exam probe), and LIST shows it too.
        """
        if self.moderator.muted_with_class(session):
            raise ProtocolError(
                ErrorCode.MUTED,
                "The teacher has muted the whole class, so your away status stays as it is until then.",
            )

    def handle_typing(self, session: Session, argument: str) -> list[Delivery]:
        room = session.room
        if room is None or session.muted:
            return []
        now = time.monotonic()
        if now - session.typing_relayed < self.config.typing_interval:
            return []
        ignores = self.registry.ignores
        others = [
            member
            for member in room.members
            if member is not session and not member.text_mode and not ignores.blocks(member, session)
        ]
        if not others or not self.typing_budget.allow(room.key, len(others)):
            return []
        session.typing_relayed = now
        return [(others, typing_frame(session, room.name))]

    def _set(self, session: Session, away: str | None) -> list[Delivery]:
        changed = session.away != away
        session.away = away
        frame = presence_frame(session)
        if changed and session.room is not None:
            return [(session.room.members, frame)]
        return [([session], frame)]
