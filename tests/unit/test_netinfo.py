"""Unit tests for chat_server/netinfo.py's words on where to join, with made-up address lists (no network change)."""

from __future__ import annotations

import pytest

from chat_gui.window.embedded_server import running_notice
from chat_server.netinfo import ONLY_THIS_COMPUTER, join_lines, only_this_computer

LOOPBACK_ONLY = ["127.0.0.1:55570"]  # what join_addresses gives on a computer with no network address
ON_A_NETWORK = ["192.168.1.20:55570", "10.0.0.5:55570"]


@pytest.mark.parametrize("addresses", [LOOPBACK_ONLY, ["[::1]:55555"], ["localhost:55555", "127.0.1.1:55555"]])
def test_loopback_addresses_are_only_this_computer(addresses):
    assert only_this_computer(addresses)


@pytest.mark.parametrize("addresses", [ON_A_NETWORK, ["127.0.0.1:55555", "192.168.1.20:55555"], ["[fe80::1]:55555"]])
def test_an_address_on_a_network_is_not(addresses):
    assert not only_this_computer(addresses)


def test_the_headless_banner_does_not_offer_loopback_to_the_network():
    """Found by a probe: with no network it printed "Others on the network can connect to: 127.0.0.1:55570"."""
    lines = join_lines(LOOPBACK_ONLY)
    assert lines[0] == ONLY_THIS_COMPUTER and not any("Others on the network" in line for line in lines)
    assert "    127.0.0.1:55570" in lines
    assert join_lines(ON_A_NETWORK) == [
        "Others on the network can connect to:",
        "    192.168.1.20:55570",
        "    10.0.0.5:55570",
    ]


def test_the_chat_windows_own_server_says_the_same_as_the_admin_window():
    """Found by a probe: the window told classmates to join at 127.0.0.1:55555."""
    notice = running_notice(["127.0.0.1:55555"])
    assert ONLY_THIS_COMPUTER in notice and "Classmates on the same network" not in notice
    assert "join with address and port: 192.168.1.20:55570, 10.0.0.5:55570." in running_notice(ON_A_NETWORK)
