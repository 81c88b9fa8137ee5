"""Whether a class server announced on the network has the key this client trusted at its address (any thread; pure).

    compare_announced_key(found_server, pins)  ->  AnnouncedKey(state, address)
        pins: the trust store's pins ("host:port" -> Fingerprint, TrustStore.all_pinned())

    "new"        no pin for any of its addresses (or its host name) at its port: never joined there
    "known"      every pin there starts with the announced fingerprint prefix
    "changed"    a pin there does not: the key differs from the one trusted at that address
    "unannounced"  the announcement gives no prefix (a server without TLS says none)
    "unchecked"  the prefix matches but is too short to vouch for a key (a few digits prove nothing)

The announcement is anyone's on the LAN: "known" is a hint for choosing
from the list, never trust.  The key the server really presents is
checked against the pin when connecting (chat_gui/core/tls_client.py), and
a changed key stops there with both fingerprints shown.  A prefix that
does not match is shown as "changed" whatever its length: a stranger who
announces a wrong prefix gets a warning shown, which is what should
happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from chat_gui.core.trust_store import address_key
from shared.discovery_record import FoundServer
from shared.fingerprint import Fingerprint

MIN_PREFIX_DIGITS = 16  # hex digits (64 bits): what servers announce (chat_server/announcing.py)

KeyState = Literal["new", "known", "changed", "unannounced", "unchecked"]

LABELS: dict[KeyState, str] = {
    "new": "new server",
    "known": "known key",
    "changed": "⚠ key differs from the one you trusted",
    "unannounced": "key not announced",
    "unchecked": "key not checked (prefix too short)",
}


@dataclass(frozen=True)
class AnnouncedKey:
    state: KeyState
    address: str = ""  # the "host:port" whose pin decided ("" when no pin did)

    @property
    def label(self) -> str:
        return LABELS[self.state]


def announced_addresses(server: FoundServer) -> list[str]:
    """Every "host:port" the trust store may know this server by: its addresses, then its host name."""
    keys = [address_key(address.split("%", 1)[0], server.port) for address in server.addresses]
    if server.host:
        keys.append(address_key(server.host, server.port))
    return list(dict.fromkeys(keys))


def compare_announced_key(server: FoundServer, pins: Mapping[str, Fingerprint]) -> AnnouncedKey:
    """How the announced fingerprint prefix compares with the keys pinned for the server's addresses."""
    pinned = [(address, pins[address]) for address in announced_addresses(server) if address in pins]
    prefix = server.fingerprint_prefix
    if prefix is None:
        return AnnouncedKey("unannounced", pinned[0][0] if pinned else "")
    if not pinned:
        return AnnouncedKey("new")
    for address, fingerprint in pinned:
        if not fingerprint.hex.startswith(prefix):
            return AnnouncedKey("changed", address)
    if len(prefix) < MIN_PREFIX_DIGITS:
        return AnnouncedKey("unchecked", pinned[0][0])
    return AnnouncedKey("known", pinned[0][0])
