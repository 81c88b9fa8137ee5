"""TLS in the real chat server: one port for TLS, plain JSON and text mode; stalled, hostile and old peers; the certificate.

Every server here is a real ChatServer on port 0 with TLS on (the default)
unless a test says otherwise; the clients are real sockets, the client's own
ChatConnection, and hand-made TLS records (tests/integration/test_tls_one_port.py).
"""

from __future__ import annotations

import datetime
import logging
import socket
import ssl
import threading
import time
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chat_gui.core.connection import ChatConnection, NotConnected
from chat_gui.core.connection_security import KeyWarning, TlsMissing, TlsPolicy, accept_warning
from chat_gui.core.tls_client import ServerKeyChanged
from chat_server import ChatServer, ServerConfig
from chat_server.tls.certificate import make_certificate
from chat_server.tls.errors import CertificateError
from tests.integration.test_tls_one_port import client_hello, tls10_only_client_hello
from tests.integration.wire import Closed, Collector, TextClient, WireClient
from tests.support import connect_client, wait_until

LOG = "chat_server"


def sessions_of(server: ChatServer) -> dict[str, bool]:
    """nick -> whether the server has that session as encrypted."""
    with server.registry.lock:
        return {session.nick: session.encrypted for session in server.registry.sessions if session.nick}


def refusal_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.getMessage().startswith("refused")]


def read_all(sock: socket.socket, timeout: float = 15.0) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    received = b""
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not data:
            return received
        received += data


# -- one port, three kinds of client --
def test_tls_plain_json_and_text_mode_share_one_port_at_once(server) -> None:
    tls = WireClient(server.address, tls=True)
    plain = WireClient(server.address)
    text = TextClient(server.address)
    text.send_line("/nick carol")
    text.expect(r"You are carol")
    tls.register("alice", "lab")
    plain.register("bob", "lab")
    text.send_line("/join lab")
    text.expect(r"joined #lab")
    assert sessions_of(server) == {"alice": True, "bob": False, "carol": False}

    tls.send("SAY over tls")
    plain.send("SAY in plain json")
    text.send_line("SAY in text mode")
    for client in (tls, plain):
        said = [client.expect("message")["content"] for _ in range(3)]
        assert sorted(said) == ["in plain json", "in text mode", "over tls"]
    unseen = {"over tls", "in plain json", "in text mode"}  # three senders at once: any order
    while unseen:
        line = text.next_line()
        unseen -= {words for words in unseen if words in line}


def test_the_welcome_names_tls_among_the_features(server, start_server) -> None:
    assert "tls" in WireClient(server.address, tls=True).received[0]["features"]
    assert "tls" in WireClient(server.address).received[0]["features"]  # a plain client learns it could encrypt
    plain_only = start_server(tls=False)
    assert "tls" not in WireClient(plain_only.address).received[0]["features"]


def test_the_client_connects_encrypted_by_default_and_pins_the_key(server) -> None:
    alice = connect_client(server.address, "alice")
    try:
        security = alice.security
        assert security is not None and security.encrypted and security.pin == "new"
        assert security.version in ("TLSv1.3", "TLSv1.2")
        assert server.tls is not None and security.fingerprint == server.tls.fingerprint
        assert sessions_of(server) == {"alice": True}
    finally:
        alice.close()
    again = connect_client(server.address, "alice2")
    try:
        assert again.security is not None and again.security.pin == "match"
    finally:
        again.close()


def test_a_version_1_client_that_waits_for_welcome_gets_it_after_the_first_byte_wait(server) -> None:
    started = time.monotonic()
    client = WireClient(server.address, speak_first=False)  # says nothing until it has the welcome
    waited = time.monotonic() - started
    assert client.received[0]["type"] == "welcome"
    assert 1.5 < waited < 10, f"the silent client got its welcome after {waited:.2f} s"
    client.register("oldtimer")
    assert sessions_of(server) == {"oldtimer": False}


