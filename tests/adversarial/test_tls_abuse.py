"""A class trying to break the TLS port: silent and stalled openings by the hundred, renegotiation, plain after TLS.

A real server on port 0 with TLS on (the default); the attackers are raw
sockets bound to 127.0.0.2 ("another computer"; tests never send traffic
outside 127.0.0.0/8), the honest student is the client's own connection.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest

from chat_gui.core.tls_client import client_context
from shared.errors import ErrorCode
from shared.frames import MAX_FRAME_BYTES, command_frame, encode_frame
from shared.tls_channel import TlsChannel, run_handshake
from tests.adversarial.conftest import resources, wait_for_resources
from tests.integration.test_errors import padded_ping
from tests.integration.test_tls_one_port import client_hello
from tests.integration.wire import DEADLINE, WireClient
from tests.support import connect_client, wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

ATTACKER = "127.0.0.2"


def first_bytes(sock: socket.socket, timeout: float = DEADLINE) -> bytes:
    """What the server sends before it closes (or the first chunk it sends): b"" when it closed saying nothing."""
    sock.settimeout(timeout)
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


@pytest.mark.parametrize("kind", ["silent", "silent and half a ClientHello"])
def test_hundreds_of_openings_from_one_address_hold_no_more_threads_than_its_limit(start_server, kind):
    """Silent sockets wait 2 s for a first byte before admit() counts them against --max-per-address:
    without a cap on that wait, one machine holds a server thread for every socket it opens."""
    server = start_server()
    limit = server.config.max_per_address
    before = resources(server)
    hello = client_hello()
    most_waiting = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            most_waiting[0] = max(most_waiting[0], server.openings.waiting_from(ATTACKER))
            time.sleep(0.001)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    attackers: list[tuple[socket.socket, bool]] = []
    try:
        for number in range(150):
            sock = socket.create_connection(server.address, timeout=DEADLINE, source_address=(ATTACKER, 0))
            half = kind != "silent" and number % 2 == 1
            if half:
                sock.sendall(hello[: len(hello) // 2])
            attackers.append((sock, half))
        student = connect_client(server.address, "student", "lab")  # another address, in at once
        student.send_command("SAY still here")
        assert student.wait_for("message")["content"] == "still here"
        student.close()
        # Every silent one is answered as the contract says: welcome (a place left) or server_full.
        for sock, half in attackers:
            answer = first_bytes(sock)
            if not half:
                assert b'"welcome"' in answer or b'"server_full"' in answer, answer[:200]
        done.set()
        watcher.join()
        assert most_waiting[0] <= limit, f"{most_waiting[0]} connections from one address waited for a first byte"
    finally:
        done.set()
        for sock, _ in attackers:
            sock.close()
    wait_for_resources(server, before, timeout=20)


def test_past_the_cap_on_waiting_the_contract_holds_and_others_are_left_alone(start_server):
    """The sixth silent socket from an address whose five openings are stuck in handshakes is served at once:
    admitted while the address has places (welcome), then `server_full` as for any connection past the limit."""
    server = start_server(max_per_address=5)
    hello = client_hello()
    stuck = [socket.create_connection(server.address, timeout=DEADLINE, source_address=(ATTACKER, 0)) for _ in range(5)]
    late: list[socket.socket] = []
    try:
        for sock in stuck:
            sock.sendall(hello[:40])  # each holds its place for the 10 s handshake limit
        wait_until(lambda: server.openings.waiting_from(ATTACKER) == 5)
        late = [
            socket.create_connection(server.address, timeout=DEADLINE, source_address=(ATTACKER, 0)) for _ in range(8)
        ]
        answers = [first_bytes(sock) for sock in late]
        assert all(b'"welcome"' in answer or b'"server_full"' in answer for answer in answers), answers
        assert sum(b'"server_full"' in answer for answer in answers) >= 3
        assert server.openings.waiting_from(ATTACKER) == 5  # none of them waited
        neighbour = WireClient(server.address, source="127.0.0.3", tls=True).register("neighbour")
        assert neighbour.reply("PING ok")["type"] == "pong"
    finally:
        for sock in stuck + late:
            sock.close()
    wait_until(lambda: len(server.openings) == 0)
    again = WireClient(server.address, source=ATTACKER, tls=True).register("back_again")
    assert again.reply("PING ok")["type"] == "pong"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_client_asking_to_renegotiate_is_refused_and_the_server_goes_on(server):
    """Held: no renegotiation (each would cost the server a full handshake's work, on demand)."""
    host, port = server.address
    before = resources(server)
    client = subprocess.Popen(
        ["openssl", "s_client", "-connect", f"{host}:{port}", "-tls1_2", "-quiet", "-no_ign_eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert client.stdin is not None and client.stdout is not None
        client.stdin.write(encode_frame(command_frame("NICK renegotiator")))
        client.stdin.flush()
        deadline = time.monotonic() + DEADLINE
        while b'"nick"' not in (line := client.stdout.readline()) and time.monotonic() < deadline:
            assert line, "openssl s_client ended before the nick frame"
        client.stdin.write(b"R\n")  # s_client: renegotiate
        client.stdin.flush()
        client.wait(timeout=DEADLINE)
        rest = client.stdout.read()
        assert b"no renegotiation" in rest or b"RENEGOTIATING" in rest
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        for pipe in (client.stdin, client.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except BrokenPipeError:
                    pass
    student = connect_client(server.address, "student")
    student.send_command("PING alive")
    assert student.wait_for("pong")
    student.close()
    wait_for_resources(server, before)


@pytest.mark.parametrize(
    "after_tls",
    [
        encode_frame(command_frame("SAY plain after tls")),
        b"\x16\x03\x01\x00\x05hello",  # a second handshake record out of place
        b"\x17\x03\x03\xff\xff" + b"\x00" * 64,  # an application-data record of the largest size, cut short, then junk
        b"\x15\x03\x03\x00\x02\x02\x28",  # a fatal alert
    ],
)
def test_bytes_that_are_not_this_sessions_tls_end_only_that_connection(server, wire, after_tls):
    """Held: after the handshake every byte must be a record of this session; anything else ends it alone."""
    watcher = wire(server, "watcher", "lab")
    sock = socket.create_connection(server.address, timeout=DEADLINE, source_address=(ATTACKER, 0))
    channel = TlsChannel(client_context(), server_side=False)
    run_handshake(sock, channel, DEADLINE)
    sock.sendall(channel.encrypt(encode_frame(command_frame("NICK mixer"))) + after_tls)
    sock.settimeout(DEADLINE)
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
    sock.close()
    watcher.send("SAY still fine")
    assert watcher.expect("message")["content"] == "still fine"

    def gone() -> bool:
        with server.registry.lock:
            return "mixer" not in {session.nick for session in server.registry.sessions}

    wait_until(gone, timeout=DEADLINE)


@pytest.mark.parametrize("extra", [0, 1, 16 * 1024])
def test_the_frame_cap_holds_the_same_inside_tls_records(server, wire, extra):
    """Held: a line spans several TLS records (16 KiB each at most); the cap counts the line, not the records."""
    watcher = wire(server, "watcher", "lab")
    client = WireClient(server.address, source=ATTACKER, tls=True).register("tls_user", "lab")
    client.send_raw(padded_ping(MAX_FRAME_BYTES + extra))
    if extra == 0:
        assert client.expect("pong")["content"] == "padded"
        client.send("SAY after the biggest frame")
        assert watcher.expect("message")["content"] == "after the biggest frame"
        return
    frames = client.rest_until_closed()
    assert [(frame["type"], frame.get("code")) for frame in frames][-2:] == [
        ("error", ErrorCode.FRAME_TOO_LARGE),
        ("bye", None),
    ]
    watcher.send("SAY the rest go on")
    assert watcher.expect("message")["content"] == "the rest go on"
