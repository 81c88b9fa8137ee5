"""Who gave up a nickname moments ago, so that a KICK of the name reaches them (registry lock held, any thread).

The teacher reads "eve" and types /kick eve, and eve renamed to eve_ a
moment before (or switched accounts, or quit and logged in again): the
kick answered "nobody called eve is online" while MUTE and BAN of that name
took her computer (a probe).  A KICK must reach the person, never their
computer: a class behind one address (a school's NAT, a lab) would all be
sent away.  So the registry notes, for each name given up within
KEEP_SECONDS, the connection that gave it up and its owners
(chat_server/identity/owners.py).  The kick (chat_server/moderation.py)
reaches that connection under its new name, or a connection the same
owners hold now (a login to the same account, a RESUME); a guest who quit
and came back on a new connection is a new owner and is not followed.
When more than one person gave the name up in that time (eve, then a
classmate who took "eve" and left it too), nobody is followed: the kick
could reach an innocent.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat_server.session import Session  # not at run time: the registry holds sessions

KEEP_SECONDS = 120.0  # the time between reading a name on the screen and a typed /kick, with room to spare
CAPACITY = 5_000  # names noted at most; the oldest go first


@dataclass(frozen=True)
class Holder:
    session_id: int  # not the Session: a connection that ended is not kept alive here
    owners: tuple[str, ...]
    moment: float  # monotonic


class NameHolders:
    def __init__(self, keep_seconds: float = KEEP_SECONDS, capacity: int = CAPACITY) -> None:
        self.keep_seconds = keep_seconds
        self.capacity = capacity
        self._by_key: OrderedDict[str, list[Holder]] = OrderedDict()

    def gave_up(self, key: str, session: Session, now: float | None = None) -> None:
        """`session` lets go of the name `key` (a rename, a login to another account, its connection ending)."""
        moment = time.monotonic() if now is None else now
        owners = session.owners
        earlier = [holder for holder in self._recent(key, moment) if not set(holder.owners) & set(owners)]
        self._by_key.pop(key, None)
        self._by_key[key] = [*earlier, Holder(session.id, owners, moment)]
        while self._by_key and (
            len(self._by_key) > self.capacity
            or moment - next(iter(self._by_key.values()))[-1].moment > self.keep_seconds
        ):
            self._by_key.popitem(last=False)  # the oldest first: nothing older is worth keeping

    def people(self, key: str, now: float | None = None) -> list[Holder]:
        """Each person who gave up `key` within keep_seconds, the latest time each did, oldest first."""
        return self._recent(key, time.monotonic() if now is None else now)

    def _recent(self, key: str, now: float) -> list[Holder]:
        return [holder for holder in self._by_key.get(key, []) if now - holder.moment <= self.keep_seconds]
