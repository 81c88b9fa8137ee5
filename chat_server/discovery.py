"""Announces a running server on the LAN by mDNS/DNS-SD, so the chat window lists it (zeroconf's own threads).

    announcer = ServerAnnouncer("Physics 3B", port, addresses=["192.168.1.20"],
                                fingerprint_prefix="3fa4c1d2").start()
    ...
    announcer.stop()      # says goodbye: browsers drop the server at once

start() returns at once: zeroconf opens its sockets on the given interfaces
(by default the announced addresses themselves, so a server that listens
on one network is announced only there) and runs its own event loop
thread, where the name is probed (about 1.5 s, as RFC 6762 asks) and then
announced.  The instance name carries this computer's name and the port
("Physics 3B on pc-12 port 55555"), so two servers of one class do not
collide; should a name be taken anyway, zeroconf appends a number.  Once
announced, chat_server/announcement_guard.py announces it again when
another computer sends a goodbye or other records for it.  stop() sends the goodbye records and closes the
sockets, which takes about half a second.

Many school networks block multicast: then nobody hears the announcement,
and the join code and the address shown in the admin window stay the way
in.  A failure here (no such interface, port 5353 refused) is logged and
leaves the server running; `failure` says what went wrong.

Never call start() or stop() while holding ChatRegistry.lock: both do I/O.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import logging
import re
import socket
import threading
from collections.abc import Sequence

from zeroconf import IPVersion, ServiceInfo, Zeroconf

from chat_server.announcement_guard import AnnouncementGuard
from shared.discovery_record import ANNOUNCED_PROTOCOL, SERVICE_TYPE, instance_name, txt_properties

log = logging.getLogger(__name__)

STOP_TIMEOUT = 3.0  # seconds to wait for the goodbye records before closing anyway


def _machine_label() -> str:
    """This computer's name as a DNS label: lowercase letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9-]+", "-", socket.gethostname().split(".")[0].lower()).strip("-")[:40] or "host"


def _host_label(port: int) -> str:
    """A host name for the SRV record, unique per server on this machine."""
    return f"classchat-{_machine_label()}-{port}.local."


class ServerAnnouncer:
    """One server's DNS-SD announcement, from start() until stop()."""

    def __init__(
        self,
        class_name: str,
        port: int,
        addresses: Sequence[str],
        fingerprint_prefix: str | None = None,
        interfaces: Sequence[str] | None = None,
        protocol: int = ANNOUNCED_PROTOCOL,
    ) -> None:
        if not addresses:
            raise ValueError("a server is announced with at least one address to connect to")
        for address in addresses:
            ipaddress.ip_address(address)  # ValueError for anything that is not an address
        self.class_name = class_name
        self.port = port
        self.addresses = list(addresses)
        self.interfaces = list(interfaces) if interfaces is not None else list(addresses)
        self.properties = txt_properties(class_name, fingerprint_prefix, protocol)
        self.failure: str | None = None
        self._zeroconf: Zeroconf | None = None
        self._info: ServiceInfo | None = None
        self._registration: concurrent.futures.Future[None] | None = None
        self._announced = threading.Event()
        self._lock = threading.Lock()
        self.guard: AnnouncementGuard | None = None  # set once announced (chat_server/announcement_guard.py)

    @property
    def name(self) -> str:
        """The instance name as announced (it may have gained " (2)" to be unique on the network)."""
        if self._info is None:
            return instance_name(self.class_name, _machine_label(), self.port)
        return self._info.name[: -len(SERVICE_TYPE) - 1]

    def start(self) -> ServerAnnouncer:
        """Open the sockets and begin announcing; returns at once (the probing runs in zeroconf's thread)."""
        with self._lock:
            if self._zeroconf is not None:
                return self
            try:
                versions = {ipaddress.ip_address(address).version for address in self.interfaces}
                ip_version = (
                    IPVersion.All if versions == {4, 6} else IPVersion.V6Only if versions == {6} else IPVersion.V4Only
                )
                zeroconf = Zeroconf(interfaces=self.interfaces, ip_version=ip_version)
            except (OSError, ValueError) as error:
                self._fail(f"cannot open mDNS sockets on {', '.join(self.interfaces)}: {error}")
                return self
            self._zeroconf = zeroconf
            self._info = ServiceInfo(
                SERVICE_TYPE,
                f"{self.name}.{SERVICE_TYPE}",
                port=self.port,
                properties=self.properties,
                server=_host_label(self.port),
                parsed_addresses=self.addresses,
            )
            assert zeroconf.loop is not None
            registration = asyncio.run_coroutine_threadsafe(self._register(zeroconf, self._info), zeroconf.loop)
            registration.add_done_callback(self._registration_done)
            self._registration = registration
        return self

    async def _register(self, zeroconf: Zeroconf, info: ServiceInfo) -> None:
        announcing = await zeroconf.async_register_service(info, allow_name_change=True)
        # the name is ours and being announced: from now on a goodbye or other records for it from another
        # computer are answered by announcing again (browsers may already list it)
        guard = AnnouncementGuard(info)
        with self._lock:
            if self._zeroconf is not zeroconf:  # stopped meanwhile
                return
            self.guard = guard
        zeroconf.async_add_listener(guard, None)
        await announcing

    def _registration_done(self, registration: concurrent.futures.Future[None]) -> None:
        if registration.cancelled():
            return
        error = registration.exception()
        if error is not None:
            self._fail(f"cannot announce {self.class_name!r}: {error!r}")
            return
        log.info("announced %r on the network (%s, port %d)", self.name, ", ".join(self.addresses), self.port)
        self._announced.set()

    def wait_announced(self, timeout: float) -> bool:
        """Wait until the name is probed and announced; False on timeout or failure."""
        return self._announced.wait(timeout) and self.failure is None

    def stop(self) -> None:
        """Withdraw the announcement (goodbye records) and close the sockets; safe to call twice."""
        with self._lock:
            zeroconf, info, registration = self._zeroconf, self._info, self._registration
            self._zeroconf = self._registration = None
            if self.guard is not None:
                self.guard.stopping = True  # our own goodbye is not to be answered
        if zeroconf is None:
            return
        try:
            if registration is not None and not registration.done():
                registration.cancel()  # still probing: nothing was announced yet, so nothing to withdraw
            elif info is not None and self._announced.is_set():
                zeroconf.unregister_service(info)
        except Exception as error:  # zeroconf raises its own errors (EventLoopBlocked) as well as OSError
            log.warning("could not withdraw the announcement of %r: %r", self.name, error)
        finally:
            self._announced.clear()
            zeroconf.close()
        log.info("stopped announcing %r", self.name)

    def _fail(self, why: str) -> None:
        self.failure = why
        log.warning("%s; students can still join by address", why)

    def __enter__(self) -> ServerAnnouncer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
