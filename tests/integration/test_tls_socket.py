"""TlsSocket: the socket-shaped TLS view a file transfer uses, over a real TLS connection on loopback (real sockets).

Both directions carry 4 MiB checked by SHA-256 in uneven pieces; the end of the stream, a timeout and a forged
record behave as a socket's would.
"""

from __future__ import annotations

import hashlib
import random
import socket
import threading
from pathlib import Path

import pytest

from chat_gui.core.tls_client import client_context
from chat_server.tls.certificate import load_or_make_certificate
from chat_server.tls.handshake import accept_tls, server_context
from shared.tls_channel import TlsChannel, TlsError, run_handshake
from shared.tls_socket import TlsSocket

TOTAL = 4 * 1024 * 1024


@pytest.fixture
def pair(tmp_path: Path):
    """(server TlsSocket, client TlsSocket) over one real TLS connection on 127.0.0.1."""
    context = server_context(load_or_make_certificate(tmp_path))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client_sock = socket.create_connection(listener.getsockname(), timeout=10)
        server_sock, _ = listener.accept()
    server_sock.settimeout(10)
    accepted: dict[str, object] = {}

    def serve() -> None:
        accepted["result"] = accept_tls(server_sock, context)

    thread = threading.Thread(target=serve)
    thread.start()
    channel = TlsChannel(client_context(), server_side=False)
    early = run_handshake(client_sock, channel, 10)
    thread.join(10)
    server_channel, server_early = accepted["result"]  # type: ignore[misc]
    server = TlsSocket(server_sock, server_channel, server_early)
    client = TlsSocket(client_sock, channel, early)
    yield server, client
    server.close()
    client.close()


def pieces(data: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out, at = [], 0
    while at < len(data):
        size = rng.choice((1, 7, 1000, 16384, 16385, 100_000))
        out.append(data[at : at + size])
        at += size
    return out


def receive_all(sock: TlsSocket, total: int, into: bool) -> bytes:
    got = bytearray()
    buffer = bytearray(70_000)
    while len(got) < total:
        if into:
            count = sock.recv_into(buffer, 70_000)
            chunk = bytes(buffer[:count])
        else:
            chunk = sock.recv(50_000)
        if not chunk:
            break
        got += chunk
    return bytes(got)


def test_megabytes_both_ways_at_once_arrive_whole(pair) -> None:
    server, client = pair
    up, down = random.Random(1).randbytes(TOTAL), random.Random(2).randbytes(TOTAL)
    received: dict[str, bytes] = {}

    def server_side() -> None:
        received["up"] = receive_all(server, TOTAL, into=True)

    reader = threading.Thread(target=server_side)
    reader.start()
    writer = threading.Thread(target=lambda: [server.sendall(piece) for piece in pieces(down, 3)])
    writer.start()
    for piece in pieces(up, 4):
        client.sendall(piece)
    received["down"] = receive_all(client, TOTAL, into=False)
    reader.join(30)
    writer.join(30)
    assert hashlib.sha256(received["up"]).digest() == hashlib.sha256(up).digest()
    assert hashlib.sha256(received["down"]).digest() == hashlib.sha256(down).digest()


def test_the_peers_shutdown_reads_as_the_end_of_the_stream(pair) -> None:
    server, client = pair
    client.sendall(b"last words")
    client.shutdown(socket.SHUT_WR)  # close_notify, then FIN
    assert server.recv(100) == b"last words"
    assert server.recv(100) == b"" and server.recv_into(bytearray(10)) == 0


def test_a_silent_peer_times_out_like_a_socket(pair) -> None:
    server, _client = pair
    server.settimeout(0.2)
    assert server.gettimeout() == 0.2
    with pytest.raises(TimeoutError):
        server.recv(10)


def test_a_forged_record_raises_tls_error_not_garbage(pair) -> None:
    server, client = pair
    raw = socket.socket(fileno=client.fileno())  # the plain socket under the client
    try:
        raw.sendall(b"\x17\x03\x03\x00\x20" + bytes(32))  # an application-data record no key made
    finally:
        raw.detach()
    with pytest.raises(TlsError):
        server.recv(10)


def test_it_is_not_a_socket_so_sendfile_cannot_bypass_the_encryption(pair) -> None:
    server, _client = pair
    assert not isinstance(server, socket.socket) and type(server) is not socket.socket
