"""Emoji shortcodes such as :smile:, their Tab completion and replacement, and the picker's catalogue (any thread).

The data is the `emoji` package's EMOJI_DATA: every emoji Unicode
recommends, with its CLDR English name (":grinning_face_with_smiling_eyes:")
and the GitHub/Slack-style aliases people type (":smile:").  When a short
code is both one emoji's name and another's alias, the alias wins, as in
`emoji.emojize(language="alias")` (":cat:" is 🐱), unless the alias is a
country's flag (":turkey:" is 🦃).  Codes are matched in any case, with ’
typed as ', and accents may be left off (":curacao:").

The catalogue is built once, on first use (about 0.1 s), and is read-only
afterwards, so any thread may use it.  Completion is a binary search in
sorted keys: a prefix of the whole code first (":smi" -> :smile:), then a
prefix of a later word (":heart" -> :red_heart:).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chat_gui.text.emoji_groups import CATEGORIES, FLAGS, SKIN_TONES, ZWJ, classify

__all__ = [
    "CATEGORIES",
    "Completion",
    "Emoji",
    "EmojiCatalogue",
    "catalogue",
    "complete",
    "emoji_in",
    "replace_shortcodes",
    "search",
]

FULLY_QUALIFIED = 2  # the `emoji` package's status for the form keyboards should offer
MAX_CODE_CHARS = 80
# A code starts after the start of the text or a character that is neither a letter nor a digit, so
# "10:30:45" and "ratio 1:100:2" are never read as codes (":100:" is an emoji).
_SHORTCODE = re.compile(rf"(?<![^\W_]):([^\s:]{{1,{MAX_CODE_CHARS}}}):")


@dataclass(frozen=True)
class Emoji:
    char: str
    name: str  # "grinning face with smiling eyes"
    shortcodes: tuple[str, ...]  # (":grinning_face_with_smiling_eyes:", ":smile:"), the name first
    category: str
    in_picker: bool  # fully qualified, no skin tone, a single glyph (Tk 8.6 cannot join ZWJ sequences)
    has_skin_tone: bool


@dataclass(frozen=True)
class Completion:
    shortcode: str  # ":smile:"
    char: str  # "😄"


def code_key(code: str) -> str:
    """The form codes are compared in: no colons, casefolded, ’ as '."""
    return code.strip(":").casefold().replace("’", "'")


