"""A client that vanishes without closing (Wi-Fi gone) is noticed and dropped (issue 9, item 8).

The vanishing is real: the client sits in a network namespace of the
test's own, linked to the server's namespace by a veth pair, and the test
takes the link down or deletes it (tests/adversarial/netns.py).  The
server runs with short keepalive timings (1 s idle, 1 s between probes, 2
probes: a dead peer within 3 s); a second server without keepalive, whose
ghost stays, shows the ghost is real and that keepalive is what finds it.
Skipped where namespaces cannot be made (not root, no `ip`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from chat_server import ChatServer, ServerConfig
from shared.errors import ErrorCode
from tests.adversarial import netns
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = [
    pytest.mark.usefixtures("no_server_errors"),
    pytest.mark.skipif(bool(netns.available()), reason=netns.available() or "-"),
]

QUICK = {"keepalive_idle": 1, "keepalive_interval": 1, "keepalive_count": 2}  # a dead peer within 3 s


@pytest.fixture
def link() -> Iterator[netns.VethPair]:
    try:
        pair = netns.VethPair()
    except Exception as exc:  # e.g. a container that may not make namespaces even as root
        pytest.skip(f"cannot make network namespaces here: {exc}")
    yield pair
    pair.delete()


@pytest.fixture
def servers(link, tmp_path_factory):
    """Servers listening in the server namespace (0.0.0.0 there: its loopback and its end of the veth)."""
    started: list[ChatServer] = []

    def start(**settings) -> ChatServer:
        settings.setdefault("data_dir", str(tmp_path_factory.mktemp("ghost-data")))  # a folder each: not shared
        server = link.run_in(link.server_ns, lambda: ChatServer(ServerConfig(host="0.0.0.0", port=0, **settings)))
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def over_the_link(link, server, nick: str, room: str = "lab") -> WireClient:
    """A client in the client namespace, across the veth pair."""
    address = (link.server_ip, server.address[1])
    return link.run_in(link.client_ns, lambda: WireClient(address).register(nick, room))


def at_the_server(link, server, nick: str, room: str = "lab") -> WireClient:
    """A client on the server namespace's own loopback: it never loses its way to the server."""
    address = ("127.0.0.1", server.address[1])
    return link.run_in(link.server_ns, lambda: WireClient(address).register(nick, room))


def nicks(server: ChatServer) -> set[str]:
    return {client.nick for client in server.clients() if client.nick}


def test_a_client_whose_link_goes_down_is_dropped_and_its_name_freed(link, servers):
    server = servers(**QUICK)
    control = servers(keepalive_idle=0)  # keepalive off: the same ghost stays
    watcher = at_the_server(link, server, "watcher")
    ghost = over_the_link(link, server, "ghost")
    control_ghost = over_the_link(link, control, "ghost")
    watcher.expect("system")
    link.client_link_down()
    started = time.monotonic()
    leave = watcher.expect(lambda f: f["type"] == "system" and f["event"] == "leave", timeout=30)
    took = time.monotonic() - started
    assert leave["user"] == "ghost" and "connection error" in leave["content"]
    assert took < 3 + 5  # keepalive's 3 s, with room for a loaded machine
    assert nicks(server) == {"watcher"}
    # Off the live list, and kept for the ghost's own RESUME (its token) against any other computer's NICK.
    address = ("127.0.0.1", server.address[1])
    other = link.run_in(link.server_ns, lambda: WireClient(address))
    assert other.error("NICK ghost") == ErrorCode.NICK_TAKEN
    token = [frame for frame in ghost.received if frame["type"] == "nick"][-1]["token"]
    assert other.reply(f"RESUME ghost {token}")["resumed"] is True
    assert "ghost" in nicks(control)  # the same vanishing, no keepalive: the server cannot know
    time.sleep(server.config.dead_peer_seconds)  # a whole keepalive period more: the control still holds it
    assert "ghost" in nicks(control)
    ghost.close()
    control_ghost.close()


def test_a_ghost_with_messages_waiting_for_it_is_dropped_too(link, servers):
    """Data unacknowledged stops keepalive probes; TCP_USER_TIMEOUT bounds the retransmissions instead."""
    server = servers(**QUICK)
    watcher = at_the_server(link, server, "watcher")
    ghost = over_the_link(link, server, "ghost")
    watcher.expect("system")
    link.client_link_down()
    for n in range(20):
        watcher.send(f"PM ghost are you there {n}")
    watcher.send("SAY anyone?")
    leave = watcher.expect(lambda f: f["type"] == "system" and f["event"] == "leave", timeout=30)
    assert leave["user"] == "ghost"
    wait_until(lambda: nicks(server) == {"watcher"})
    ghost.close()


def test_a_client_whose_network_disappears_is_dropped(link, servers):
    server = servers(**QUICK)
    watcher = at_the_server(link, server, "watcher")
    ghost = over_the_link(link, server, "ghost")
    watcher.expect("system")
    link.delete_link()
    leave = watcher.expect(lambda f: f["type"] == "system" and f["event"] == "leave", timeout=30)
    assert leave["user"] == "ghost"
    assert nicks(server) == {"watcher"}
    ghost.close()


def test_back_on_the_network_the_client_resumes_its_name_and_room(link, servers):
    """The Wi-Fi drop the issue tells of: back in a minute, RESUME gives the name and the room back."""
    server = servers(**QUICK)
    watcher = at_the_server(link, server, "watcher")
    ghost = over_the_link(link, server, "ghost")
    token = [f for f in ghost.received if f["type"] == "nick"][-1]["token"]
    watcher.expect("system")
    link.client_link_down()
    watcher.expect(lambda f: f["type"] == "system" and f["event"] == "leave", timeout=30)
    link.client_link_up()
    address = (link.server_ip, server.address[1])
    back = link.run_in(link.client_ns, lambda: WireClient(address))
    assert back.reply(f"RESUME ghost {token}")["resumed"] is True
    assert back.expect("joined")["room"] == "lab"
    assert watcher.expect("system")["event"] == "join"
    ghost.close()


def test_back_before_the_server_noticed_resume_takes_over_without_the_room_hearing(link, servers):
    server = servers(keepalive_idle=60)  # the server will not notice within this test
    watcher = at_the_server(link, server, "watcher")
    ghost = over_the_link(link, server, "ghost")
    token = [f for f in ghost.received if f["type"] == "nick"][-1]["token"]
    watcher.expect("system")
    link.client_link_down()
    link.client_link_up()
    address = (link.server_ip, server.address[1])
    back = link.run_in(link.client_ns, lambda: WireClient(address))
    assert back.reply(f"RESUME ghost {token}")["resumed"] is True
    assert back.expect("joined")["room"] == "lab"
    back.send("SAY I am back")
    assert watcher.next()["content"] == "I am back"  # no leave and no join before it
    ghost.close()
