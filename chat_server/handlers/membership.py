"""Joining and leaving a room: the frames everyone concerned gets (handler threads, registry lock held).

Shared by JOIN, LEAVE, RESUME and the end of a connection.  A room's member
list comes with `joined`; past MEMBERS_PER_FRAME names the rest follows in
`members` frames (an extension), so no frame passes 32 KiB however big the
room: 100 names of 24 four-byte letters, each named again in `statuses`
(chat_server/presence.py), are under 21 KiB.  Someone away who joins a
room is announced as away right after the join notice.
"""

from __future__ import annotations

from chat_server.handlers.base import Delivery
from chat_server.identity.roles import roles_for, roles_of
from chat_server.identity.rooms_kept import owner_now
from chat_server.presence import presence_frame, statuses_of
from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from shared.frames import server_frame
from shared.names import name_key
from shared.quoted_words import quoted

MEMBERS_PER_FRAME = 100
REASON_IN_NOTICE_CHARS = 60  # the leaver's own words, quoted in the notice; the `reason` field has them whole


def leave_deliveries(registry: ChatRegistry, session: Session, cause: str = "", said: str = "") -> list[Delivery]:
    """Take `session` out of its room; the others there get a `system` leave notice.

    `cause` is the server's word for why ("quit", "kicked"); `said` is what
    the leaver (or the admin) said.  That text goes in a field of its own,
    `reason`, and `content` shows it only quoted and capped, after the
    server's words, so it can never pass for the server speaking.
    """
    room = registry.leave_room(session)
    if room is None:
        return []
    nick = session.nick or ""
    text = f"{nick} left #{room.name}"
    fields: dict[str, str] = {"event": "leave", "room": room.name, "user": nick}
    if said:
        text += f" ({cause or 'left'}: {quoted(said, REASON_IN_NOTICE_CHARS)})"
        fields["reason"] = said
    elif cause:
        text += f" ({cause})"
    return [(room.members, server_frame("system", text, **fields))]


def join_deliveries(registry: ChatRegistry, session: Session, name: str) -> list[Delivery]:
    """JOIN: leave the current room (unless it is this one), join `name`; the rooms hear it, the joiner gets `joined`."""
    deliveries: list[Delivery] = []
    if session.room is None or session.room.key != name_key(name):
        if session.room is not None:
            old_room = session.room
            deliveries += leave_deliveries(registry, session)
            deliveries.append(([session], server_frame("left", f"You left #{old_room.name}", room=old_room.name)))
        room = registry.join_room(session, name)
        others = [member for member in room.members if member is not session]
        notice = server_frame(
            "system",
            f"{session.nick} joined #{room.name}",
            event="join",
            room=room.name,
            user=session.nick,
            role=session.role,
        )
        deliveries.append((others, notice))
        if session.away is not None:
            deliveries.append((others, presence_frame(session)))
    assert session.room is not None
    return deliveries + joined_deliveries(registry, session, session.room)


def joined_deliveries(registry: ChatRegistry, session: Session, room: Room) -> list[Delivery]:
    """`joined` for the member, then `members` pages when the room is too big for one frame."""
    members = room.nicks()
    statuses = statuses_of(room.members)
    count = len(members)
    if count <= MEMBERS_PER_FRAME:
        first, rest = members, []
    else:  # the joiner's own name always comes in `joined`
        others = [nick for nick in members if nick != session.nick]
        first = [session.nick or "", *others[: MEMBERS_PER_FRAME - 1]]
        rest = others[MEMBERS_PER_FRAME - 1 :]
    roles = roles_of(room.members)  # the teachers here: usually none, or one
    joined = server_frame(
        "joined",
        f"You joined #{room.name} ({count} here)",
        room=room.name,
        users=first,
        count=count,
        more=bool(rest),
        statuses={nick: statuses[nick] for nick in first},
        topic=room.topic,
        owner=owner_now(registry, room),
        locked=room.locked,
        roles=roles_for(roles, first),
        you_own=session.owns(room.owner_id),  # the window offers the owner's menu items (REMOVE) by it
    )
    deliveries: list[Delivery] = [([session], joined)]
    if rest and not session.text_mode:  # an nc user reads the count; /list ROOM pages through the names
        for start in range(0, len(rest), MEMBERS_PER_FRAME):
            page = rest[start : start + MEMBERS_PER_FRAME]
            more = start + MEMBERS_PER_FRAME < len(rest)
            text = f"#{room.name}: {len(page)} more members" + ("" if more else " (that is all)")
            page_statuses = {nick: statuses[nick] for nick in page}
            frame = server_frame(
                "members",
                text,
                room=room.name,
                users=page,
                more=more,
                statuses=page_statuses,
                roles=roles_for(roles, page),
            )
            deliveries.append(([session], frame))
    return deliveries
