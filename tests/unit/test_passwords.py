"""Unit tests for chat_server/identity/passwords.py: scrypt hashes with their parameters, timing alike, limits.

Most tests hash with small parameters (FAST) so the suite stays quick; the
tests that need the real cost say so.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time

import pytest

from chat_server.identity import passwords
from chat_server.identity.hash_turns import HASHES_AT_ONCE
from chat_server.identity.passwords import (
    CURRENT,
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    ScryptParameters,
    hash_password,
    needs_rehash,
    normalise_password,
    verify_dummy,
    verify_password,
)
from shared.errors import ErrorCode, ProtocolError
from tests.support import wait_until

FAST = ScryptParameters(n=2**10, r=8, p=1)


def test_todays_owasp_parameters_are_the_default():
    assert (CURRENT.n, CURRENT.r, CURRENT.p) == (2**17, 8, 1)
    assert CURRENT.memory_bytes > 128 * 1024 * 1024


def test_a_real_hash_has_the_stored_format_and_verifies():
    stored = hash_password("correct horse battery")
    match = re.fullmatch(r"scrypt\$n=131072,r=8,p=1\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)", stored)
    assert match is not None
    assert len(base64.b64decode(match.group(1))) == 16
    assert len(base64.b64decode(match.group(2))) == 32
    assert verify_password("correct horse battery", stored)
    assert not needs_rehash(stored)


def test_the_hash_is_scrypt_of_the_nfkc_password_with_the_stored_salt():
    stored = hash_password("pässwörd1", FAST)
    _, _, salt, key = stored.split("$")
    expected = hashlib.scrypt("pässwörd1".encode(), salt=base64.b64decode(salt), n=2**10, r=8, p=1, dklen=32)
    assert base64.b64decode(key) == expected


def test_wrong_passwords_fail():
    stored = hash_password("correct horse battery", FAST)
    for wrong in ["correct horse batter", "Correct horse battery", "correct horse battery ", "", "x" * 128]:
        assert not verify_password(wrong, stored)


def test_the_same_password_gets_a_new_salt_each_time():
    first, second = hash_password("same password", FAST), hash_password("same password", FAST)
    assert first != second
    assert first.split("$")[2] != second.split("$")[2]
    assert verify_password("same password", first) and verify_password("same password", second)


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("password12", "ｐａｓｓｗｏｒｄ１２"),  # full width
        ("café1234", "cafe\u03011234"),  # composed and decomposed accent
        ("ﬃlter123", "ffilter123"),  # ligature
        ("Ω-ohm-123", "\u2126-ohm-123"),  # OHM SIGN
    ],
)
def test_the_same_password_typed_in_another_unicode_form_matches(registered, typed):
    stored = hash_password(registered, FAST)
    assert verify_password(typed, stored)


def test_password_length_limits_count_after_nfkc():
    assert normalise_password("x" * MIN_PASSWORD_CHARS) == "x" * MIN_PASSWORD_CHARS
    assert normalise_password("x" * MAX_PASSWORD_CHARS) == "x" * MAX_PASSWORD_CHARS
    assert normalise_password("\ufb03" * 3) == "ffi" * 3  # 3 characters typed, 9 after NFKC
    assert normalise_password("ｐａｓｓｗｏｒｄ") == "password"
    for bad in ["", "x" * (MIN_PASSWORD_CHARS - 1), "x" * (MAX_PASSWORD_CHARS + 1), "\ufb03" * 43]:
        with pytest.raises(ProtocolError) as raised:
            normalise_password(bad)
        assert raised.value.code == ErrorCode.BAD_ARGUMENT
        assert "8 to 128" in raised.value.message


def test_needs_rehash_when_the_parameters_are_below_todays():
    old = hash_password("a password", FAST)
    assert needs_rehash(old)
    assert not needs_rehash(old, FAST)
    assert needs_rehash(old, ScryptParameters(n=2**11))
    assert verify_password("a password", old)  # an old hash still verifies, so it can be replaced at login


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain text password",
        "pbkdf2_sha256$600000$salt$hash",
        "scrypt$n=1024,r=8,p=1$%%%$AAAA",
        "scrypt$n=1024,r=8$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,
        "scrypt$n=1000,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n not a power of two
        "scrypt$n=1073741824,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # would need 1 TiB
        "scrypt$n=1024,r=8,p=1$$" + "A" * 44,  # no salt
        "scrypt$n=1024,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$AAAA",  # key too short
        "scrypt$n=1024,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44 + "$extra",
    ],
)
def test_an_unreadable_or_hostile_stored_hash_never_matches_and_needs_rehash(stored, monkeypatch):
    spent = []
    monkeypatch.setattr(passwords, "verify_dummy", lambda password, **how: spent.append(password) or False)
    assert not verify_password("anything at all", stored)
    assert spent == ["anything at all"]  # it still spends a hash's time
    assert needs_rehash(stored)


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_a_wrong_nickname_takes_as_long_as_a_wrong_password():
    """Real parameters. Rounds are interleaved and the fastest of each kind compared: load on a shared machine
    only ever adds time, so the fastest round is the closest to the hash's own cost (medians of five rounds
    differed by 30% on a machine busy with other test runs)."""
    stored = hash_password("the real password")
    wrong_password, wrong_user = [], []
    for _ in range(5):
        wrong_password.append(_seconds(lambda: verify_password("a wrong guess", stored)))
        wrong_user.append(_seconds(lambda: verify_dummy("a wrong guess")))
    assert verify_dummy("the real password") is False
    fastest = sorted([min(wrong_password), min(wrong_user)])
    assert fastest[0] > 0.01  # both really hash (N=2**17 takes tens of milliseconds at the very least)
    # A loose bound: a skipped hash would be thousands of times faster; the exact equality of the work
    # is the next test's, which does not depend on the machine's load.
    assert fastest[1] / fastest[0] < 1.6, (wrong_password, wrong_user)


def test_a_wrong_nickname_and_a_wrong_password_do_the_same_scrypt_work(monkeypatch):
    stored = hash_password("the real password")
    calls: list[tuple[int, int, int, int, int, int]] = []
    real_scrypt = hashlib.scrypt

    def counting_scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, maxmem: int = 0, dklen: int = 64):
        calls.append((len(password), len(salt), n, r, p, dklen))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(passwords.hashlib, "scrypt", counting_scrypt)
    assert not verify_password("a wrong guess", stored)
    assert verify_dummy("a wrong guess") is False
    assert len(calls) == 2 and calls[0] == calls[1], calls
    assert calls[0][2:5] == (2**17, 8, 1)  # OWASP's first scrypt choice, as docs/identity.md says


def test_at_most_two_hashes_run_at_once(monkeypatch):
    inside = 0
    most = 0
    entered = 0
    guard = threading.Lock()
    release = threading.Event()
    real_scrypt = hashlib.scrypt

    def held_scrypt(*args, **kwargs):
        nonlocal inside, most, entered
        with guard:
            inside += 1
            entered += 1
            most = max(most, inside)
        release.wait(10)
        try:
            return real_scrypt(*args, **kwargs)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(passwords.hashlib, "scrypt", held_scrypt)
    threads = [threading.Thread(target=hash_password, args=("some password", FAST)) for _ in range(6)]
    for thread in threads:
        thread.start()
    wait_until(lambda: entered == HASHES_AT_ONCE)
    # The other four are queued; give them every chance to get in wrongly before letting the two finish.
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        assert entered == HASHES_AT_ONCE
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert entered == 6
    assert most == HASHES_AT_ONCE


def test_a_python_without_scrypt_gets_a_clear_error(monkeypatch):
    monkeypatch.delattr(passwords.hashlib, "scrypt")
    assert not passwords.scrypt_available()
    with pytest.raises(RuntimeError, match="scrypt"):
        hash_password("some password", FAST)