def test_without_tls_a_silent_client_gets_its_welcome_at_once(start_server) -> None:
    server = start_server(tls=False)
    started = time.monotonic()
    WireClient(server.address, speak_first=False)
    assert time.monotonic() - started < 1.5


def test_a_tls_client_on_a_server_without_tls_falls_back_to_plain_and_says_so(start_server) -> None:
    server = start_server(tls=False)
    alice = connect_client(server.address, "alice")
    try:
        assert alice.security is not None and not alice.security.encrypted
        assert "the server answered without encryption" in alice.security.why_plain
        assert alice.security.tls_refused and alice.security.this_computer  # 127.0.0.1: secrets may go in plain
        assert sessions_of(server) == {"alice": False}
    finally:
        alice.close()


# -- stalled peers --
@pytest.mark.parametrize("attackers_from", ["127.0.0.2", "127.0.0.1"])
def test_silent_and_half_handshake_peers_do_not_delay_a_login(start_server, attackers_from: str) -> None:
    """50 sockets that say nothing and 50 stuck halfway through a ClientHello; a student logs in beside them."""
    limits = {} if attackers_from != "127.0.0.1" else {"max_per_address": 0, "max_unregistered_per_address": 0}
    server = start_server(**limits)
    baseline_started = time.monotonic()
    connect_client(server.address, "first").close()
    baseline = time.monotonic() - baseline_started

    hello = client_hello()
    stalled: list[socket.socket] = []
    try:
        for number in range(100):
            sock = socket.create_connection(server.address, timeout=15, source_address=(attackers_from, 0))
            stalled.append(sock)
            if number >= 50:
                sock.sendall(hello[: len(hello) // 2])
        # From another address, openings past --max-per-address are closed at once (tests/adversarial/test_tls_abuse.py).
        held = 60 if limits else server.config.max_per_address
        wait_until(
            lambda: len(server.openings) >= held, timeout=15, message="the stalled peers never reached the server"
        )

        started = time.monotonic()
        alice = connect_client(server.address, "alice", "lab")
        elapsed = time.monotonic() - started
        alice.close()
        assert elapsed < baseline + 1.0, f"login took {elapsed:.2f} s beside 100 stalled peers ({baseline:.2f} s alone)"
    finally:
        for sock in stalled:
            sock.close()


def test_handshakes_under_way_from_one_address_are_capped(start_server, caplog) -> None:
    server = start_server(max_unregistered_per_address=3)
    hello = client_hello()
    stuck = [socket.create_connection(server.address, timeout=15, source_address=("127.0.0.2", 0)) for _ in range(3)]
    try:
        for sock in stuck:
            sock.sendall(hello[:40])
        wait_until(lambda: server.openings.handshakes_from("127.0.0.2") == 3)  # in the handshake, not just arrived
        with caplog.at_level(logging.WARNING, logger=LOG):
            extra = socket.create_connection(server.address, timeout=15, source_address=("127.0.0.2", 0))
            extra.sendall(hello[:40])
            started = time.monotonic()
            assert read_all(extra) == b""
            assert time.monotonic() - started < 5, "the fourth handshake was not turned away at once"
            extra.close()
        assert any("too many TLS handshakes" in line for line in refusal_lines(caplog))
        alice = connect_client(server.address, "alice")  # another address still gets in
        alice.close()
    finally:
        for sock in stuck:
            sock.close()


def test_stop_ends_connections_still_in_the_first_byte_wait_or_the_handshake(start_server) -> None:
    server = start_server()
    silent = socket.create_connection(server.address, timeout=15)
    halfway = socket.create_connection(server.address, timeout=15)
    halfway.sendall(client_hello()[:50])
    wait_until(lambda: len(server.openings) == 2)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.5, "stop() waited for a silent peer or a handshake"
    assert read_all(halfway) == b""
    silent.close()
    halfway.close()


# -- hostile or old peers --
@pytest.mark.parametrize(
    ("first_bytes", "answer"),
    [
        (b"\x00\x00\x00\x00", b"Unknown command"),
        (b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10", b"not valid UTF-8"),  # an SSL 2 ClientHello
        (b"\x15\x03\x03\x00\x02\x02\x28", b"Unknown command"),  # a TLS alert first
        (b"\x17\x03\x03\x00\x05hello", b"Unknown command"),  # TLS application data before any handshake
        (b"\xc0\xaf garbage", b"not valid UTF-8"),
    ],
    ids=["nul", "sslv2-hello", "tls-alert", "tls-appdata", "not-utf8"],
)
def test_a_first_byte_no_client_sends_is_plain_as_the_contract_says(server, first_bytes: bytes, answer: bytes) -> None:
    """PROTOCOL.md: 0x16 starts a TLS handshake, anything else is plain. These were closed without a word until
    the ninth review; now the line gets version 1's clear error and the connection goes on."""
    sock = socket.create_connection(server.address, timeout=15)
    try:
        sock.sendall(first_bytes + b"\nNICK zed\n")
        received = b""
        while b"You are zed" not in received:
            chunk = sock.recv(4096)
            assert chunk, f"closed after {received!r}"
            received += chunk
        lines = received.split(b"\n")
        assert lines[0].startswith(b'{"type":"welcome"'), lines[0]
        assert answer in received, received
    finally:
        sock.close()


def test_a_tls10_only_client_gets_an_alert_a_log_line_and_a_closed_connection(server, caplog) -> None:
    with caplog.at_level(logging.INFO, logger=LOG):
        sock = socket.create_connection(server.address, timeout=15)
        sock.sendall(tls10_only_client_hello())
        received = read_all(sock)
        sock.close()
        wait_until(lambda: refusal_lines(caplog))
    assert received[:1] == b"\x15" and received.endswith(b"\x02\x46"), "one fatal protocol_version alert, nothing else"
    (line,) = refusal_lines(caplog)
    assert "older than 1.2" in line


def test_a_real_tls10_client_is_refused_too(server, caplog) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):
            pytest.skip("this OpenSSL cannot act as a TLS 1.0 client")
    with caplog.at_level(logging.INFO, logger=LOG), pytest.raises(ssl.SSLError) as refused:
        context.wrap_socket(socket.create_connection(server.address, timeout=15))
    if refused.value.reason == "NO_PROTOCOLS_AVAILABLE":
        pytest.skip("this OpenSSL cannot act as a TLS 1.0 client")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    wait_until(lambda: refusal_lines(caplog))
    assert "older than 1.2" in refusal_lines(caplog)[0]


def test_a_forged_record_after_the_handshake_ends_only_that_connection(server) -> None:
    bob = WireClient(server.address).register("bob", "lab")
    mallory = WireClient(server.address, tls=True).register("mallory", "lab")
    assert mallory.channel is not None
    record = bytearray(mallory.channel.encrypt(b'{"type":"command","content":"SAY forged"}\n'))
    record[-1] ^= 0x01  # one bit of the authentication tag
    mallory.sock.sendall(bytes(record))
    with pytest.raises(Closed):
        mallory.rest_until_closed()
        mallory.next()
    bob.expect(lambda frame: frame["type"] == "system" and frame.get("event") == "leave")
    bob.send("SAY still here")
    assert bob.expect("message")["content"] == "still here"
    assert not [frame for frame in bob.received if frame.get("content") == "forged"]


def test_a_tls_line_over_32_kib_gets_frame_too_large_as_in_plain(server) -> None:
    client = WireClient(server.address, tls=True)
    client.send_raw(b'{"type":"command","content":"' + b"a" * (40 * 1024) + b'"}\n')
    frames = client.rest_until_closed()
    assert [frame.get("code") for frame in frames if frame["type"] == "error"] == ["frame_too_large"]
    assert frames[-1]["type"] == "bye"


def test_a_tls_client_that_stops_reading_is_cut_off_alone(start_server) -> None:
    """The outbox limit counts ciphertext waiting too: a TLS client that never reads is cut off, nobody else."""
    server = start_server(rate_per_second=0, max_outbound_bytes=256 * 1024)
    sender = WireClient(server.address, tls=True).register("sender", "lab")
    WireClient(server.address, tls=True).register("sleeper", "lab")  # never reads again
    sender.expect(lambda f: f["type"] == "system" and f.get("user") == "sleeper")
    collector = Collector(sender)
    sent = 0
    while any(client.nick == "sleeper" for client in server.clients()):
        assert sent < 20_000, "the non-reader was never cut off"
        for _ in range(50):
            sender.send(f"SAY {sent} {'x' * 1000}")
            sent += 1
        collector.wait_for("message", sent)
    sender.send("SAY after")
    got = [frame["content"].split(" ", 1)[0] for frame in collector.wait_for("message", sent + 1)]
    assert got == [*map(str, range(sent)), "after"]
    assert any(f["event"] == "leave" and f["user"] == "sleeper" for f in collector.of_type("system"))


# -- --require-tls --
def test_require_tls_refuses_plain_json_with_a_frame_and_closes(start_server) -> None:
    server = start_server(require_tls=True)
    client = WireClient(server.address, welcome=False)
    frames = client.rest_until_closed()
    assert [(frame["type"], frame.get("code"), frame.get("reason")) for frame in frames] == [
        ("error", "tls_required", None),
        ("bye", None, "tls_required"),
    ]
    assert "encrypted connections only" in frames[0]["content"]


def test_require_tls_refuses_a_silent_version_1_client_in_json(start_server) -> None:
    server = start_server(require_tls=True)
    frames = WireClient(server.address, welcome=False, speak_first=False).rest_until_closed()
    assert [frame["type"] for frame in frames] == ["error", "bye"] and frames[0]["code"] == "tls_required"


def test_require_tls_refuses_nc_with_text_lines(start_server) -> None:
    server = start_server(require_tls=True)
    text = TextClient(server.address)
    text.send_line("/nick carol")
    lines = text.rest_until_closed()
    assert lines and all(not line.startswith("{") for line in lines)
    assert "encrypted connections only" in lines[0]


def test_require_tls_still_serves_tls_and_logs_each_refusal(start_server, caplog) -> None:
    server = start_server(require_tls=True)
    with caplog.at_level(logging.INFO, logger=LOG):
        WireClient(server.address, welcome=False).rest_until_closed()
        wait_until(lambda: refusal_lines(caplog))
    assert "--require-tls" in refusal_lines(caplog)[0]
    alice = connect_client(server.address, "alice", "lab")
    try:
        assert alice.security is not None and alice.security.encrypted
    finally:
        alice.close()


# -- the certificate --
def test_the_certificate_is_made_once_and_reused_across_restarts(start_server, tmp_path) -> None:
    data = tmp_path / "data"
    first = start_server(data_dir=str(data))
    assert first.tls is not None and first.tls.certificate.origin == "made"
    key_file = data / "tls-key.pem"
    made = key_file.read_bytes()
    alice = connect_client(first.address, "alice")
    alice.close()
    port = first.address[1]
    first.stop()
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(data))).start()
    try:
        assert second.tls is not None and second.tls.certificate.origin == "reused"
        assert second.tls.fingerprint == first.tls.fingerprint and key_file.read_bytes() == made
        again = connect_client(second.address, "alice")
        assert again.security is not None and again.security.pin == "match"
        again.close()
    finally:
        second.stop()


