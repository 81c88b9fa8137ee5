"""What a SEARCH asks for: its words, the FTS5 expression for the long ones, a matcher for the rest (any thread).

The trigram index can only look up strings of 3 or more characters. Words
that long narrow the candidates through the index (the AND of their
trigrams); every word, long or short, is then checked on each candidate
(any part of a word, any script, case-insensitive). A query made only of
short words scans a bounded number of the newest messages in scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_server.storage.search_terms import expression
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
        """Every trigram of the indexable words, ANDed: `"pho" AND "hot" AND "oto"`; None if there is none.

        The index keeps no positions (detail=none), so this finds a superset:
        candidates must also pass `sql_conditions`. A search asks for a subset
        (the rare trigrams, search_terms.py), which finds the same matches.
        Each trigram is quoted with its quotes doubled, so nothing a user
        types is FTS5 syntax.
        """
        return expression(self.trigrams())

    def trigrams(self) -> list[str]:
        """Every trigram of the indexable words, each once, in order (search_terms.py picks the ones to ask for)."""
        return list(dict.fromkeys(word[i : i + 3] for word in self.indexed for i in range(len(word) - 2)))

    def sql_conditions(self) -> tuple[str, list[object]]:
        """` AND <text contains word>` for every word, and its parameters; `m` is the messages table.

        ASCII words use LIKE (case-insensitive for ASCII, and fast); others the
        Unicode lower-case match `cf_contains` the database module registers.
        """
        sql = ""
        params: list[object] = []
        for word, folded in zip(self.words, self.folded, strict=True):
            if word.isascii():
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                sql += " AND m.text LIKE ? ESCAPE '\\'"
                params.append(f"%{escaped}%")
            else:
                sql += " AND cf_contains(m.text, ?)"
                params.append(folded)
        return sql, params

    def matches(self, text: str) -> bool:
        folded_text = text.lower()
        return all(word in folded_text for word in self.folded)


def parse_query(text: str) -> SearchQuery:
    """Split on white space; at most MAX_WORDS different words from the first MAX_QUERY_CHARS characters."""
    by_folded: dict[str, str] = {}
    for word in strip_control(text)[:MAX_QUERY_CHARS].split():
        # lower(), not casefold(): one character to one, like the trigram index (see database.contains_folded).
        by_folded.setdefault(word.lower(), word)
    chosen = list(by_folded.items())[:MAX_WORDS]
    return SearchQuery(tuple(word for _, word in chosen), tuple(folded for folded, _ in chosen))
