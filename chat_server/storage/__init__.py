"""The server's storage layer: history, accounts, bans and mutes, rooms and files in one SQLite file.

Start with `open_storage(data_dir)`; see docs/storage.md for the design.
Nothing here touches a socket or the registry; `append` and the small
tables' look-ups do no I/O, so they may be called under the registry lock.
"""

from chat_server.storage.data_dir import default_data_dir
from chat_server.storage.export import write_csv, write_html, write_text
from chat_server.storage.interfaces import AccountStore, FileStore, MessageStore, ModerationStore, RoomStore
from chat_server.storage.models import (
    Account,
    Conversation,
    FileRecord,
    Page,
    RoomRecord,
    Sanction,
    StoredMessage,
    StoreStatus,
    room_message,
)
from chat_server.storage.store import Storage, StorageStats, open_storage

__all__ = [
    "Account",
    "AccountStore",
    "Conversation",
    "FileRecord",
    "FileStore",
    "MessageStore",
    "ModerationStore",
    "Page",
    "RoomRecord",
    "RoomStore",
    "Sanction",
    "Storage",
    "StorageStats",
    "StoreStatus",
    "StoredMessage",
    "room_message",
    "default_data_dir",
    "open_storage",
    "write_csv",
    "write_html",
    "write_text",
]
