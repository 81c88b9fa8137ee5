"""The announced fingerprint prefix against the trust store's pins (chat_gui/core/announced_key.py)."""

from __future__ import annotations

import hashlib

import pytest

from chat_gui.core.announced_key import (
    LABELS,
    MIN_PREFIX_DIGITS,
    address_to_join,
    compare_announced_key,
    mark_name_copies,
)
from chat_gui.core.server_choice import twin_groups
from chat_gui.core.trust_store import TrustStore, address_key
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


def test_the_key_trusted_at_the_address_joined_is_known() -> None:
    key = compare_announced_key(found(ANNOUNCED), {f"192.0.2.10:{PORT}": TRUSTED})
    assert (key.state, key.address, key.joins, key.label) == (
        "known",
        f"192.0.2.10:{PORT}",
        f"192.0.2.10:{PORT}",
        "known key",
    )


def test_another_key_at_that_address_is_a_clear_warning() -> None:
    key = compare_announced_key(found(OTHER.hex[:MIN_PREFIX_DIGITS]), {f"192.0.2.10:{PORT}": TRUSTED})
    assert (key.state, key.address) == ("changed", f"192.0.2.10:{PORT}")
    assert key.label == LABELS["changed"] and "differs from the one you trusted" in key.label


def test_one_address_that_differs_is_enough_for_the_warning() -> None:
    pins = {f"192.0.2.10:{PORT}": TRUSTED, f"[2001:db8::10]:{PORT}": OTHER}
    key = compare_announced_key(found(ANNOUNCED, addresses=("192.0.2.10", "2001:db8::10")), pins)
    assert (key.state, key.address) == ("changed", f"[2001:db8::10]:{PORT}")


def test_addresses_and_names_are_compared_as_the_trust_store_writes_them() -> None:
    pins = {f"[2001:db8::10]:{PORT}": TRUSTED}
    assert compare_announced_key(found(ANNOUNCED, addresses=("2001:DB8:0::10",)), pins).state == "known"
    pins = {f"pc-12.local:{PORT}": OTHER}
    assert compare_announced_key(found(ANNOUNCED, host="PC-12.local."), pins).state == "changed"


# -- an impostor: the teacher's server is at 127.0.0.1:47001, its key pinned there; another computer announces
#    the same class name and the same fingerprint prefix, listing its own address first and the teacher's after --

TEACHER_PORT = 47001
TEACHER_PIN = {f"127.0.0.1:{TEACHER_PORT}": TRUSTED}


def physics(addresses: tuple[str, ...], host: str = "teacher-pc.local") -> FoundServer:
    return FoundServer(
        "Physics 3B on x port 47001._classchat._tcp.local.", "Physics 3B", addresses, TEACHER_PORT, 2, ANNOUNCED, host
    )


def test_an_impostor_listing_the_pinned_address_second_is_not_known_and_is_joined_where_it_was_judged() -> None:
    impostor = physics(("127.0.0.2", "127.0.0.1"))
    key = compare_announced_key(impostor, TEACHER_PIN)
    assert key.state == "elsewhere" and key.label == "⚠ not the address you trusted"
    assert (key.joins, key.address) == (f"127.0.0.2:{TEACHER_PORT}", f"127.0.0.1:{TEACHER_PORT}")
    assert address_to_join(impostor) == ("127.0.0.2", TEACHER_PORT)
    assert address_key(*address_to_join(impostor)) == key.joins  # what is joined is what was judged


def test_an_impostor_whose_host_name_is_the_pinned_one_is_not_known() -> None:
    pins = {f"teacher-pc.local:{TEACHER_PORT}": TRUSTED}  # the teacher's server was once joined by its name
    key = compare_announced_key(physics(("127.0.0.2",), host="Teacher-PC.local."), pins)
    assert (key.state, key.joins, key.address) == (
        "elsewhere",
        f"127.0.0.2:{TEACHER_PORT}",
        f"teacher-pc.local:{TEACHER_PORT}",
    )


def test_an_impostor_read_from_a_hostile_announcement_is_not_known() -> None:
    properties = {b"class": b"Physics 3B", b"protocol": b"2", b"fp": TRUSTED.hex[:16].encode()}
    impostor = read_announcement(
        "Physics 3B on pc port 47001._classchat._tcp.local.",
        properties,
        ["127.0.0.2", "127.0.0.1"],
        TEACHER_PORT,
        "teacher-pc.local.",
    )
    assert impostor is not None
    key = compare_announced_key(impostor, TEACHER_PIN)
    assert key.state != "known" and key.joins == f"127.0.0.2:{TEACHER_PORT}"


