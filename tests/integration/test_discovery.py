"""Finding a class server without an address: DNS-SD on loopback only, with real zeroconf and a real server.

Every Zeroconf here is bound to 127.0.0.1; where the test may open a packet
socket (root on Linux) it also watches every other interface and fails if a
single mDNS packet leaves the machine's loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
import sys
import threading
import time

import pytest
from zeroconf import DNSAddress, DNSOutgoing, DNSPointer, DNSRecord, DNSService, DNSText, ServiceInfo, Zeroconf
from zeroconf.const import (
    _CLASS_IN,
    _CLASS_UNIQUE,
    _FLAGS_AA,
    _FLAGS_QR_RESPONSE,
    _TYPE_A,
    _TYPE_PTR,
    _TYPE_SRV,
    _TYPE_TXT,
)

from chat_gui.core import discovery
from chat_gui.core.discovery import MAX_SERVERS, ServerBrowser
from chat_gui.core.server_choice import twin_groups
from chat_server import announcement_guard as guard
from chat_server.discovery import ServerAnnouncer
from shared.discovery_record import SERVICE_TYPE
from tests.support import connect_client, wait_until

LOOPBACK = ["127.0.0.1"]
# Every test run on this machine shares loopback multicast: other engineers' runs announce too, so each name
# this run announces carries its process id, and a test looks only at its own.
RUN = f"#{os.getpid()}"
PHYSICS, CHEMISTRY, MATHS = f"Physics 3B {RUN}", f"Chemistry {RUN}", f"Maths {RUN}"
FOUND_WITHIN = 2.0  # seconds, as issue 16 asks: a server on loopback is listed within 2 s


@contextlib.contextmanager
def no_mdns_off_loopback():
    """Fail if an mDNS packet (UDP port 5353) is seen on any interface but lo while the block runs."""
    try:
        sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    except (AttributeError, OSError):
        yield  # not Linux, or not allowed to watch: the interfaces=["127.0.0.1"] binding is the only guard
        return
    sniffer.settimeout(0.1)
    leaked: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                packet, (interface, *_rest) = sniffer.recvfrom(65535)
            except TimeoutError:
                continue
            if interface == "lo" or len(packet) < 28 or packet[9] != socket.IPPROTO_UDP:
                continue
            header = (packet[0] & 0x0F) * 4
            source_port, destination_port = struct.unpack("!HH", packet[header : header + 4])
            if 5353 in (source_port, destination_port):
                leaked.append(f"{interface}: {socket.inet_ntoa(packet[12:16])} -> {socket.inet_ntoa(packet[16:20])}")

    watcher = threading.Thread(target=watch, name="mdns-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(2)
        sniffer.close()
    assert leaked == [], f"mDNS left the loopback interface: {leaked}"


@pytest.fixture
def browser():
    found = ServerBrowser(interfaces=LOOPBACK).start()
    assert found.failure is None
    yield found
    found.stop()


@pytest.fixture
def announce():
    announcers: list[ServerAnnouncer] = []

    def start(class_name: str, port: int, **options) -> ServerAnnouncer:
        announcer = ServerAnnouncer(class_name, port, addresses=LOOPBACK, interfaces=LOOPBACK, **options).start()
        announcers.append(announcer)
        return announcer

    yield start
    for announcer in announcers:
        announcer.stop()


def named(browser: ServerBrowser, class_name: str):
    return [server for server in browser.servers() if server.class_name == class_name]


def test_a_server_on_loopback_is_found_joined_and_withdrawn_on_stop(server, browser, announce, no_server_errors):
    with no_mdns_off_loopback():
        started = time.monotonic()
        announcer = announce(PHYSICS, server.address[1], fingerprint_prefix="3F:A4:C1:D2")
        [found] = wait_until(lambda: named(browser, PHYSICS), timeout=FOUND_WITHIN)
        print(f"\nfound {time.monotonic() - started:.2f} s after the announcement started")
        wait_until(lambda: found in browser.changes.get(timeout=FOUND_WITHIN))  # only the newest list waits there
        assert found.addresses == ("127.0.0.1",) and found.port == server.address[1]
        assert found.protocol == 2 and found.fingerprint_prefix == "3fa4c1d2"
        assert announcer.name == f"{PHYSICS} on {socket.gethostname().split('.')[0].lower()} port {found.port}"

        client = connect_client((found.address, found.port), nick="ann")  # join what was found
        client.close()

        stopping = time.monotonic()
        announcer.stop()
        wait_until(lambda: not named(browser, PHYSICS), timeout=FOUND_WITHIN, message="the goodbye was not heard")
        print(f"withdrawn from the list {time.monotonic() - stopping:.2f} s after stop()")
    newest = browser.changes.get_nowait()
    assert browser.changes.empty() and not [server for server in newest if server.class_name == PHYSICS]


def test_a_browser_opened_later_finds_a_server_already_announced(server, announce):
    announcer = announce(CHEMISTRY, server.address[1])
    assert announcer.wait_announced(10), announcer.failure
    # "Already announced": its last announcement (wait_announced returns once the third is sent) over a second
    # ago, as in a lesson. RFC 6762 section 6: a record multicast less than a second ago is not multicast again,
    # so a browser opened at once waits for its own second query, 1.1 s in (over 2 s seen on a loaded machine).
    announced = time.monotonic()
    wait_until(lambda: time.monotonic() - announced > 1.0)
    with no_mdns_off_loopback():
        started = time.monotonic()
        callers: list[threading.Thread] = []
        late = ServerBrowser(lambda servers: callers.append(threading.current_thread()), interfaces=LOOPBACK).start()
        try:
            [found] = wait_until(lambda: named(late, CHEMISTRY), timeout=FOUND_WITHIN)
            print(f"\nfound {time.monotonic() - started:.2f} s after the browser started")
            assert found.fingerprint_prefix is None  # no TLS: no fingerprint announced
            assert callers and threading.main_thread() not in callers  # never the Tk thread
            assert found in late.changes.get_nowait()
        finally:
            late.stop()


def test_two_servers_with_one_class_name_are_both_listed(start_server, browser, announce):
    first, second = start_server(), start_server()
    one = announce(MATHS, first.address[1])
    assert one.wait_announced(10)
    two = announce(MATHS, second.address[1])
    assert two.wait_announced(10)
    assert one.name != two.name and one.name.startswith(f"{MATHS} on ") and two.name.startswith(f"{MATHS} on ")
    both = wait_until(lambda: len(named(browser, MATHS)) == 2 and named(browser, MATHS), timeout=FOUND_WITHIN)
    assert {server.port for server in both} == {first.address[1], second.address[1]}
    assert len({server.service for server in both}) == 2


def test_hostile_announcements_are_cleaned_or_ignored(browser, announce, monkeypatch):
    """Anyone on the LAN can announce: control characters, huge fields, garbage numbers, a flood."""
    monkeypatch.setattr(discovery, "MAX_HEARD", MAX_SERVERS + 3)  # the real bound (thousands) would take minutes
    raw = Zeroconf(interfaces=LOOPBACK)
    try:
        hostile = ServiceInfo(
            SERVICE_TYPE,
            f"Evil {RUN}.{SERVICE_TYPE}",
            port=4444,
            properties={"class": "\x1b[2J\u202eRoom\n" + "A" * 200, "protocol": "2; DROP", "fp": "zz:top"},
            server="evil.local.",
            parsed_addresses=["127.0.0.1"],
        )
        raw.register_service(hostile)
        [found] = wait_until(lambda: [s for s in browser.servers() if s.service.startswith(f"Evil {RUN}.")], timeout=5)
        assert "\x1b" not in found.class_name and "\u202e" not in found.class_name and "\n" not in found.class_name
        assert found.class_name.startswith("[2JRoom") and len(found.class_name) == 64
        assert found.protocol is None and found.fingerprint_prefix is None

        flood = flood_of(MAX_SERVERS + 5, "Flood")
        for info in flood:  # all probing at once, not 1.5 s each one after another
            asyncio.run_coroutine_threadsafe(raw.async_register_service(info), raw.loop)
        # One hostile and MAX_SERVERS + 5 flooding, MAX_HEARD lowered to MAX_SERVERS + 3: three are counted, not kept.
        wait_until(lambda: browser.refused >= 3, timeout=20)
        assert len(browser.servers()) == discovery.MAX_HEARD
    finally:
        raw.close()


def flood_of(count: int, prefix: str, named_like: dict[int, str] | None = None) -> list[ServiceInfo]:
    """`count` fake class servers on loopback; `named_like` gives some of them (by index) another class name."""
    return [
        ServiceInfo(
            SERVICE_TYPE,
            f"{prefix} {index} {RUN}.{SERVICE_TYPE}",
            port=5000 + index,
            properties={"class": (named_like or {}).get(index, f"{prefix} {index} {RUN}")},
            server=f"{prefix.lower()}{index}.local.",
            parsed_addresses=["127.0.0.1"],
        )
        for index in range(count)
    ]


def test_the_teachers_server_announced_after_sixty_fakes_is_still_found(server, browser, announce):
    """Found by a probe: the window listens first, 60 fakes fill the list, then the teacher starts the server."""
    raw = Zeroconf(interfaces=LOOPBACK)
    try:
        with no_mdns_off_loopback():
            for info in flood_of(60, "Fake"):
                asyncio.run_coroutine_threadsafe(raw.async_register_service(info), raw.loop)
            # Before the fix only 50 were kept and the other 10 counted; now all 60 are.
            wait_until(
                lambda: len([s for s in browser.servers() if s.service.startswith("Fake ")]) + browser.refused >= 60,
                timeout=30,
            )
            announcer = announce(PHYSICS, server.address[1])
            assert announcer.wait_announced(10), announcer.failure
            [found] = wait_until(lambda: named(browser, PHYSICS), timeout=10, message="the teacher's server is hidden")
            assert found.port == server.address[1]
            assert browser.heard()[-1] == found  # earliest heard first: the dialog gives places in that order
    finally:
        raw.close()


def forge(raw: Zeroconf, *records: DNSRecord) -> None:
    """Send records as a student's own program would: an mDNS response on loopback, from another Zeroconf."""
    out = DNSOutgoing(_FLAGS_QR_RESPONSE | _FLAGS_AA)
    for record in records:
        out.add_answer_at_time(record, 0)
    raw.send(out)


