"""TLS on the server's one port: the SSLContext, the first-byte sniff and the handshake (each connection's handler thread).

    handler thread, on a fresh connection:
        sniff_first_byte(sock)   peeks (MSG_PEEK) at most FIRST_BYTE_SECONDS
            TLS     -> accept_tls(sock, context): handshake, at most HANDSHAKE_SECONDS in all
                       -> (TlsChannel, early plaintext); the socket stays a plain socket
            PLAIN   -> version 1 as before (JSON or text mode)
            SILENT  -> nothing yet: a version 1 client or nc waiting for `welcome`; serve it as PLAIN
            GARBAGE -> a byte no chat client or TLS handshake starts with: log and close
            CLOSED  -> the peer is gone

Every wait has a deadline measured from its start, so a peer that sends
one byte a second cannot stretch it, and all of it runs on the
connection's own thread: a silent or slow peer holds that thread and
nothing else.

After the handshake the connection keeps the server's model: the handler
thread recv()s ciphertext from the plain socket and feeds the channel; the
writer thread asks the channel for ciphertext and sends it with
MSG_DONTWAIT as for any client (shared/tls_channel.py explains why not an
SSLSocket).  docs/encryption.md, "Integration notes", has the outbox change.
"""

from __future__ import annotations

import enum
import socket
import ssl
from typing import TYPE_CHECKING

from chat_server.tls.errors import CertificateError
from shared.tls_channel import TLS12_CIPHERS, TlsChannel, run_handshake

if TYPE_CHECKING:  # certificate.py imports `cryptography`, which handler threads never need
    from chat_server.tls.certificate import ServerCertificate

HANDSHAKE_SECONDS = 10.0
# How long a new connection may stay silent before it is taken for a plain client.  A TLS
# client sends its ClientHello at once; a version 1 client (and nc) waits for `welcome`, so this
# delays their welcome.  2 s covers a lost ClientHello retransmitted twice on a poor Wi-Fi
# (Linux's minimum retransmission timeout is 200 ms, doubling each time).
FIRST_BYTE_SECONDS = 2.0
TLS_HANDSHAKE_RECORD = 0x16
# TLS record types other than a handshake (ChangeCipherSpec, Alert, ApplicationData, Heartbeat) and NUL:
# only a broken TLS stack or a scanner starts a connection with one.
_NOT_A_START = frozenset({0x00, 0x14, 0x15, 0x17, 0x18})


class FirstByte(enum.Enum):
    TLS = "tls"
    PLAIN = "plain"
    SILENT = "silent"
    GARBAGE = "garbage"
    CLOSED = "closed"


def classify_first_byte(byte: int) -> FirstByte:
    """TLS for 0x16; GARBAGE for a byte neither a TLS handshake nor any text line can start with; else PLAIN.

    GARBAGE: NUL, the other TLS record types, and bytes that cannot start
    UTF-8 (0x80-0xC1, 0xF5-0xFE; this takes in SSL 2's ClientHello).  0xFF
    stays PLAIN: it is telnet's IAC, which PuTTY sends first in telnet mode.
    """
    if byte == TLS_HANDSHAKE_RECORD:
        return FirstByte.TLS
    if byte in _NOT_A_START or 0x80 <= byte <= 0xC1 or 0xF5 <= byte <= 0xFE:
        return FirstByte.GARBAGE
    return FirstByte.PLAIN


def sniff_first_byte(sock: socket.socket, timeout: float = FIRST_BYTE_SECONDS) -> FirstByte:
    """Peek at the first byte without taking it; wait at most `timeout` seconds (SILENT after that)."""
    previous = sock.gettimeout()
    try:
        sock.settimeout(timeout)
        first = sock.recv(1, socket.MSG_PEEK)
    except TimeoutError:
        return FirstByte.SILENT
    except OSError:
        return FirstByte.CLOSED
    finally:
        _restore_timeout(sock, previous)
    if not first:
        return FirstByte.CLOSED
    return classify_first_byte(first[0])


def server_context(certificate: ServerCertificate) -> ssl.SSLContext:
    """TLS 1.2 and 1.3 only, forward-secret AEAD suites, no renegotiation, no session tickets."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE
    context.set_ciphers(TLS12_CIPHERS)
    # Clients reconnect rarely and a full ECDSA handshake is cheap; tickets would only add a write
    # after every handshake and a secret to rotate.
    context.num_tickets = 0
    try:
        context.load_cert_chain(certificate.cert_path, certificate.key_path)
    except (ssl.SSLError, OSError) as exc:
        raise CertificateError(
            f"the TLS library refused the certificate {certificate.cert_path} with key {certificate.key_path}: {exc}"
        ) from exc
    return context


def accept_tls(
    sock: socket.socket, context: ssl.SSLContext, timeout: float = HANDSHAKE_SECONDS
) -> tuple[TlsChannel, bytes]:
    """Run the server's side of the handshake on this thread; return the channel and any plaintext already sent.

    Raises TlsError with a message for the log (the caller adds the peer's
    address and closes the socket).  The socket's own timeout is restored.
    """
    channel = TlsChannel(context, server_side=True)
    return channel, run_handshake(sock, channel, timeout)


def _restore_timeout(sock: socket.socket, previous: float | None) -> None:
    try:
        sock.settimeout(previous)
    except OSError:
        pass  # closed meanwhile (server shutting down): nothing to restore
