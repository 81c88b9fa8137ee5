"""One machine cannot take every slot (issue 9, item 2): connections per address, and those still without a nickname.

Each "machine" is a loopback address of its own (the client socket is
bound to 127.0.0.2, 127.0.0.3, ...), as the contract's tests stand for
other computers.
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from tests.adversarial.conftest import resources, wait_for_resources
from tests.integration.wire import DEADLINE, WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def connect_from(server, source: str, nick: str | None = None, room: str | None = None) -> WireClient:
    client = WireClient(server.address, source=source)
    if nick is not None:
        client.register(nick, room)
    return client


def assert_refused(client: WireClient, limit: int, still_unregistered: bool = False) -> None:
    frames = client.rest_until_closed()
    assert [(f["type"], f.get("code"), f.get("reason")) for f in frames] == [
        ("error", "server_full", None),
        ("bye", None, "server_full"),
    ], frames
    assert f"limit {limit}" in frames[0]["content"] and "your address" in frames[0]["content"]
    assert ("choosing a nickname" in frames[0]["content"]) == still_unregistered
    client.close()


def test_the_twenty_first_connection_from_one_address_is_refused_and_others_still_get_in(start_server):
    server = start_server()
    machine = [connect_from(server, "127.0.0.2", f"m{n}", "class") for n in range(20)]
    before = resources(server)
    for _ in range(5):
        assert_refused(WireClient(server.address, welcome=False, source="127.0.0.2"), 20)
    wait_for_resources(server, before)
    neighbour = connect_from(server, "127.0.0.3", "neighbour", "class")
    neighbour.send("SAY the class still gets in")
    for client in machine:
        assert client.expect("message")["content"] == "the class still gets in"


def test_a_freed_place_can_be_taken_again(start_server):
    server = start_server(max_per_address=3)
    clients = [connect_from(server, "127.0.0.5", f"u{n}") for n in range(3)]
    assert_refused(WireClient(server.address, welcome=False, source="127.0.0.5"), 3)
    clients[0].send("QUIT")
    clients[0].rest_until_closed()
    wait_until(lambda: len(server.clients()) == 2)
    assert connect_from(server, "127.0.0.5", "again").reply("PING ok")["type"] == "pong"


def test_connections_without_a_nickname_have_a_lower_cap_of_their_own(start_server):
    server = start_server(max_unregistered_per_address=10)  # a lower cap than the 20 of the address
    silent = [connect_from(server, "127.0.0.4") for _ in range(10)]
    assert_refused(WireClient(server.address, welcome=False, source="127.0.0.4"), 10, still_unregistered=True)
    silent[0].register("now_named")  # a registered one no longer counts against the cap
    newcomer = connect_from(server, "127.0.0.4")
    assert newcomer.reply("PING in")["type"] == "pong"
    # registered ones count only against the per-address limit: 10 named + 9 silent + newcomer = 20
    for n in range(1, 10):
        silent[n].register(f"named{n}")
    more = [connect_from(server, "127.0.0.4") for _ in range(9)]  # kept: a dropped client would close
    assert len(more) == 9
    assert_refused(WireClient(server.address, welcome=False, source="127.0.0.4"), 20)


def test_by_default_the_contracts_twenty_may_all_connect_before_any_chooses_a_name(start_server):
    """A class behind one address connecting at once (found by a probe: the 11th got server_full)."""
    server = start_server()
    waiting = [connect_from(server, "127.0.0.7") for _ in range(20)]
    assert all(client.reply("PING here")["type"] == "pong" for client in waiting)
    for number, client in enumerate(waiting):
        client.register(f"pupil{number}")
    assert_refused(WireClient(server.address, welcome=False, source="127.0.0.7"), 20)


def test_loopback_counts_like_any_address(start_server):
    server = start_server(max_per_address=4)
    local = [connect_from(server, "127.0.0.1", f"local{n}") for n in range(4)]
    assert len(local) == 4
    assert_refused(WireClient(server.address, welcome=False), 4)


def test_zero_turns_the_limits_off(start_server):
    server = start_server(max_per_address=0, max_unregistered_per_address=0)
    clients = [connect_from(server, "127.0.0.6") for _ in range(40)]
    assert all(client.reply("PING")["type"] == "pong" for client in clients)


def test_a_thousand_knocks_from_one_machine_leave_the_class_room_to_join(start_server):
    """The issue's attack: one address opens connection after connection and keeps them (pinging)."""
    server = start_server(rate_per_second=0)
    class_members = [connect_from(server, f"127.0.1.{n}", f"student{n}", "class") for n in range(1, 6)]
    before = resources(server)
    refused = 0
    admitted: list[socket.socket] = []
    lock = threading.Lock()

    def knock() -> None:
        nonlocal refused
        for _ in range(100):
            sock = socket.create_connection(server.address, timeout=DEADLINE, source_address=("127.0.0.9", 0))
            sock.sendall(b"\n")  # a script that waited silently would get each answer after the first-byte wait
            data = b""
            while b"\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            with lock:
                if b'"server_full"' in data:
                    refused += 1
                    sock.close()
                else:
                    admitted.append(sock)

    threads = [threading.Thread(target=knock) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(admitted) == 20 and refused == 980  # only the unregistered cap's worth ever got in
    class_members += [connect_from(server, f"127.0.1.{n}", f"student{n}", "class") for n in range(6, 10)]
    class_members[0].send("SAY everyone is here")
    for member in class_members:
        assert member.expect("message")["content"] == "everyone is here"
    for sock in admitted:
        sock.close()
    wait_until(lambda: len(server.clients()) == 9)
    assert resources(server).sessions == before.sessions + 4


def test_ipv6_loopback_is_counted_too(wire):
    from chat_server import ChatServer, ServerConfig

    try:
        server = ChatServer(ServerConfig(host="::1", port=0, max_per_address=2)).start()
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        first, second = WireClient(server.address), WireClient(server.address)
        assert_refused(WireClient(server.address, welcome=False), 2)
        first.close()
        second.close()
    finally:
        server.stop()


def test_a_class_behind_one_address_is_told_which_option_to_raise(start_server, caplog):
    """A school's NAT (or a server outside the school): the 21st student of one address had one connection
    to close and was told to close one; the log said the same to the teacher, naming no option."""
    server = start_server()
    class_members = [connect_from(server, "127.0.0.5", f"pupil{n}", "class") for n in range(20)]
    assert len(class_members) == 20
    with caplog.at_level(logging.WARNING, logger="chat_server"):
        frames = WireClient(server.address, welcome=False, source="127.0.0.5").rest_until_closed()
        wait_until(lambda: any("refused" in r.getMessage() for r in caplog.records))
    student_sees = frames[0]["content"]
    assert "limit 20" in student_sees and "--max-per-address" in student_sees and "teacher" in student_sees
    assert frames[1]["reason"] == "server_full"
    (line,) = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert "127.0.0.5" in line and "--max-per-address 20" in line and "number of students" in line


def test_with_the_limit_raised_a_class_of_thirty_behind_one_address_gets_in_and_one_more_than_it_does_not(
    start_server,
):
    server = start_server(max_per_address=30)
    class_members = [connect_from(server, "127.0.0.5", f"pupil{n}", "class") for n in range(30)]
    class_members[0].send("SAY good morning")
    assert all(member.expect("message")["content"] == "good morning" for member in class_members)
    assert_refused(WireClient(server.address, welcome=False, source="127.0.0.5"), 30)


def test_connections_still_without_a_nickname_name_their_own_option_in_the_log(start_server, caplog):
    server = start_server(max_unregistered_per_address=3)
    waiting = [connect_from(server, "127.0.0.8") for _ in range(3)]
    assert len(waiting) == 3
    with caplog.at_level(logging.WARNING, logger="chat_server"):
        assert_refused(WireClient(server.address, welcome=False, source="127.0.0.8"), 3, still_unregistered=True)
        wait_until(lambda: any("refused" in r.getMessage() for r in caplog.records))
    (line,) = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert "--max-unregistered-per-address 3" in line
