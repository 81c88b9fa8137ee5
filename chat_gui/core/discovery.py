"""Finds ClassChat servers on the LAN by mDNS/DNS-SD (zeroconf's threads; the Tk thread only reads a queue).

    browser = ServerBrowser().start()
    ... every 200 ms on the Tk thread:
        servers = browser.changes.get_nowait()   # the whole list, earliest heard first; only the newest is kept
    browser.stop()

zeroconf's browser thread hears announcements and goodbyes, resolves each
server (address, port, TXT) and puts the new list of FoundServer, earliest
heard first, on `changes`; `on_change`, if given, is called on that thread
too, so it must not touch Tk.  Announcements are anyone's on the LAN: every
field is cleaned (shared/discovery_record.py); `servers()` is sorted by
class name so a flood cannot reorder a list under the user's pointer.

A flood must not hide the teacher's server by coming first (found by a
probe: 50 fakes announced before it kept it out of the list).  So up to
MAX_HEARD servers are kept, a few hundred bytes each; the first
MAX_SERVERS are resolved over the network if need be, later ones only from
what zeroconf already heard (a real server announces its address, port and
TXT in one packet), so a flood still costs no waiting here.  Records that
move a listed name to another address or port are listed as a server of
their own beside it (`_moved`), not in its place.  Past
MAX_HEARD a name is only counted (`refused`).  Which ones the dialog shows
is chat_gui/core/server_choice.py's business.
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

from zeroconf import (
    DNSQuestionType,
    InterfaceChoice,
    IPVersion,
    ServiceBrowser,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
)

from shared.discovery_record import SERVICE_TYPE, FoundServer, read_announcement

log = logging.getLogger(__name__)

MAX_SERVERS = 50  # resolved over the network (waiting up to RESOLVE_TIMEOUT_MS each); later ones from the cache only
MAX_HEARD = 2000  # servers kept at all, ~0.5 KB each; past it a name is counted, bounded by MAX_REFUSED
MAX_REFUSED = 10 * MAX_HEARD
RESOLVE_TIMEOUT_MS = 2000  # answers come from the cache or within ms on a LAN; this bounds stop()
MOVED_MARK = "\n@ "  # joins a name and another place it was announced at (no DNS-SD name holds a line break)
MAX_PLACES_PER_NAME = 4  # other places listed for one name at most

__all__ = ["FoundServer", "ServerBrowser", "MAX_SERVERS", "MAX_HEARD"]


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
        # Names not kept: MAX_HEARD kept already, or not in the cache once past MAX_SERVERS.
        self._refused: set[str] = set()
        self._found: dict[str, FoundServer] = {}  # earliest heard first
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
        # Every query asks for a multicast answer (QM).  zeroconf's default first query asks for a unicast one
        # (QU), sent to port 5353 of the asking computer: on the teacher's own computer, where the server's
        # announcer holds port 5353 too, that answer went to the announcer's socket, so a dialog opened there
        # listed the server only after the second query, 1.1 s in (over 2 s on a loaded machine), not 0.2 s.
        self._browser = ServiceBrowser(
            zeroconf, SERVICE_TYPE, handlers=[self._on_service_state_change], question_type=DNSQuestionType.QM
        )
        return self

    @property
    def refused(self) -> int:
        """How many servers were heard but not kept (past MAX_HEARD, or past MAX_SERVERS and not in the cache)."""
        with self._lock:
            return len(self._refused)

    def servers(self) -> tuple[FoundServer, ...]:
        """The servers found so far, sorted by class name (any thread)."""
        with self._lock:
            return self._sorted()

    def heard(self) -> tuple[FoundServer, ...]:
        """The servers found so far, earliest heard first (any thread)."""
        with self._lock:
            return tuple(self._found.values())

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
                gone = [key for key in self._found if key == name or key.startswith(name + MOVED_MARK)]
                for key in gone:
                    del self._found[key]
                changed = bool(gone)
            if changed:
                self._publish()
            return
        with self._lock:
            known = name in self._found
            if not known and len(self._found) >= MAX_HEARD:
                self._refuse(name)
                return  # full: not even resolved, so a flood costs no time here
            from_cache_only = not known and len(self._found) >= MAX_SERVERS
        try:
            if from_cache_only:
                info: ServiceInfo | None = ServiceInfo(service_type, name)
                if info is not None and not info.load_from_cache(zeroconf):
                    info = None
            else:
                info = zeroconf.get_service_info(
                    service_type, name, timeout=RESOLVE_TIMEOUT_MS, question_type=DNSQuestionType.QM
                )  # multicast answers, as the browser's queries (start())
        except Exception as error:  # a malformed record must not stop the browser thread
            log.debug("cannot resolve %r: %r", name, error)
            return
        if info is None:
            if from_cache_only:
                with self._lock:
                    self._refuse(name)
            return
        found = read_announcement(name, info.properties, info.parsed_scoped_addresses(), info.port, info.server)
        if found is None:
            return
        with self._lock:
            kept = self._found.get(name)
            if kept is not None and _place(kept) != _place(found):
                found = self._moved(name, found)
            key = found.service
            if key not in self._found and len(self._found) >= MAX_HEARD:
                self._refuse(key)
                return
            if self._found.get(key) == found:
                return
            self._found[key] = found
            self._refused.discard(key)
        self._publish()

    def _moved(self, name: str, found: FoundServer) -> FoundServer:
        """`found` under a key of its own: records for a name already listed at another place (under the lock).

        Anyone on the network can send records for any name.  Found by a probe:
        a student sent records under the teacher's instance name pointing at her
        own address and port, and the teacher's row then joined her server; the
        teacher's re-announcement (chat_server/announcement_guard.py) changed
        nothing, since records a listener still holds raise no event.  So the
        first place stays listed under the name, and another place is listed
        beside it as a server of its own: both rows carry the class name, and the
        dialog warns that more than one server calls itself that.  A goodbye for
        the name drops both.
        """
        moved = [key for key in self._found if key.startswith(name + MOVED_MARK)]
        key = f"{name}{MOVED_MARK}{found.address} {found.port}"
        if key not in self._found and len(moved) >= MAX_PLACES_PER_NAME:
            del self._found[moved[0]]  # the oldest other place goes: a stream of them cannot fill the list
        return replace(found, service=key)

    def _refuse(self, name: str) -> None:  # under the lock
        if len(self._refused) < MAX_REFUSED:
            self._refused.add(name)

    def _sorted(self) -> tuple[FoundServer, ...]:
        return tuple(sorted(self._found.values(), key=lambda server: (server.class_name.casefold(), server.service)))

    def _publish(self) -> None:
        with self._lock:
            servers = tuple(self._found.values())  # earliest heard first: server_choice gives them places in turn
            while True:  # only the newest list matters: a flood nobody reads must not pile up thousands of lists
                try:
                    self.changes.get_nowait()
                except queue.Empty:
                    break
            self.changes.put(servers)
        if self.on_change is not None:
            try:
                self.on_change(servers)
            except Exception:
                log.exception("the server list listener failed")


def _place(server: FoundServer) -> tuple[tuple[str, ...], int]:
    return server.addresses, server.port
