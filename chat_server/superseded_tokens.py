"""RESUME tokens of an account's connections that a login elsewhere took over, so their RESUME can say so (registry lock held).

A student works on the laptop, closes its lid (the connection drops, the
token is parked), and goes on at the desktop: LOGIN there forgets the
laptop's token (chat_server/handlers/accounts.py).  When the lid opens,
the laptop's RESUME used to get the plain `bad_login` of an expired
token, so the window logged in again with the password it keeps and took
the name from the desktop the person was typing at (found by the
fifteenth review).  Kept here: the digest of each such token, for the
account, with the address of the login that took over.  RESUME with one of
them while the account is connected elsewhere gets `bad_login` with
`elsewhere: true`, and the bundled clients stop there instead of logging
in again.  Only digests are kept (as ParkedSessions does); entries last as
long as a parked token would have, and there are at most `capacity`.
A normal stop hands them to the next run with the parked sessions
(chat_server/resume_handoff.py): after a restart the laptop's RESUME
still says so, instead of logging in again and taking the name from the
desktop once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from chat_server.resume_tokens import token_digest


@dataclass(frozen=True)
class Superseded:
    key: str  # the account's name key
    by_host: str  # the address of the login that took over
    expires: float  # time.monotonic()


class SupersededTokens:
    def __init__(self, keep_seconds: float, capacity: int = 10_000) -> None:
        self.keep_seconds = keep_seconds
        self.capacity = capacity
        self._by_digest: OrderedDict[str, Superseded] = OrderedDict()  # oldest first; all keep the same time

    def __len__(self) -> int:
        return len(self._by_digest)

    def note(self, key: str, digest: str, by_host: str, now: float) -> None:
        """The token with this digest, of `key`'s connection, was taken over by a login from `by_host`."""
        self._expire(now)
        self.keep(digest, key, by_host, now + self.keep_seconds)

    def all(self) -> list[tuple[str, Superseded]]:
        """(digest, entry) of each, oldest first (a stop hands them to the next run)."""
        return list(self._by_digest.items())

    def keep(self, digest: str, key: str, by_host: str, expires: float) -> None:
        """Keep one until `expires` (monotonic): noted now, or handed on from the last run (given oldest first)."""
        if not self.keep_seconds:
            return
        self._by_digest.pop(digest, None)
        self._by_digest[digest] = Superseded(key, by_host, expires)
        while len(self._by_digest) > self.capacity:
            self._by_digest.popitem(last=False)

    def find(self, key: str, token: str, now: float) -> str | None:
        """The address that took `key` over from the connection holding `token`, or None."""
        self._expire(now)
        entry = self._by_digest.get(token_digest(token))  # looked up by a SHA-256 of the token, never the token
        return entry.by_host if entry is not None and entry.key == key else None

    def _expire(self, now: float) -> None:
        while self._by_digest:
            digest, entry = next(iter(self._by_digest.items()))
            if entry.expires > now:
                return
            del self._by_digest[digest]
