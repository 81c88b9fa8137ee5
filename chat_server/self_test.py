"""`--self-test` for every program and executable: a real round trip with no display needed.

Runs on the calling thread: imports the modules the program ships, starts a
server on 127.0.0.1 port 0, connects two raw clients, exchanges a public and
a private message, stops the server.  Returns 0, or prints why and returns 1.
"""

from __future__ import annotations

import importlib
import socket
import sys
import tempfile
import time
from typing import Any

from chat_server.config import ServerConfig
from chat_server.server import ChatServer
from shared.frames import Frame, command_frame, encode_frame
from shared.framing import FrameDecoder

BASE_MODULES = ("shared.frames", "shared.framing", "shared.names", "shared.commands", "chat_server.server")


class _RawClient:
    """A minimal client on a plain socket, so the server's self-test needs no client package."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=5)
        self.decoder = FrameDecoder()
        self.frames: list[Frame] = []

    def send(self, content: str) -> None:
        self.sock.sendall(encode_frame(command_frame(content)))

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
            alice, bob = _RawClient(server.address), _RawClient(server.address)
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
        f"server on port 0, public and private message delivered"
    )
    return 0
