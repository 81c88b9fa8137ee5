"""NoHistory: the MessageStore for `--no-history`: keeps nothing, finds nothing (any thread).

Ids then start again from 1 at every start, as the contract allows
("ids keep increasing across restarts while history is kept").
"""

from __future__ import annotations

from collections.abc import Sequence

from chat_server.storage.models import Conversation, Page, StoredMessage
from chat_server.storage.search_clock import SearchClock
from chat_server.storage.search_sender import SenderFilter


class NoHistory:
    def highest_id(self) -> int:
        return 0

    def append(self, message: StoredMessage) -> None:
        return None

    def get(self, message_id: int) -> StoredMessage | None:
        return None

    def still_visible(self, messages: Sequence[StoredMessage]) -> list[StoredMessage]:
        return list(messages)

    def replay(self, room: str, count: int) -> list[StoredMessage]:
        return []

    def recent(self, room: str, count: int, *, memory_only: bool = False) -> Page | None:
        return Page([], False)

    def load_recent(self, room: str) -> bool:
        return True

    def page(
        self, conversation: Conversation, *, before: int | None = None, after: int | None = None, limit: int = 50
    ) -> Page:
        return Page([], False)

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
    ) -> list[StoredMessage]:
        return []

    def delete(self, message_id: int) -> StoredMessage | None:
        return None

    def room_messages_by(
        self, sender: str, since_ms: int, limit: int, owners: tuple[str, ...] = ()
    ) -> list[StoredMessage]:
        return []

    def clear_room(self, room: str) -> int:
        return 0

    def export_rows(
        self, room: str, start_ms: int, end_ms: int, *, include_private: bool = False
    ) -> list[StoredMessage]:
        return []

    def count(self) -> int:
        return 0
