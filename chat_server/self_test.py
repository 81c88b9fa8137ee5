"""`--self-test` for every program and executable: a real round trip with no display needed.

Runs on the calling thread: imports the modules the program ships, starts a
server on 127.0.0.1 port 0 (which makes its TLS certificate, so the build's
`cryptography` and `ssl` are checked too), connects two raw clients, one of
them over TLS, exchanges a public and a private message, stops the server.
Returns 0, or prints why and returns 1.
"""

from __future__ import annotations

import importlib
import socket
import ssl
import sys
import tempfile
import time
from typing import Any

from chat_server.config import ServerConfig
from chat_server.server import ChatServer
from shared.fingerprint import Fingerprint
from shared.frames import Frame, command_frame, encode_frame
from shared.framing import FrameDecoder
from shared.tls_channel import TlsChannel, run_handshake

BASE_MODULES = (
    "shared.frames",
    "shared.framing",
    "shared.names",
    "shared.commands",
    "chat_server.server",
    "chat_server.tls.certificate",
    "ssl",
    "_ssl",
    "_hashlib",
)


class _RawClient:
    """A minimal client, plain or TLS, so the server's self-test needs no client package."""

    def __init__(self, address: tuple[str, int], tls: bool = False) -> None:
        self.sock = socket.create_connection(address, timeout=5)
        self.decoder = FrameDecoder()
        self.frames: list[Frame] = []
        self.channel: TlsChannel | None = None
        self.fingerprint: Fingerprint | None = None
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the self-test compares the key's fingerprint instead
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            self.channel = TlsChannel(context, server_side=False)
            early = run_handshake(self.sock, self.channel, 5)
            certificate = self.channel.peer_certificate()
            self.fingerprint = Fingerprint.of_certificate(certificate) if certificate else None
            self.frames += [item for item in self.decoder.feed(early) if isinstance(item, dict)]
        else:
            self.sock.sendall(b"\n")  # a plain client speaks first: the server need not wait for a first byte

    def send(self, content: str) -> None:
        data = encode_frame(command_frame(content))
        self.sock.sendall(data if self.channel is None else self.channel.encrypt(data))

    def expect(self, frame_type: str, timeout: float = 5.0, **fields: Any) -> Frame:
        deadline = time.monotonic() + timeout
        while True:
            for frame in self.frames:
                if frame.get("type") == frame_type and all(frame.get(k) == v for k, v in fields.items()):
                    self.frames.remove(frame)
                    return frame
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {frame_type} frame {fields or ''} within {timeout} s")
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError(f"the server closed the connection while waiting for {frame_type}")
            if self.channel is not None:
                data = self.channel.feed(data)
            self.frames += [item for item in self.decoder.feed(data) if isinstance(item, dict)]

    def close(self) -> None:
        self.sock.close()


def run_self_test(ship_modules: tuple[str, ...] | list[str] = ()) -> int:
    try:
        for name in (*BASE_MODULES, *ship_modules):
            importlib.import_module(name)
        data = tempfile.TemporaryDirectory(prefix="classchat-self-test-")  # never the user's own history
        server = ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=data.name)).start()
        try:
            alice, bob = _RawClient(server.address), _RawClient(server.address, tls=True)
            if server.tls is None or bob.fingerprint != server.tls.fingerprint:
                raise RuntimeError("the TLS client did not see the server's own key")
            for client, nick in ((alice, "alice"), (bob, "bob")):
                client.expect("welcome")
                client.send(f"NICK {nick}")
                client.expect("nick", nick=nick)
                client.send("JOIN selftest")
                client.expect("joined", room="selftest")
            alice.send("SAY hello everyone")
            bob.expect("message", content="hello everyone", sender="alice")
            alice.send("PM bob just for you")
            bob.expect("private", content="just for you", sender="alice")
            for client in (alice, bob):
                client.close()
        finally:
            server.stop()
            data.cleanup()
    except Exception as exc:  # the reason is the whole point of a self-test
        print(f"self-test FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(
        f"self-test passed: imported {len(BASE_MODULES) + len(ship_modules)} modules, "
        f"server on port 0 (one client plain, one over TLS), public and private message delivered"
    )
    return 0
