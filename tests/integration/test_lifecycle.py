"""The life of connections: timeouts, a nickname race, abrupt disconnects and server shutdown."""

from __future__ import annotations

import random
import socket
import struct
import threading
import time

import pytest

from chat_server import ChatServer, ServerConfig
from shared.errors import ErrorCode
from tests.integration.wire import Collector, TextClient, WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_a_client_that_never_registers_gets_bye_and_is_closed(start_server, wire):
    server = start_server(register_timeout=1.0)  # alice must register within it on a loaded machine
    registered = wire(server, "alice")
    silent = wire(server)
    frames = silent.rest_until_closed()
    assert [f["type"] for f in frames] == ["bye"]
    assert registered.reply("PING still")["content"] == "still"  # registering in time keeps the connection


def test_pinging_does_not_count_as_registering(start_server, wire):
    server = start_server(register_timeout=0.5)
    client = wire(server)
    deadline = time.monotonic() + 15
    while not client.closed and time.monotonic() < deadline:
        try:
            client.send("PING")
            client.next(timeout=0.1)
        except TimeoutError:
            pass
        except (BrokenPipeError, ConnectionResetError, AssertionError):
            break
    assert any(f["type"] == "bye" for f in client.received)


def test_a_silent_client_gets_bye_and_is_closed_while_a_chatty_one_stays(start_server, wire):
    server = start_server(idle_timeout=1.0)
    chatty = wire(server, "chatty", "lab")
    quiet = wire(server, "quiet", "lab")
    chatty.expect("system")
    stop = threading.Event()

    def keep_talking() -> None:
        while not stop.wait(0.1):
            try:
                chatty.send("PING")
            except OSError:
                return

    talker = threading.Thread(target=keep_talking)
    talker.start()
    try:
        frames = quiet.rest_until_closed()
        assert frames[-1]["type"] == "bye"
        assert "1 s" in frames[-1]["content"]
        chatty.send("PING alive")
    finally:
        stop.set()
        talker.join()
    notice = chatty.expect(lambda f: f["type"] == "system" and f["event"] == "leave")
    assert notice["user"] == "quiet"
    assert chatty.expect(lambda f: f["type"] == "pong" and f["content"] == "alive")


def test_fifty_clients_claiming_one_nickname_at_once_exactly_one_wins(start_server, wire):
    server = start_server(max_per_address=0, max_unregistered_per_address=0)  # fifty from 127.0.0.1
    clients = [wire(server) for _ in range(50)]
    barrier = threading.Barrier(len(clients))
    answers: list[str] = [""] * len(clients)

    def claim(n: int) -> None:
        barrier.wait(timeout=30)
        clients[n].send(f"NICK {'Lecturer' if n % 2 else 'ＬＥＣＴＵＲＥＲ'}")
        frame = clients[n].next()
        answers[n] = frame["type"] if frame["type"] == "nick" else frame.get("code", frame["type"])

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers.count("nick") == 1
    assert answers.count(ErrorCode.NICK_TAKEN) == 49
    winner = clients[answers.index("nick")]
    assert [c.nick for c in server.clients() if c.nick] == [
        next(f["nick"] for f in winner.received if f["type"] == "nick")
    ]


def test_closing_without_quit_frees_the_nickname_and_the_room(start_server, wire):
    server = start_server(list_interval=0)  # the test asks LIST until it sees the change
    watcher = wire(server, "watcher", "lobby")
    alice = wire(server, "alice", "hideout")
    bob = wire(server, "bob", "lobby")
    watcher.expect("system")
    assert {room["name"] for room in watcher.reply("LIST")["rooms"]} == {"hideout", "lobby"}
    alice.close()
    bob.close()
    notice = watcher.expect("system")
    assert (notice["event"], notice["user"], notice["room"]) == ("leave", "bob", "lobby")
    wait_until(lambda: watcher.reply("LIST")["users"] == ["watcher"], timeout=15, interval=0.05)
    assert [room["name"] for room in watcher.reply("LIST")["rooms"]] == ["lobby"]
    assert wire(server).reply("NICK ALICE")["type"] == "nick"
    assert wire(server).reply("NICK bob")["type"] == "nick"


