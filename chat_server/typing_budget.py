"""How many `typing` frames the server may deliver per second, with a fair share per room (handler threads, registry lock held).

    budget = TypingBudget(per_second=160.0)
    budget.allow(room, recipients=199) -> bool   pay for `recipients` frames, or refuse

TYPING is already passed on at most once per 3 s per user, but what it
costs is that once per 3 s times everyone else in the room: 20 typists in a
room of 200 would make the server write 1,300 typing frames a second, for a
hint that is worth nothing late.

One token bucket for the whole server holds one second's worth and refills
at `per_second`; a relay is allowed while it has anything in it and may
overdraw it (so a room larger than the budget still hears typing, only
less often); the overdraft is paid back before the next relay from it.

That bucket alone let one busy room starve every other: 60 students
typing in one room spend it the moment it refills, and the two people in
the room next door never saw each other type.  So each room where someone
typed in the last ACTIVE_SECONDS also has a bucket of its fair share (the
budget split evenly among those rooms), refilled at that share.  A room
whose own bucket still holds the whole relay is allowed even when the
server's bucket is empty: a room asking for no more than its share always
gets it, and the busy room gets what the others leave.  Every relay is paid
from the server's bucket too, so over any stretch of time the server
delivers no more than `per_second` frames a second plus about two seconds'
worth and one relay.  Only arithmetic: it runs under the registry lock.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

ACTIVE_SECONDS = 3.0  # a room shares the budget this long after its last TYPING (the typing interval)


class _RoomShare:
    __slots__ = ("tokens", "filled")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens  # at most one second of the share; down to minus one second of it
        self.filled = now  # when tokens were last brought up to date, which is when the room last asked


class TypingBudget:
    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second  # 0 or less: no budget (every relay allowed)
        self.clock = clock
        self.tokens = max(per_second, 0.0)  # the server's bucket
        self._last = clock()
        self._rooms: OrderedDict[Hashable, _RoomShare] = OrderedDict()  # least recently asked first

    @property
    def rooms_sharing(self) -> int:
        """How many rooms the budget is split among now."""
        return len(self._rooms)

    def allow(self, room: Hashable, recipients: int) -> bool:
        """Whether a TYPING in `room` may go to `recipients` people now; when it may, their frames are paid for."""
        per_second = self.per_second
        if per_second <= 0:
            return True
        now = self.clock()
        self.tokens = min(per_second, self.tokens + (now - self._last) * per_second)
        self._last = now
        rooms = self._rooms
        while rooms:  # forget rooms that stopped typing
            quiet = next(iter(rooms))
            if now - rooms[quiet].filled < ACTIVE_SECONDS:
                break
            del rooms[quiet]
        own = rooms.get(room)
        share = per_second / (len(rooms) + (own is None))
        if own is None:
            own = rooms[room] = _RoomShare(share, now)
        else:
            rooms.move_to_end(room)
            own.tokens = min(share, own.tokens + (now - own.filled) * share)
            own.filled = now
        if self.tokens <= 0 and own.tokens < recipients:
            return False
        self.tokens -= recipients
        own.tokens = max(own.tokens - recipients, -share)
        return True
