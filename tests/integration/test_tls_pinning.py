"""Trust on first use over real TLS: the kept certificate keeps the pin; a new key stops the client until accepted."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat_gui.core.tls_client import ClientTls, ServerKeyChanged, start_tls
from chat_gui.core.trust_store import TrustStore, address_key
from chat_server.tls.certificate import load_or_make_certificate
from chat_server.tls.handshake import server_context
from tests.integration.tls_harness import EchoServer, read_line
from tests.support import wait_until


@pytest.fixture
def echo_servers() -> Iterator[list[EchoServer]]:
    servers: list[EchoServer] = []
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def connect(tmp_path: Path) -> Iterator:
    """connect(server, **options) -> (socket, ClientTls) through one trust store; sockets closed afterwards."""
    opened: list[socket.socket] = []
    store = TrustStore(tmp_path / "client-settings" / "known_servers.json")

    def open_tls(server: EchoServer, **options) -> tuple[socket.socket, ClientTls]:
        sock = socket.create_connection(server.address, timeout=15)
        opened.append(sock)
        try:
            return sock, start_tls(sock, *server.address, store, **options)
        except Exception:
            sock.close()  # as a client does when it stops
            raise

    open_tls.store = store  # type: ignore[attr-defined]
    yield open_tls
    for sock in opened:
        sock.close()


def echo(sock: socket.socket, tls: ClientTls, text: bytes) -> bytes:
    sock.sendall(tls.channel.encrypt(text + b"\n"))
    return read_line(sock, decrypt=tls.channel.feed)


def test_a_restarted_server_keeps_its_certificate_and_the_client_its_trust(tmp_path, echo_servers, connect) -> None:
    data_dir = tmp_path / "server-data"
    first_certificate = load_or_make_certificate(data_dir)
    first = EchoServer(server_context(first_certificate)).start()
    echo_servers.append(first)
    sock, tls = connect(first)
    assert tls.pin.status == "new" and tls.fingerprint == first_certificate.fingerprint
    assert echo(sock, tls, b"hello") == b"tls:hello"
    port = first.address[1]
    first.stop()
    echo_servers.remove(first)

    # the server starts again on the same port, from the same data folder
    second_certificate = load_or_make_certificate(data_dir)
    assert second_certificate.origin == "reused"
    second = EchoServer(server_context(second_certificate), port=port).start()
    echo_servers.append(second)
    sock, tls = connect(second)
    assert tls.pin.status == "match"
    assert echo(sock, tls, b"again") == b"tls:again"


def test_a_new_key_stops_the_client_until_it_is_accepted(tmp_path, echo_servers, connect) -> None:
    old = load_or_make_certificate(tmp_path / "old")
    new = load_or_make_certificate(tmp_path / "new")
    server = EchoServer(server_context(old)).start()
    echo_servers.append(server)
    store: TrustStore = connect.store
    address = address_key(*server.address)
    connect(server)

    server.context = server_context(new)  # as if the teacher's server made itself a new certificate
    with pytest.raises(ServerKeyChanged) as stopped:
        connect(server)
    check = stopped.value.check
    assert (check.status, check.pinned, check.presented) == ("changed", old.fingerprint, new.fingerprint)
    message = str(stopped.value)
    assert old.fingerprint.short in message and new.fingerprint.short in message
    assert store.pinned(address) == old.fingerprint
    wait_until(lambda: len(server.events_of("closed")) == 1)  # the stopped client hung up
    assert server.events_of("connection error") == [] and server.events_of("line") == []  # having sent nothing

    # the deliberate way on: the command line's --accept-new-key
    sock, tls = connect(server, accept_new_key=True)
    assert tls.pin.status == "changed" and tls.fingerprint == new.fingerprint
    assert echo(sock, tls, b"accepted") == b"tls:accepted"
    assert store.pinned(address) == new.fingerprint
    assert connect(server)[1].pin.status == "match"

    # and the window's way: the person clicks accept, which calls TrustStore.accept, then reconnects
    server.context = server_context(old)
    with pytest.raises(ServerKeyChanged):
        connect(server)
    assert store.accept(address, old.fingerprint)
    assert connect(server)[1].pin.status == "match"


def test_pins_are_kept_per_port(tmp_path, echo_servers, connect) -> None:
    one = EchoServer(server_context(load_or_make_certificate(tmp_path / "one"))).start()
    two = EchoServer(server_context(load_or_make_certificate(tmp_path / "two"))).start()
    echo_servers.extend([one, two])
    assert connect(one)[1].pin.status == "new"
    assert connect(two)[1].pin.status == "new"  # another server on another port is not a changed key
    assert connect(one)[1].pin.status == "match"
