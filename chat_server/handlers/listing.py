"""LIST: who is online and the rooms, whole when it fits in one frame, in pages when not (handler threads, registry lock held).

    /list            everyone online and every room with its members, when that fits in
                     WHOLE_ANSWER_BUDGET bytes (`complete`: true); otherwise page 1 below
    /list N          page N: USERS_PER_PAGE nicknames in their sorted order and ROOMS_PER_PAGE
                     rooms with their member `count` (their `users` empty: ask /list ROOM)
    /list ROOM [N]   the members of one room, MEMBERS_PER_PAGE a page (`#2` for a room called 2)

Each answer is one `list` frame with the contract's `users`, `rooms` and
`statuses` (each user of `users` with "online" or "away") plus
`complete`, `page`, `pages`, `total_users` and `total_rooms`.  Its worst
case (every name 24 four-byte letters, every room name 32) stays under
29 KiB, so no answer ever passes the 32 KiB frame cap.  The registry
keeps the nicknames sorted and counts their bytes as people come and go,
so an answer costs one page of work, never a sort of everyone.  A
connection gets an answer once per `list_interval` seconds (bursts of
LIST_BURST); past that LIST is refused like any flood: at most one
`rate_limited` a second, the rest dropped.
"""

from __future__ import annotations

import math

from chat_server.handlers.base import CommandModule, Delivery
from chat_server.identity.roles import roles_of_names
from chat_server.presence import STATUS_ENTRY_BYTES, statuses_for
from chat_server.registry import Room
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frame_types import ListRoom
from shared.frames import Frame, server_frame
from shared.names import normalise_room

USERS_PER_PAGE = 80  # at most 80 * (99 + 108) bytes = 16.2 KiB of names and their statuses
MEMBERS_PER_PAGE = 80  # a room's page names each member three times (`users`, the room's, `statuses`): 24 KiB
ROOMS_PER_PAGE = 50  # at most 50 * 170 bytes = 8.3 KiB
NAMES_IN_TEXT = 20  # the readable `content` names the first few only: at most 2 KiB
ROOMS_IN_TEXT = 10
WHOLE_ANSWER_BUDGET = 20 * 1024  # bytes of names; the whole answer is sent when they fit
LIST_BURST = 3  # a client may ask LIST, LIST ROOM and LIST 2 at once
_ROOM_ENTRY_BYTES = 40  # {"name":"","users":[],"count":12345}, plus a comma
_NAME_ENTRY_BYTES = 3  # two quotes and a comma


