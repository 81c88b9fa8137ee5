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
from shared.errors import ErrorCode
from tests.adversarial import netns
from tests.integration.identity_support import add_account, login, moderate
from tests.integration.wire import WireClient
from tests.support import wait_until

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


def teacher_at_the_neighbour(space, server) -> WireClient:
    add_account(server, "Ms_Lee", "teacher")
    client, _ = from_address(space, server, NEIGHBOUR)
    assert login(client, "Ms_Lee")["role"] == "teacher"
    return client


def test_with_a_prefix_length_of_64_a_ban_keeps_out_every_address_of_the_64(space, server_in):
    """A banned student took another address of her /64 (a privacy address) and was back at once (a probe)."""
    server = server_in(ipv6_prefix_length=64, allow_plain_passwords=True)
    eve, _ = from_address(space, server, f"{HOME}2")
    eve.register("eve", "lab")
    teacher = teacher_at_the_neighbour(space, server)
    confirmation = moderate(teacher, "BAN eve 10 spam")
    assert "2001:db8:64::/64" in confirmation["content"]
    _, frame = from_address(space, server, f"{HOME}3")
    assert (frame["type"], frame.get("code")) == ("error", ErrorCode.BANNED)
    _, other = from_address(space, server, "2001:db8:65::1")  # another /64 is another computer
    assert other["type"] == "welcome"
    assert moderate(teacher, "UNBAN 2001:db8:64::/64")["type"] == "system"
    _, back = from_address(space, server, f"{HOME}4")
    assert back["type"] == "welcome"


def test_with_a_prefix_length_of_64_a_mute_holds_on_every_address_of_the_64(space, server_in):
    server = server_in(ipv6_prefix_length=64, allow_plain_passwords=True)
    eve, _ = from_address(space, server, f"{HOME}2")
    eve.register("eve", "lab")
    teacher = teacher_at_the_neighbour(space, server)
    assert moderate(teacher, "MUTE eve")["type"] == "system"
    eve.expect(lambda frame: frame.get("event") == "muted")
    again, _ = from_address(space, server, f"{HOME}5")
    assert again.error("NICK eve_again") == ErrorCode.MUTED  # a muted computer takes no new name


def test_with_a_prefix_length_of_64_failed_logins_count_for_the_whole_64(space, server_in):
    """Five wrong passwords hold an address for a minute; the next address of the /64 guessed on."""
    server = server_in(ipv6_prefix_length=64, allow_plain_passwords=True)
    codes = []
    for number in range(2, 9):
        guesser, _ = from_address(space, server, f"{HOME}{number:x}")
        codes.append(guesser.reply(f"LOGIN someone{number} wrong-password", timeout=60)["code"])
        guesser.close()
    assert codes == [ErrorCode.BAD_LOGIN] * 5 + [ErrorCode.RATE_LIMITED] * 2, codes


def test_with_a_prefix_length_of_64_its_addresses_share_the_file_limits(space, server_in):
    """Files counted by the full address: each address of the /64 brought a fresh allowance of uploads."""
    server = server_in(ipv6_prefix_length=64)
    answers = []
    for number in range(2, 14):
        client, _ = from_address(space, server, f"{HOME}{number:x}")
        client.register(f"sender{number}", "lab")
        answers.append(client.reply(f"UPLOAD 1000 {'ab' * 32} #lab notes{number}.txt"))
    kinds = [answer.get("code", answer["type"]) for answer in answers]
    assert kinds[0] == "upload" and ErrorCode.RATE_LIMITED in kinds, kinds


def test_with_a_prefix_length_of_64_its_addresses_share_the_new_rooms_and_accounts(space, server_in):
    """Rooms made and accounts registered were counted by the full address: a /64 made rooms and accounts at will."""
    server = server_in(ipv6_prefix_length=64, allow_plain_passwords=True)
    made = []
    for number in range(2, 14):
        client, _ = from_address(space, server, f"{HOME}{number:x}")
        client.register(f"maker{number}")
        client.send(f"JOIN room{number}")
        made.append(client.expect(lambda frame: frame["type"] in ("joined", "error")).get("code", "joined"))
    assert made[:10] == ["joined"] * 10 and made[10:] == [ErrorCode.RATE_LIMITED] * 2, made
    registered = []
    for number in range(2, 7):
        client, _ = from_address(space, server, f"{HOME}{number + 12:x}")
        client.register(f"account{number}")
        answer = client.reply("REGISTER a-long-enough-passphrase-9", timeout=60)
        registered.append(answer.get("code", answer["type"]))
    assert registered[3:] == [ErrorCode.RATE_LIMITED] * 2, registered


def test_with_a_prefix_length_of_64_its_addresses_share_one_part_of_the_resume_table(space, server_in):
    """The table of dropped connections kept for RESUME gave each address its own share: a /64 dropping names
    from fresh addresses filled it past its computer's share, and a name it dropped from one address was kept
    from the same computer's next address (`nick_taken`) as if from a stranger."""
    server = server_in(ipv6_prefix_length=64)
    server.registry.parked.per_address = 3  # stands for the 64 of a real server, with fewer connections
    for number in range(2, 7):  # five addresses of one /64, each takes a name and drops (no QUIT)
        client, _ = from_address(space, server, f"{HOME}{number:x}")
        client.register(f"dropper{number}")
        client.close()
    neighbour, _ = from_address(space, server, NEIGHBOUR)
    neighbour.register("neighbour")
    neighbour.close()
    wait_until(lambda: server.registry.find_nick("neighbour") is None and server.registry.find_nick("dropper6") is None)
    with server.registry.lock:
        kept = sorted(parked.nick for _, parked in server.registry.parked.all())
    assert kept == ["dropper4", "dropper5", "dropper6", "neighbour"], kept  # the /64's newest 3, and the neighbour's
    again, _ = from_address(space, server, f"{HOME}9")  # the same computer's window, back on a new address
    assert again.reply("NICK dropper6")["type"] == "nick"
    stranger, _ = from_address(space, server, f"{HOME}a")  # another computer (the other /64)
    assert stranger.reply("NICK neighbour").get("code") == ErrorCode.NICK_TAKEN  # kept for the neighbour
