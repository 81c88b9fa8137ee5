"""What became of a line given to the client core: sent, waiting, or not taken (any thread; plain data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PendingLine:
    command: str
    token: int


@dataclass(frozen=True)
class Sent:
    """send(): the line went out now."""


@dataclass(frozen=True)
class Waiting:
    """send(): the line waits in `pending`; LineSent(token) follows when it goes out."""

    token: int


@dataclass(frozen=True)
class NotSent:
    """send(): the line was not taken (the user was removed); `reason` says why."""

    reason: str


SendResult = Sent | Waiting | NotSent
