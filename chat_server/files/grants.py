"""Download tokens: which file each one stands for, for whom, until when (any server thread; its own lock).

A token is granted by DOWNLOAD on the chat connection and shown to that
user once; only its SHA-256 is kept.  It works for every resume of that
download until it expires; deleting the file voids it.  Whoever presents it
must still be allowed the file (the server asks again at each transfer
connection: `owner` and `granted` are for that), so a token taken before
leaving a locked room, or before a ban, fetches nothing afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.file_transfer import new_token, token_digest

GRANTS_PER_HOLDER = 64  # download tokens one person may hold at once; the oldest goes first


@dataclass(frozen=True)
class Grant:
    file_id: str
    holder: str  # name key of the user it was granted to
    expires: float  # monotonic
    owner: str | None = None  # the session owner it was granted to (chat_server/identity/owners.py)
    granted: float = 0.0  # wall clock: a kick at or after it voids the token


class DownloadGrants:
    def __init__(self, lifetime: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lifetime = lifetime
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._grants: dict[str, Grant] = {}  # token digest -> grant, oldest first

    def grant(self, file_id: str, holder: str, owner: str | None = None, granted: float = 0.0) -> str:
        """A new token for `holder` (a name key) to fetch `file_id`; their oldest one goes past the cap."""
        token = new_token()
        with self._lock:
            mine = [digest for digest, grant in self._grants.items() if grant.holder == holder]
            for digest in mine[: max(0, len(mine) - GRANTS_PER_HOLDER + 1)]:
                del self._grants[digest]
            self._grants[token_digest(token)] = Grant(
                file_id, holder, self._monotonic() + self._lifetime, owner, granted
            )
        return token

    def find(self, digest: str) -> Grant | None:
        """The live grant of a token digest, or None (unknown or expired)."""
        with self._lock:
            grant = self._grants.get(digest)
        return grant if grant is not None and grant.expires > self._monotonic() else None

    def drop_file(self, file_id: str) -> None:
        with self._lock:
            for digest in [digest for digest, grant in self._grants.items() if grant.file_id == file_id]:
                del self._grants[digest]

    def expire(self) -> None:
        now = self._monotonic()
        with self._lock:
            for digest in [digest for digest, grant in self._grants.items() if grant.expires <= now]:
                del self._grants[digest]
