"""Who a search's messages must come from (`from:NAME` in SEARCH): the person's owners, else the nickname (any thread; pure).

A person is who the server knows them as, not a nickname (identity/owners.py):
the handler turns NAME into the owners of whoever holds it now (online, or
its account), so `from:rob` finds what rob said as bob before renaming, and
not what an earlier holder of the nickname said.  Only when nobody holds the
name now (a guest who has gone) does it match the nickname as each message
was written (its name key), which may be more than one person.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_server.storage.models import StoredMessage


@dataclass(frozen=True, slots=True)
class SenderFilter:
    owners: tuple[str, ...] = ()  # one of these sent it (an account's, a guest session's)
    nick_key: str | None = None  # else: the nickname key it was sent under

    def sql_condition(self) -> tuple[str, list[object]]:
        """` AND <sent by them>` on the messages table `m`, and its parameters (never any user's text in the SQL)."""
        if self.owners:
            marks = ", ".join("?" * len(self.owners))
            return f" AND m.sender_owner IN ({marks})", list(self.owners)
        return " AND m.sender_key = ?", [self.nick_key or ""]

    def matches(self, message: StoredMessage) -> bool:
        if self.owners:
            return message.sender_owner is not None and message.sender_owner in self.owners
        return message.sender_key == (self.nick_key or "")


def sender_condition(sender: SenderFilter | None) -> tuple[str, list[object]]:
    """SenderFilter.sql_condition, or nothing when the search is not by sender."""
    return sender.sql_condition() if sender is not None else ("", [])
