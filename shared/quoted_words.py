"""A user's words inside a sentence of the server's: in double quotes that only the server closes (any thread).

The server words a notice itself and quotes what a user said in it:
`bob left #lab (quit: "off to lunch")`.  A double quote among the user's
words closed the server's quotes early, and whatever followed read as the
server speaking, on the line of every chat-term and nc user and in the log:
`mallory left #lab (quit: "bye"). Ms_Lee (teacher) muted everyone ("")`
(found by the ninth hostile review).  Inside the quotes a `"` is shown as
`'`, so the only double quotes are the server's; the exact words still go
in a field of their own (`reason`, `topic`, `text`).
"""

from __future__ import annotations


def quoted(words: str, max_chars: int | None = None) -> str:
    """`words` in double quotes, each `"` among them shown as `'`; past `max_chars` cut, ending in "…"."""
    if max_chars is not None and len(words) > max_chars:
        words = words[: max_chars - 1] + "…"
    return '"' + words.replace('"', "'") + '"'