def test_a_reset_connection_frees_the_nickname_and_the_room(start_server, wire):
    server = start_server(list_interval=0)  # the test asks LIST until it sees the change
    watcher = wire(server, "watcher")
    alice = wire(server, "alice", "hideout")
    alice.send("SAY unread echo")  # unread data makes close() send RST even without linger
    alice.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    alice.close()
    wait_until(lambda: watcher.reply("LIST")["users"] == ["watcher"], timeout=15, interval=0.05)
    assert watcher.reply("LIST")["rooms"] == []
    assert wire(server).reply("NICK alice")["type"] == "nick"


def test_shutdown_reaches_every_client_with_a_notice_then_bye(start_server, wire):
    server = start_server()
    json_clients = [wire(server, "alice", "lab"), wire(server, "bob"), wire(server)]
    text = TextClient(server.address)
    text.send_line("NICK carol")
    text.expect(r"carol")
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    try:
        for client in json_clients:
            frames = client.rest_until_closed()
            kinds = [(f["type"], f.get("event")) for f in frames]
            assert kinds[-2:] == [("system", "shutdown"), ("bye", None)], kinds
        lines = text.rest_until_closed()
        assert len(lines) >= 2 and "shut" in lines[-2].lower()
    finally:
        stopper.join(30)
        text.close()
    assert not server.running


def test_a_client_connecting_during_shutdown_is_told_and_closed(start_server, wire):
    server = start_server()
    server.stop()
    try:
        late = WireClient(server.address, welcome=False)
    except ConnectionRefusedError:
        return  # the port is already closed: nothing to tell
    frames = late.rest_until_closed()
    late.close()
    assert [f["type"] for f in frames] in ([], ["system", "bye"])


def test_an_ipv6_address_works_too(wire):
    try:
        server = ChatServer(ServerConfig(host="::1", port=0)).start()
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        alice = wire(server, "alice")
        assert alice.reply("PING v6")["content"] == "v6"
        assert server.clients()[0].address.startswith("[::1]:")
    finally:
        server.stop()


def test_stop_joins_every_thread_the_server_started(wire):
    before = set(threading.enumerate())
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, register_timeout=5, idle_timeout=5)).start()
    clients = [wire(server, f"user{n}", "lab") for n in range(5)] + [wire(server)]
    clients[0].send("SAY hello")
    clients[1].expect("message")
    server.stop()
    left = [thread for thread in set(threading.enumerate()) - before if thread.is_alive()]
    assert left == [], f"still running after stop(): {left}"


def churn(address: tuple[str, int], seed: int) -> None:
    """One simulated student: connects, renames, hops rooms, talks, and leaves in one of three ways, a few times."""
    rnd = random.Random(seed)
    for _ in range(3):
        client = WireClient(address)
        collector = Collector(client)
        try:
            for n in range(40):
                pick = rnd.random()
                if pick < 0.15:
                    client.send(f"NICK u{rnd.randint(0, 12)}")
                elif pick < 0.3:
                    client.send(f"JOIN r{rnd.randint(0, 3)}")
                elif pick < 0.35:
                    client.send("LEAVE")
                elif pick < 0.7:
                    client.send(f"SAY hello {n}")
                elif pick < 0.8:
                    client.send(f"MSG u{rnd.randint(0, 12)}: psst")
                elif pick < 0.85:
                    client.send("LIST")
                else:
                    client.send(f"PM u{rnd.randint(0, 12)} hi")
            ending = rnd.choice(["quit", "close", "reset"])
            if ending == "quit":
                client.send("QUIT")
            elif ending == "reset":
                client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass  # the server may hang up first, e.g. after QUIT
        try:
            client.sock.shutdown(socket.SHUT_RDWR)  # also wakes the collector's recv
        except OSError:
            pass
        collector.wait_closed()
        client.close()
        assert collector.error is None or isinstance(collector.error, OSError), collector.error


def test_many_clients_coming_and_going_leave_a_clean_registry(start_server, wire):
    server = start_server(rate_per_second=0, max_per_address=0, max_unregistered_per_address=0)  # all from 127.0.0.1
    failures: list[BaseException] = []

    def run(seed: int) -> None:
        try:
            churn(server.address, seed)
        except BaseException as exc:  # reported below, on the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    wait_until(lambda: not server.clients(), timeout=15, message=f"sessions left: {server.clients()}")
    assert server.rooms() == []
    last = wire(server, "last")
    listing = last.reply("LIST")  # one LIST: a second one at once would meet the LIST throttle
    assert (listing["users"], listing["rooms"]) == (["last"], [])
