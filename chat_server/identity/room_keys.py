"""Room keys: what a key may be, and its salted hash as kept in the rooms table (connection handler threads).

A room key is a shared secret that a group types to enter its room
(`JOIN lab KEY`). It is kept only as a hash, so a copy of the database
does not give the keys away:

    pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>

PBKDF2-HMAC-SHA256 with 10,000 iterations and a 16-byte random salt: about
5 ms on the shared test machine, so a key check costs little, and it runs
off the registry lock all the same.  It is much faster than the password
hash on purpose: a room key is not a personal password reused elsewhere,
its owner changes it with one command, and wrong keys are throttled per
address (5 a minute) by the caller.  Keys are compared after NFKC (a
full-width key typed on another keyboard still fits) and with every run of
spaces made one (`a  b` set by a slip of the thumb is joined as `a b`),
case-sensitively, in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata

from shared.errors import ErrorCode, ProtocolError

MAX_KEY_CHARS = 64
# A key set now has at least this many characters: a one-character key fell to the 5 guesses a minute
# per room in about 2 minutes (found by a probe).  Keys set before stay valid (JOIN checks any length).
MIN_NEW_KEY_CHARS = 4
ITERATIONS = 10_000
SALT_BYTES = 16
_ALGORITHM = "pbkdf2-sha256"
_MAX_ITERATIONS = 1_000_000  # a stored row asking for more is refused rather than run


def clean_room_key(raw: str) -> str:
    """The key as hashed: NFKC, one space between words, 1 to MAX_KEY_CHARS printable characters; else ProtocolError."""
    key = _as_compared(raw)
    if not key:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which key: /key KEY (or /key alone to remove it).")
    if len(key) > MAX_KEY_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_ARGUMENT, f"A room key has at most {MAX_KEY_CHARS} characters; this one has {len(key)}."
        )
    if not key.isprintable():
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "A room key is letters, digits, spaces and punctuation only.")
    return key


def new_room_key(raw: str) -> str:
    """clean_room_key for a key being set with KEY: also at least MIN_NEW_KEY_CHARS characters."""
    key = clean_room_key(raw)
    if len(key) < MIN_NEW_KEY_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_ARGUMENT,
            f"A room key has at least {MIN_NEW_KEY_CHARS} characters (a shorter one is quickly guessed); "
            f"this one has {len(key)}.",
        )
    return key


def _as_compared(typed: str) -> str:
    """NFKC (which makes every kind of space U+0020), trimmed, runs of spaces made one."""
    return " ".join(word for word in unicodedata.normalize("NFKC", typed).strip().split(" ") if word)


def _derive(key: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", key.encode("utf-8"), salt, iterations)


def hash_room_key(key: str) -> str:
    """The string to keep for a key already cleaned with clean_room_key."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(key, salt, ITERATIONS)
    return f"{_ALGORITHM}${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def room_key_matches(typed: str, stored: str) -> bool:
    """True if `typed` (as the user sent it) is the key behind `stored`; False for anything unreadable."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != _ALGORITHM:
        return False
    try:
        iterations = int(parts[1])
        salt = base64.b64decode(parts[2], validate=True)
        digest = base64.b64decode(parts[3], validate=True)
    except (ValueError, binascii.Error):
        return False
    if not 1 <= iterations <= _MAX_ITERATIONS or not salt or not digest:
        return False
    as_typed = unicodedata.normalize("NFKC", typed[: 4 * MAX_KEY_CHARS]).strip()
    candidate = _as_compared(as_typed)
    if hmac.compare_digest(_derive(candidate, salt, iterations), digest):
        return True
    # A key set before runs of spaces were made one was hashed with them: it still opens its room.
    return candidate != as_typed and hmac.compare_digest(_derive(as_typed, salt, iterations), digest)
