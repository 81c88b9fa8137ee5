"""Password hashing for accounts: scrypt with its parameters stored beside the hash (connection handler threads).

A stored hash is one ASCII string:

    scrypt$n=131072,r=8,p=1$<salt, base64>$<key, base64>

so parameters can be raised later: `needs_rehash` says when a stored hash
is below today's, and the caller re-hashes the password at the next good
login.  Parameters are OWASP's first scrypt choice (N=2**17, r=8, p=1):
each hash takes about 100 ms of one core and 128 MiB of memory, on purpose.
So never call these functions holding the registry lock; at most
`HASHES_AT_ONCE` run at once (the others wait their turn, the teacher's
first: hash_turns.py), which bounds the memory a crowd of logins can take.

`verify_dummy` spends the same time as a real check, for a login to a
nickname that has no account, so a wrong nickname and a wrong password
take alike.  Passwords are NFKC-normalised first, so the same password
typed on another keyboard (full-width, composed or decomposed accents)
still matches.  Nothing here logs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from chat_server.identity.hash_turns import PASSWORD_TURNS
from shared.errors import ErrorCode, ProtocolError

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 128
SALT_BYTES = 16
KEY_BYTES = 32

_ALGORITHM = "scrypt"
# A stored hash asking for more than this is refused rather than run (a corrupted or hostile database row).
_MAX_COST_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class ScryptParameters:
    n: int = 2**17
    r: int = 8
    p: int = 1

    @property
    def memory_bytes(self) -> int:
        """What OpenSSL allocates for one hash: 128 * r * (n + p + 2) bytes."""
        return 128 * self.r * (self.n + self.p + 2)

    def is_sane(self) -> bool:
        return (
            self.n >= 2
            and self.n & (self.n - 1) == 0
            and 1 <= self.r <= 64
            and 1 <= self.p <= 64
            and self.memory_bytes <= _MAX_COST_BYTES
        )

    def text(self) -> str:
        return f"n={self.n},r={self.r},p={self.p}"


CURRENT = ScryptParameters()


def normalise_password(raw: str) -> str:
    """The password as hashed (NFKC), or ProtocolError(bad_argument) if it is not 8 to 128 characters."""
    password = unicodedata.normalize("NFKC", raw)
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_ARGUMENT,
            f"A password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long; "
            f"this one has {len(password)}. Choose another.",
        )
    return password


def scrypt_available() -> bool:
    """False on a Python built without OpenSSL's hashlib (then accounts cannot work)."""
    return hasattr(hashlib, "scrypt")


def _derive(
    password: str, salt: bytes, params: ScryptParameters, length: int, first: bool = False, who: str = ""
) -> bytes:
    if not scrypt_available():
        raise RuntimeError("This Python's hashlib has no scrypt (it was built without OpenSSL); accounts need it.")
    with PASSWORD_TURNS.turn(first=first, who=who):
        return hashlib.scrypt(
            unicodedata.normalize("NFKC", password).encode("utf-8"),
            salt=salt,
            n=params.n,
            r=params.r,
            p=params.p,
            maxmem=params.memory_bytes + 1024 * 1024,
            dklen=length,
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, params: ScryptParameters = CURRENT, *, who: str = "") -> str:
    """The string to store for `password` (already checked with normalise_password). Slow: ~100 ms."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, params, KEY_BYTES, who=who)
    return f"{_ALGORITHM}${params.text()}${_b64(salt)}${_b64(key)}"


@dataclass(frozen=True)
class _Stored:
    params: ScryptParameters
    salt: bytes
    key: bytes


def _parse(stored: str) -> _Stored | None:
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != _ALGORITHM:
        return None
    try:
        fields = dict(item.split("=", 1) for item in parts[1].split(","))
        params = ScryptParameters(n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]))
        salt = base64.b64decode(parts[2], validate=True)
        key = base64.b64decode(parts[3], validate=True)
    except (ValueError, KeyError, binascii.Error):
        return None
    if not params.is_sane() or not salt or not 16 <= len(key) <= 128:
        return None
    return _Stored(params, salt, key)


def verify_password(password: str, stored: str, *, first: bool = False, who: str = "") -> bool:
    """True if `password` matches the stored hash; False for a wrong password or an unreadable hash. Slow.

    `first`: a check that goes before the others (the teacher's: hash_turns.py); `who`: the asking address.
    """
    parsed = _parse(stored)
    if parsed is None:
        verify_dummy(password, first=first, who=who)  # an unreadable row should not answer faster than a real one
        return False
    candidate = _derive(password, parsed.salt, parsed.params, len(parsed.key), first, who)
    return hmac.compare_digest(candidate, parsed.key)


# A stored hash no password matches (its key is random), made without hashing so the first use costs no more.
_DUMMY_SALT, _DUMMY_KEY = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(KEY_BYTES)
_DUMMY_STORED = f"{_ALGORITHM}${CURRENT.text()}${_b64(_DUMMY_SALT)}${_b64(_DUMMY_KEY)}"


def verify_dummy(password: str, *, first: bool = False, who: str = "") -> bool:
    """Spend what verify_password spends, for a nickname without an account; always False."""
    # The same steps as a real check: parse, derive, compare.
    parsed = _parse(_DUMMY_STORED)
    assert parsed is not None
    candidate = _derive(password, parsed.salt, parsed.params, len(parsed.key), first, who)
    hmac.compare_digest(candidate, parsed.key)
    return False


def needs_rehash(stored: str, params: ScryptParameters = CURRENT) -> bool:
    """True if the stored hash is unreadable or made with parameters other than `params`."""
    parsed = _parse(stored)
    return parsed is None or parsed.params != params or len(parsed.key) != KEY_BYTES
