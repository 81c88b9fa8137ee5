"""Owners: who a kept private message or file belongs to, an account or one guest's session, never a nickname (any thread; pure).

A nickname without an account is anyone's once its holder has gone, so
private history, private files and the right to delete one's own messages
cannot go by nickname.  Every kept message and file records its owners
(`StoredMessage.sender_owner` / `recipient_owner`, the same in FileRecord
and in the byte store's StoredFile):

- an account's owner is `a:<name key>:<created_ms>`: the same at every
  login, on any connection, and not the same as an account of that name
  made again after the first was deleted;
- a guest's owner is `g:<random>`, made with the connection (Session) and
  handed on only by RESUME, whose token proves the same person: a new
  connection that takes the same nickname gets a new one.

A session reads as both: its own guest owner and, while logged in, its
account's (Session.owners), so someone who registers or logs in during a
conversation still sees what they said just before.  What it sends is
written with the account's owner when logged in, else with the guest's.
"""

from __future__ import annotations

import secrets

from chat_server.storage.models import Account

GUEST_PREFIX = "g:"
ACCOUNT_PREFIX = "a:"
GUEST_BYTES = 12  # 96 random bits: never the same twice in a server's life


def new_guest_owner() -> str:
    return GUEST_PREFIX + secrets.token_urlsafe(GUEST_BYTES)


def account_owner(account: Account) -> str:
    return f"{ACCOUNT_PREFIX}{account.key}:{account.created_ms}"
