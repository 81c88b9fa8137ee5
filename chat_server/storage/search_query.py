"""What a SEARCH asks for: its words, the FTS5 expression for the long ones, a matcher for the rest (any thread).

The trigram index can only look up strings of 3 or more characters. Words
that long become quoted FTS5 phrases (all must match: any part of a word,
any script, case-insensitive). Shorter words are checked with a Unicode
casefold match on the candidates; a query made only of short words scans
a bounded number of the newest messages in scope instead of the index.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.names import strip_control

MIN_INDEXED_CHARS = 3
MAX_WORDS = 8
MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True)
class SearchQuery:
    words: tuple[str, ...]
    folded: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.words

    @property
    def indexed(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if len(word) >= MIN_INDEXED_CHARS)

    @property
    def short_folded(self) -> tuple[str, ...]:
        return tuple(
            folded for word, folded in zip(self.words, self.folded, strict=True) if len(word) < MIN_INDEXED_CHARS
        )

    def fts_expression(self) -> str | None:
        """`"w1" AND "w2"` for the indexable words (quotes doubled, so nothing is FTS5 syntax), or None."""
        phrases = ['"' + word.replace('"', '""') + '"' for word in self.indexed]
        return " AND ".join(phrases) if phrases else None

    def matches(self, text: str) -> bool:
        folded_text = text.casefold()
        return all(word in folded_text for word in self.folded)


def parse_query(text: str) -> SearchQuery:
    """Split on white space; at most MAX_WORDS different words from the first MAX_QUERY_CHARS characters."""
    by_folded: dict[str, str] = {}
    for word in strip_control(text)[:MAX_QUERY_CHARS].split():
        by_folded.setdefault(word.casefold(), word)
    chosen = list(by_folded.items())[:MAX_WORDS]
    return SearchQuery(tuple(word for _, word in chosen), tuple(folded for folded, _ in chosen))
