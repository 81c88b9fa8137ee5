"""Passwords too easy to guess: refused when an account gets one (any thread; pure, no I/O).

The contract asks 8 to 128 characters (passwords.py).  Length alone let
`12345678`, `password` and `aaaaaaaa` through, and one computer trying
"password" against ten accounts got into the one whose owner had it (a
probe).  `check_not_weak` refuses what a guesser tries first:

    the nickname itself, in any case            "Sara_K" for Sara_K
    one short piece repeated                    "aaaaaaaa", "abababab", "123123123"
    a run of letters or digits, either way      "12345678", "abcdefgh", "87654321"
    a stretch of one keyboard row               "qwertyui", "asdfghjkl"
    one of the most common passwords            "password", "iloveyou", "football"

The list is short on purpose: the 8-or-more-character passwords at the
top of the published lists of leaked passwords, which every guesser tries
first.  Sources: the UK NCSC's "100k most used passwords" (from Have I
Been Pwned's Pwned Passwords), SecLists' "10-million-password-list-top-1000"
(Daniel Miessler), NordPass's yearly "Top 200 most common passwords" and
Wikipedia's "List of the most common passwords" (SplashData's yearly lists);
and a few words a class would try at school (homework, classroom, teacher1).
Compared case-blind and with the digits and `!` a list entry is often
given at its end taken off ("Password1!" is "password").
"""

from __future__ import annotations

from shared.errors import ErrorCode, ProtocolError

COMMON_PASSWORDS = frozenset(
    (
        "password", "passw0rd", "p@ssword", "p@ssw0rd", "password1", "iloveyou", "princess", "sunshine",
        "football", "baseball", "superman", "trustno1", "whatever", "starwars", "computer", "michelle",
        "jennifer", "corvette", "mercedes", "mustang1", "internet", "elephant", "chocolate", "butterfly",
        "liverpool", "chelsea1", "arsenal1", "pokemon1", "minecraft", "fortnite", "letmein1", "welcome1",
        "welcome", "loveyou1", "lovely12", "charlie1", "michael1", "jordan23", "basketball", "soccer12",
        "hello123", "hellohello", "changeme", "secret12", "access14", "master12", "dragon12", "monkey12",
        "shadow12", "qwerty123", "qwertyuiop", "1q2w3e4r", "1q2w3e4r5t", "q1w2e3r4", "1qaz2wsx", "zaq12wsx",
        "qazwsxedc", "aa12345678", "abc12345", "abcd1234", "a1b2c3d4", "password123", "admin123", "administrator",
        "iloveyou1", "princess1", "football1", "sunshine1", "1234qwer", "asdf1234", "zxcvbnm1", "letmein",
        "schoolwork", "homework", "classroom", "student1", "teacher1", "qwerty12", "myspace1", "blink182",
        "samsung1", "computer1", "freedom1", "whatever1", "anything", "midnight", "mountain",
        "maverick", "victoria", "danielle", "jonathan", "benjamin", "1234abcd", "11111111a", "987654321a",
    )
)  # fmt: skip
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "yxcvbnm")
MAX_REPEATED_PIECE = 3  # "abcabcabc" is as easy as "aaaaaaaa"


def weakness(password: str, nick: str | None) -> str | None:
    """Why `password` (already NFKC, 8 to 128 characters) is too easy to guess, as a sentence; None when it is not."""
    folded = password.casefold()
    if nick and folded == nick.casefold():
        return "That password is your nickname, the first thing anyone tries"
    for size in range(1, MAX_REPEATED_PIECE + 1):
        if (folded[:size] * (len(folded) // size + 1))[: len(folded)] == folded:
            return "That password is one character or a short piece repeated"
    if _is_run(folded):
        return "That password is a simple run of letters or digits"
    if any(folded in row or folded in row[::-1] for row in KEYBOARD_ROWS):
        return "That password is a stretch of one keyboard row"
    if folded in COMMON_PASSWORDS or folded.rstrip("0123456789!") in COMMON_PASSWORDS:
        return "That password is one of the most common ones, which are tried first"
    return None


def check_not_weak(password: str, nick: str | None) -> None:
    """Raise ProtocolError(bad_argument) for a password too easy to guess (see `weakness`); the text never repeats it."""
    why = weakness(password, nick)
    if why is not None:
        raise ProtocolError(
            ErrorCode.BAD_ARGUMENT,
            f"{why}; choose another (a few words of your own, with something unusual, make a good one).",
        )


def _is_run(folded: str) -> bool:
    """Letters or digits each one after (or each one before) the last: "12345678", "abcdefgh", "hgfedcba"."""
    if not folded.isalnum() or not folded.isascii():
        return False
    steps = {ord(b) - ord(a) for a, b in zip(folded, folded[1:], strict=False)}
    return steps in ({1}, {-1})