def test_a_new_certificate_stops_the_client_until_the_new_key_is_accepted(start_server, tmp_path) -> None:
    first = start_server(data_dir=str(tmp_path / "old"))
    connect_client(first.address, "alice").close()
    port = first.address[1]
    first.stop()
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(tmp_path / "new"))).start()
    try:
        assert second.tls is not None and first.tls is not None
        with pytest.raises(ServerKeyChanged) as stopped:
            ChatConnection(*second.address).connect()
        assert stopped.value.check.pinned == first.tls.fingerprint
        assert stopped.value.check.presented == second.tls.fingerprint
        assert first.tls.fingerprint.short in str(stopped.value) and second.tls.fingerprint.short in str(stopped.value)
        with second.registry.lock:
            assert not [s for s in second.registry.sessions if s.nick], "nothing was sent before the check"
        assert accept_warning(KeyWarning.of(stopped.value), TlsPolicy())
        alice = connect_client(second.address, "alice")
        assert alice.security is not None and alice.security.fingerprint == second.tls.fingerprint
        assert alice.security.pin == "match"
        alice.close()
    finally:
        second.stop()


def test_accept_new_key_in_the_policy_replaces_the_pin_at_once(start_server, tmp_path) -> None:
    first = start_server(data_dir=str(tmp_path / "old"))
    connect_client(first.address, "alice").close()
    port = first.address[1]
    first.stop()
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=str(tmp_path / "new"))).start()
    try:
        connection = ChatConnection(*second.address, policy=TlsPolicy(accept_new_key=True)).connect()
        assert connection.security is not None and connection.security.pin == "changed"
        connection.close()
        assert ChatConnection(*second.address).connect().security.pin == "match"  # type: ignore[union-attr]
    finally:
        second.stop()


