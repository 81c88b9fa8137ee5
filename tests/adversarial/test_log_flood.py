"""A script that connects and closes in a loop cannot flood the server's log; other computers' lines still appear.

Each connection logs "connection from ..." and, once it had a nickname,
"... disconnected (...)".  From one address that is a budget of lines a
minute (chat_server/address_log.py); past it the lines are counted, and
every other address keeps its own budget.
"""

from __future__ import annotations

import logging
import socket

import pytest

from chat_server.address_log import LINES_PER_WINDOW
from shared.frames import command_frame, encode_frame
from tests.integration.wire import DEADLINE, WireClient
from tests.support import wait_until

CYCLES = 200


def _lines_about(caplog: pytest.LogCaptureFixture, host: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if host in r.getMessage()]


def _connect_and_go(address: tuple[str, int], source: str, number: int) -> None:
    """One cycle of the script: connect and say something; every other time take a nickname first."""
    sock = socket.create_connection(address, timeout=DEADLINE, source_address=(source, 0))
    with sock:
        sock.sendall(b"\n")  # a plain client: admitted and logged
        received = b""
        while b'"welcome"' not in received:
            data = sock.recv(65536)
            assert data, "closed before the welcome"
            received += data
        if number % 2:
            sock.sendall(encode_frame(command_frame(f"NICK loop{number}")) + encode_frame(command_frame("JOIN loops")))
            while b'"joined"' not in received:  # registered and joined: three more lines due
                data = sock.recv(65536)
                assert data, "closed before the nickname was taken"
                received += data


@pytest.mark.parametrize("cycle_kind", ["welcome then close", "nickname, room, close"])
def test_a_connect_loop_from_one_address_writes_a_bounded_log(start_server, caplog, cycle_kind):
    server = start_server(rate_per_second=0)
    caplog.set_level(logging.INFO, logger="chat_server")
    keeper = WireClient(server.address, source="127.0.0.4")  # keeps #loops there (new rooms have a limit)
    keeper.send("NICK keeper")
    keeper.expect("nick")
    keeper.send("JOIN loops")
    keeper.expect("joined")
    for number in range(CYCLES):
        _connect_and_go(server.address, "127.0.0.2", 2 * number + (cycle_kind != "welcome then close"))
    other = WireClient(server.address, source="127.0.0.3")
    other.send("NICK other")
    other.expect("nick")
    other.close()

    def settled() -> bool:
        return any("other disconnected" in r.getMessage() for r in caplog.records)

    wait_until(settled, timeout=DEADLINE, message="other's disconnect line")
    flood = [m for m in (r.getMessage() for r in caplog.records) if "127.0.0.2" in m or m.startswith("loop")]
    assert len(flood) <= LINES_PER_WINDOW, f"{len(flood)} lines for {CYCLES} cycles"
    assert len(flood) >= LINES_PER_WINDOW // 2, "the first connections are still logged"
    assert _lines_about(caplog, "127.0.0.3"), "another computer's connection is logged as usual"
