"""The announced fingerprint prefix against the trust store's pins (chat_gui/core/announced_key.py)."""

from __future__ import annotations

import hashlib

import pytest

from chat_gui.core.announced_key import LABELS, MIN_PREFIX_DIGITS, compare_announced_key
from chat_gui.core.trust_store import TrustStore
from shared.discovery_record import FoundServer, read_announcement
from shared.fingerprint import Fingerprint

PORT = 55555
TRUSTED = Fingerprint(hashlib.sha256(b"the teacher's key").digest())
OTHER = Fingerprint(hashlib.sha256(b"someone else's key").digest())


def found(
    prefix: str | None, addresses: tuple[str, ...] = ("192.0.2.10",), host: str = "pc-12.local", port: int = PORT
):
    return FoundServer(
        "Physics on pc-12 port 55555._classchat._tcp.local.", "Physics", addresses, port, 2, prefix, host
    )


ANNOUNCED = TRUSTED.hex[:MIN_PREFIX_DIGITS]


def test_a_server_never_joined_is_new() -> None:
    assert compare_announced_key(found(ANNOUNCED), {}).state == "new"
    assert compare_announced_key(found(ANNOUNCED), {f"192.0.2.99:{PORT}": OTHER}).state == "new"  # another computer
    assert compare_announced_key(found(ANNOUNCED), {"192.0.2.10:4000": OTHER}).state == "new"  # another port


@pytest.mark.parametrize(
    "pinned_at",
    [f"192.0.2.10:{PORT}", f"pc-12.local:{PORT}"],
    ids=["by address", "by host name"],
)
def test_the_key_trusted_at_its_address_or_name_is_known(pinned_at: str) -> None:
    key = compare_announced_key(found(ANNOUNCED), {pinned_at: TRUSTED})
    assert (key.state, key.address, key.label) == ("known", pinned_at, "known key")


def test_another_key_at_that_address_is_a_clear_warning() -> None:
    key = compare_announced_key(found(OTHER.hex[:MIN_PREFIX_DIGITS]), {f"192.0.2.10:{PORT}": TRUSTED})
    assert (key.state, key.address) == ("changed", f"192.0.2.10:{PORT}")
    assert key.label == LABELS["changed"] and "differs from the one you trusted" in key.label


def test_one_address_that_differs_is_enough_for_the_warning() -> None:
    pins = {f"192.0.2.10:{PORT}": TRUSTED, f"[2001:db8::10]:{PORT}": OTHER}
    key = compare_announced_key(found(ANNOUNCED, addresses=("192.0.2.10", "2001:db8::10")), pins)
    assert (key.state, key.address) == ("changed", f"[2001:db8::10]:{PORT}")


def test_addresses_and_names_are_compared_as_the_trust_store_writes_them() -> None:
    pins = {f"[fe80::1]:{PORT}": TRUSTED}
    assert compare_announced_key(found(ANNOUNCED, addresses=("fe80::1%eth0",)), pins).state == "known"
    pins = {f"pc-12.local:{PORT}": TRUSTED}
    assert compare_announced_key(found(ANNOUNCED, host="PC-12.local."), pins).state == "known"


def test_no_prefix_announced_cannot_be_compared() -> None:
    assert compare_announced_key(found(None), {}).state == "unannounced"
    key = compare_announced_key(found(None), {f"192.0.2.10:{PORT}": TRUSTED})
    assert (key.state, key.label) == ("unannounced", "key not announced")


@pytest.mark.parametrize("digits", [1, 4, MIN_PREFIX_DIGITS - 1])
def test_a_short_prefix_that_matches_vouches_for_nothing_but_one_that_differs_still_warns(digits: int) -> None:
    pins = {f"192.0.2.10:{PORT}": TRUSTED}
    assert compare_announced_key(found(TRUSTED.hex[:digits]), pins).state == "unchecked"
    assert compare_announced_key(found(OTHER.hex[:digits]), pins).state == "changed"


def test_the_whole_fingerprint_announced_is_known_too() -> None:
    assert compare_announced_key(found(TRUSTED.hex), {f"192.0.2.10:{PORT}": TRUSTED}).state == "known"


def test_a_hostile_announcement_is_cleaned_before_it_is_compared() -> None:
    properties = {b"class": b"Physics", b"protocol": b"2", b"fp": ("  " + TRUSTED.long[:23] + "  ").encode()}
    server = read_announcement("x._classchat._tcp.local.", properties, ["192.0.2.10"], PORT, "pc-12.local.")
    assert server is not None and server.fingerprint_prefix == TRUSTED.hex[:16]
    assert compare_announced_key(server, {f"192.0.2.10:{PORT}": TRUSTED}).state == "known"
    properties[b"fp"] = b"not hex at all"
    server = read_announcement("x._classchat._tcp.local.", properties, ["192.0.2.10"], PORT, "pc-12.local.")
    assert server is not None and compare_announced_key(server, {f"192.0.2.10:{PORT}": TRUSTED}).state == "unannounced"


def test_with_the_real_trust_store_file(tmp_path) -> None:
    store = TrustStore(tmp_path / "known_servers.json")
    assert store.check(f"192.0.2.10:{PORT}", TRUSTED).status == "new"  # pinned on first use
    assert store.all_pinned() == {f"192.0.2.10:{PORT}": TRUSTED}
    assert compare_announced_key(found(ANNOUNCED), store.all_pinned()).state == "known"
    store.accept(f"192.0.2.10:{PORT}", OTHER)  # the person accepted a new key there
    assert compare_announced_key(found(ANNOUNCED), store.all_pinned()).state == "changed"
    (tmp_path / "known_servers.json").write_text("{not json", encoding="utf-8")
    assert store.all_pinned() == {} and compare_announced_key(found(ANNOUNCED), store.all_pinned()).state == "new"
