"""File transfers as load: 25 MiB up and down through a ClassChat server, timed (a load process of its own).

    controller --forks--> transfer process: chat connection (NICK, JOIN benchfiles), then rounds of
                          UPLOAD + upload_file, DOWNLOAD + download_file (chat_gui.core.transfer_client),
                          until told to stop; each round's MB/s goes back over the pipe

Used alone (the `files` scenario: one round, nothing else running) and
beside a fanout scenario (rounds until the chat traffic ends), so the
issue's two figures come from the same code: the transfer speed, and the
chat p99 of the others while a transfer runs.  The transfers happen in a
room of their own, so the fanout clients see no `file` frames.

Against a server with --require-tls every connection (chat and transfer)
speaks TLS as the real client does: `start_tls` with trust on first use
(a trust store in the process's temporary folder pins the benchmark
server's key on the first connection, later ones must match it), then a
`shared.tls_socket.TlsSocket`, so the transfer code runs its TLS path (no
sendfile) exactly as in the chat window.  A plain chat connection speaks
first (a blank line), as the real client does, so a server that offers TLS
does not wait 2 s for its first byte.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import cast

from chat_gui.core.tls_client import start_tls
from chat_gui.core.transfer_client import download_file, sha256_of, upload_file
from chat_gui.core.trust_store import TrustStore
from shared.file_transfer import MIB, FileError, Target, upload_command
from shared.frames import Frame, command_frame, decode_frame, encode_frame
from shared.tls_channel import TlsError
from shared.tls_socket import TlsSocket

TIMEOUT = 60.0


Connector = Callable[[], socket.socket]


def connector(address: tuple[str, int], trust: TrustStore | None) -> Connector:
    """How this process opens connections: plain, or (with a trust store) TLS with the key pinned on first use."""
    if trust is None:
        return lambda: socket.create_connection(address, timeout=TIMEOUT)

    def encrypted() -> socket.socket:
        sock = socket.create_connection(address, timeout=TIMEOUT)
        try:
            tls = start_tls(sock, address[0], address[1], trust)
        except TlsError as exc:  # an OSError to the callers, like the real client's connector
            sock.close()
            raise ConnectionError(f"TLS failed: {exc}") from None
        return cast(socket.socket, TlsSocket(sock, tls.channel, tls.early_data))

    return encrypted


class _Chat:
    """A minimal JSON chat connection that waits for one frame type at a time."""

    def __init__(self, connect: Connector, encrypted: bool) -> None:
        self.sock = connect()
        if not encrypted:
            self.sock.sendall(b"\n")  # speak first: a server that offers TLS waits 2 s for a silent client
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


def file_round(
    connect: Connector, encrypted: bool, source: Path, digest: str, partial: Path, nick: str
) -> tuple[float, float]:
    """One upload and one download of `source`; (upload MB/s, download MB/s), 1 MB = 10**6 bytes."""
    chat = _Chat(connect, encrypted)
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


def transfer_process_main(
    host: str, port: int, size_mib: int, rounds: int, pipe: Connection, tls: bool = False
) -> None:
    """Run `rounds` rounds (0: until the controller sends "stop"); send back [(up, down), ...] or an error text.

    With `tls` every connection is encrypted, as the chat window's are against a server with TLS.
    """
    speeds: list[tuple[float, float]] = []
    error = ""
    with tempfile.TemporaryDirectory(prefix="classchat-bench-files-") as folder:
        source = Path(folder) / "bench.bin"
        source.write_bytes(os.urandom(size_mib * MIB))
        digest = sha256_of(source)
        trust = TrustStore(Path(folder) / "known_servers.json") if tls else None
        connect = connector((host, port), trust)
        pipe.send("ready")
        number = 0
        while not (rounds and number >= rounds) and not (not rounds and pipe.poll()):
            number += 1
            try:
                speeds.append(file_round(connect, tls, source, digest, Path(folder) / "got.bin", f"benchfiles{number}"))
            except (OSError, RuntimeError, ValueError, TlsError, FileError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                break
    if not rounds and not error:
        pipe.recv()  # the "stop"
    pipe.send((speeds, error))
