"""A blocking, socket-shaped view of a TLS connection for one thread at a time: file transfers (the transfer's thread).

    TlsSocket(sock, channel, early)       after the handshake, once nothing else reads or writes the connection
        recv(n) / recv_into(buffer, n)    plaintext; b"" / 0 at the end (the peer's close_notify or EOF)
        sendall(data)                     encrypted, then sent whole on the plain socket
        settimeout / gettimeout / fileno  the plain socket's; a timeout raises TimeoutError as a socket would
        shutdown(how) / close()           close_notify first when our side stops writing

A chat connection's reader and writer are two threads, so they use the
TlsChannel directly (request_handler.py, outbox.py).  A connection handed
over to a file transfer has one thread left, and the transfer code was
written for a socket: this gives it one, so a transfer over TLS runs the
same code as over plain.  It is deliberately not a `socket.socket`
subclass: code that wants to bypass the socket layer (`os.sendfile`) must
test `type(sock) is socket.socket` and fall back to a send loop here, or
the file would leave unencrypted.
"""

from __future__ import annotations

import socket

from shared.tls_channel import TlsChannel

RECV_BYTES = 64 * 1024  # ciphertext read at once; a TLS record is at most 16 KiB plus its overhead
# Plaintext encrypted at once by sendall.  Copying into and out of the TLS layer's memory buffers holds
# the GIL (encrypting does not), so a 1 MiB piece in one go held it for a few hundred microseconds at a
# time, which the server's chat threads waited out; 64 KiB pieces hold it a few microseconds each.
SEND_PIECE = 64 * 1024


class TlsSocket:
    def __init__(self, sock: socket.socket, channel: TlsChannel, early: bytes = b"") -> None:
        self._sock = sock
        self._channel = channel
        self._plain = bytearray(early)  # decrypted, not yet taken
        self._ended = False

    @property
    def channel(self) -> TlsChannel:
        return self._channel

    def fileno(self) -> int:
        return self._sock.fileno()

    def settimeout(self, value: float | None) -> None:
        self._sock.settimeout(value)

    def gettimeout(self) -> float | None:
        return self._sock.gettimeout()

    def recv(self, size: int) -> bytes:
        """Up to `size` bytes of plaintext; b"" once the peer has finished.  Raises TlsError on a forged record."""
        if not self._fill():
            return b""
        taken = bytes(self._plain[:size])
        del self._plain[:size]
        return taken

    def recv_into(self, buffer: memoryview | bytearray, size: int = 0) -> int:
        view = memoryview(buffer).cast("B")
        size = min(size or len(view), len(view))
        if not size or not self._fill():
            return 0
        count = min(size, len(self._plain))
        view[:count] = self._plain[:count]
        del self._plain[:count]
        return count

    def sendall(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        if not view:
            self._sock.sendall(self._channel.encrypt(b""))  # whatever the TLS layer has waiting
            return
        for start in range(0, len(view), SEND_PIECE):
            self._sock.sendall(self._channel.encrypt(view[start : start + SEND_PIECE]))

    def shutdown(self, how: int) -> None:
        if how in (socket.SHUT_WR, socket.SHUT_RDWR):
            try:
                self._sock.sendall(self._channel.close_notify())
            except OSError:
                pass  # the peer is gone already: shutting down is all that is left
        self._sock.shutdown(how)

    def close(self) -> None:
        self._sock.close()

    def _fill(self) -> bool:
        """Wait until some plaintext is buffered; False at the end of the stream."""
        while not self._plain:
            if self._ended:
                return False
            data = self._sock.recv(RECV_BYTES)  # TimeoutError and OSError pass to the caller, as from a socket
            if not data:
                self._ended = True
                return False
            self._plain += self._channel.feed(data)
            if self._channel.wants_write:  # a key update's answer, say
                self._sock.sendall(self._channel.encrypt(b""))
            if self._channel.peer_closed and not self._plain:
                self._ended = True
                return False
        return True