def test_a_pinned_server_that_stops_encrypting_stops_the_client(start_server, tmp_path) -> None:
    data = str(tmp_path / "data")
    first = start_server(data_dir=data)
    connect_client(first.address, "alice").close()
    port = first.address[1]
    first.stop()
    plain = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=data, tls=False)).start()
    try:
        with pytest.raises(TlsMissing) as stopped:
            ChatConnection(*plain.address).connect()
        assert "used to encrypt" in str(stopped.value)
        warning = KeyWarning.of(stopped.value)
        assert warning.presented is None
        assert accept_warning(warning, TlsPolicy())  # the person chose to go on without encryption
        alice = connect_client(plain.address, "alice")
        assert alice.security is not None and not alice.security.encrypted
        alice.close()
    finally:
        plain.stop()


def test_going_on_without_encryption_keeps_the_pin_for_when_tls_comes_back(start_server, tmp_path) -> None:
    """Found by the eighth review: "Connect without encryption" forgot the pin, so whatever key answered with TLS
    at that address next (an impostor's) was pinned quietly as a first connection."""
    data = str(tmp_path / "data")
    teacher = start_server(data_dir=data)
    assert teacher.tls is not None
    teachers_key = teacher.tls.fingerprint
    connect_client(teacher.address, "alice").close()
    port = teacher.address[1]
    teacher.stop()

    def restart(folder: str, tls: bool) -> ChatServer:
        return ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=folder, tls=tls)).start()

    plain = restart(data, tls=False)  # the teacher turns encryption off for a lesson
    try:
        with pytest.raises(TlsMissing) as stopped:
            ChatConnection(*plain.address).connect()
        assert accept_warning(KeyWarning.of(stopped.value), TlsPolicy())
        for _ in range(2):  # once allowed, plain is not asked about again at this address
            again = connect_client(plain.address)
            assert again.security is not None and not again.security.encrypted
            again.close()
    finally:
        plain.stop()

    impostor = restart(str(tmp_path / "impostor"), tls=True)  # another key answers with TLS at the address
    try:
        assert impostor.tls is not None
        with pytest.raises(ServerKeyChanged) as changed:
            ChatConnection(*impostor.address).connect()
        assert changed.value.check.pinned == teachers_key
        assert changed.value.check.presented == impostor.tls.fingerprint
        with impostor.registry.lock:
            assert not [s for s in impostor.registry.sessions if s.nick], "nothing was sent to the impostor"
    finally:
        impostor.stop()

    back = restart(data, tls=True)  # the teacher's own key again: as before, and plain warns again after it
    try:
        alice = connect_client(back.address, "alice")
        assert alice.security is not None and alice.security.pin == "match"
        alice.close()
    finally:
        back.stop()
    plain = restart(data, tls=False)
    try:
        with pytest.raises(TlsMissing):
            ChatConnection(*plain.address).connect()
    finally:
        plain.stop()


