"""Who may see and change which history: the hooks the accounts and room-key work extend (registry lock or the sender's thread).

No store call and no I/O here: each function looks at a session's marks
and a message or room name.

- `check_room_readable`: HISTORY and SEARCH of a named room.  Any room the
  client could join: today every valid room name.  Once rooms have keys
  (the identity work), a keyed room's history is for those who know its
  key: raise `bad_room_key` here for a session that has not entered it.
- `sent_by` / `private_of`: whether a message's sender (or one of a
  private message's two people) is this connection's person: the nickname matches and the message came after the
  nickname was taken (`HistoryMarks.nick_since`), so a nickname taken over
  by someone else does not bring its private conversations or its
  messages with it.  A logged-in account will set `nick_since` to 0.
- `may_delete(session, message)`: DELETE by the message's sender.  The
  accounts work adds teachers (any message) here.  It runs off the
  registry lock, on the sender's own handler thread, and reads only the
  session's own identity, which other threads change only when they end
  the session.
"""

from __future__ import annotations

from chat_server.session import Session
from chat_server.storage import StoredMessage


def check_room_readable(session: Session, room_name: str) -> None:
    """Raise ProtocolError if `session` may not read the history of `room_name` (no room keys yet: all may)."""
    return None


def sent_by(message: StoredMessage, key: str | None, since: int) -> bool:
    """True when the person with nickname key `key`, holding it since id `since`, sent `message`."""
    return key is not None and message.sender_key == key and message.id > since


def private_of(message: StoredMessage, key: str | None, since: int) -> bool:
    """A private message is shown only to its two people: as sender or recipient, since `since`."""
    return (
        key is not None
        and message.id > since
        and message.recipient is not None
        and key in (message.sender_key, message.recipient_key)
    )


def may_delete(session: Session, message: StoredMessage) -> bool:
    """DELETE: the sender of the message, under the same holding of the nickname. Teachers come with accounts."""
    return sent_by(message, session.key, session.history.nick_since)
