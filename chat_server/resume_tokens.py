"""RESUME tokens of connections that were lost: kept for a while so their owners can come back (under the registry lock).

Every registered session gets a secret token (in its `nick` frame).  While
the session is connected the token lives on the session itself; when the
connection is lost (not on QUIT, a kick or a RESUME elsewhere) its
nickname, room and token are parked here for `keep_seconds`, so a client
whose old connection was already dropped can still take its name and room
back.  Parked entries are forgotten when they expire, when they are used,
and oldest first past `capacity`, or past `per_address` for one address:
one computer that connects, takes a name and drops thousands of times a
minute pushes out only its own older entries, not a classmate's whose
Wi-Fi dropped (found by a probe: 10,500 such drops emptied the table).

While parked, a name is kept for its owner: `kept_for_another` finds a
parked name that a NICK from another computer could pass for (the same
name too), so NICK refuses it (chat_server/identity/nick_rules.py).  A
classmate who took a dropped guest's name at once held it past the RESUME
window: the guest lost their private history and their locked room, and
private messages meant for them reached the classmate (found by a probe).
The same computer may take the name (a window that restarted without its
token).  Only a computer's KEPT_PER_COMPUTER newest dropped names are kept
from others: one computer that took the class list's names one connection
at a time and dropped each held all 48 (and their look-alikes) for the 10
minutes, again and again, in 0.2 s (a probe).  Its older ones may still be
taken back with their tokens; only a stranger's NICK is no longer refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace

from shared.lookalike import LookalikeIndex
from shared.names import name_key

TOKEN_BYTES = 24  # 192 random bits: guessing is hopeless, so failed tries need no counting


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_matches(given: str, expected: str | None) -> bool:
    """Constant-time comparison; any text may come in, so both sides are compared as bytes."""
    if expected is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def token_digest(token: str) -> str:
    """What is kept of a parked token (SHA-256, hex): the handoff file to the next run holds no usable token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class ParkedSession:
    nick: str
    digest: str  # token_digest of its token
    room: str | None  # the room's name when the connection was lost
    muted: bool  # a muted user stays muted after coming back
    expires: float  # time.monotonic()
    account: str | None = None  # the account it was logged in to: RESUME of a registered name needs it
    owner: str | None = None  # Session.guest_owner: its private messages and files (chat_server/identity/owners.py)
    account_owner: str | None = None  # which account of that name (an account deleted and made again is another)
    room_key_hash: str | None = None  # the room's key when the connection was lost: a key set since keeps it out
    address: str = ""  # the computer it was connected from (Session.computer: each has its own share of the table)
    entered_code: str | None = None  # Session.entered_code: a join code changed since asks for the new one


PARKED_PER_ADDRESS = 64  # above the default 20 connections an address may have, with room for reconnects
KEPT_PER_COMPUTER = 4  # of those, the newest whose names are kept from other computers (a person has a window or two)


class ParkedSessions:
    def __init__(
        self,
        keep_seconds: float,
        capacity: int = 10_000,
        per_address: int = PARKED_PER_ADDRESS,
        kept_per_computer: int = KEPT_PER_COMPUTER,
    ) -> None:
        self.keep_seconds = keep_seconds
        self.capacity = capacity
        self.per_address = per_address
        self.kept_per_computer = kept_per_computer
        self._by_key: OrderedDict[str, ParkedSession] = OrderedDict()  # oldest first
        self._by_address: dict[str, OrderedDict[str, None]] = {}  # address -> its keys, oldest first
        self._names = LookalikeIndex()  # the parked names, for kept_for_another

    def __len__(self) -> int:
        return len(self._by_key)

    def park(
        self,
        key: str,
        nick: str,
        token: str,
        room: str | None,
        muted: bool,
        now: float,
        account: str | None = None,
        owner: str | None = None,
        account_owner: str | None = None,
        room_key_hash: str | None = None,
        address: str = "",
        entered_code: str | None = None,
    ) -> None:
        if not self.keep_seconds:
            return
        expires = now + self.keep_seconds
        self.keep(
            key,
            ParkedSession(
                nick,
                token_digest(token),
                room,
                muted,
                expires,
                account,
                owner,
                account_owner,
                room_key_hash,
                address,
                entered_code,
            ),
        )

    def keep(self, key: str, parked: ParkedSession) -> None:
        """Park as it is (park() makes one; the handoff from the last run brings them back: resume_handoff.py)."""
        self.forget(key)
        nick, address = parked.nick, parked.address
        self._by_key[key] = parked
        if nick:
            self._names.add(nick)
        mine = self._by_address.setdefault(address, OrderedDict())
        mine[key] = None
        while len(mine) > self.per_address:
            self.forget(next(iter(mine)))
        while len(self._by_key) > self.capacity:
            self.forget(next(iter(self._by_key)))

    def take(self, key: str, token: str, now: float) -> ParkedSession | None:
        """The parked session if the token is right and it has not expired; it is forgotten then."""
        parked = self.check(key, token, now)
        if parked is not None:
            self.forget(key)
        return parked

    def check(self, key: str, token: str, now: float) -> ParkedSession | None:
        """The parked session if the token is right and it has not expired; left in place."""
        parked = self._by_key.get(key)
        if parked is None or parked.expires <= now or not hmac.compare_digest(token_digest(token), parked.digest):
            return None
        return parked

    def all(self) -> list[tuple[str, ParkedSession]]:
        """(key, parked session) of each, oldest first."""
        return list(self._by_key.items())

    def peek(self, key: str) -> ParkedSession | None:
        """The parked session of a nickname key, left in place (RESUME looks at its room before taking it)."""
        return self._by_key.get(key)

    def kept_for_another(self, nick: str, address: str, now: float) -> ParkedSession | None:
        """A live parked session from another address whose name `nick` is, or could pass for, and which is one of
        its computer's kept_per_computer newest; else None."""
        passed: list[str] = []
        while (name := self._names.find(nick, ignore=passed)) is not None:
            key = name_key(name)
            parked = self._by_key.get(key)
            if parked is not None and parked.address != address and parked.expires > now and self._newest(key, parked):
                return parked
            passed.append(name)
        return None

    def _newest(self, key: str, parked: ParkedSession) -> bool:
        """Whether `key` is among the kept_per_computer newest parked sessions of its computer."""
        mine = self._by_address.get(parked.address)
        return mine is not None and key in list(mine)[-self.kept_per_computer :]

    def send_to(self, key: str, room: str, room_key_hash: str | None) -> None:
        """RESUME of `key` puts it in `room` (MOVE * while the connection was down); its place in the order stays.

        In place: expire() stops at the first live entry, so one moved to the end would outlive its time.
        """
        parked = self._by_key.get(key)
        if parked is not None:
            self._by_key[key] = replace(parked, room=room, room_key_hash=room_key_hash)

    def forget(self, key: str) -> None:
        parked = self._by_key.pop(key, None)
        if parked is None:
            return
        self._names.discard(parked.nick)
        mine = self._by_address.get(parked.address)
        if mine is not None:
            mine.pop(key, None)
            if not mine:
                del self._by_address[parked.address]

    def expire(self, now: float) -> None:
        """Forget what has expired; entries are in parking order and all keep the same time, so stop at the first live one."""
        while self._by_key:
            key, parked = next(iter(self._by_key.items()))
            if parked.expires > now:
                return
            self.forget(key)