def test_a_goodbye_another_computer_sends_for_the_teachers_server_does_not_hide_it(server, browser, announce):
    """Found by a probe (thirteenth review): one forged goodbye dropped the teacher's server from every Connect
    dialog for good, since nothing announces a running server again; a fake under her class name was then alone."""
    announcer = announce(PHYSICS, server.address[1])
    assert announcer.wait_announced(10), announcer.failure
    [found] = wait_until(lambda: named(browser, PHYSICS), timeout=FOUND_WITHIN)
    raw = Zeroconf(interfaces=LOOPBACK)
    try:
        with no_mdns_off_loopback():
            for _ in range(3):  # again and again: each time it comes back
                forge(raw, DNSPointer(SERVICE_TYPE, _TYPE_PTR, _CLASS_IN, 0, found.service))
                # dropped and heard again (a new entry), often faster than a poll could see the gap
                [back] = wait_until(
                    lambda before=found: [again for again in named(browser, PHYSICS) if again is not before],
                    timeout=5,
                    message="the teacher's server stayed hidden",
                )
                assert back == found
                found = back
                # its answers are rate limited: the next goodbye comes when it may be answered again
                defender = announcer.guard
                assert defender is not None
                wait_until(lambda d=defender: time.monotonic() >= d.next_allowed, timeout=10)
    finally:
        raw.close()
    assert announcer.guard is not None and announcer.guard.defended >= 3


