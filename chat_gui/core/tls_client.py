"""The client's side of TLS: a context that trusts on first use, the handshake and the pin check (connection thread).

    sock = socket.create_connection((host, port))
    tls = start_tls(sock, host, port, TrustStore())        # ServerKeyChanged if the key is not the pinned one
    reader thread:   tls.channel.feed(sock.recv(...))      -> plaintext for the FrameDecoder
    any sender:      with send_lock: sock.sendall(tls.channel.encrypt(data))

No certificate authority is asked: the server's certificate is self-signed,
so the context accepts any certificate and the check that matters comes
after the handshake, against the key pinned for that address (the handshake
itself proves the server holds the private key of the certificate it sent).
Nothing is sent to the server before that check has passed.

The socket stays a plain socket and TLS runs in a shared.tls_channel
TlsChannel: a reader thread and a sending thread must not use one
ssl.SSLSocket at once (see that module).  Encrypting and sending happen
under one lock, so records leave in the order they were made.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from chat_gui.core.trust_store import PinCheck, TrustStore, address_key
from shared.fingerprint import Fingerprint
from shared.tls_channel import TLS12_CIPHERS, HandshakeSocket, TlsChannel, TlsError, run_handshake

HANDSHAKE_SECONDS = 10.0


class ServerKeyChanged(TlsError):
    """The server showed another key than the one pinned for its address: maybe a new server, maybe an impostor."""

    def __init__(self, check: PinCheck) -> None:
        assert check.pinned is not None
        super().__init__(
            f"The server at {check.address} has a different key than last time. "
            f"Before: {check.pinned.short}. Now: {check.presented.short}. "
            "If the teacher made a new server certificate, compare the new one with the teacher's screen "
            "and accept it; otherwise someone may be pretending to be the server."
        )
        self.check = check


@dataclass(frozen=True)
class ClientTls:
    """A finished handshake whose key passed the pin check."""

    channel: TlsChannel
    early_data: bytes  # plaintext that came with the handshake: feed it to the decoder before the first recv
    fingerprint: Fingerprint
    pin: PinCheck  # "new" (pinned just now), "match", or "changed" when accept_new_key replaced the pin
    version: str  # "TLSv1.3" or "TLSv1.2"
    cipher: str


def client_context() -> ssl.SSLContext:
    """TLS 1.2 or later, no CA and no host name check (the pin is the check), forward-secret AEAD suites."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_RENEGOTIATION
    context.set_ciphers(TLS12_CIPHERS)
    return context


def start_tls(
    sock: HandshakeSocket,
    host: str,
    port: int,
    store: TrustStore,
    *,
    accept_new_key: bool = False,
    accept_only: str = "",
    timeout: float = HANDSHAKE_SECONDS,
    context: ssl.SSLContext | None = None,
) -> ClientTls:
    """Handshake over the connected plain `sock`, then check the server's key against the pin for host:port.

    Raises ServerKeyChanged (nothing was sent; close the socket) unless
    `accept_new_key` is set, in which case the new key replaces the pin;
    with `accept_only` (the 20 digits a person compared, chat-term's
    --accept-key) only a key whose short form is those digits does.
    Raises NotTls when the server answered in plain text (a server started
    with --no-tls, or an older one), TlsError when the handshake fails or
    times out.
    """
    channel = TlsChannel(context or client_context(), server_side=False)
    early_data = run_handshake(sock, channel, timeout)
    certificate = channel.peer_certificate()
    if certificate is None:
        raise TlsError("the server sent no certificate")
    try:
        fingerprint = Fingerprint.of_certificate(certificate)
    except ValueError as exc:
        raise TlsError(f"the server's certificate cannot be read: {exc}") from None
    check = store.check(address_key(host, port), fingerprint)
    if check.status == "changed":
        if not accept_new_key or (accept_only and not fingerprint.matches_short(accept_only)):
            raise ServerKeyChanged(check)
        store.accept(check.address, fingerprint)
    return ClientTls(channel, early_data, fingerprint, check, channel.version or "", channel.cipher or "")
