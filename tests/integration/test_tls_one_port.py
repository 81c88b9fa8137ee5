"""TLS, plain JSON and text mode on one port, chosen by the first byte; slow, silent and hostile peers.

The server here is tests/integration/tls_harness.py: a line echo around the
TLS helpers (sniff_first_byte, accept_tls), one thread per connection like
the chat server.  The clients are real: chat_gui.core.tls_client.start_tls, raw
sockets, and hand-made TLS records.
"""

from __future__ import annotations

import os
import socket
import ssl
import struct
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat_gui.core.tls_client import ClientTls, client_context, start_tls
from chat_gui.core.trust_store import TrustStore
from chat_server.tls.certificate import ServerCertificate, load_or_make_certificate
from chat_server.tls.handshake import FirstByte, accept_tls, server_context, sniff_first_byte
from shared.tls_channel import NotTls, TlsChannel, TlsError
from tests.integration.tls_harness import WELCOME, EchoServer, LineReader, read_line
from tests.support import wait_until


@pytest.fixture
def certificate(tmp_path: Path) -> ServerCertificate:
    return load_or_make_certificate(tmp_path / "server-data")


@pytest.fixture
def start_echo(certificate: ServerCertificate) -> Iterator:
    servers: list[EchoServer] = []

    def start(**timeouts: float) -> EchoServer:
        server = EchoServer(server_context(certificate), **timeouts).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def sockets() -> Iterator:
    """Factory: sockets(address) -> a connected client socket, closed after the test."""
    opened: list[socket.socket] = []

    def connect(address: tuple[str, int]) -> socket.socket:
        sock = socket.create_connection(address, timeout=15)
        opened.append(sock)
        return sock

    yield connect
    for sock in opened:
        sock.close()


def tls_connect(sockets, server: EchoServer, store: TrustStore, **options) -> tuple[socket.socket, ClientTls]:
    sock = sockets(server.address)
    return sock, start_tls(sock, *server.address, store, **options)


def tls_echo(sock: socket.socket, tls: ClientTls, line: bytes) -> bytes:
    sock.sendall(tls.channel.encrypt(line + b"\n"))
    return read_line(sock, decrypt=tls.channel.feed)


def client_hello() -> bytes:
    """The ClientHello our own client sends, taken from a channel without any socket."""
    _, hello = TlsChannel(client_context(), server_side=False).handshake_step(b"")
    assert hello[0] == 0x16 and len(hello) > 100
    return hello


