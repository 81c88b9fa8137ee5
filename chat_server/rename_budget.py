"""How often one student's connection may change its nickname (handler threads, registry lock held).

A teacher acts on a person by the name she reads: /kick eve, the chat
window's right-click on eve.  A student who renames every few hundred
milliseconds (eve, eve_, eve__, ...) stays ahead of every name the teacher
can read and type: each KICK answered "nobody called eve_ is online" (a
probe: 0 of 10 kicks landed against a rename every 0.3 s, all within the
computer's notice budget of 20 a second).  So a student's connection gets
RENAMES_BURST renames at once and one more every 60 / RENAMES_PER_MINUTE
seconds; past that NICK gets `rate_limited` with `retry_after`, and the
name stays.  Someone fixing a typo needs two or three.  Teachers, this
computer (127.0.0.1, ::1) and a server run with `--rate 0` have no such
limit, as they have no address budget.  RESUME hands the budget on, so a
new connection does not refill it.  LOGIN to a student's account under
another name is a rename too: a student with three accounts switched
between them as fast as renames went before (a probe).  It is asked before
the password is checked (no slow check for a login that would be refused)
and paid once the password is right.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from chat_server.rate_limit import TokenBucket
from shared.errors import ErrorCode, ProtocolError

if TYPE_CHECKING:
    from chat_server.session import Session  # not at run time: the session makes its bucket here

RENAMES_BURST = 3
RENAMES_PER_MINUTE = 3


def new_rename_bucket() -> TokenBucket:
    return TokenBucket(RENAMES_PER_MINUTE / 60, RENAMES_BURST)


def check_rename(session: Session, pay: bool = True) -> None:
    """Pay for one rename of a registered connection, or raise `rate_limited` saying how long the name stays.

    `pay` False only asks (LOGIN, before its password is checked).
    """
    if session.nick is None or session.address_budget is None or session.role != "student":
        return
    bucket = session.renames
    if bucket.allow():
        if not pay:
            bucket.give_back(1.0)
        return
    ahead = bucket.reserve(1.0, math.inf) or 0.0  # how long until one is there: asked, then given back
    bucket.give_back(1.0)
    seconds = max(1, math.ceil(ahead))
    raise ProtocolError(
        ErrorCode.RATE_LIMITED,
        f"You changed your nickname {RENAMES_BURST} times lately; keep {session.nick} for now (your teacher and "
        f"classmates know you by it) and try again in {seconds} s.",
        retry_after=seconds,
    )
