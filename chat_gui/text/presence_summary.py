"""Joins and leaves that come together, said in one quiet line: "ann, bob and 3 others joined" (any thread; pure).

    batch = PresenceBatch(started=now)
    batch.add("join", "ann"); batch.add("join", "bob"); batch.add("leave", "cy")
    batch.summary() -> "ann and bob joined · cy left"

The pane keeps one batch while its line is the last one in the pane and
the batch is younger than BATCH_SECONDS; anything else said in between
starts a new line.  Names are kept in the order they came, each once per
kind (compared as the server compares names).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.names import name_key

BATCH_SECONDS = 60.0  # joins and leaves further apart than this get a line each
NAMES_SHOWN = 2  # "ann, bob and 3 others": the names before "and N others"


def names_phrase(names: list[str]) -> str:
    """'ann', 'ann and bob', 'ann, bob and cy', 'ann, bob and 2 others'."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) <= NAMES_SHOWN + 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    others = len(names) - NAMES_SHOWN
    return f"{', '.join(names[:NAMES_SHOWN])} and {others} others"


@dataclass
class PresenceBatch:
    started: float
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def add(self, event: str, nick: str) -> None:
        names = self.joined if event == "join" else self.left
        if all(name_key(name) != name_key(nick) for name in names):
            names.append(nick)

    def size(self) -> int:
        return len(self.joined) + len(self.left)

    def fresh(self, now: float) -> bool:
        return now - self.started <= BATCH_SECONDS

    def summary(self) -> str:
        parts = []
        if self.joined:
            parts.append(f"{names_phrase(self.joined)} joined")
        if self.left:
            parts.append(f"{names_phrase(self.left)} left")
        return " · ".join(parts)
