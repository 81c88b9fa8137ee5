"""SqliteAccountStore: registered nicknames with their password hash and role, in memory and written behind (any thread).

No policy here: hashing, throttling and who may change a role are decided
by the caller. Look-ups are by the name key (`shared.names.name_key`), so
`Alice` and `ＡＬＩＣＥ` are one account.
"""

from __future__ import annotations

import sqlite3
import threading

from chat_server.storage.models import Account, Role
from chat_server.storage.persist import Persister
from shared.names import name_key

# Logins remembered per account and address (the login throttle's known computers): the newest this many,
# from the last LOGIN_ADDRESS_DAYS days, are loaded at a start.
MAX_LOGIN_ADDRESSES = 10_000
LOGIN_ADDRESS_DAYS = 120
DAY_MS = 86_400_000
MAX_IGNORES_LOADED = 1_000_000  # rows of `ignores` read at a start: 10,000 lists of 100, the book's own bound
MAX_ACCOUNTS_MADE = 10_000  # the newest new-account times loaded at a start (a day's, at most this many)


class SqliteAccountStore:
    def __init__(
        self,
        persister: Persister,
        accounts: list[Account],
        login_addresses: list[tuple[str, str]] | None = None,
        accounts_made: list[tuple[str, int]] | None = None,
        ignores: list[tuple[str, str, str]] | None = None,
    ) -> None:
        self._persist = persister
        self._lock = threading.Lock()
        self._by_key = {account.key: account for account in accounts}
        self._loaded_logins = list(login_addresses or [])
        self._loaded_made = list(accounts_made or [])
        self._loaded_ignores = list(ignores or [])

    @staticmethod
    def load_accounts_made(connection: sqlite3.Connection, now_ms: int) -> list[tuple[str, int]]:
        """(computer, when) of the accounts made in the last day, oldest first (none from a file before version 7)."""
        try:
            rows = connection.execute(
                "SELECT computer, made_ms FROM accounts_made WHERE made_ms > ? AND made_ms <= ?"
                " ORDER BY made_ms DESC LIMIT ?",
                (now_ms - DAY_MS, now_ms, MAX_ACCOUNTS_MADE),
            ).fetchall()
        except sqlite3.OperationalError:  # a read-only file of an older version has no such table
            return []
        return [(computer, made_ms) for computer, made_ms in reversed(rows)]

    def accounts_made(self) -> list[tuple[str, int]]:
        """What load_accounts_made found at the start (the day's allowance of new accounts is seeded with it)."""
        return list(self._loaded_made)

    def made_from(self, computer: str, now_ms: int) -> None:
        """A new account was made from `computer` now (written behind; no I/O here); a day's rows are kept."""
        self._persist.write("DELETE FROM accounts_made WHERE made_ms <= ?", now_ms - DAY_MS)
        self._persist.write("INSERT INTO accounts_made (computer, made_ms) VALUES (?, ?)", computer, now_ms)

    @staticmethod
    def load_ignores(connection: sqlite3.Connection) -> list[tuple[str, str, str]]:
        """(ignorer's account owner, ignored's account owner, the name shown) of every kept IGNORE (version 8)."""
        try:
            rows = connection.execute(
                "SELECT ignorer, ignored, name FROM ignores ORDER BY rowid LIMIT ?", (MAX_IGNORES_LOADED,)
            ).fetchall()
        except sqlite3.OperationalError:  # a read-only file of an older version has no such table
            return []
        return [(str(ignorer), str(ignored), str(name)) for ignorer, ignored, name in rows]

    def ignores_kept(self) -> list[tuple[str, str, str]]:
        """What load_ignores found at the start (the server's IgnoreBook is seeded with it)."""
        return list(self._loaded_ignores)

    def keep_ignore(self, ignorer: str, ignored: str, name: str) -> None:
        """An account ignores another (written behind; no I/O here)."""
        self._persist.write(
            "INSERT OR REPLACE INTO ignores (ignorer, ignored, name) VALUES (?, ?, ?)", ignorer, ignored, name
        )

    def forget_ignore(self, ignorer: str, ignored: str) -> None:
        self._persist.write("DELETE FROM ignores WHERE ignorer = ? AND ignored = ?", ignorer, ignored)

    @staticmethod
    def load_login_addresses(connection: sqlite3.Connection, now_ms: int) -> list[tuple[str, str]]:
        """(account key, address) of the computers that logged in lately, oldest first."""
        rows = connection.execute(
            "SELECT account_key, address FROM login_addresses WHERE last_ms >= ? ORDER BY last_ms DESC LIMIT ?",
            (now_ms - LOGIN_ADDRESS_DAYS * 86_400_000, MAX_LOGIN_ADDRESSES),
        ).fetchall()
        return [(key, address) for key, address in reversed(rows)]

    def known_logins(self) -> list[tuple[str, str]]:
        """What load_login_addresses found at the start (the login throttle is seeded with it)."""
        return list(self._loaded_logins)

    def logged_in_from(self, key: str, address: str, now_ms: int) -> None:
        """Remember that the account `key` was logged in to from `address` (written behind; no I/O here)."""
        self._persist.write(
            "INSERT INTO login_addresses (account_key, address, last_ms) VALUES (?, ?, ?)"
            " ON CONFLICT (account_key, address) DO UPDATE SET last_ms = excluded.last_ms",
            key,
            address,
            now_ms,
        )

    def forget_logins(self, key: str) -> None:
        """Forget where the account `key` was logged in from (a new password: written behind; no I/O here)."""
        self._persist.write("DELETE FROM login_addresses WHERE account_key = ?", key)

    @staticmethod
    def load(connection: sqlite3.Connection) -> list[Account]:
        rows = connection.execute("SELECT key, nick, password_hash, role, created_ms FROM accounts").fetchall()
        return [
            Account(nick, password_hash, role, created_ms, key) for key, nick, password_hash, role, created_ms in rows
        ]

    def get(self, nick: str) -> Account | None:
        with self._lock:
            return self._by_key.get(name_key(nick))

    def put(self, account: Account) -> None:
        """Add the account or replace the one with the same name key."""
        with self._lock:
            self._by_key[account.key] = account
        self._persist.write(
            "INSERT INTO accounts (key, nick, password_hash, role, created_ms) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET nick = excluded.nick, password_hash = excluded.password_hash,"
            " role = excluded.role, created_ms = excluded.created_ms",
            account.key,
            account.nick,
            account.password_hash,
            account.role,
            account.created_ms,
        )

    def set_role(self, nick: str, role: Role) -> Account | None:
        """The account with its new role, or None if `nick` is not registered."""
        with self._lock:
            account = self._by_key.get(name_key(nick))
            if account is None:
                return None
            account = Account(account.nick, account.password_hash, role, account.created_ms, account.key)
            self._by_key[account.key] = account
        self._persist.write("UPDATE accounts SET role = ? WHERE key = ?", role, account.key)
        return account

    def delete(self, nick: str) -> bool:
        key = name_key(nick)
        with self._lock:
            found = self._by_key.pop(key, None) is not None
        if found:
            self._persist.write("DELETE FROM accounts WHERE key = ?", key)
            self.forget_logins(key)
        return found

    def list_all(self) -> list[Account]:
        with self._lock:
            return sorted(self._by_key.values(), key=lambda account: account.key)