def test_the_same_addresses_read_known_only_when_the_pinned_one_comes_first_and_is_joined() -> None:
    teacher = physics(("127.0.0.1", "127.0.0.2"))
    key = compare_announced_key(teacher, TEACHER_PIN)
    assert (key.state, key.joins, key.address) == ("known", f"127.0.0.1:{TEACHER_PORT}", f"127.0.0.1:{TEACHER_PORT}")
    assert address_to_join(teacher) == ("127.0.0.1", TEACHER_PORT)
    swapped = physics(("127.0.0.2", "127.0.0.1"))
    assert compare_announced_key(swapped, TEACHER_PIN).state == "elsewhere"
    assert address_to_join(swapped) == ("127.0.0.2", TEACHER_PORT)


def test_a_pin_elsewhere_that_differs_still_reads_changed_and_one_that_matches_warns() -> None:
    impostor = physics(("127.0.0.2", "127.0.0.1"))
    key = compare_announced_key(impostor, {f"127.0.0.1:{TEACHER_PORT}": OTHER})
    assert (key.state, key.address, key.joins) == ("changed", f"127.0.0.1:{TEACHER_PORT}", f"127.0.0.2:{TEACHER_PORT}")
    assert compare_announced_key(impostor, {f"127.0.0.1:{TEACHER_PORT}": TRUSTED}).state == "elsewhere"


def test_a_short_prefix_matching_only_a_pin_elsewhere_is_not_known_either() -> None:
    impostor = FoundServer("x", "Physics 3B", ("127.0.0.2", "127.0.0.1"), TEACHER_PORT, 2, TRUSTED.hex[:4], "")
    assert compare_announced_key(impostor, TEACHER_PIN).state == "elsewhere"


def test_a_link_local_address_is_judged_with_its_scope_as_the_tls_layer_pins_it(tmp_path) -> None:
    store = TrustStore(tmp_path / "known_servers.json")
    store.check(address_key("fe80::1%eth0", PORT), TRUSTED)  # what chat_gui/core/tls_client.py pins on joining
    assert store.all_pinned() == {f"[fe80::1%eth0]:{PORT}": TRUSTED}
    teacher = found(ANNOUNCED, addresses=("fe80::1%eth0",))
    assert compare_announced_key(teacher, store.all_pinned()).state == "known"
    impostor = found(ANNOUNCED, addresses=("fe80::2%eth0", "fe80::1%eth0"))
    key = compare_announced_key(impostor, store.all_pinned())
    assert (key.state, key.joins, key.address) == ("elsewhere", f"[fe80::2%eth0]:{PORT}", f"[fe80::1%eth0]:{PORT}")
    # a pin made without the scope is not the address joined (the TLS layer would pin anew): not known
    key = compare_announced_key(teacher, {f"[fe80::1]:{PORT}": TRUSTED})
    assert key.state == "elsewhere" and key.joins == f"[fe80::1%eth0]:{PORT}"


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


def test_a_server_trusted_nowhere_that_copies_the_name_of_a_pinned_one_is_a_copy() -> None:
    teacher = found(ANNOUNCED, ("192.0.2.10",))
    copy = FoundServer("Physics on pc-66._classchat._tcp.local.", "Physics", ("192.0.2.66",), PORT, 2, ANNOUNCED, "x")
    plain_copy = FoundServer("Physics 2._classchat._tcp.local.", "PHYSICS", ("192.0.2.67",), PORT, 2, None, "y")
    other = FoundServer("Maths._classchat._tcp.local.", "Maths", ("192.0.2.68",), PORT, 2, ANNOUNCED, "z")
    servers = (teacher, copy, plain_copy, other)
    for pins in ({f"192.0.2.10:{PORT}": TRUSTED}, {f"192.0.2.10:{PORT}": OTHER}):  # her key as before, or changed
        states = mark_name_copies(servers, [compare_announced_key(s, pins) for s in servers], twin_groups(servers))
        assert [state.state for state in states][1:] == ["copy", "copy", "new"]
        assert (states[1].address, states[1].joins) == (f"192.0.2.10:{PORT}", f"192.0.2.66:{PORT}")
        assert states[0].state in ("known", "changed")
    nothing_pinned = [compare_announced_key(s, {}) for s in servers]
    assert mark_name_copies(servers, nothing_pinned, twin_groups(servers)) == tuple(nothing_pinned)  # twins warn there
    assert LABELS["copy"].startswith("⚠")