def tls10_only_client_hello() -> bytes:
    """A ClientHello as a TLS 1.0 client sends it: version 3.1 in the record and the hello, no supported_versions."""
    suites = bytes.fromhex("c00ac014002f0035")  # ECDHE/RSA with AES-CBC and SHA-1, what TLS 1.0 clients offer
    body = b"\x03\x01" + os.urandom(32) + b"\x00" + struct.pack("!H", len(suites)) + suites + b"\x01\x00"
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def test_tls_plain_json_and_text_mode_share_one_port(start_echo, sockets, tmp_path) -> None:
    server = start_echo()
    store = TrustStore(tmp_path / "known_servers.json")
    results: dict[str, bytes] = {}

    def json_client() -> None:
        reader = LineReader(sockets(server.address))
        assert reader.line() + b"\n" == WELCOME
        reader.sock.sendall(b'{"type":"command","content":"PING"}\n')
        results["json"] = reader.line()

    def text_client() -> None:
        reader = LineReader(sockets(server.address))
        reader.sock.sendall(b"NICK carol\n")  # a text client may type before the welcome arrives
        assert reader.line() + b"\n" == WELCOME
        results["text"] = reader.line()

    def tls_client() -> None:
        sock, tls = tls_connect(sockets, server, store)
        results["tls"] = tls_echo(sock, tls, b'{"type":"command","content":"PING"}')
        results["tls version"] = tls.version.encode()

    threads = [threading.Thread(target=target) for target in (json_client, text_client, tls_client)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {
        "json": b'json:{"type":"command","content":"PING"}',
        "text": b"text:NICK carol",
        "tls": b'tls:{"type":"command","content":"PING"}',
        "tls version": b"TLSv1.3",
    }
    assert sorted(server.events_of("first byte")) == ["plain", "silent", "tls"]  # the JSON client waits for welcome


def test_tls12_client_is_served(start_echo, sockets, tmp_path) -> None:
    server = start_echo()
    context = client_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    sock, tls = tls_connect(sockets, server, TrustStore(tmp_path / "known.json"), context=context)
    assert tls.version == "TLSv1.2" and tls.cipher.startswith("ECDHE-ECDSA-") and "GCM" in tls.cipher
    assert tls_echo(sock, tls, b"hello") == b"tls:hello"


def test_data_sent_right_after_the_handshake_is_not_lost(start_echo, sockets, tmp_path) -> None:
    """The client's first line can arrive with its Finished message; accept_tls hands it over as early data."""
    server = start_echo()
    sock = sockets(server.address)
    channel = TlsChannel(client_context(), server_side=False)
    done, to_send = channel.handshake_step(b"")
    while not done:
        sock.sendall(to_send)
        done, to_send = channel.handshake_step(sock.recv(65536))
    sock.sendall(to_send + channel.encrypt(b"first line\n"))  # Finished and data in one segment
    assert read_line(sock, decrypt=channel.feed) == b"tls:first line"


def test_a_silent_client_is_served_as_plain_after_the_wait(start_echo, sockets) -> None:
    server = start_echo(first_byte_seconds=0.3)
    reader = LineReader(sockets(server.address))
    started = time.monotonic()
    assert reader.line() + b"\n" == WELCOME
    assert time.monotonic() - started >= 0.29
    reader.sock.sendall(b"HELP\n")
    assert reader.line() == b"text:HELP"
    assert server.events_of("first byte") == ["silent"]


@pytest.mark.parametrize(
    "first_bytes",
    [
        b"\x00\x00\x00\x00",  # NUL
        b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10",  # an SSL 2 ClientHello
        b"\x15\x03\x03\x00\x02\x02\x28",  # a TLS alert as the first record
        b"\x17\x03\x03\x00\x05hello",  # application data before any handshake
        b"\xc0\xaf garbage",  # bytes that cannot start UTF-8
        b"\xfe\xfe\xfe",
    ],
    ids=["nul", "sslv2-hello", "tls-alert", "tls-appdata", "overlong-utf8", "0xfe"],
)
def test_a_garbage_first_byte_is_logged_and_closed(start_echo, sockets, first_bytes: bytes) -> None:
    server = start_echo()
    sock = sockets(server.address)
    sock.sendall(first_bytes)
    assert read_line(sock) == b""  # closed, nothing sent
    wait_until(lambda: server.events_of("closed"))
    assert server.events_of("first byte") == ["garbage"]
    assert server.events_of("refused") == ["not a chat client: the first byte is neither TLS nor text"]


@pytest.mark.parametrize("first_bytes", [b"{", b"N", b"\r\n", b"\t", b"\xc3\xa9", b"\xf0\x9f\x98\x80", b"\xff\xfb\x1f"])
def test_text_and_telnet_first_bytes_stay_plain(start_echo, sockets, first_bytes: bytes) -> None:
    server = start_echo()
    sock = sockets(server.address)
    sock.sendall(first_bytes)
    assert read_line(sock) + b"\n" == WELCOME
    assert server.events_of("first byte") == ["plain"]


def test_a_tls10_only_client_is_refused_with_a_clear_reason(start_echo, sockets) -> None:
    server = start_echo()
    sock = sockets(server.address)
    sock.sendall(tls10_only_client_hello())
    reply = sock.recv(100)
    assert reply[:1] == b"\x15" and reply[-2:] == b"\x02\x46"  # a fatal protocol_version alert
    assert read_line(sock) == b""  # then the server hangs up
    wait_until(lambda: server.events_of("closed"))
    (failure,) = server.events_of("tls failed")
    assert "older than 1.2" in failure


def test_a_real_tls10_client_gets_an_error_it_can_show(start_echo, sockets) -> None:
    server = start_echo()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 is deprecated: that is the point
        try:
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):
            pytest.skip("this OpenSSL cannot act as a TLS 1.0 client")
    with pytest.raises(ssl.SSLError) as refused:
        context.wrap_socket(sockets(server.address))
    if refused.value.reason == "NO_PROTOCOLS_AVAILABLE":
        pytest.skip("this OpenSSL cannot act as a TLS 1.0 client")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    wait_until(lambda: server.events_of("tls failed"))
    assert "older than 1.2" in server.events_of("tls failed")[0]


