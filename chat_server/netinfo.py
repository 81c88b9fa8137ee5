"""This machine's LAN addresses, for telling a class where to connect (any thread).

No packet is sent: on Linux the addresses are read from the interfaces;
elsewhere from the host name's own address records.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys


def _linux_interface_addresses() -> list[str]:
    import fcntl

    siocgifaddr = 0x8915
    found = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), siocgifaddr, request)
            except OSError:
                continue  # interface without an IPv4 address
            found.append(socket.inet_ntoa(reply[20:24]))
    finally:
        probe.close()
    return found


def _hostname_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def lan_addresses() -> list[str]:
    """IPv4 addresses other machines may reach this one by, loopback excluded."""
    candidates = []
    if sys.platform.startswith("linux"):
        try:
            candidates = _linux_interface_addresses()
        except (OSError, ImportError):
            candidates = []
    candidates += _hostname_addresses()
    seen: list[str] = []
    for address in candidates:
        ip = ipaddress.ip_address(address)
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or address in seen:
            continue
        seen.append(address)
    return seen


def join_addresses(host: str, port: int) -> list[str]:
    """What to tell people to connect to, as "address:port" strings ("[address]:port" for IPv6, as clients read it)."""
    if host in ("0.0.0.0", "", "::"):
        addresses = lan_addresses() or ["127.0.0.1"]
    else:
        addresses = [host]
    return [f"[{address}]:{port}" if ":" in address else f"{address}:{port}" for address in addresses]
