"""This machine's LAN addresses, for telling a class where to connect (any thread).

No packet is sent: on Linux the addresses are read from the interfaces;
elsewhere from the host name's own address records.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys

from shared.server_address import split_address

ONLY_THIS_COMPUTER = (
    "Only this computer can join: to let the class in, listen on host 0.0.0.0 with this computer on the class network."
)


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


def only_this_computer(addresses: list[str]) -> bool:
    """True when every join address ("address:port") is this computer's own (no network address, or 127.0.0.1).

    Then telling classmates to connect there would send them to their own
    computers: the admin window, the headless banner and the chat window's
    own server all say ONLY_THIS_COMPUTER instead.
    """
    return all(_is_loopback(split_address(address)[0]) for address in addresses)


def join_lines(addresses: list[str]) -> list[str]:
    """What a text banner says about joining: where others connect, or that only this computer can."""
    if only_this_computer(addresses):
        return [ONLY_THIS_COMPUTER, "This computer itself joins at:", *(f"    {address}" for address in addresses)]
    return ["Others on the network can connect to:", *(f"    {address}" for address in addresses)]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