def test_a_peer_that_stops_mid_handshake_is_dropped_at_the_deadline(start_echo, sockets) -> None:
    server = start_echo(handshake_seconds=0.5)
    sock = sockets(server.address)
    hello = client_hello()
    sock.sendall(hello[: len(hello) // 2])
    assert read_line(sock) == b""
    wait_until(lambda: server.events_of("tls failed"))
    assert "did not finish within 0.5 s" in server.events_of("tls failed")[0]


def test_the_handshake_deadline_holds_for_a_peer_that_drips_bytes(start_echo, sockets) -> None:
    """One byte every 50 ms would reset a per-read timeout forever; the deadline counts from the start."""
    server = start_echo(handshake_seconds=0.5)
    sock = sockets(server.address)
    hello = client_hello()
    started = time.monotonic()
    closed_after = None
    for byte in hello:
        try:
            sock.send(bytes([byte]))
        except OSError:  # reset: the server gave up
            closed_after = time.monotonic() - started
            break
        sock.settimeout(0.05)
        try:
            if sock.recv(100) == b"":
                closed_after = time.monotonic() - started
                break
        except TimeoutError:
            pass
    assert closed_after is not None, "the server waited for the whole ClientHello"
    assert closed_after < 3.0
    wait_until(lambda: server.events_of("tls failed"))
    assert "did not finish within 0.5 s" in server.events_of("tls failed")[0]


def test_a_peer_that_closes_mid_handshake_is_reported(start_echo, sockets) -> None:
    server = start_echo()
    sock = sockets(server.address)
    hello = client_hello()
    sock.sendall(hello[:10])
    sock.close()
    wait_until(lambda: server.events_of("tls failed"))
    assert "closed the connection during the TLS handshake" in server.events_of("tls failed")[0]


def test_silent_and_half_handshake_peers_do_not_delay_a_handshake(start_echo, sockets, tmp_path) -> None:
    server = start_echo()  # the real limits: 2 s for a first byte, 10 s for a handshake
    hello = client_hello()
    for _ in range(50):
        sockets(server.address)  # opens and says nothing
    for _ in range(50):
        sockets(server.address).sendall(hello[: len(hello) // 2])
    wait_until(lambda: server.accepted == 100, timeout=30)
    wait_until(lambda: server.events_of("first byte").count("tls") == 50, timeout=30)  # all 50 wait in a handshake

    started = time.monotonic()
    sock, tls = tls_connect(sockets, server, TrustStore(tmp_path / "known.json"))
    assert tls_echo(sock, tls, b"hello") == b"tls:hello"
    elapsed = time.monotonic() - started

    assert elapsed < 1.0, f"a normal handshake and echo took {elapsed:.2f} s next to 100 stalled peers"
    assert server.events_of("tls failed") == []  # the stalled ones are still waiting, each on its own thread


def test_sniffing_leaves_the_byte_and_the_socket_as_they_were(sockets) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    with listener:
        client = sockets(listener.getsockname())
        server_side, _ = listener.accept()
        with server_side:
            client.sendall(b"\x16rest")
            assert sniff_first_byte(server_side, 5) is FirstByte.TLS
            assert server_side.gettimeout() is None
            assert server_side.recv(10) == b"\x16rest"

            assert sniff_first_byte(server_side, 0.1) is FirstByte.SILENT
            assert server_side.gettimeout() is None

            server_side.settimeout(0.0)  # where client sockets are non-blocking (Windows), that is kept too
            client.close()
            assert sniff_first_byte(server_side, 5) is FirstByte.CLOSED
            assert server_side.gettimeout() == 0.0


def test_the_handshake_gives_up_cleanly_when_the_server_shuts_the_socket(sockets, certificate) -> None:
    """The chat server stops by shutting down each socket's read side; a handshake in progress must end at once."""
    listener = socket.create_server(("127.0.0.1", 0))
    with listener:
        client = sockets(listener.getsockname())
        server_side, _ = listener.accept()
        with server_side:
            client.sendall(client_hello()[:20])
            failure: list[str] = []

            def handshake() -> None:
                try:
                    accept_tls(server_side, server_context(certificate))
                except TlsError as exc:
                    failure.append(str(exc))

            thread = threading.Thread(target=handshake)
            started = time.monotonic()
            thread.start()
            wait_until(lambda: server_side.gettimeout() is not None)  # it is waiting in recv()
            server_side.shutdown(socket.SHUT_RD)
            thread.join(5)
            assert not thread.is_alive() and time.monotonic() - started < 5
            assert failure == ["the other side closed the connection during the TLS handshake"]


@pytest.mark.parametrize(
    "server_says", [b'{"type":"welcome","content":"Welcome to ClassChat."}\n', b"HTTP/1.1 400 Bad Request\r\n\r\n"]
)
def test_a_server_without_tls_is_told_apart_from_a_failed_handshake(sockets, tmp_path, server_says: bytes) -> None:
    """A version 1 or --no-tls server sends its welcome at once; the client learns it may try plain instead."""
    listener = socket.create_server(("127.0.0.1", 0))
    with listener:
        client = sockets(listener.getsockname())
        server_side, _ = listener.accept()
        with server_side:
            server_side.sendall(server_says)
            with pytest.raises(NotTls, match="does not speak TLS"):
                start_tls(client, *listener.getsockname()[:2], TrustStore(tmp_path / "known.json"), timeout=5)
