"""Whether a finished upload may still be shared: its sender and its room, checked again (registry lock held).

An upload may take hours (it resumes after a broken connection), so what
was true at UPLOAD is asked again when the bytes are in:

    sender muted or banned since                  -> refused (muted / not_allowed); muted only with the
                                                     whole class (MUTE *), a file privately to a teacher
                                                     (a test's hand-in) is shared
    sender gone, someone else has the name now    -> refused: nobody can tell it is the same person
    sender kicked, or its account's password      -> refused: a teacher removed them, or the admin shut out
      reset, since it began (online again or not)    whoever had the old password
    room file, the room has nobody in it now      -> refused: closed, or left (the file would wait in its
                                                     history for whoever makes a room of that name next)
    room file, the room is locked and the sender  -> refused: a key put on since, or a locked room left,
      is not in it                                   keeps out files from outside as it keeps out people
    room file, the sender is in another open room -> shared: they could walk back in and post it

Memory only (a ban or mute may be looked up in the database's cache of
sanctions, which is memory too): no I/O here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from chat_server.identity.service import sanction_address
from chat_server.registry import ChatRegistry
from chat_server.storage import Storage
from chat_server.storage.models import SanctionKind
from shared.errors import ErrorCode
from shared.file_transfer import FileError
from shared.names import name_key

if TYPE_CHECKING:
    from chat_server.files.records import StoredFile
    from chat_server.session import Session

SentAwaySince = Callable[[str, float], bool]  # (owner, since) -> kicked or reset at or after it


class ShareRules:
    def __init__(self, registry: ChatRegistry, storage: Storage, sent_away_since: SentAwaySince) -> None:
        self.registry = registry
        self.storage = storage
        self.sent_away_since = sent_away_since

    def refusal(
        self, stored: StoredFile, sender: Session | None, address: str | None, *, rooms: bool = True
    ) -> FileError | None:
        """Why the finished upload is not shared, or None (registry lock held; memory only).

        `rooms` False: the room is not asked about (at start, when no room has members yet).
        """
        refused = self._sender_refusal(stored, sender, address)
        if refused is None and rooms:
            refused = self._room_refusal(stored, sender)
        return refused

    def _sender_refusal(self, stored: StoredFile, sender: Session | None, address: str | None) -> FileError | None:
        if stored.sender_owner is not None and self.sent_away_since(stored.sender_owner, stored.created):
            return FileError(
                ErrorCode.NOT_ALLOWED,
                "The file was not shared: you were removed from the chat (or your account's password was reset) "
                "since you began.",
            )
        if sender is not None:
            muted = sender.muted and not self._hand_in_past_class_mute(stored, sender)
        else:
            if self.registry.find_nick(stored.sender) is not None:
                return FileError(
                    ErrorCode.NOT_ALLOWED,
                    f"The file was not shared: someone called {stored.sender} is in the chat now, and the server cannot "
                    "tell that they are the one who began this upload (after a restart or a lost connection). "
                    "Send it again.",
                )
            if self._sanctioned("ban", stored.sender, address):
                return FileError(ErrorCode.NOT_ALLOWED, "The file was not shared: you are banned from this server.")
            muted = self._sanctioned("mute", stored.sender, address)
        if muted:
            return FileError(ErrorCode.MUTED, "The file was not shared: you are muted.")
        other = self.registry.find_nick(stored.target.to or "") if stored.target.to is not None else None
        if other is not None and sender is not None and self.registry.ignores.blocks(other, sender):
            return FileError(ErrorCode.IGNORED, f"The file was not shared: {other.nick} is not taking files from you.")
        return None

    def _hand_in_past_class_mute(self, stored: StoredFile, sender: Session) -> bool:
        """A file privately to a teacher from a student muted only with the class (MUTE *): a test's hand-in.

        Muted by a sanction of their own (by name or computer), it stays refused.
        """
        if stored.target.to is None or self._sanctioned("mute", sender.nick or "", sender.computer):
            return False
        other = self.registry.find_nick(stored.target.to)
        if other is not None:
            return other.role == "teacher"
        account = self.storage.accounts.get(stored.target.to)
        return account is not None and account.role == "teacher"

    def _room_refusal(self, stored: StoredFile, sender: Session | None) -> FileError | None:
        wanted = stored.target.room
        if wanted is None:
            return None
        room = self.registry.find_room(wanted)
        if room is None:
            return FileError(
                ErrorCode.NOT_IN_ROOM,
                f"The file was not shared: nobody is in #{wanted} now (it was closed, or everyone left). "
                "Send it again from a room.",
            )
        if room.locked and (sender is None or sender not in room.members):
            return FileError(
                ErrorCode.NOT_IN_ROOM,
                f"The file was not shared: #{room.name} is locked with a key and you are not in it now.",
            )
        return None

    def banned(self, nick: str, address: str | None = None) -> bool:
        """Whether a ban holds now for this name (or address); memory only."""
        return self._sanctioned("ban", nick, address)

    def _sanctioned(self, kind: SanctionKind, nick: str, address: str | None) -> bool:
        found = self.storage.moderation.find(
            kind, nick_key=name_key(nick), address=sanction_address(address), now_ms=int(time.time() * 1000)
        )
        return found is not None
