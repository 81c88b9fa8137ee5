"""One TLS connection as a bytes-in, bytes-out object, safe to share between a reader and a writer thread.

    reader thread:  recv() on the plain socket -> feed(ciphertext) -> plaintext
    writer thread:  encrypt(plaintext) -> ciphertext -> send() on the plain socket (any flags)

Why not `ssl.SSLSocket`: an OpenSSL SSL object must not be used by two
threads at once, and CPython releases the GIL around SSL_read and
SSL_write, so a reader thread blocked in `SSLSocket.recv()` while a writer
thread calls `send()` races inside OpenSSL (python/cpython#143756 and its
duplicate #151508 show crashes from exactly that; OpenSSL's maintainers say
the same in openssl/openssl#20446).  An SSLSocket also refuses send flags,
so the server's writer could not use MSG_DONTWAIT.

Here the socket stays a plain socket and TLS runs on an `ssl.SSLObject`
over two memory BIOs.  Every call on the SSL object happens under one small
lock, and only in memory (no socket call is made under it), so a writer
never waits for a reader's recv() and the lock is held for the time it
takes to encrypt or decrypt one batch.

Ordering rule: after the handshake, ciphertext leaves only through
`encrypt()` (and `close_notify()` at the end), and whoever calls them must
send their results in the order they returned.  Bytes that OpenSSL makes
while reading (a TLS 1.3 key update reply, an alert) wait in the channel
and go out with the next `encrypt()`; `wants_write` says when there are
some, so the reader can wake the writer.

The channel itself knows no sockets: its handshake is driven with bytes
by `handshake_step()`.  `run_handshake()` is the one loop that drives it
over a connected socket with one deadline for the whole handshake; the
server (chat_server/tls/handshake.py) and the client (chat_gui/core/tls_client.py)
both use it, so both sides time out and explain failures the same way.
It is the only code in shared/ that waits on a socket (passed in; this
module imports no socket code).
"""

from __future__ import annotations

import ssl
import threading
import time
from typing import Protocol

READ_CHUNK = 64 * 1024
# Both sides allow these TLS 1.2 suites only: forward secrecy and an AEAD cipher (TLS 1.3's are all of that kind).
TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"
HANDSHAKE_RECV_BYTES = 16 * 1024
ALERT_SEND_SECONDS = 1.0


class TlsError(Exception):
    """The TLS layer failed; the message says why in words for a log line or a status bar.

    `to_send` holds bytes still worth sending before closing (an alert that
    tells the peer why), possibly empty.
    """

    def __init__(self, message: str, to_send: bytes = b"") -> None:
        super().__init__(message)
        self.to_send = to_send


class NotTls(TlsError):
    """The other side answered with something that is not TLS at all (a plain chat server, a web server)."""


class HandshakeTimeout(TlsError):
    """The handshake did not finish in time: the other side is silent, or too slow to be a chat server."""


