"""The server programs announce themselves by DNS-SD (issue 16): on loopback only in tests; found, joined, withdrawn on stop."""

from __future__ import annotations

import signal
import time

import pytest

from chat_gui.core.discovery import ServerBrowser
from chat_server.admin_gui.runner import ServerRunner
from chat_server.announcing import Announcement, announce_addresses, class_name_of, default_class_name
from chat_server.config import ServerConfig
from chat_server.netinfo import lan_addresses
from tests.integration.test_discovery import CHEMISTRY, LOOPBACK, PHYSICS, no_mdns_off_loopback
from tests.integration.test_headless_script import script  # noqa: F401  (the fixture)
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

FOUND_WITHIN = 5.0  # the library test holds loopback to 2 s; here a busy machine also starts a process


@pytest.fixture
def browser():
    found = ServerBrowser(interfaces=LOOPBACK).start()
    assert found.failure is None
    yield found
    found.stop()


def listed(browser: ServerBrowser, class_name: str):
    return [server for server in browser.servers() if server.class_name == class_name]


@pytest.mark.parametrize(
    ("host", "options", "expected"),
    [
        ("127.0.0.1", {}, []),
        ("::1", {}, []),
        ("localhost", {}, []),
        ("0.0.0.0", {"announce": False}, []),
        ("127.0.0.1", {"announce_on": ("127.0.0.1",)}, ["127.0.0.1"]),
        ("192.0.2.7", {}, ["192.0.2.7"]),
        ("192.0.2.7", {"announce": False, "announce_on": ("127.0.0.1",)}, []),
    ],
)
def test_where_a_server_is_announced(host, options, expected):
    """Decided without announcing anything: never for loopback only, never with --no-announce."""
    addresses, why_not = announce_addresses(ServerConfig(host=host, **options), host)
    assert addresses == expected
    assert bool(why_not) == (not expected)


def test_listening_on_every_interface_announces_on_the_lan_addresses():
    addresses, why_not = announce_addresses(ServerConfig(host="0.0.0.0"), "0.0.0.0")
    assert addresses == lan_addresses() and (why_not == "") == bool(addresses)


def test_the_class_name_defaults_to_the_computer_name_and_is_one_clean_line():
    assert class_name_of(ServerConfig()) == default_class_name() != ""
    assert class_name_of(ServerConfig(class_name="  Physics\n3B\x1b[2J ")) == "Physics 3B[2J"
    assert len(class_name_of(ServerConfig(class_name="x" * 500))) == 64


def test_the_headless_script_is_found_joined_and_withdrawn_on_sigterm(script, browser):  # noqa: F811
    with no_mdns_off_loopback():
        run = script("--port", "0", "--announce-on", "127.0.0.1", "--class-name", PHYSICS)
        host, port = run.address()
        run.wait_for_line(f"Listed as “{PHYSICS}”")
        started = time.monotonic()
        [found] = wait_until(lambda: listed(browser, PHYSICS), timeout=FOUND_WITHIN)
        print(f"\nlisted {time.monotonic() - started:.2f} s after the banner")
        assert (found.address, found.port, found.protocol) == ("127.0.0.1", port, 2)
        assert found.fingerprint_prefix is not None and len(found.fingerprint_prefix) == 16  # TLS is on by default

        client = WireClient((found.address, found.port)).register("ann", "lab")  # join what was found
        run.process.send_signal(signal.SIGTERM)
        wait_until(lambda: not listed(browser, PHYSICS), timeout=FOUND_WITHIN, message="not withdrawn on stop")
        assert run.process.wait(15) == 0
        client.close()
    assert "stopped announcing" in run.end()


def test_a_server_on_loopback_is_not_announced_by_the_script(script):  # noqa: F811
    run = script("--port", "0")
    run.address()
    assert run.wait_for_line("Not listed in the students' Connect dialog: the server listens on this computer only")


def test_the_admin_windows_server_is_announced_and_withdrawn_when_stopped(browser):
    runner = ServerRunner()
    config = ServerConfig(host="127.0.0.1", port=0, class_name=CHEMISTRY, announce_on=("127.0.0.1",))
    with no_mdns_off_loopback():
        server = runner.start(config)
        try:
            announcement = runner.announcement
            assert isinstance(announcement, Announcement) and announcement.announcer is not None
            [found] = wait_until(lambda: listed(browser, CHEMISTRY), timeout=FOUND_WITHIN)
            assert found.port == server.address[1]
            assert server.tls is not None, "TLS is on by default"
            assert found.fingerprint_prefix == server.tls.fingerprint.hex[:16], (
                "the key's start, to tell look-alikes apart"
            )
            assert announcement.describe().startswith(f"Listed as “{CHEMISTRY}”")
        finally:
            runner.stop_in_background()
            wait_until(lambda: not server.running, timeout=15)
        wait_until(lambda: not listed(browser, CHEMISTRY), timeout=FOUND_WITHIN, message="not withdrawn on stop")
        assert announcement.announcer is None


def test_the_test_suites_guard_refuses_an_announcement_off_loopback():
    """tests/conftest.py stops any test from announcing on a real network; checked so a broken guard cannot pass."""
    from chat_server.discovery import ServerAnnouncer

    announcer = ServerAnnouncer("Leak", 55555, addresses=["192.0.2.1"])
    with pytest.raises(pytest.fail.Exception, match="announce a server on"):
        announcer.start()
    assert announcer._zeroconf is None
