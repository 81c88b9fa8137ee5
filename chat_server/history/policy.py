"""Who may see and change which history: the hooks the accounts and room-key work extend (registry lock or the sender's thread).

No store call and no I/O here: each function looks at a session's marks
and a message or room name.

- `check_room_readable`: HISTORY and SEARCH of a named room.  Any room the
  client could join; a locked room's (one with a key) only for its
  members, its owner and teachers: `bad_room_key` for anyone else
  (KeptRooms.check_readable).
- `sent_by` / `private_of`: whether a message's sender (or one of a
  private message's two people) is this connection's person: one of its
  owners (Session.owners: its account's, and its own guest one; see
  chat_server/identity/owners.py) wrote or received it.  A nickname taken
  over by someone else brings neither its private conversations nor its
  messages with it; an account keeps them at every login; RESUME keeps
  them (the token hands the guest owner on).
- `may_delete(session, message)`: DELETE by the message's sender, and by a
  teacher (logged in to a teacher's account) of any room message.  It runs off the
  registry lock, on the sender's own handler thread, and reads only the
  session's own identity, which other threads change only when they end
  the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_server.identity.service import IdentityService
from chat_server.session import Session
from chat_server.storage import StoredMessage

if TYPE_CHECKING:
    from chat_server.identity.wiring import WhoIsWho


def check_room_readable(session: Session, room_name: str, who: WhoIsWho | None = None) -> None:
    """Raise ProtocolError if `session` may not read the history of `room_name` (a locked room it is not in)."""
    if who is not None:
        who.rooms.check_readable(session, room_name, IdentityService.is_teacher(session))


def sent_by(message: StoredMessage, owners: tuple[str, ...]) -> bool:
    """True when the person with these owners (Session.owners) sent `message`."""
    return message.sender_owner is not None and message.sender_owner in owners


def private_of(message: StoredMessage, owners: tuple[str, ...]) -> bool:
    """A private message is shown only to its two people: the owners that sent or received it."""
    return message.recipient is not None and message.owned_by(owners)


def may_delete(session: Session, owners: tuple[str, ...], message: StoredMessage) -> bool:
    """DELETE: the person who sent the message (by owner, not nickname); a teacher, any room message."""
    if message.room is not None and IdentityService.is_teacher(session):
        return True
    return sent_by(message, owners)
