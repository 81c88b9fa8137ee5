"""Raw-socket helpers for the file-transfer tests: a toy chat connection and a hand-driven transfer connection."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from chat_gui.core.transfer_client import download_file, sha256_of, upload_file
from shared.file_transfer import parse_target, transfer_hello, upload_command
from shared.frames import Frame, command_frame, decode_frame, encode_frame
from tests.support import stop_process, wait_until

DEADLINE = 30.0  # generous: two cores shared by several engineers


class ChatLine:
    """A JSON chat connection that keeps frames it was not waiting for (announcements arrive at any time)."""

    def __init__(
        self,
        address: tuple[str, int],
        nick: str | None = None,
        room: str | None = None,
        speak_first: bool = True,
        source: str | None = None,
    ) -> None:
        self.address = address
        self.sock = socket.create_connection(address, timeout=DEADLINE, source_address=(source, 0) if source else None)
        self.pending = b""
        self.inbox: list[Frame] = []
        # Speak first (a blank line, ignored), as the bundled clients do: a server that offers TLS waits
        # up to 2 s for a silent client's first byte before it greets it in plain.  (The wave-1 transfer
        # prototype server, which has no TLS, takes no blank line: its tests pass speak_first=False.)
        if speak_first:
            self.sock.sendall(b"\n")
        self.expect("welcome")
        if nick is not None:
            self.request(f"NICK {nick}", "nick")
        if room is not None:
            self.request(f"JOIN {room}", "joined")

    def close(self) -> None:
        self.sock.close()

    def send(self, content: str) -> None:
        self.sock.sendall(encode_frame(command_frame(content)))

    def _read(self, deadline: float) -> Frame:
        while b"\n" not in self.pending:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError("the server closed the chat connection")
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        return decode_frame(line)

    def expect(self, *types: str, timeout: float = DEADLINE) -> Frame:
        """The first frame (kept or new) of one of `types`; an unexpected `error` fails the test."""
        for index, frame in enumerate(self.inbox):
            if frame["type"] in types:
                return self.inbox.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            frame = self._read(deadline)
            if frame["type"] in types:
                return frame
            if frame["type"] == "error":
                raise AssertionError(f"unexpected error while waiting for {types}: {frame}")
            self.inbox.append(frame)

    def request(self, content: str, answer: str) -> Frame:
        """Send a command and return its answer: a frame of type `answer`, or the `error` frame."""
        self.send(content)
        return self.expect(answer, "error")

    def has_frame(self, kind: str, wait: float = 0.3) -> bool:
        """True if a frame of `kind` arrives within `wait` seconds (for checking that one does NOT)."""
        try:
            self.inbox.append(self.expect(kind, timeout=wait))
        except (TimeoutError, OSError):
            return False
        return True


def connector(address: tuple[str, int]):
    return lambda: socket.create_connection(address, timeout=DEADLINE)


def offer(chat: ChatLine, path: Path, target: str = "#general", name: str | None = None, sha256: str | None = None):
    """UPLOAD for the file at `path`; the `upload` (or `error`) frame."""
    size = path.stat().st_size
    digest = sha256 or sha256_of(path)
    return chat.request(upload_command(size, digest, parse_target(target), name or path.name), "upload")


def share(chat: ChatLine, path: Path, target: str = "#general") -> tuple[Frame, Frame]:
    """UPLOAD and send the file; (the upload ticket, transfer_done)."""
    ticket = offer(chat, path, target)
    assert ticket["type"] == "upload", ticket
    done = upload_file(connector(chat.address), ticket["token"], path)
    return ticket, dict(done)


def fetch(chat: ChatLine, file_id: str, into: Path) -> Path:
    """DOWNLOAD a file into the file `into` and check its hash; the path."""
    ticket = chat.request(f"DOWNLOAD {file_id}", "download")
    assert ticket["type"] == "download", ticket
    download_file(connector(chat.address), ticket["token"], into, ticket["size"], ticket["sha256"])
    return into


class RawTransfer:
    """A transfer connection driven by hand: the hello, then `transfer_ready`, then whatever the test does."""

    def __init__(self, address: tuple[str, int], token: str, offset: int = 0, rcvbuf: int | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(DEADLINE)
        self.sock.connect(address)
        self.pending = b""
        self.sock.sendall(encode_frame(transfer_hello(token, offset)))
        self.reply = self.next_frame()

    def next_frame(self) -> Frame:
        while True:
            while b"\n" not in self.pending:
                data = self.sock.recv(65536)
                if not data:
                    raise AssertionError("closed before a line")
                self.pending += data
            line, self.pending = self.pending.split(b"\n", 1)
            frame = decode_frame(line)
            if frame["type"] != "welcome":
                return frame

    def receive_exactly(self, count: int) -> bytes:
        data, self.pending = self.pending[:count], self.pending[count:]
        while len(data) < count:
            more = self.sock.recv(min(65536, count - len(data)))
            if not more:
                break
            data += more
        return data

    def receive_to_end(self) -> bytes:
        data, self.pending = self.pending, b""
        while True:
            try:
                more = self.sock.recv(65536)
            except ConnectionResetError:
                return data
            if not more:
                return data
            data += more

    def close(self) -> None:
        self.sock.close()


ROOT = Path(__file__).resolve().parents[2]


class ProtoProcess:
    """tests.integration.file_proto_server in a subprocess, so it can be killed like a crashed server.

    With `tmpfs_mb` it runs inside a user and mount namespace (`unshare -rm`)
    on a tmpfs of that size mounted over `data`, so the kernel itself
    answers ENOSPC when it fills.
    """

    def __init__(self, data: Path, tmpfs_mb: int | None = None, **options: float) -> None:
        self.data = data
        data.mkdir(parents=True, exist_ok=True)
        server = [sys.executable, "-m", "tests.integration.file_proto_server", str(data)]
        for option, value in options.items():
            server += [f"--{option.replace('_', '-')}", str(value)]
        if tmpfs_mb is not None:
            mount = f'mount -t tmpfs -o size={tmpfs_mb}m tmpfs "$0" && exec "$@"'
            command = ["unshare", "-rm", "sh", "-c", mount, str(data), *server]
        else:
            command = server
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            stop_process(self.process)
            raise AssertionError(f"the stand-in server did not start: {line!r}")
        self.address = ("127.0.0.1", int(line.split()[1]))

    def state(self, chat: ChatLine) -> Frame:
        return chat.request("STATE", "state")

    def partial_size(self, upload_id: str) -> int:
        try:
            return os.stat(self.data / "uploads" / f"{upload_id}.part").st_size
        except OSError:
            return -1

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_sending(server, ticket: Frame, part: bytes) -> None:
    """Send the first bytes of an upload and close that transfer connection: the upload is paused, with bytes.

    An upload that holds no byte is voided when its sender leaves the chat,
    so a test of what happens to an upload after its sender left starts it.
    """
    transfer = RawTransfer(server.address, ticket["token"])
    assert transfer.reply["type"] == "transfer_ready", transfer.reply
    transfer.sock.sendall(part)
    wait_until(lambda: server.files.store.offset_of(ticket["upload"]) >= len(part), timeout=DEADLINE)
    transfer.close()
