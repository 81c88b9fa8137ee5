"""Roles on the wire: the fields that tell a teacher from a student (handler threads, registry lock held).

A role comes only from the session (`Session.role`, set when it logs in to
a teacher's account or when the admin changes the account's role), never
from anything a client writes: a student called "teacher" is just a name.

    nick frame       role ("teacher" | "student"), account (true when logged in)
    joined, members, `roles`: {nick: "teacher"} for the teachers among the names the frame
    list             carries (students are left out, so the frames stay small)
    system join      role of the one who joined
    system role      sent to the room when a member's role changes
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chat_server.registry import ChatRegistry
from chat_server.session import Session
from shared.frames import server_frame

if TYPE_CHECKING:
    from chat_server.handlers.base import Delivery  # not at run time: the handlers import this module

# Teachers are made by the admin, so a frame rarely names many; the cap keeps the worst case
# (150 names of 24 four-byte letters, every one a teacher) under the 32 KiB frame limit.
MAX_ROLES_PER_FRAME = 40


def identity_fields(session: Session) -> dict[str, Any]:
    """What every `nick` frame says about who the session is."""
    return {"role": session.role, "account": session.account is not None}


def roles_of(sessions: Iterable[Session]) -> dict[str, str]:
    """{nick: role} for the teachers among `sessions` (all of them: pick a frame's share with `roles_for`)."""
    return {session.nick: session.role for session in sessions if session.role != "student" and session.nick}


def roles_for(roles: dict[str, str], nicks: Iterable[str]) -> dict[str, str]:
    """The part of `roles` about the names one frame carries, at most MAX_ROLES_PER_FRAME."""
    picked: dict[str, str] = {}
    if roles:
        for nick in nicks:
            role = roles.get(nick)
            if role is not None:
                picked[nick] = role
                if len(picked) >= MAX_ROLES_PER_FRAME:
                    break
    return picked


def roles_of_names(registry: ChatRegistry, nicks: Iterable[str]) -> dict[str, str]:
    """{nick: role} for the teachers among these nicknames online."""
    sessions = (registry.find_nick(nick) for nick in nicks)
    return roles_for(roles_of(session for session in sessions if session is not None), nicks)


def role_notice(session: Session) -> list[Delivery]:
    """The others in the session's room hear that its role changed (a teacher logged in, or was made one)."""
    room = session.room
    if room is None:
        return []
    others = [member for member in room.members if member is not session]
    text = f"{session.nick} is now a {session.role}"
    frame = server_frame("system", text, event="role", room=room.name, user=session.nick, role=session.role)
    return [(others, frame)]
