"""What a ClassChat server's DNS-SD announcement says, and how a browser reads it safely (any thread; pure).

    service type   _classchat._tcp.local.
    instance name  the class name, this computer and port ("Physics 3B on pc-12 port 55555"),
                   unique even for two servers of one class on one computer
    SRV            host and port;  A/AAAA: the addresses to connect to
    TXT            class=<class name>  protocol=2  fp=<certificate fingerprint prefix, hex; only with TLS>

An announcement is anyone's on the LAN, so a browser trusts none of it:
every field is cleaned and bounded here (no control characters, lengths
capped, the fingerprint hex or nothing, the port 1 to 65535).  A look-alike
announcement can still claim a class's name; the fingerprint prefix is what
lets a client notice that the server it reaches is not the one the teacher
started (compare it with the certificate it is shown).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.names import strip_control

SERVICE_TYPE = "_classchat._tcp.local."
ANNOUNCED_PROTOCOL = 2  # discovery came with protocol version 2; a server passes its own version
MAX_CLASS_NAME_CHARS = 64
MAX_INSTANCE_BYTES = 63  # a DNS label
MAX_FINGERPRINT_CHARS = 64
MAX_ADDRESSES = 8
MAX_TXT_VALUE_BYTES = 240
_HEX = re.compile(r"[0-9a-f]+")


def _clean_line(text: str, limit: int) -> str:
    text = "".join(ch for ch in strip_control(text) if unicodedata.category(ch) not in ("Cf", "Zl", "Zp"))
    return " ".join(text.split())[:limit]


def class_label(class_name: str, fallback: str) -> str:
    """The class name as announced: one line, no control characters, at most 64 characters."""
    return _clean_line(class_name, MAX_CLASS_NAME_CHARS) or fallback


def instance_name(class_name: str, host: str, port: int) -> str:
    """The DNS-SD instance name: no dots (they would read as labels), at most 63 bytes of UTF-8.

    The computer and port are kept whole, the class name shortened to fit.
    """
    where = f" on {host.split('.')[0]} port {port}".replace("\\", " ")
    name = class_label(class_name, "ClassChat").replace(".", " ").replace("\\", " ")
    room = max(0, MAX_INSTANCE_BYTES - len(where.encode("utf-8")))
    shortened = name.encode("utf-8")[:room].decode("utf-8", "ignore").strip()
    return (shortened + where).encode("utf-8")[:MAX_INSTANCE_BYTES].decode("utf-8", "ignore").strip()


def clean_fingerprint(prefix: str | None) -> str | None:
    """A certificate fingerprint prefix as lowercase hex (colons dropped), or None if it is not one."""
    if not prefix:
        return None
    digits = prefix.replace(":", "").strip().lower()
    if not digits or len(digits) > MAX_FINGERPRINT_CHARS or not _HEX.fullmatch(digits):
        return None
    return digits


def txt_properties(
    class_name: str, fingerprint_prefix: str | None, protocol: int = ANNOUNCED_PROTOCOL
) -> dict[str, str]:
    """The TXT record a server announces."""
    # A TXT entry ("class=...") is at most 255 bytes: 64 characters may be 256 bytes of UTF-8.
    label = class_label(class_name, "ClassChat").encode("utf-8")[:MAX_TXT_VALUE_BYTES].decode("utf-8", "ignore")
    properties = {"class": label, "protocol": str(protocol)}
    fingerprint = clean_fingerprint(fingerprint_prefix)
    if fingerprint:
        properties["fp"] = fingerprint
    return properties


@dataclass(frozen=True)
class FoundServer:
    """One class server seen on the network, every field cleaned."""

    service: str  # the full DNS-SD name: the key while it is announced
    class_name: str
    addresses: tuple[str, ...]  # IPv4 first
    port: int
    protocol: int | None  # None: the announcement did not say, or said something that is not a number
    fingerprint_prefix: str | None
    host: str

    @property
    def address(self) -> str:
        """The address to connect to first."""
        return self.addresses[0]


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value else ""


def read_announcement(
    service: str,
    properties: Mapping[bytes, bytes | None],
    addresses: Iterable[str],
    port: int | None,
    host: str | None,
) -> FoundServer | None:
    """A FoundServer from a resolved announcement, or None when it cannot be used (no address, bad port)."""
    if port is None or not 0 < port < 65536:
        return None
    usable: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)  # a link-local IPv6 address keeps its "%interface"
        except ValueError:
            continue
        if not (address.is_multicast or address.is_unspecified) and address not in usable:
            usable.append(address)
    if not usable:
        return None
    usable.sort(key=lambda address: address.version)
    instance = service[: -len(SERVICE_TYPE) - 1] if service.endswith("." + SERVICE_TYPE) else service
    protocol_text = _text(properties.get(b"protocol")).strip()
    return FoundServer(
        service=_clean_line(service, 300),
        class_name=class_label(_text(properties.get(b"class")), _clean_line(instance, MAX_CLASS_NAME_CHARS) or "?"),
        addresses=tuple(str(address) for address in usable[:MAX_ADDRESSES]),
        port=port,
        protocol=int(protocol_text)
        if protocol_text.isascii() and protocol_text.isdigit() and len(protocol_text) < 4
        else None,
        fingerprint_prefix=clean_fingerprint(_text(properties.get(b"fp"))),
        host=_clean_line((host or "").rstrip("."), 255),
    )