def _without_accents(key: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", key) if not unicodedata.combining(ch))


def _display_code(code: str) -> str:
    return ":" + code.strip(":").lower() + ":"


class EmojiCatalogue:
    """Every emoji of an EMOJI_DATA-shaped mapping, indexed for lookup, completion, categories and search."""

    def __init__(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        takes_tone = {
            emoji.replace(tone, "").replace("\ufe0f", "") for emoji in data for tone in SKIN_TONES.intersection(emoji)
        }
        self.emoji: dict[str, Emoji] = {}
        by_name: dict[str, str] = {}
        by_alias: dict[str, str] = {}
        for char, info in data.items():
            if info.get("status") != FULLY_QUALIFIED or not isinstance(info.get("en"), str):
                continue
            english = info["en"]
            aliases = tuple(alias for alias in info.get("alias", ()) if isinstance(alias, str))
            toned = not SKIN_TONES.isdisjoint(char)
            item = Emoji(
                char=char,
                name=english.strip(":").replace("_", " "),
                shortcodes=tuple(dict.fromkeys(_display_code(code) for code in (english, *aliases))),
                category=classify(char, english, char.replace("\ufe0f", "") in takes_tone),
                in_picker=not toned and ZWJ not in char,
                has_skin_tone=toned,
            )
            self.emoji[char] = item
            by_name.setdefault(code_key(english), char)
            for alias in aliases:
                by_alias.setdefault(code_key(alias), char)
        # A country's flag also answers to the country's name, which may be a thing's name too: the thing wins.
        by_alias = {
            key: char for key, char in by_alias.items() if key not in by_name or self.emoji[char].category != FLAGS
        }
        self.by_code: dict[str, str] = {**by_name, **by_alias}
        for key, char in list(self.by_code.items()):
            self.by_code.setdefault(_without_accents(key), char)
        self._sorted_codes = sorted(self.by_code)
        self._word_starts = sorted(
            (key[index + 1 :], key)
            for key in self.by_code
            for index, ch in enumerate(key)
            if ch in "_-" and index + 1 < len(key)
        )
        self._categories: dict[str, tuple[Emoji, ...]] = {}
        for category in CATEGORIES:
            members = [item for item in self.emoji.values() if item.category == category and item.in_picker]
            self._categories[category] = tuple(sorted(members, key=lambda item: (ord(item.char[0]), item.char)))

    # -- shortcodes --
    def lookup(self, shortcode: str) -> str | None:
        """':smile:' (or 'smile', any case) -> '😄'; None if no emoji has that code."""
        return self.by_code.get(code_key(shortcode))

    def replace_shortcodes(self, text: str) -> str:
        """Every known :code: in `text` replaced by its emoji; unknown ones, and times like 10:30:45, kept."""
        if ":" not in text:
            return text
        out: list[str] = []
        position = 0
        while True:
            match = _SHORTCODE.search(text, position)
            if match is None:
                break
            char = self.by_code.get(code_key(match.group(1)))
            if char is None:
                # The closing colon may open the next code (":foo:smile:"), so look again from it.
                out.append(text[position : match.end() - 1])
                position = match.end() - 1
                continue
            out.append(text[position : match.start()])
            out.append(char)
            position = match.end()
        out.append(text[position:])
        return "".join(out)

    def complete(self, fragment: str, limit: int = 20) -> list[Completion]:
        """Candidates for a typed ':smi': codes starting so first, then codes with a later word starting so.

        One candidate per emoji (its best-matching code); emoji with a skin tone
        come after the plain ones.  `fragment` must start with ':'.
        """
        if not fragment.startswith(":") or limit <= 0:
            return []
        prefix = code_key(fragment)
        if not prefix or any(ch.isspace() for ch in prefix):
            return []
        ranked: dict[str, tuple[tuple[int, bool, int, str], str]] = {}

        def consider(key: str, kind: int) -> None:
            char = self.by_code[key]
            rank = (kind, self.emoji[char].has_skin_tone, len(key), key)
            best = ranked.get(char)
            if best is None or rank < best[0]:
                ranked[char] = (rank, key)

        for key in self._prefixed(self._sorted_codes, prefix):
            consider(key, 0)
        start = bisect.bisect_left(self._word_starts, (prefix,))
        for word_start, key in self._word_starts[start:]:
            if not word_start.startswith(prefix):
                break
            consider(key, 1)
        best_first = sorted(ranked.items(), key=lambda entry: entry[1][0])[:limit]
        return [Completion(":" + key + ":", char) for char, (_rank, key) in best_first]

    @staticmethod
    def _prefixed(keys: list[str], prefix: str) -> Iterable[str]:
        for key in keys[bisect.bisect_left(keys, prefix) :]:
            if not key.startswith(prefix):
                return
            yield key

    # -- the picker --
    def category(self, name: str) -> tuple[Emoji, ...]:
        """The picker's emoji of one category (see CATEGORIES), in code point order."""
        return self._categories.get(name, ())

    def search(self, query: str, limit: int = 300) -> list[Emoji]:
        """Picker emoji whose name or codes have a word starting with every word of `query` ("cat", "red hea")."""
        words = [word for word in re.split(r"[\s_:\-]+", code_key(query)) if word]
        if not words:
            return []
        found: list[tuple[tuple[int, int, int], Emoji]] = []
        category_order = {name: index for index, name in enumerate(CATEGORIES)}
        for item in self.emoji.values():
            if not item.in_picker:
                continue
            item_words = {w for code in item.shortcodes for w in re.split(r"[_\-]", code_key(code)) if w}
            if all(any(w.startswith(word) for w in item_words) for word in words):
                exact = sum(word in item_words for word in words)
                found.append(((-exact, category_order[item.category], ord(item.char[0])), item))
        found.sort(key=lambda entry: entry[0])
        return [item for _rank, item in found[:limit]]


@functools.cache
def catalogue() -> EmojiCatalogue:
    """The catalogue of the installed `emoji` package, built on first use."""
    import emoji

    return EmojiCatalogue(emoji.EMOJI_DATA)


def complete(fragment: str, limit: int = 20) -> list[Completion]:
    return catalogue().complete(fragment, limit)


def replace_shortcodes(text: str) -> str:
    return catalogue().replace_shortcodes(text)


def emoji_in(category: str) -> tuple[Emoji, ...]:
    return catalogue().category(category)


def search(query: str, limit: int = 300) -> list[Emoji]:
    return catalogue().search(query, limit)
