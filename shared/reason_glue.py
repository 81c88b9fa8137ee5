"""A heading and someone else's reason as one line that reads as English (any thread).

    with_reason("History of #maths", "'x' is not a message id.")  -> "History of #maths: 'x' is not a message id."
    with_reason("The nickname 'bоb' is refused", "It mixes ...")   -> "The nickname 'bоb' is refused. It mixes ..."

A server's reasons are whole sentences that begin with a capital; glued
after a colon they read "…refused: It mixes…" (found by the fifteenth
review).  A reason that begins with a capital becomes the next sentence;
any other (a quoted word, a lower-case phrase) still follows the colon.
"""

from __future__ import annotations


def with_reason(head: str, reason: str) -> str:
    reason = reason.strip()
    if not reason:
        return head
    if reason[0].isupper():
        return f"{head if head.endswith(('.', '!', '?')) else head + '.'} {reason}"
    return f"{head}: {reason}"