def certificate_pair(folder: Path, days_ago: int, valid_days: int, prefix: str = "") -> tuple[Path, Path]:
    """A certificate made `days_ago` days ago for `valid_days`, and its key, written into `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = make_certificate(
        key, ["localhost"], [], now=now - datetime.timedelta(days=days_ago), valid_days=valid_days
    )
    cert_path, key_path = folder / f"{prefix}cert.pem", folder / f"{prefix}key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def expired_pair(folder: Path) -> tuple[Path, Path]:
    return certificate_pair(folder, days_ago=400, valid_days=30, prefix="old-")


def test_an_expired_cert_refuses_to_start_and_holds_no_port(tmp_path) -> None:
    cert_path, key_path = expired_pair(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ServerConfig(
        host="127.0.0.1", port=port, data_dir=str(tmp_path), cert_file=str(cert_path), key_file=str(key_path)
    )
    with pytest.raises(CertificateError, match="expired on"):
        ChatServer(config)
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # the refused start left the port free


def test_a_given_certificate_that_runs_out_this_term_is_named_in_a_warning_at_start(start_server, tmp_path, caplog):
    """Found by the eighth review: a --cert running out in a week started without a word; the first start after
    that day refused, and the way out the refusal offered (the server's own certificate) changed the key."""
    cert_path, key_path = certificate_pair(tmp_path, days_ago=358, valid_days=365)
    caplog.set_level(logging.WARNING, logger=LOG)
    server = start_server(cert_file=str(cert_path), key_file=str(key_path))
    assert server.tls is not None and server.tls.certificate.origin == "given"
    warned = [r.getMessage() for r in caplog.records if r.getMessage().startswith("TLS certificate:")]
    assert len(warned) == 1 and "expires on" in warned[0] and "in 6 days" in warned[0] and "same key" in warned[0]


def test_a_given_certificate_is_used_and_its_fingerprint_is_what_clients_see(start_server, tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_certificate(key, ["localhost"], [])
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = start_server(cert_file=str(cert_path), key_file=str(key_path))
    assert server.tls is not None and server.tls.certificate.origin == "given"
    alice = connect_client(server.address, "alice")
    try:
        assert alice.security is not None and alice.security.fingerprint == server.tls.fingerprint
    finally:
        alice.close()
    assert not (Path(server.config.data_dir or "") / "tls-key.pem").exists(), "no certificate of its own was made"


def test_a_client_reconnects_over_tls_while_others_chat(start_server) -> None:
    """Many short TLS connections next to a steady one: every message of the steady pair arrives, in order."""
    server = start_server(rate_per_second=0)
    bob = WireClient(server.address, tls=True).register("bob", "lab")
    alice = WireClient(server.address, tls=True).register("alice", "lab")
    stop = threading.Event()
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            number = 0
            while not stop.is_set():
                connection = connect_client(server.address, f"churn{number}")
                connection.close()
                number += 1
        except (NotConnected, OSError) as exc:
            errors.append(exc)

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for number in range(50):
            alice.send(f"SAY {number}")
        said = [bob.expect(lambda f: f["type"] == "message" and f["sender"] == "alice")["content"] for _ in range(50)]
        assert said == [str(number) for number in range(50)]
    finally:
        stop.set()
        thread.join(30)
    assert not errors
