"""Finds ClassChat servers on the LAN by mDNS/DNS-SD (zeroconf's threads; the Tk thread only reads a queue).

    browser = ServerBrowser().start()
    ... every 200 ms on the Tk thread:
        while True: servers = browser.changes.get_nowait()   # the whole list after each change
    browser.stop()

zeroconf's browser thread hears announcements and goodbyes, resolves each
server (address, port, TXT) and puts the new list of FoundServer on
`changes`; `on_change`, if given, is called on that thread too, so it must
not touch Tk.  Announcements are anyone's on the LAN: every field is
cleaned (shared/discovery_record.py), at most MAX_SERVERS are kept, and
the list is sorted by class name so a flood cannot reorder it under the
user's pointer.
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import threading
from collections.abc import Callable, Sequence

from zeroconf import InterfaceChoice, IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf

from shared.discovery_record import SERVICE_TYPE, FoundServer, read_announcement

log = logging.getLogger(__name__)

MAX_SERVERS = 50
RESOLVE_TIMEOUT_MS = 2000  # answers come from the cache or within ms on a LAN; this bounds stop()

__all__ = ["FoundServer", "ServerBrowser", "MAX_SERVERS"]


class ServerBrowser:
    """The class servers announced on the network now, kept current until stop()."""

    def __init__(
        self,
        on_change: Callable[[tuple[FoundServer, ...]], object] | None = None,
        interfaces: Sequence[str] | None = None,
    ) -> None:
        """`interfaces`: addresses of this machine's interfaces to listen on; None: all of them."""
        self.on_change = on_change
        self.interfaces = list(interfaces) if interfaces is not None else None
        self.changes: queue.Queue[tuple[FoundServer, ...]] = queue.Queue()
        self.failure: str | None = None
        self._refused: set[str] = set()  # names not listed because MAX_SERVERS were listed already
        self._found: dict[str, FoundServer] = {}
        self._lock = threading.Lock()
        self._zeroconf: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._stopping = threading.Event()

    def start(self) -> ServerBrowser:
        """Begin listening; a failure (no multicast, no network) is logged and leaves an empty list."""
        if self._zeroconf is not None:
            return self
        try:
            if self.interfaces is None:
                zeroconf = Zeroconf(interfaces=InterfaceChoice.All)
            else:
                versions = {ipaddress.ip_address(address).version for address in self.interfaces}
                ip_version = (
                    IPVersion.All if versions == {4, 6} else IPVersion.V6Only if versions == {6} else IPVersion.V4Only
                )
                zeroconf = Zeroconf(interfaces=self.interfaces, ip_version=ip_version)
        except (OSError, ValueError) as error:
            self.failure = f"cannot listen for class servers: {error}"
            log.warning("%s; enter the address instead", self.failure)
            return self
        self._zeroconf = zeroconf
        self._browser = ServiceBrowser(zeroconf, SERVICE_TYPE, handlers=[self._on_service_state_change])
        return self

    @property
    def refused(self) -> int:
        """How many servers were heard but not listed, the list being full."""
        with self._lock:
            return len(self._refused)

    def servers(self) -> tuple[FoundServer, ...]:
        """The servers found so far, sorted by class name (any thread)."""
        with self._lock:
            return self._sorted()

    def stop(self) -> None:
        """Stop listening and close the sockets; safe to call twice.

        Waits for the browser thread, which skips whatever it still has
        queued, so this takes at most one resolve (RESOLVE_TIMEOUT_MS).
        """
        self._stopping.set()
        zeroconf, browser = self._zeroconf, self._browser
        self._zeroconf = self._browser = None
        if browser is not None:
            browser.cancel()
        if zeroconf is not None:
            zeroconf.close()

    # -- zeroconf's browser thread --
    def _on_service_state_change(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if self._stopping.is_set():
            return
        if state_change is ServiceStateChange.Removed:
            with self._lock:
                changed = self._found.pop(name, None) is not None
            if changed:
                self._publish()
            return
        with self._lock:
            if name not in self._found and len(self._found) >= MAX_SERVERS:
                if len(self._refused) < 10 * MAX_SERVERS:
                    self._refused.add(name)
                return  # full: not even resolved, so a flood costs no time here
        try:
            info = zeroconf.get_service_info(service_type, name, timeout=RESOLVE_TIMEOUT_MS)
        except Exception as error:  # a malformed record must not stop the browser thread
            log.debug("cannot resolve %r: %r", name, error)
            return
        if info is None:
            return
        found = read_announcement(name, info.properties, info.parsed_scoped_addresses(), info.port, info.server)
        if found is None:
            return
        with self._lock:
            if name not in self._found and len(self._found) >= MAX_SERVERS:
                if len(self._refused) < 10 * MAX_SERVERS:
                    self._refused.add(name)
                return
            if self._found.get(name) == found:
                return
            self._found[name] = found
        self._publish()

    def _sorted(self) -> tuple[FoundServer, ...]:
        return tuple(sorted(self._found.values(), key=lambda server: (server.class_name.casefold(), server.service)))

    def _publish(self) -> None:
        with self._lock:
            servers = self._sorted()
        self.changes.put(servers)
        if self.on_change is not None:
            try:
                self.on_change(servers)
            except Exception:
                log.exception("the server list listener failed")
