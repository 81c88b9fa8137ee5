"""Which computer an address counts as for the per-address limits (chat_server/address_groups.py)."""

from __future__ import annotations

from chat_server.address_groups import computer_key


def test_off_every_address_counts_alone():
    assert computer_key("2001:db8:1::5", 0) == "2001:db8:1::5"
    assert computer_key("10.0.0.5", 0) == "10.0.0.5"


def test_a_global_ipv6_address_counts_by_its_prefix():
    assert computer_key("2001:db8:1::5", 64) == "2001:db8:1::/64"
    assert computer_key("2001:db8:1:0:ffff:1:2:3", 64) == "2001:db8:1::/64"
    assert computer_key("2001:db8:1:ab::5", 56) == "2001:db8:1::/56"
    assert computer_key("fd12:3456:789a:1::9", 64) == "fd12:3456:789a:1::/64"
    assert computer_key("2001:db8:1::5", 128) == "2001:db8:1::5"


def test_loopback_link_local_ipv4_and_nonsense_count_alone():
    for host in ("::1", "fe80::1", "fe80::1%eth0", "127.0.0.5", "10.0.0.5", "::ffff:10.0.0.5", "not-an-address:"):
        assert computer_key(host, 64) == host
