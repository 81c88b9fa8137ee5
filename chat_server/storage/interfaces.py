"""The storage interface the server codes against (typing.Protocol; no threads of its own).

The SQLite classes implement it for one server; a store shared by several
servers (a database server, say) can replace them without the handlers
changing. Contract for every implementation:

- No method may be slow while the caller holds the registry lock except
  where noted: `MessageStore.append`, `highest_id`, `recent` and `still_visible`, and the look-ups
  `AccountStore.get`, `ModerationStore.find`, `RoomStore.get` and
  `FileStore.get`, do no I/O. Everything else may read the disk: call it
  off the lock.
- Reads see every write that returned before them.
- Private messages are returned only to one of their two people: the
  caller says who is asking, the store enforces it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from chat_server.storage.models import (
    Account,
    Conversation,
    FileRecord,
    FileState,
    Page,
    Role,
    RoomRecord,
    Sanction,
    SanctionKind,
    StoredMessage,
)
from chat_server.storage.search_clock import SearchClock
from chat_server.storage.search_sender import SenderFilter


class MessageStore(Protocol):
    def highest_id(self) -> int: ...

    def append(self, message: StoredMessage) -> None: ...

    def get(self, message_id: int) -> StoredMessage | None: ...

    def still_visible(self, messages: Sequence[StoredMessage]) -> list[StoredMessage]: ...

    def replay(self, room: str, count: int) -> list[StoredMessage]: ...

    def recent(self, room: str, count: int, *, memory_only: bool = False) -> Page | None: ...

    def load_recent(self, room: str) -> bool: ...

    def page(
        self, conversation: Conversation, *, before: int | None = None, after: int | None = None, limit: int = 50
    ) -> Page: ...

    def search(
        self,
        asker: str,
        text: str,
        *,
        room: str | None = None,
        include_private: bool = False,
        limit: int = 50,
        owners: tuple[str, ...] | None = None,
        clock: SearchClock | None = None,
        before: int | None = None,
        sender: SenderFilter | None = None,
        every_room: bool = False,
    ) -> list[StoredMessage]: ...

    def delete(self, message_id: int) -> StoredMessage | None: ...

    def room_messages_by(
        self, sender: str, since_ms: int, limit: int, owners: tuple[str, ...] = ()
    ) -> list[StoredMessage]: ...

    def clear_room(self, room: str) -> int: ...

    def export_rows(
        self, room: str, start_ms: int, end_ms: int, *, include_private: bool = False
    ) -> list[StoredMessage]: ...

    def count(self) -> int: ...


class AccountStore(Protocol):
    def get(self, nick: str) -> Account | None: ...

    def put(self, account: Account) -> None: ...

    def set_role(self, nick: str, role: Role) -> Account | None: ...

    def delete(self, nick: str) -> bool: ...

    def list_all(self) -> list[Account]: ...

    def known_logins(self) -> list[tuple[str, str]]: ...

    def logged_in_from(self, key: str, address: str, now_ms: int) -> None: ...

    def forget_logins(self, key: str) -> None: ...

    def accounts_made(self) -> list[tuple[str, int]]: ...

    def made_from(self, computer: str, now_ms: int) -> None: ...

    def ignores_kept(self) -> list[tuple[str, str, str]]: ...

    def keep_ignore(self, ignorer: str, ignored: str, name: str) -> None: ...

    def forget_ignore(self, ignorer: str, ignored: str) -> None: ...


class ModerationStore(Protocol):
    def add(self, sanction: Sanction) -> Sanction: ...

    def find(
        self, kind: SanctionKind, *, nick_key: str | None = None, address: str | None = None, now_ms: int
    ) -> Sanction | None: ...

    def active(self, now_ms: int, kind: SanctionKind | None = None) -> list[Sanction]: ...

    def lift(
        self, kind: SanctionKind, *, nick_key: str | None = None, address: str | None = None
    ) -> list[Sanction]: ...

    def remove(self, sanction_id: int) -> Sanction | None: ...

    def purge_expired(self, now_ms: int) -> int: ...


class RoomStore(Protocol):
    def get(self, room: str) -> RoomRecord | None: ...

    def put(self, record: RoomRecord) -> None: ...

    def delete(self, room: str) -> bool: ...

    def sweep_unclaimed(self, keep_owners: Collection[str]) -> list[str]: ...

    def list_all(self) -> list[RoomRecord]: ...


class FileStore(Protocol):
    def get(self, file_id: str) -> FileRecord | None: ...

    def put(self, record: FileRecord) -> None: ...

    def set_state(self, file_id: str, state: FileState) -> FileRecord | None: ...

    def delete(self, file_id: str) -> bool: ...

    def list_all(self) -> list[FileRecord]: ...

    def older_than(self, time_ms: int) -> list[FileRecord]: ...

    def waiting_for(self, owner: str) -> list[FileRecord]: ...
