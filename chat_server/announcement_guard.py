"""Announces this server again when another computer withdraws or overwrites its DNS-SD records (zeroconf's event loop thread).

    guard = AnnouncementGuard(info)              # info: the ServiceInfo this server registered
    zeroconf.async_add_listener(guard, None)     # in zeroconf's loop, once the name is announced
    ...
    guard.stopping = True                        # before our own goodbye, which must not be answered

mDNS lets anyone on the network speak for any name.  Found by a probe of
the thirteenth review: a student's computer sent one goodbye packet (the
teacher's PTR record with TTL 0) and every Connect dialog on the network
dropped the teacher's server for good, since nothing announces a running
server again by itself; her own server, announced under the class's name,
was then listed alone, with no "more than one server calls itself that"
warning.  Records under the teacher's instance name pointing at another
address and port replaced hers the same way.

Every computer's zeroconf hears its own name's records too, so this
listener sees such packets: a goodbye for our instance name, or an SRV,
TXT or address record under our names that differs from ours.  It answers
with our whole announcement at once and again FLUSH_SECONDS later (the
unique records carry the cache flush bit, so listeners drop the
intruder's once they have held them a second), at most once per
MIN_SECONDS_BETWEEN, less often while such packets keep coming (the wait
doubles up to MAX_SECONDS_BETWEEN), and logs a warning for the admin the first time and
every WARN_EVERY_SECONDS while it goes on.  A student who keeps sending
can make the list flicker, not make the teacher's server vanish.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from zeroconf import RecordUpdate, RecordUpdateListener, ServiceInfo, Zeroconf
from zeroconf._dns import DNSAddress, DNSPointer, DNSRecord, DNSService, DNSText  # re-exported, not in __all__

log = logging.getLogger("chat_server.discovery")

MIN_SECONDS_BETWEEN = 1.0  # answers to a student's packets: at most one announcement a second ...
MAX_SECONDS_BETWEEN = 60.0  # ... and, while they keep coming, less and less often
QUIET_SECONDS = 10.0  # an answer this long after the last one is quick again
WARN_EVERY_SECONDS = 60.0
FLUSH_SECONDS = 1.2  # the second answer, once the listeners' cache would flush what the intruder sent


class AnnouncementGuard(RecordUpdateListener):
    """Watches the records about one registered service and announces it again when another host's differ."""

    def __init__(self, info: ServiceInfo) -> None:
        self.info = info
        self.stopping = False
        self.defended = 0  # announcements sent again (for tests and the log)
        self._name = info.name.lower()
        self._host = (info.server or "").lower()
        self._ours = {_plain_address(address) for address in info.parsed_addresses()}
        self._last_sent = float("-inf")
        self._wait = MIN_SECONDS_BETWEEN
        self.next_allowed = float("-inf")  # time.monotonic() before which nothing is answered
        self._last_warned = float("-inf")

    def async_update_records(self, zc: Zeroconf, now: float, records: list[RecordUpdate]) -> None:
        if self.stopping:
            return
        foreign = next((update.new for update in records if self._is_foreign(update.new, now)), None)
        if foreign is None:
            return
        moment = time.monotonic()
        if moment < self.next_allowed:
            return
        # answers close together double the wait before the next (up to MAX_SECONDS_BETWEEN): two honest servers
        # announcing one instance name (cloned lab computers: same name, same port, same class) answer each other
        # less and less often instead of twice a second all lesson; a quiet spell brings the quick answer back
        close = moment - self._last_sent < QUIET_SECONDS
        self._wait = min(self._wait * 2, MAX_SECONDS_BETWEEN) if close else MIN_SECONDS_BETWEEN
        self._last_sent = moment
        self.next_allowed = moment + self._wait
        self.defended += 1
        if moment - self._last_warned >= WARN_EVERY_SECONDS:
            self._last_warned = moment
            log.warning(
                "another computer on the network %s this server's announcement %r: announced it again "
                "(a student may be trying to hide this server or list another in its place)",
                "withdrew" if foreign.is_expired(now) else "overwrote",
                self.info.name,
            )
        self._announce(zc)
        # A listener flushes only records it has held for a second (RFC 6762 10.2), so the intruder's records,
        # just received, survive the first answer: the second one replaces them.
        assert zc.loop is not None
        zc.loop.call_later(FLUSH_SECONDS, self._announce, zc)

    def _announce(self, zc: Zeroconf) -> None:
        if not self.stopping and not zc.done:
            zc.async_send(zc.generate_service_broadcast(self.info, None))

    def _is_foreign(self, record: DNSRecord, now: float) -> bool:
        """A record under our names that is not ours: a goodbye for them, or other content."""
        name = record.name.lower()
        if isinstance(record, DNSPointer):
            return record.alias.lower() == self._name and record.is_expired(now)
        if name == self._name and isinstance(record, DNSService):
            return record.is_expired(now) or record.port != self.info.port or record.server.lower() != self._host
        if name == self._name and isinstance(record, DNSText):
            return record.is_expired(now) or record.text != self.info.text
        if name == self._host and isinstance(record, DNSAddress):
            return record.is_expired(now) or str(ipaddress.ip_address(record.address)) not in self._ours
        return False


def _plain_address(text: str) -> str:
    """An address as ipaddress writes it, without an IPv6 scope ("fe80::1%eth0" -> "fe80::1")."""
    return str(ipaddress.ip_address(text.split("%", 1)[0]))
