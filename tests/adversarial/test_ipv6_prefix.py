"""One computer with many IPv6 addresses of its /64 (`--ipv6-prefix-length`, chat_server/address_groups.py).

A computer with an IPv6 /64 can take any of its addresses; each counted as a
computer of its own, so 39 addresses got 39 connections past the limit of
20 (a probe).  The server and its clients live in a network namespace the
test makes, with 2001:db8:64::/64 and 2001:db8:65::/64 on its loopback;
nothing touches the machine's own network.  Needs root (skipped otherwise).
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator

import pytest

from chat_server import ChatServer, ServerConfig
from tests.adversarial import netns
from tests.integration.wire import WireClient

pytestmark = [
    pytest.mark.usefixtures("no_server_errors"),
    pytest.mark.skipif(bool(netns.available()), reason=netns.available() or "-"),
]

HOME = "2001:db8:64::"
NEIGHBOUR = "2001:db8:65::2"


class Namespace:
    """A network namespace of the test's own whose loopback holds addresses of two /64s."""

    def __init__(self, addresses: int) -> None:
        self.name = f"ccv6{os.getpid() % 100_000}{threading.get_ident() % 100}"
        netns.ip("netns", "add", self.name)
        netns.ip("-n", self.name, "link", "set", "lo", "up")
        for number in range(1, addresses + 1):
            netns.ip("-n", self.name, "addr", "add", f"{HOME}{number:x}/64", "dev", "lo", "nodad")
        netns.ip("-n", self.name, "addr", "add", "2001:db8:65::1/64", "dev", "lo", "nodad")
        netns.ip("-n", self.name, "addr", "add", f"{NEIGHBOUR}/64", "dev", "lo", "nodad")
        self._runner = netns.VethPair.run_in

    def run_in(self, make):
        return self._runner(self, self.name, make)  # type: ignore[arg-type]

    def delete(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=30)


@pytest.fixture
def space() -> Iterator[Namespace]:
    try:
        made = Namespace(30)
    except Exception as exc:  # a container that may not make namespaces even as root
        pytest.skip(f"cannot make network namespaces here: {exc}")
    yield made
    made.delete()


@pytest.fixture
def server_in(space, tmp_path):
    started: list[ChatServer] = []

    def start(**settings) -> ChatServer:
        config = ServerConfig(host=f"{HOME}1", port=0, data_dir=str(tmp_path), **settings)
        server = space.run_in(lambda: ChatServer(config))
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def from_address(space, server, source: str) -> tuple[WireClient, dict]:
    client = space.run_in(lambda: WireClient((f"{HOME}1", server.address[1]), welcome=False, source=source))
    return client, client.next()


def test_by_default_every_ipv6_address_counts_alone(space, server_in):
    """Off by default: a classroom's LAN is one /64, and the class must not count as one computer."""
    server = server_in()
    clients = [from_address(space, server, f"{HOME}{number:x}") for number in range(2, 27)]
    assert [frame["type"] for _, frame in clients] == ["welcome"] * 25


def test_with_a_prefix_length_of_64_many_addresses_of_one_64_are_one_computer(space, server_in, caplog):
    server = server_in(ipv6_prefix_length=64)
    admitted = [from_address(space, server, f"{HOME}{number:x}") for number in range(2, 22)]
    assert [frame["type"] for _, frame in admitted] == ["welcome"] * 20
    client, frame = from_address(space, server, f"{HOME}1c")
    assert (frame["type"], frame.get("code")) == ("error", "server_full")
    assert "limit 20" in frame["content"]
    assert any("2001:db8:64::/64" in record.getMessage() for record in caplog.records)
    _, neighbour = from_address(space, server, NEIGHBOUR)  # another /64 is another computer
    assert neighbour["type"] == "welcome"
    assert server.registry.connections_from("2001:db8:64::/64") == (20, 20)


def test_with_a_prefix_length_of_64_its_addresses_share_one_message_budget(space, server_in):
    server = server_in(ipv6_prefix_length=64)
    talkers = []
    for number in range(2, 14):  # 12 addresses of one /64
        client, _ = from_address(space, server, f"{HOME}{number:x}")
        talkers.append(client.register(f"talker{number}", "lab"))
    listener, _ = from_address(space, server, NEIGHBOUR)
    listener.register("listener", "lab")
    for client in talkers:
        for line in range(25):  # within each connection's own burst of 30
            client.send(f"SAY line {line}")
    # 300 lines from one /64, far past the computer's burst of 60 and what 20 a second adds while they are
    # sent (on a slow machine half of them could be sent in time): the last talkers are refused
    for client in talkers[-3:]:
        assert client.expect(lambda f: f["type"] == "error")["code"] == "rate_limited"