class ListCommands(CommandModule):
    def handle_list(self, session: Session, argument: str) -> list[Delivery]:
        if not session.list_bucket.allow():
            session.flood.refuse_or_drop(
                f"/list is answered once every {self.config.list_interval:g} s; the rooms list updates by itself."
            )
            return []
        room_name, page = _parse_argument(argument)
        if not self.output_room(session, "/list"):
            return []
        frame = self._room_answer(room_name, page) if room_name else self._server_answer(page)
        frame["roles"] = roles_of_names(self.registry, frame["users"])  # the teachers among the names
        return [([session], frame)]

    # -- the whole server --
    def _server_answer(self, page: int | None) -> Frame:
        registry = self.registry
        total_users = len(registry.nick_keys)
        rooms = sorted(registry.rooms.values(), key=lambda room: room.key)
        if page is None and self._whole_answer_fits(rooms):
            users = registry.online_nicks()
            entries: list[ListRoom] = [
                {"name": room.name, "users": room.nicks(), "count": len(room.members)} for room in rooms
            ]
            text = f"{total_users} online: {_first_few(users, total_users)}. Rooms: {_rooms_text(rooms)}"
            return _list_frame(text, users, statuses_for(users, registry), entries, True, 1, 1, total_users, len(rooms))
        pages = max(1, math.ceil(total_users / USERS_PER_PAGE), math.ceil(len(rooms) / ROOMS_PER_PAGE))
        page = _check_page(page or 1, pages)
        start = (page - 1) * USERS_PER_PAGE
        users = registry.online_nicks(start, start + USERS_PER_PAGE)
        shown_rooms = rooms[(page - 1) * ROOMS_PER_PAGE : page * ROOMS_PER_PAGE]
        entries = [{"name": room.name, "users": [], "count": len(room.members)} for room in shown_rooms]
        text = (
            f"{total_users} online, {len(rooms)} rooms; page {page} of {pages}"
            f"{f' (/list {page + 1} for more)' if page < pages else ''}; /list ROOM shows a room's members. "
            f"Here: {_first_few(users, len(users)) or 'nobody'}. Rooms: {_rooms_text(shown_rooms)}"
        )
        return _list_frame(
            text, users, statuses_for(users, registry), entries, pages == 1, page, pages, total_users, len(rooms)
        )

    def _whole_answer_fits(self, rooms: list[Room]) -> bool:
        """Every name three times (online, in a room, in `statuses`) and every room, counted without building anything."""
        registry = self.registry
        names = registry.nick_bytes + _NAME_ENTRY_BYTES * len(registry.nick_keys)
        statuses = registry.nick_bytes + STATUS_ENTRY_BYTES * len(registry.nick_keys)
        room_bytes = sum(len(room.name.encode()) + _ROOM_ENTRY_BYTES for room in rooms)
        return 2 * names + statuses + room_bytes <= WHOLE_ANSWER_BUDGET

    # -- one room --
    def _room_answer(self, room_name: str, page: int | None) -> Frame:
        room = self.registry.find_room(room_name)
        if room is None:
            raise ProtocolError(ErrorCode.BAD_ROOM, f"There is no room #{room_name} right now; /list shows the rooms.")
        members = room.nicks()
        pages = max(1, math.ceil(len(members) / MEMBERS_PER_PAGE))
        page = _check_page(page or 1, pages)
        shown = members[(page - 1) * MEMBERS_PER_PAGE : page * MEMBERS_PER_PAGE]
        more = f" (/list {room.name} {page + 1} for more)" if page < pages else ""
        text = f"#{room.name}, {len(members)} here; page {page} of {pages}{more}: {_first_few(shown, len(shown))}"
        entry: ListRoom = {"name": room.name, "users": shown, "count": len(members)}
        registry = self.registry
        statuses = statuses_for(shown, registry)
        return _list_frame(
            text, shown, statuses, [entry], pages == 1, page, pages, len(registry.nick_keys), len(registry.rooms)
        )


def _parse_argument(argument: str) -> tuple[str, int | None]:
    """ "" -> ("", None); "3" -> ("", 3); "#2" -> ("2", None); "lab 2" -> ("lab", 2)."""
    words = argument.split()
    if len(words) > 2 or (len(words) == 2 and not words[1].isdecimal()):
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Use /list, /list PAGE, /list ROOM or /list ROOM PAGE.")
    if not words:
        return "", None
    if len(words) == 1 and words[0].isdecimal():
        return "", _page_number(words[0])
    room = normalise_room(words[0])
    return room, _page_number(words[1]) if len(words) == 2 else None


def _page_number(word: str) -> int:
    if len(word) > 6 or not word.isascii() or int(word) < 1:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Pages are numbered from 1, e.g. /list 2.")
    return int(word)


def _check_page(page: int, pages: int) -> int:
    if page > pages:
        raise ProtocolError(
            ErrorCode.BAD_ARGUMENT, "There is only 1 page." if pages == 1 else f"There are only {pages} pages."
        )
    return page


def _list_frame(
    text: str,
    users: list[str],
    statuses: dict[str, str],
    rooms: list[ListRoom],
    complete: bool,
    page: int,
    pages: int,
    total_users: int,
    total_rooms: int,
) -> Frame:
    return server_frame(
        "list",
        text,
        users=users,
        statuses=statuses,
        rooms=rooms,
        complete=complete,
        page=page,
        pages=pages,
        total_users=total_users,
        total_rooms=total_rooms,
    )


def _first_few(names: list[str], total: int) -> str:
    """ "a, b, c" for the readable `content`; past NAMES_IN_TEXT names it ends "... and 70 more"."""
    shown = ", ".join(names[:NAMES_IN_TEXT])
    hidden = total - min(len(names), NAMES_IN_TEXT)
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def _rooms_text(rooms: list[Room]) -> str:
    shown = ", ".join(f"#{room.name} ({len(room.members)})" for room in rooms[:ROOMS_IN_TEXT])
    hidden = len(rooms) - ROOMS_IN_TEXT
    return (f"{shown} and {hidden} more" if hidden > 0 else shown) or "none yet"
