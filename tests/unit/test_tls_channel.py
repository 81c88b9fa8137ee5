"""shared.tls_channel: two TlsChannels wired to each other in memory (no sockets): handshake, data, close, damage."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import pytest

from chat_gui.core.tls_client import client_context
from chat_server.tls.certificate import load_or_make_certificate
from chat_server.tls.handshake import server_context
from shared.fingerprint import Fingerprint
from shared.tls_channel import TlsChannel, TlsError, describe_ssl_error


@pytest.fixture(scope="module")
def server_ssl_context(tmp_path_factory) -> ssl.SSLContext:
    return server_context(load_or_make_certificate(Path(tmp_path_factory.mktemp("server-data"))))


def handshake(client: TlsChannel, server: TlsChannel) -> None:
    """Pass the handshake bytes back and forth until both sides are done."""
    done_client, to_server = client.handshake_step(b"")
    done_server = False
    for _ in range(10):
        done_server, to_client = server.handshake_step(to_server)
        done_client, to_server = client.handshake_step(to_client)
        if done_client and done_server and not to_server:
            return
    raise AssertionError("handshake did not finish")


@pytest.fixture
def pair(server_ssl_context) -> tuple[TlsChannel, TlsChannel]:
    client = TlsChannel(client_context(), server_side=False)
    server = TlsChannel(server_ssl_context, server_side=True)
    handshake(client, server)
    return client, server


def test_handshake_gives_tls13_and_the_servers_certificate(pair, server_ssl_context) -> None:
    client, server = pair
    assert client.handshake_done and server.handshake_done
    assert client.version == server.version == "TLSv1.3"
    certificate = client.peer_certificate()
    assert certificate is not None
    assert server.peer_certificate() is None  # clients present no certificate
    Fingerprint.of_certificate(certificate)  # a real certificate whose key can be found


def test_data_goes_both_ways_and_batches_arrive_whole(pair) -> None:
    client, server = pair
    assert server.feed(client.encrypt(b"hello ") + client.encrypt(b"server\n")) == b"hello server\n"
    big = bytes(range(256)) * 4096  # 1 MiB: many records, one feed
    assert client.feed(server.encrypt(big)) == big


def test_a_record_fed_in_pieces_comes_out_once_complete(pair) -> None:
    client, server = pair
    record = client.encrypt(b"split")
    assert server.feed(record[:3]) == b""
    assert server.feed(record[3:-1]) == b""
    assert server.feed(record[-1:]) == b"split"


def test_records_with_a_partial_one_behind_them_come_out_as_each_completes(pair) -> None:
    # feed() stops reading as soon as nothing is buffered; it must not stop before records that are.
    client, server = pair
    first, second, third = client.encrypt(b"one\n"), client.encrypt(b"two\n"), client.encrypt(b"three\n")
    assert server.feed(first + second + third[:5]) == b"one\ntwo\n"
    assert server.feed(third[5:]) == b"three\n"
    big = bytes(range(256)) * 256  # 64 KiB plaintext in one encrypt: several full records
    assert server.feed(client.encrypt(big) + client.encrypt(b"tail")) == big + b"tail"


def test_encrypt_of_nothing_gives_nothing(pair) -> None:
    client, _ = pair
    assert client.encrypt(b"") == b""
    assert not client.wants_write


def test_close_notify_ends_the_stream_for_the_peer(pair) -> None:
    client, server = pair
    goodbye = server.encrypt(b"bye\n") + server.close_notify()
    assert client.feed(goodbye) == b"bye\n"
    assert client.peer_closed
    assert server.close_notify() == b""  # only once
    with pytest.raises(TlsError, match="closed"):
        server.encrypt(b"more")


def test_a_changed_byte_in_a_record_is_refused(pair) -> None:
    client, server = pair
    record = bytearray(client.encrypt(b"do not touch"))
    record[-1] ^= 0x01
    with pytest.raises(TlsError, match="TLS error"):
        server.feed(bytes(record))


def test_a_replayed_record_is_refused(pair) -> None:
    client, server = pair
    record = client.encrypt(b"once")
    assert server.feed(record) == b"once"
    with pytest.raises(TlsError):
        server.feed(record)


def test_a_plain_line_is_not_a_handshake(server_ssl_context) -> None:
    server = TlsChannel(server_ssl_context, server_side=True)
    with pytest.raises(TlsError, match="handshake failed") as failure:
        server.handshake_step(b"\x16\x03\x01\x00\x05NICK alice\n")
    assert failure.value.to_send[:1] == b"\x15"  # an alert for the peer


def test_a_client_that_insists_on_tls13_meets_a_tls12_only_server(tmp_path) -> None:
    context = server_context(load_or_make_certificate(tmp_path))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    client_side = client_context()
    client_side.minimum_version = ssl.TLSVersion.TLSv1_3
    with pytest.raises(TlsError) as failure:
        handshake(TlsChannel(client_side, server_side=False), TlsChannel(context, server_side=True))
    assert "TLS handshake failed" in str(failure.value)


def test_describe_ssl_error_puts_known_reasons_in_words() -> None:
    error = ssl.SSLError(1, "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol")
    error.reason = "UNSUPPORTED_PROTOCOL"
    assert describe_ssl_error(error).startswith("the other side offers only TLS versions older than 1.2")
    error.reason = "SOMETHING_NEW"
    assert describe_ssl_error(error) == "something new"


def test_one_channel_may_be_fed_and_asked_to_encrypt_by_different_threads_at_once(pair) -> None:
    """The lock keeps OpenSSL's state whole: each channel is fed by one thread while others encrypt on it."""
    client, server = pair
    wires: dict[str, list[bytes]] = {"to server": [], "to client": []}
    wire_lock = threading.Lock()

    def writer(channel: TlsChannel, wire: str, tag: bytes) -> None:
        for _ in range(300):
            with wire_lock:  # records go on the wire in the order they were made
                wires[wire].append(channel.encrypt(tag * 200))

    threads = [threading.Thread(target=writer, args=(client, "to server", bytes([65 + n]))) for n in range(3)]
    threads.append(threading.Thread(target=writer, args=(server, "to client", b"s")))
    received = {"server": bytearray(), "client": bytearray()}
    for thread in threads:
        thread.start()
    while True:
        running = any(thread.is_alive() for thread in threads)
        with wire_lock:
            to_server, to_client = b"".join(wires["to server"]), b"".join(wires["to client"])
            wires["to server"].clear()
            wires["to client"].clear()
        received["server"] += server.feed(to_server)
        received["client"] += client.feed(to_client)
        if not running and not to_server and not to_client:
            break
    for thread in threads:
        thread.join()
    assert len(received["server"]) == 3 * 300 * 200 and set(received["server"]) == {65, 66, 67}
    assert received["client"] == b"s" * 300 * 200