# What OpenSSL says when the first bytes from the other side are no TLS record.
_NOT_TLS_REASONS = frozenset({"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "PACKET_LENGTH_TOO_LONG"})

# OpenSSL's reason codes for the failures people actually meet, said in words.
_REASONS = {
    "UNSUPPORTED_PROTOCOL": "the other side offers only TLS versions older than 1.2",
    "TLSV1_ALERT_PROTOCOL_VERSION": "the other side refuses TLS 1.2 and 1.3",
    "WRONG_VERSION_NUMBER": "the other side does not speak TLS (or an old SSL version)",
    "UNSUPPORTED_SSL_VERSION": "the other side offers an SSL version that is no longer safe",
    "HTTP_REQUEST": "a web browser or HTTP client connected, not a chat client",
    "HTTPS_PROXY_REQUEST": "an HTTP proxy request arrived, not a chat client",
    "NO_SHARED_CIPHER": "no cipher both sides accept",
    "NO_SUITABLE_SIGNATURE_ALGORITHM": "no signature algorithm both sides accept",
    "NO_SHARED_GROUPS": "no key-exchange group both sides accept",
    "TLSV1_ALERT_INTERNAL_ERROR": "the other side reported an internal error",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "the other side gave up the handshake",
    "PACKET_LENGTH_TOO_LONG": "the other side sent something that is not TLS",
    "RECORD_LAYER_FAILURE": "the other side sent a broken TLS record",
    "DECRYPTION_FAILED_OR_BAD_RECORD_MAC": "a TLS record failed its integrity check",
    "BAD_RECORD_MAC": "a TLS record failed its integrity check",
    "UNEXPECTED_MESSAGE": "the other side sent a TLS message out of order",
    "UNEXPECTED_EOF_WHILE_READING": "the connection ended in the middle of a TLS record",
}


def describe_ssl_error(exc: ssl.SSLError) -> str:
    """A short explanation of an SSLError: OpenSSL's reason in words when known, else its own text."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason in _REASONS:
        return f"{_REASONS[reason]} ({reason})"
    if isinstance(reason, str) and reason:
        return reason.replace("_", " ").lower()
    return str(exc) or type(exc).__name__


class TlsChannel:
    """The TLS state of one connection over memory BIOs; every method may be called from any thread.

    Life: `handshake_step()` until it says done (one thread, before anything
    else), then `feed()` from the reader and `encrypt()` from the writer,
    then `close_notify()` once.
    """

    def __init__(self, context: ssl.SSLContext, server_side: bool, server_hostname: str | None = None) -> None:
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._ssl = context.wrap_bio(
            self._incoming, self._outgoing, server_side=server_side, server_hostname=server_hostname
        )
        self._lock = threading.Lock()
        self._handshake_done = False
        self._closed = False  # close_notify() was called: nothing more is encrypted
        self.peer_closed = False  # the peer sent close_notify: no more data will come

    # -- the handshake (one thread) --
    def handshake_step(self, received: bytes) -> tuple[bool, bytes]:
        """Take the peer's handshake bytes (b"" to begin); return (finished, bytes to send to the peer now).

        Raises TlsError (with any alert for the peer in `to_send`) if the
        handshake fails, NotTls if the peer does not speak TLS at all.  Once finished, `take_early_data()` gives any
        application data that came with the peer's last handshake bytes.
        """
        with self._lock:
            if received:
                self._incoming.write(received)
            try:
                self._ssl.do_handshake()
            except ssl.SSLWantReadError:
                return False, self._outgoing.read()
            except ssl.SSLError as exc:
                failure = NotTls if getattr(exc, "reason", None) in _NOT_TLS_REASONS else TlsError
                raise failure(f"TLS handshake failed: {describe_ssl_error(exc)}", self._outgoing.read()) from exc
            self._handshake_done = True
            return True, self._outgoing.read()

    def take_early_data(self) -> bytes:
        """Plaintext that arrived together with the end of the handshake (call once, right after it)."""
        return self.feed(b"")

    @property
    def handshake_done(self) -> bool:
        return self._handshake_done

    def peer_certificate(self) -> bytes | None:
        """The peer's certificate in DER (also when it was not verified), or None if it sent none."""
        with self._lock:
            return self._ssl.getpeercert(binary_form=True)

    @property
    def version(self) -> str | None:
        """ "TLSv1.3" or "TLSv1.2" once the handshake is done."""
        with self._lock:
            return self._ssl.version()

    @property
    def cipher(self) -> str | None:
        with self._lock:
            found = self._ssl.cipher()
        return found[0] if found else None

    # -- after the handshake --
    def feed(self, ciphertext: bytes) -> bytes:
        """Reader side: bytes from the socket in, the plaintext they complete out (often b"").

        Sets `peer_closed` when the peer's close_notify arrives (plaintext
        before it is still returned).  Raises TlsError on a broken or forged
        record; the connection cannot go on after that.
        """
        with self._lock:
            incoming, tls = self._incoming, self._ssl
            if ciphertext:
                incoming.write(ciphertext)
            parts: list[bytes] = []
            while not self.peer_closed:
                try:
                    part = tls.read(READ_CHUNK)
                except ssl.SSLWantReadError:
                    break
                except ssl.SSLZeroReturnError:
                    self.peer_closed = True
                    break
                except ssl.SSLError as exc:
                    raise TlsError(f"TLS error: {describe_ssl_error(exc)}", self._outgoing.read()) from exc
                if not part:  # OpenSSL saw the end of the stream
                    self.peer_closed = True
                    break
                parts.append(part)
                # Every byte taken and no plaintext left over: another read could only raise
                # SSLWantReadError, and raising it costs as much as decrypting a chat line did.
                if not incoming.pending and not tls.pending():
                    break
        return parts[0] if len(parts) == 1 else b"".join(parts)

    @property
    def wants_write(self) -> bool:
        """True when OpenSSL has bytes for the peer that the next `encrypt()` will hand out."""
        with self._lock:
            return self._outgoing.pending > 0

    def encrypt(self, plaintext: bytes | bytearray | memoryview) -> bytes:
        """Writer side: plaintext in, the ciphertext to send (with anything waiting from the reader side) out.

        `encrypt(b"")` just collects what is waiting.  Raises TlsError once
        the channel is closed or OpenSSL refuses to write.
        """
        with self._lock:
            if plaintext:
                if self._closed:
                    raise TlsError("TLS connection already closed")
                try:
                    written = self._ssl.write(plaintext)
                except ssl.SSLError as exc:
                    raise TlsError(f"TLS error while sending: {describe_ssl_error(exc)}") from exc
                if written != len(plaintext):  # a memory BIO never fills up, so this would be a bug
                    raise TlsError(f"TLS layer took {written} of {len(plaintext)} bytes")
            return self._outgoing.read()

    def close_notify(self) -> bytes:
        """The bytes that end the TLS session cleanly (send them after the last `encrypt()` result); once."""
        with self._lock:
            if self._closed:
                return b""
            self._closed = True
            try:
                self._ssl.unwrap()
            except ssl.SSLWantReadError:
                pass  # it waits for the peer's close_notify; ours is ready to send
            except ssl.SSLError:
                pass  # the session is broken already: send whatever is there and hang up
            return self._outgoing.read()


class HandshakeSocket(Protocol):
    """What run_handshake needs of a connected socket.socket."""

    def gettimeout(self) -> float | None: ...
    def settimeout(self, value: float | None, /) -> None: ...
    def recv(self, bufsize: int, /) -> bytes: ...
    def sendall(self, data: bytes, /) -> None: ...


def run_handshake(sock: HandshakeSocket, channel: TlsChannel, timeout: float) -> bytes:
    """Drive `channel`'s handshake over `sock` within `timeout` seconds in all; return the early plaintext.

    Raises TlsError on a failure, a timeout, or a peer that hangs up.  The
    socket's own timeout is restored afterwards.
    """
    deadline = time.monotonic() + timeout
    previous = sock.gettimeout()
    received = b""
    try:
        while True:
            try:
                done, to_send = channel.handshake_step(received)
            except TlsError as exc:
                _send_alert(sock, exc.to_send)
                raise
            if to_send:
                _send_before(sock, to_send, deadline, timeout)
            if done:
                return channel.take_early_data()
            received = _recv_before(sock, deadline, timeout)
    finally:
        _restore_timeout(sock, previous)


def _remaining(deadline: float, timeout: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise HandshakeTimeout(f"the TLS handshake did not finish within {timeout:g} s")
    return remaining


def _recv_before(sock: HandshakeSocket, deadline: float, timeout: float) -> bytes:
    sock.settimeout(_remaining(deadline, timeout))
    try:
        data = sock.recv(HANDSHAKE_RECV_BYTES)
    except TimeoutError:
        raise HandshakeTimeout(f"the TLS handshake did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise TlsError(f"the connection failed during the TLS handshake: {exc}") from None
    if not data:
        raise TlsError("the other side closed the connection during the TLS handshake")
    return data


def _send_before(sock: HandshakeSocket, data: bytes, deadline: float, timeout: float) -> None:
    sock.settimeout(_remaining(deadline, timeout))
    try:
        sock.sendall(data)
    except TimeoutError:
        raise HandshakeTimeout(
            f"the TLS handshake did not finish within {timeout:g} s (the other side does not read)"
        ) from None
    except OSError as exc:
        raise TlsError(f"the connection failed during the TLS handshake: {exc}") from None


def _send_alert(sock: HandshakeSocket, alert: bytes) -> None:
    """Tell the peer why (a TLS alert) if that can be done quickly; it is a courtesy, so failures are ignored."""
    if not alert:
        return
    try:
        sock.settimeout(ALERT_SEND_SECONDS)
        sock.sendall(alert)
    except OSError:
        pass


def _restore_timeout(sock: HandshakeSocket, previous: float | None) -> None:
    try:
        sock.settimeout(previous)
    except OSError:
        pass  # closed meanwhile (server shutting down): nothing to restore