def test_records_another_computer_sends_under_the_teachers_name_are_listed_beside_hers(server, browser, announce):
    """Found by a probe: records under the teacher's instance name with another address and port turned her row
    into the student's server (same name, same place in the list, no warning)."""
    announcer = announce(PHYSICS, server.address[1], fingerprint_prefix="3fa4c1d2")
    assert announcer.wait_announced(10), announcer.failure
    [teacher] = wait_until(lambda: named(browser, PHYSICS), timeout=FOUND_WITHIN)
    raw = Zeroconf(interfaces=LOOPBACK)
    try:
        with no_mdns_off_loopback():
            unique = _CLASS_IN | _CLASS_UNIQUE
            text = ServiceInfo(SERVICE_TYPE, teacher.service, properties={"class": PHYSICS, "fp": "00112233"}).text
            forge(
                raw,
                DNSPointer(SERVICE_TYPE, _TYPE_PTR, _CLASS_IN, 4500, teacher.service),
                DNSService(teacher.service, _TYPE_SRV, unique, 120, 0, 0, 4242, "eve-pc.local."),
                DNSText(teacher.service, _TYPE_TXT, unique, 4500, text),
                DNSAddress("eve-pc.local.", _TYPE_A, unique, 120, socket.inet_aton("127.0.0.2")),
            )
            both = wait_until(lambda: len(named(browser, PHYSICS)) == 2 and named(browser, PHYSICS), timeout=5)
            time.sleep(2 * guard.FLUSH_SECONDS)  # the teacher's answers come and go: still both
    finally:
        raw.close()
    both = named(browser, PHYSICS)
    assert {(server.address, server.port) for server in both} == {("127.0.0.1", server.address[1]), ("127.0.0.2", 4242)}
    assert teacher in both  # her row is hers, as first heard
    assert [set(group) for group in twin_groups(browser.heard())] == [set(both)]  # the dialog warns about the two


