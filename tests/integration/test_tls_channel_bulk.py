"""25 MiB each way at once through TlsChannel over real sockets, in the threading models of our server and client.

    server side (as chat_server does it): the handler thread recv()s and feeds;
        a separate writer thread encrypts and sends with MSG_DONTWAIT on the same
        blocking plain socket, waiting in a selector when the socket is full
    client side (as chat_gui does it): a reader thread recv()s and feeds; two
        sender threads encrypt and sendall() under one send lock

Every byte is checked with SHA-256 per stream; the client's two streams are
framed so the server can tell them apart and see that each kept its order.
"""

from __future__ import annotations

import hashlib
import random
import selectors
import socket
import ssl
import struct
import threading
from pathlib import Path

import pytest

from chat_gui.core.tls_client import client_context, start_tls
from chat_gui.core.trust_store import TrustStore
from chat_server.tls.certificate import load_or_make_certificate
from chat_server.tls.handshake import accept_tls, server_context
from shared.tls_channel import TlsChannel

TOTAL = 25 * 1024 * 1024
HEADER = struct.Struct("!BI")  # stream id, payload length


def random_chunks(seed: int, total: int, largest: int) -> list[bytes]:
    """`total` random bytes cut into chunks from 1 byte to `largest`, the same for the same seed."""
    rng = random.Random(seed)
    data = rng.randbytes(total)
    chunks, position = [], 0
    while position < total:
        size = min(rng.randint(1, largest), total - position)
        chunks.append(data[position : position + size])
        position += size
    return chunks


class ServerWriter:
    """The writer thread's way: encrypt under the channel, send with MSG_DONTWAIT, wait in a selector when full."""

    def __init__(self, sock: socket.socket, channel: TlsChannel) -> None:
        self.sock = sock
        self.channel = channel
        self.would_block = 0

    def send_all(self, chunks: list[bytes]) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_WRITE)
        try:
            for chunk in chunks:
                unsent = self.channel.encrypt(chunk)
                while unsent:
                    try:
                        sent = self.sock.send(unsent, socket.MSG_DONTWAIT)
                    except BlockingIOError:
                        self.would_block += 1
                        selector.select(15)
                        continue
                    unsent = unsent[sent:]
        finally:
            selector.close()


class StreamChecker:
    """Takes the client's framed streams apart and hashes each."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.hashes = {1: hashlib.sha256(), 2: hashlib.sha256()}
        self.received = {1: 0, 2: 0}

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= HEADER.size:
            stream, length = HEADER.unpack_from(self.buffer)
            if len(self.buffer) < HEADER.size + length:
                return
            payload = bytes(self.buffer[HEADER.size : HEADER.size + length])
            del self.buffer[: HEADER.size + length]
            self.hashes[stream].update(payload)
            self.received[stream] += length


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2])
def test_25_mib_each_way_at_once_arrive_intact(tmp_path: Path, version: ssl.TLSVersion) -> None:
    certificate = load_or_make_certificate(tmp_path / "data")
    listener = socket.create_server(("127.0.0.1", 0))
    client_sock = socket.create_connection(listener.getsockname(), timeout=30)
    server_sock, _ = listener.accept()
    listener.close()

    to_client = random_chunks(1, TOTAL, 256 * 1024)
    from_client = {stream: random_chunks(stream + 1, TOTAL // 2, 64 * 1024) for stream in (1, 2)}
    expected_from_client = {
        stream: hashlib.sha256(b"".join(chunks)).hexdigest() for stream, chunks in from_client.items()
    }
    expected_to_client = hashlib.sha256(b"".join(to_client)).hexdigest()
    errors: list[BaseException] = []
    server: dict[str, object] = {}

    def guarded(target):
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # reported by the test below
                errors.append(exc)
                for sock in (client_sock, server_sock):  # so the other threads stop too
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        return run

    def server_handshake() -> None:
        channel, early = accept_tls(server_sock, server_context(certificate), timeout=30)
        server["channel"], server["early"] = channel, early

    handshake = threading.Thread(target=guarded(server_handshake))
    handshake.start()
    context = client_context()
    context.maximum_version = version
    client = start_tls(
        client_sock, *client_sock.getpeername()[:2], TrustStore(tmp_path / "known.json"), context=context
    )
    handshake.join(30)
    assert not errors, errors
    assert client.version == ("TLSv1.3" if version is ssl.TLSVersion.TLSv1_3 else "TLSv1.2")
    server_channel = server["channel"]
    assert isinstance(server_channel, TlsChannel)
    assert type(server_sock) is socket.socket  # the writer's socket stays a plain socket
    assert server_sock.gettimeout() is None  # and blocking, as the handler's recv() expects

    checker = StreamChecker()
    checker.feed(server["early"])  # type: ignore[arg-type]
    writer = ServerWriter(server_sock, server_channel)

    def server_reader() -> None:
        while checker.received[1] + checker.received[2] < TOTAL:
            data = server_sock.recv(65536)
            assert data, "the client closed early"
            checker.feed(server_channel.feed(data))

    client_hash = hashlib.sha256()
    client_received = [0]

    def client_reader() -> None:
        client_sock.settimeout(30)
        while client_received[0] < TOTAL:
            data = client_sock.recv(65536)
            assert data, "the server closed early"
            plaintext = client.channel.feed(data)
            client_hash.update(plaintext)
            client_received[0] += len(plaintext)

    send_lock = threading.Lock()

    def client_sender(stream: int) -> None:
        for chunk in from_client[stream]:
            framed = HEADER.pack(stream, len(chunk)) + chunk
            with send_lock:  # encrypt and send as one step, so records leave in the order they were made
                client_sock.sendall(client.channel.encrypt(framed))

    threads = [
        threading.Thread(target=guarded(server_reader), name="server-reader"),
        threading.Thread(target=guarded(lambda: writer.send_all(to_client)), name="server-writer"),
        threading.Thread(target=guarded(client_reader), name="client-reader"),
        threading.Thread(target=guarded(lambda: client_sender(1)), name="client-sender-1"),
        threading.Thread(target=guarded(lambda: client_sender(2)), name="client-sender-2"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    client_sock.close()
    server_sock.close()
    assert not stuck, f"threads still running: {stuck}"
    assert not errors, errors
    assert client_received[0] == TOTAL and client_hash.hexdigest() == expected_to_client
    assert checker.received == {1: TOTAL // 2, 2: TOTAL // 2}
    assert {stream: h.hexdigest() for stream, h in checker.hashes.items()} == expected_from_client
