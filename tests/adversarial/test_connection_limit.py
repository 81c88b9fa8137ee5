"""The connection limit: past it a newcomer gets `server_full` and is closed; those inside notice nothing."""

from __future__ import annotations

import socket

from tests.adversarial.conftest import resources, wait_for_resources
from tests.integration.wire import WireClient

LIMIT = 5


def test_the_next_client_gets_server_full_and_those_inside_carry_on(start_server, wire):
    server = start_server(max_clients=LIMIT, rate_per_second=0)
    inside = [wire(server, f"in{n}", "full") for n in range(LIMIT)]
    before = resources(server)

    refused = [WireClient(server.address, welcome=False) for _ in range(30)]
    for client in refused:
        frames = client.rest_until_closed()
        assert [(f["type"], f.get("code")) for f in frames] == [("error", "server_full"), ("bye", None)], frames
        client.close()
    wait_for_resources(server, before)

    inside[0].send("SAY nobody noticed")
    for client in inside:
        assert client.expect("message")["content"] == "nobody noticed"


def test_a_place_that_frees_up_can_be_taken(start_server, wire):
    server = start_server(max_clients=LIMIT, rate_per_second=0)
    inside = [wire(server, f"in{n}", "full") for n in range(LIMIT)]
    late = WireClient(server.address, welcome=False)
    assert late.next()["code"] == "server_full"
    late.close()
    inside.pop().close()
    inside[0].expect(lambda f: f["type"] == "system" and f["event"] == "leave")
    newcomer = wire(server, "newcomer", "full")  # gets its welcome, its nick and the room
    inside[0].send("SAY welcome")
    assert newcomer.expect("message")["content"] == "welcome"


def test_refusals_do_not_leak_when_many_knock_at_once(start_server, wire):
    server = start_server(max_clients=1, rate_per_second=0)
    wire(server, "alone")
    before = resources(server)
    knockers = [socket.create_connection(server.address, timeout=10) for _ in range(200)]
    for sock in knockers:
        received = bytearray()
        while data := sock.recv(65536):
            received += data
        assert b'"code":"server_full"' in received
        sock.close()
    wait_for_resources(server, before)
