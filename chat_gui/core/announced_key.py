"""Whether a class server announced on the network has the key this client trusted at the address it joins (any thread; pure).

    address_to_join(found_server)           ->  (host, port): addresses[0], what the Connect dialog joins
    compare_announced_key(found_server, pins)  ->  AnnouncedKey(state, address, joins)
        pins: the trust store's pins ("host:port" -> Fingerprint, TrustStore.all_pinned())

Only the address the client will join is judged: `joins` is its "host:port"
as the trust store keys it (address_key, so a link-local IPv6 address keeps
its "%scope", as the TLS layer pins it).  The other announced addresses and
the host name vouch for nothing, since connecting does not go there:

    "new"        no pin at the address joined, nor at any other announced address or the host name
    "known"      the pin at the address joined starts with the announced fingerprint prefix
    "changed"    a pin at the address joined, or at another announced address or the host name,
                 does not start with it: the key differs from the one trusted there
    "elsewhere"  no pin at the address joined, but one at another announced address or the host name
                 starts with the prefix: the announcement borrows a trusted server's name and key
                 for an address never trusted (an impostor listing the teacher's address second)
    "unannounced"  the announcement gives no prefix (a server without TLS says none)
    "unchecked"  the prefix matches the pin at the address joined but is too short to vouch for a key

    mark_name_copies(servers, states, twin_groups)  ->  the states again, where
    "copy"       a server trusted nowhere whose class name copies that of a listed server this client
                 has a key pinned for: a student's server named like the teacher's.  Before the eighth
                 review it read "new server", so on the day the teacher's key changed (a reinstall, a new
                 data folder) the teacher's row warned and the impostor's looked the safe one to pick.

The announcement is anyone's on the LAN: "known" is a hint for choosing
from the list, never trust.  The key the server really presents is
checked against the pin for the address joined when connecting
(chat_gui/core/tls_client.py), and a changed key stops there with both
fingerprints shown; "known" promises only that this check will be made
against the key trusted before, not a first-time pin.  A prefix that
does not match is shown as "changed" whatever its length: a stranger who
announces a wrong prefix gets a warning shown, which is what should
happen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from chat_gui.core.trust_store import address_key
from shared.discovery_record import FoundServer
from shared.fingerprint import Fingerprint

MIN_PREFIX_DIGITS = 16  # hex digits (64 bits): what servers announce (chat_server/announcing.py)

KeyState = Literal["new", "known", "changed", "elsewhere", "unannounced", "unchecked", "copy"]

LABELS: dict[KeyState, str] = {
    "new": "new server",
    "known": "known key",
    "changed": "⚠ key differs from the one you trusted",
    "elsewhere": "⚠ not the address you trusted",
    "unannounced": "key not announced",
    "unchecked": "key not checked (prefix too short)",
    "copy": "⚠ not the server you joined, only its name",
}
WARNINGS: frozenset[KeyState] = frozenset({"changed", "elsewhere", "copy"})  # drawn in the error colour


@dataclass(frozen=True)
class AnnouncedKey:
    state: KeyState
    address: str = ""  # the "host:port" whose pin decided ("" when no pin did)
    joins: str = ""  # the "host:port" judged: the one address_to_join() names, as the trust store keys it

    @property
    def label(self) -> str:
        return LABELS[self.state]


def address_to_join(server: FoundServer) -> tuple[str, int]:
    """The host and port a choice from the list connects to: the first address announced (IPv4 first)."""
    return server.address, server.port


def other_announced_addresses(server: FoundServer) -> list[str]:
    """Every other "host:port" the trust store may know this server by: its other addresses, then its host name.

    A link-local address is listed with and without its "%scope" (either may have been typed once).
    """
    joins = address_key(*address_to_join(server))
    keys = []
    for address in server.addresses:
        keys += [address_key(address, server.port), address_key(address.split("%", 1)[0], server.port)]
    if server.host:
        keys.append(address_key(server.host, server.port))
    return [key for key in dict.fromkeys(keys) if key != joins]


def compare_announced_key(server: FoundServer, pins: Mapping[str, Fingerprint]) -> AnnouncedKey:
    """How the announced fingerprint prefix compares with the key pinned for the address the client joins."""
    joins = address_key(*address_to_join(server))
    pinned_here = pins.get(joins)
    pinned_elsewhere = [(address, pins[address]) for address in other_announced_addresses(server) if address in pins]
    prefix = server.fingerprint_prefix
    if prefix is None:
        return AnnouncedKey("unannounced", joins if pinned_here is not None else "", joins)
    if pinned_here is not None and not pinned_here.hex.startswith(prefix):
        return AnnouncedKey("changed", joins, joins)
    for address, fingerprint in pinned_elsewhere:
        if not fingerprint.hex.startswith(prefix):
            return AnnouncedKey("changed", address, joins)
    if pinned_here is None and pinned_elsewhere:
        return AnnouncedKey("elsewhere", pinned_elsewhere[0][0], joins)
    if pinned_here is None:
        return AnnouncedKey("new", "", joins)
    if len(prefix) < MIN_PREFIX_DIGITS:
        return AnnouncedKey("unchecked", joins, joins)
    return AnnouncedKey("known", joins, joins)


def mark_name_copies(
    servers: Sequence[FoundServer], states: Sequence[AnnouncedKey], twin_groups: Sequence[Sequence[FoundServer]]
) -> tuple[AnnouncedKey, ...]:
    """`states` (one per server, as compare_announced_key gave them) with "copy" for each server that no pin
    judged and whose name copies (twin_groups: chat_gui/core/server_choice.py) a listed server pinned where it is
    joined; `address` then names that server's "host:port"."""
    index = {server.service: number for number, server in enumerate(servers)}
    marked = list(states)
    for group in twin_groups:
        members = [index[server.service] for server in group if server.service in index]
        pinned = [states[n] for n in members if states[n].address and states[n].address == states[n].joins]
        if not pinned:
            continue
        for number in members:
            if not states[number].address:  # no pin here nor at any address it announces
                marked[number] = AnnouncedKey("copy", pinned[0].joins, states[number].joins)
    return tuple(marked)
