"""Which "computer" an address is for the per-address limits: an IPv6 address may count by its prefix (any thread).

A computer on the internet with IPv6 usually has a whole /64: it can take
any number of its addresses (`ip addr add`, privacy addresses), and each
counted as a computer of its own.  A probe from 39 addresses of one /64
got 39 connections past `--max-per-address 20`, and 975 SAY lines at once
met no computer's message budget.  With `--ipv6-prefix-length 64` every
IPv6 address of one /64 counts as one computer for the connection limits,
the waits for a first byte and TLS handshakes, the message, notice and
page budgets (chat_server/address_budget.py), the file limits, rooms made,
accounts registered and searches, and for bans, mutes and the login, join-code and room-key throttles
(Session.computer): a banned
student who took another address of her /64 was back at once (a probe).

It is off by default because of the classroom itself: every device on one
Wi-Fi network or LAN segment takes its IPv6 addresses from the *same* /64,
so a server in the classroom would count the whole class as one computer
(as a school's IPv4 NAT does to a server outside the school).  Turn it on
for a server that students reach across the internet.  Loopback (::1),
link-local (fe80::/10) and IPv4 addresses always count alone.
"""

from __future__ import annotations

import ipaddress


def computer_key(host: str, ipv6_prefix_length: int) -> str:
    """The key the per-address limits count `host` by: `host` itself, or its IPv6 network like 2001:db8:1::/64."""
    if not ipv6_prefix_length or ipv6_prefix_length >= 128 or ":" not in host:
        return host
    try:
        address = ipaddress.IPv6Address(host.split("%", 1)[0])
    except ValueError:
        return host
    if address.is_loopback or address.is_link_local or address.ipv4_mapped is not None:
        return host
    network = ipaddress.IPv6Network((address, ipv6_prefix_length), strict=False)
    return str(network)