def test_bad_addresses_are_refused_and_stopping_twice_or_before_starting_is_fine():
    with pytest.raises(ValueError):
        ServerAnnouncer("X", 1234, addresses=[])
    with pytest.raises(ValueError):
        ServerAnnouncer("X", 1234, addresses=["not an address"])
    idle = ServerAnnouncer("X", 1234, addresses=LOOPBACK)
    idle.stop()
    assert not idle.wait_announced(0)
    idle.start()
    idle.stop()
    idle.stop()
    ServerBrowser(interfaces=LOOPBACK).stop()


@pytest.mark.skipif(sys.platform != "linux", reason="Linux packet sockets")
def test_the_leak_watch_itself_sees_mdns_on_loopback_when_told_to():
    """The guard above skips lo; checked here so a broken guard cannot pass silently."""
    try:
        sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    except OSError:
        pytest.skip("not allowed to open a packet socket")
    sniffer.settimeout(0.1)
    with sniffer, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"probe", ("127.0.0.1", 5353))
        deadline = time.monotonic() + 15  # every packet of the machine passes first: a loaded one needs more than 2 s
        seen = False
        while time.monotonic() < deadline and not seen:
            try:
                packet, (interface, *_rest) = sniffer.recvfrom(65535)
            except TimeoutError:
                continue
            seen = interface == "lo" and packet.endswith(b"probe")
    assert seen


def test_two_servers_announcing_one_instance_name_answer_each_other_less_and_less_often(browser, announce):
    """Cloned lab computers (one computer name), one port, one class: each guard takes the other's records for an
    intruder's.  Their answers back off (1, 2, 4 s ...) instead of two packets a second all lesson."""
    name, port = f"Clones {RUN}", 34567
    one = announce(name, port)
    assert one.wait_announced(10), one.failure
    other = ServerAnnouncer(name, port, addresses=["127.0.0.2"], interfaces=LOOPBACK).start()
    try:
        assert other.wait_announced(10), other.failure
        wait_until(lambda: len(named(browser, name)) == 2, timeout=10)  # both listed: the dialog warns
        started = time.monotonic()
        wait_until(lambda: time.monotonic() - started >= 8.0, timeout=9)  # eight seconds of their quarrel
        guards = [one.guard, other.guard]
        answers = sum(g.defended for g in guards if g is not None)
    finally:
        other.stop()
    assert answers <= 10, f"{answers} announcements in 8 s"  # 1, 2, 4 s apart: at most 4 or 5 each
