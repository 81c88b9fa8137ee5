"""Reading a DNS-SD announcement that anyone on the LAN may have sent: cleaned, bounded, or refused."""

from __future__ import annotations

import pytest

from shared.discovery_record import (
    MAX_ADDRESSES,
    MAX_CLASS_NAME_CHARS,
    MAX_INSTANCE_BYTES,
    SERVICE_TYPE,
    clean_fingerprint,
    instance_name,
    read_announcement,
    txt_properties,
)

SERVICE = f"Physics on pc port 55555.{SERVICE_TYPE}"


def read(properties=None, addresses=("127.0.0.1",), port=55555, host="pc.local."):
    return read_announcement(SERVICE, properties or {}, addresses, port, host)


def test_a_plain_announcement():
    found = read({b"class": b"Physics 3B", b"protocol": b"2", b"fp": b"3fa4c1d2"})
    assert found is not None
    assert (found.class_name, found.address, found.port, found.protocol, found.fingerprint_prefix, found.host) == (
        "Physics 3B",
        "127.0.0.1",
        55555,
        2,
        "3fa4c1d2",
        "pc.local",
    )


@pytest.mark.parametrize("port", [None, 0, -1, 65536, 10**9])
def test_a_bad_port_is_refused(port):
    assert read(port=port) is None


@pytest.mark.parametrize(
    "addresses", [(), ("not-an-ip",), ("224.0.0.251",), ("0.0.0.0",), ("::",), ("ff02::fb",), ("300.1.2.3",)]
)
def test_no_usable_address_is_refused(addresses):
    assert read(addresses=addresses) is None


def test_addresses_are_checked_deduplicated_ipv4_first_and_capped():
    found = read(
        addresses=["::1", "junk", "127.0.0.1", "127.0.0.1", "fe80::1%lo", *[f"127.0.0.{i}" for i in range(2, 20)]]
    )
    assert found is not None
    assert found.addresses[0] == "127.0.0.1" and len(found.addresses) == MAX_ADDRESSES
    assert "junk" not in found.addresses and len(set(found.addresses)) == len(found.addresses)
    v6 = read(addresses=["fe80::1%lo"])
    assert v6 is not None and v6.address == "fe80::1%lo"  # a link-local address keeps its interface


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"\x1b[2JRoom", "[2JRoom"),
        (b"Room\nFake line", "Room Fake line"),
        (b"\xe2\x80\xaeevil", "evil"),  # right-to-left override dropped
        (b"  spaced   out  ", "spaced out"),
        (b"\xff\xfe broken utf-8", "\ufffd\ufffd broken utf-8"),
        (b"A" * 250, "A" * MAX_CLASS_NAME_CHARS),
    ],
)
def test_the_class_name_is_one_clean_bounded_line(raw, shown):
    found = read({b"class": raw})
    assert found is not None and found.class_name == shown


def test_without_a_class_the_instance_name_is_shown():
    found = read({b"class": None})
    assert found is not None and found.class_name == "Physics on pc port 55555"
    assert read({b"class": b"\x00\x01"}).class_name == "Physics on pc port 55555"


@pytest.mark.parametrize("raw", [b"", b"two", b"2; DROP", b"\xd9\xa2", b"99999", b"-1", b"2.0"])
def test_a_protocol_that_is_not_a_small_number_is_unknown(raw):
    assert read({b"protocol": raw}).protocol is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("3F:A4:C1:D2", "3fa4c1d2"),
        ("3fa4c1d2", "3fa4c1d2"),
        ("zz:top", None),
        ("", None),
        (None, None),
        ("a" * 65, None),
        ("3f a4", None),
        ("ａｂ", None),  # full-width letters are not hex digits
    ],
)
def test_fingerprints_are_hex_or_nothing(raw, clean):
    assert clean_fingerprint(raw) == clean


def test_what_a_server_announces():
    assert txt_properties("Physics 3B", "3F:A4") == {"class": "Physics 3B", "protocol": "2", "fp": "3fa4"}
    assert txt_properties("Physics 3B", None) == {"class": "Physics 3B", "protocol": "2"}
    assert txt_properties("", "not hex") == {"class": "ClassChat", "protocol": "2"}
    long_emoji = txt_properties("😄" * 64, None)["class"]
    assert len(("class=" + long_emoji).encode("utf-8")) <= 255  # one TXT entry


@pytest.mark.parametrize("class_name", ["Physics 3B", "a.b.c", "😄" * 40, "x" * 200, "", "back\\slash"])
def test_instance_names_fit_a_dns_label_and_keep_the_computer_and_port(class_name):
    name = instance_name(class_name, "teacher-pc.example", 55555)
    assert len(name.encode("utf-8")) <= MAX_INSTANCE_BYTES
    assert name.endswith(" on teacher-pc port 55555")
    assert "." not in name and "\\" not in name
