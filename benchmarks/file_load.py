"""File transfers as load: 25 MiB up and down through a ClassChat server, timed (a load process of its own).

    controller --forks--> transfer process: chat connection (NICK, JOIN benchfiles), then rounds of
                          UPLOAD + upload_file, DOWNLOAD + download_file (chat_gui.core.transfer_client),
                          until told to stop; each round's MB/s goes back over the pipe

Used alone (the `files` scenario: one round, nothing else running) and
beside a fanout scenario (rounds until the chat traffic ends), so the
issue's two figures come from the same code: the transfer speed, and the
chat p99 of the others while a transfer runs.  The transfers happen in a
room of their own, so the fanout clients see no `file` frames.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from chat_gui.core.transfer_client import download_file, sha256_of, upload_file
from shared.file_transfer import MIB, Target, upload_command
from shared.frames import Frame, command_frame, decode_frame, encode_frame

TIMEOUT = 60.0


class _Chat:
    """A minimal JSON chat connection that waits for one frame type at a time."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=TIMEOUT)
        self.pending = b""
        self.wait_for("welcome")

    def wait_for(self, *types: str) -> Frame:
        while True:
            while b"\n" not in self.pending:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("the server closed the chat connection")
                self.pending += data
            line, self.pending = self.pending.split(b"\n", 1)
            frame = decode_frame(line)
            if frame["type"] == "error":
                raise RuntimeError(f"the server refused: {frame.get('content')}")
            if frame["type"] in types:
                return frame

    def ask(self, content: str, answer: str) -> Frame:
        self.sock.sendall(encode_frame(command_frame(content)))
        return self.wait_for(answer)

    def close(self) -> None:
        self.sock.close()


def file_round(address: tuple[str, int], source: Path, digest: str, partial: Path, nick: str) -> tuple[float, float]:
    """One upload and one download of `source`; (upload MB/s, download MB/s), 1 MB = 10**6 bytes."""
    connect = lambda: socket.create_connection(address, timeout=TIMEOUT)  # noqa: E731
    chat = _Chat(address)
    try:
        chat.ask(f"NICK {nick}", "nick")  # a new sender each round: the per-sender rate allows 10 in 5 minutes
        chat.ask("JOIN benchfiles", "joined")
        size = source.stat().st_size
        ticket = chat.ask(upload_command(size, digest, Target(room="benchfiles"), source.name), "upload")
        started = time.perf_counter()
        done = upload_file(connect, str(ticket["token"]), source)
        upload_seconds = time.perf_counter() - started
        fetch = chat.ask(f"DOWNLOAD {done['file']}", "download")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        download_file(connect, str(fetch["token"]), partial, size, digest)
        download_seconds = time.perf_counter() - started
    finally:
        chat.close()
    return size / upload_seconds / 1e6, size / download_seconds / 1e6


def transfer_process_main(host: str, port: int, size_mib: int, rounds: int, pipe: Connection) -> None:
    """Run `rounds` rounds (0: until the controller sends "stop"); send back [(up, down), ...] or an error text."""
    speeds: list[tuple[float, float]] = []
    error = ""
    with tempfile.TemporaryDirectory(prefix="classchat-bench-files-") as folder:
        source = Path(folder) / "bench.bin"
        source.write_bytes(os.urandom(size_mib * MIB))
        digest = sha256_of(source)
        pipe.send("ready")
        number = 0
        while not (rounds and number >= rounds) and not (not rounds and pipe.poll()):
            number += 1
            try:
                speeds.append(file_round((host, port), source, digest, Path(folder) / "got.bin", f"benchfiles{number}"))
            except (OSError, RuntimeError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                break
    if not rounds and not error:
        pipe.recv()  # the "stop"
    pipe.send((speeds, error))
