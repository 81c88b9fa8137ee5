"""Whether and where a running server announces itself by DNS-SD, for the headless script and the admin window (their main or Tk thread).

    announcement = Announcement.for_server(server)     # decides; announces nothing yet
    announcement.start()     # ServerAnnouncer (chat_server/discovery.py) on the chosen interfaces
    ...
    announcement.stop()      # goodbye records: the Connect dialogs drop the server at once

The rule (issue 16): on by default when the server listens on a LAN
address (0.0.0.0, ::, or one of this computer's addresses), never when it
listens on loopback only, off with `--no-announce`.  `--announce-on
ADDRESS` names the interfaces instead: the tests announce on 127.0.0.1
only, so nothing of theirs reaches a real network.  The announced class
name is `--class-name`, by default this computer's name.  The TXT record
carries the first 16 hex digits of the server key's fingerprint when the
server has TLS.

Both start() and stop() do I/O (sockets, a wait for the goodbye): never
call them while holding the registry lock.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chat_server.config import ServerConfig
from chat_server.netinfo import lan_addresses
from shared.discovery_record import class_label

FINGERPRINT_PREFIX_DIGITS = 16  # announced in TXT `fp`: enough to tell two servers apart, short for the record

if TYPE_CHECKING:
    from chat_server.discovery import ServerAnnouncer
    from chat_server.server import ChatServer

log = logging.getLogger("chat_server")


def default_class_name() -> str:
    """This computer's name, as a class name when none was given."""
    return class_label(socket.gethostname().split(".")[0], "ClassChat")


def class_name_of(config: ServerConfig) -> str:
    return class_label(config.class_name, "") or default_class_name()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def announce_addresses(config: ServerConfig, listening_on: str) -> tuple[list[str], str]:
    """(addresses to announce on, "") or ([], why not), for a server listening on `listening_on`."""
    if not config.announce:
        return [], "announcing is turned off (--no-announce)"
    if config.announce_on:
        return list(config.announce_on), ""
    if _is_loopback(listening_on):
        return [], "the server listens on this computer only"
    if listening_on in ("0.0.0.0", "::", ""):
        found = lan_addresses()
        return (found, "") if found else ([], "this computer has no network address")
    try:
        ipaddress.ip_address(listening_on)
    except ValueError:
        return [], f"{listening_on} is a name, not an address"
    return [listening_on], ""


@dataclass
class Announcement:
    """One running server's announcement: what it says, where, and the announcer while it runs."""

    class_name: str
    port: int
    addresses: list[str]
    not_announced: str  # why not, when `addresses` is empty
    fingerprint_prefix: str | None = None
    announcer: ServerAnnouncer | None = None

    @classmethod
    def for_server(cls, server: ChatServer, fingerprint_prefix: str | None = None) -> Announcement:
        host, port = server.address
        addresses, why_not = announce_addresses(server.config, host)
        if fingerprint_prefix is None and server.tls is not None:
            # The start of the server key's fingerprint: a Connect dialog can tell two "Physics 3B" apart
            # before connecting; the full key is still checked (and pinned) by the TLS handshake.
            fingerprint_prefix = server.tls.fingerprint.hex[:FINGERPRINT_PREFIX_DIGITS]
        return cls(class_name_of(server.config), port, addresses, why_not, fingerprint_prefix)

    @property
    def failure(self) -> str | None:
        return self.announcer.failure if self.announcer is not None else None

    def start(self) -> Announcement:
        """Begin announcing when the rule says so; returns at once (zeroconf probes in its own thread)."""
        if not self.addresses or self.announcer is not None:
            if not self.addresses:
                log.info("not announced on the network: %s", self.not_announced)
            return self
        from chat_server.discovery import ServerAnnouncer  # zeroconf loads only for a server that announces

        self.announcer = ServerAnnouncer(
            self.class_name, self.port, self.addresses, self.fingerprint_prefix, interfaces=self.addresses
        ).start()
        return self

    def stop(self) -> None:
        """Withdraw the announcement; safe to call twice, or when nothing was announced."""
        announcer, self.announcer = self.announcer, None
        if announcer is not None:
            announcer.stop()

    def describe(self) -> str:
        """One sentence for the admin: what the Connect dialogs list, or why the server is not listed."""
        if not self.addresses:
            return f"Not listed in the students' Connect dialog: {self.not_announced}."
        if self.failure:
            return f"Could not list this server on the network ({self.failure}); students join by address."
        return (
            f"Listed as “{self.class_name}” in the students' Connect dialog "
            f"(where the network lets devices find each other)."
        )
