"""Unit tests for shared/server_address.py: addresses as people type them."""

from __future__ import annotations

import pytest

from chat_server.netinfo import join_addresses
from shared.server_address import mistyped_address, port_number, split_address


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("192.168.1.20", ("192.168.1.20", None)),
        ("192.168.1.20:55555", ("192.168.1.20", 55555)),
        ("  192.168.1.20:5000 ", ("192.168.1.20", 5000)),
        ("lab-pc.school.example:55555", ("lab-pc.school.example", 55555)),
        ("localhost", ("localhost", None)),
        ("::1", ("::1", None)),
        ("fe80::1%eth0", ("fe80::1%eth0", None)),
        ("[::1]", ("::1", None)),
        ("[::1]:55555", ("::1", 55555)),
        ("[fe80::1%eth0]:1", ("fe80::1%eth0", 1)),
        ("host:65535", ("host", 65535)),
    ],
)
def test_an_address_is_split_into_host_and_port(typed, expected):
    assert split_address(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("192.168.1.20:", "is not a port"),
        ("192.168.1.20:abc", "'abc' is not a port"),
        ("host:0", "'0' is not a port"),
        ("host:65536", "'65536' is not a port"),
        ("host:-1", "is not a port"),
        ("host:５５５５５", "is not a port"),  # full-width digits are digits to Python, not to a socket
        ("[::1", "closing ']'"),
        ("[::1]55555", "After ']' comes ':'"),
        ("[::1]:x", "'x' is not a port"),
    ],
)
def test_a_port_that_is_not_one_says_what_a_port_is(typed, says):
    with pytest.raises(ValueError, match=".") as refused:
        split_address(typed)
    assert says in str(refused.value)


def test_port_number_takes_the_range_and_nothing_else():
    assert port_number(" 1 ") == 1 and port_number("65535") == 65535
    for text in ("", "1.5", "1e3", "0x10", "+5"):
        with pytest.raises(ValueError):
            port_number(text)


@pytest.mark.parametrize("host", ["192.168.1.20", "fe80::1", "::1", "2001:db8::5", "lab-pc.school.example"])
def test_what_the_teacher_is_shown_reads_back_as_that_address_and_port(host):
    """The admin window and the headless banner show (and Copy) join_addresses; a student types it back."""
    [shown] = join_addresses(host, 55555)
    assert split_address(shown) == (host, 55555)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("192.168.1.2O", "192.168.1.20"),
        ("l92.168.1.20", "192.168.1.20"),
        ("10.0.o.5", "10.0.0.5"),
        ("1O.I.1.1", "10.1.1.1"),
    ],
)
def test_a_number_address_with_a_letter_for_a_digit_is_caught_without_a_lookup(typed, meant):
    """Found by a probe: "192.168.1.2O" was looked up as a name and failed with "Temporary failure in name resolution"."""
    said = mistyped_address(typed)
    assert said is not None
    assert "check the spelling: an address is four numbers like 192.168.1.20" in said and meant in said


@pytest.mark.parametrize(
    "host", ["192.168.1.20", "localhost", "lab-pc.school.example", "fe80::1", "pool.lo.local", "1.2.3"]
)
def test_real_names_and_addresses_are_not_taken_for_typos(host):
    assert mistyped_address(host) is None
