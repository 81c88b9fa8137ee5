"""A hostile server (or a man in the middle) against a download: more bytes than announced, a wrong hash, another file.

The "server" is a raw socket the test controls, playing the transfer side
of the contract badly on purpose.  Whatever it sends, `download_file`
never writes more than the announced size, never accepts bytes whose
sha256 differs from the announcement, and says so with an error
(FileTransfers then deletes the partial file).  These held when the
second hostile review tried them; the tests keep them holding.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Callable

import pytest

from chat_gui.core.transfer_client import TransferInterrupted, download_file
from shared.errors import ProtocolError
from shared.file_transfer import FileError

DATA = b"worksheet " * 1000
DIGEST = hashlib.sha256(DATA).hexdigest()


def ready(size: int = len(DATA), sha256: str = DIGEST, offset: int = 0) -> bytes:
    frame = {"type": "transfer_ready", "offset": offset, "size": size, "sha256": sha256}
    return json.dumps({"content": "", "timestamp": "12:00:00", **frame}).encode() + b"\n"


class TransferPeer:
    """One connection at a time: read the client's hello line, then run `script(sock)`."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()[:2]
        self.script = script
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        with sock:
            try:
                sock.settimeout(10)
                hello = b""
                while b"\n" not in hello:
                    hello += sock.recv(4096)
                self.script(sock)
                sock.shutdown(socket.SHUT_WR)
                sock.recv(1)  # until the client closes
            except OSError:
                pass

    def connect(self) -> socket.socket:
        return socket.create_connection(self.address, timeout=10)

    def close(self) -> None:
        self.listener.close()
        self.thread.join(10)


SCRIPTS = {
    "extra-bytes-with-the-ready-line": lambda sock: sock.sendall(ready() + DATA + b"MORE" * 5000),
    "extra-bytes-after": lambda sock: (sock.sendall(ready()), sock.sendall(DATA), sock.sendall(b"MORE" * 5000)),
    "wrong-hash": lambda sock: sock.sendall(ready() + DATA[:-1] + b"X"),
    "another-file-under-the-token": lambda sock: sock.sendall(ready(size=len(DATA) * 100) + DATA * 100),
    "another-hash-under-the-token": lambda sock: sock.sendall(ready(sha256="0" * 64) + DATA),
    "a-line-that-never-ends": lambda sock: sock.sendall(b"{" + b" " * (1024 * 1024)),
    "ends-early": lambda sock: sock.sendall(ready() + DATA[:100]),
}


# Extra bytes after the announced ones: the download either stops at the announced size with the right bytes
# (they came after the end) or refuses (they came in the same read); it never keeps more.
EXTRA = {"extra-bytes-with-the-ready-line", "extra-bytes-after"}


@pytest.mark.parametrize("attack", SCRIPTS)
def test_a_download_takes_no_more_than_was_announced_and_only_the_announced_bytes(tmp_path, attack):
    peer = TransferPeer(SCRIPTS[attack])
    partial = tmp_path / "worksheet.pdf"
    refused: Exception | None = None
    try:
        download_file(peer.connect, "token", partial, len(DATA), DIGEST)
    except (FileError, ProtocolError, TransferInterrupted) as exc:
        refused = exc
    finally:
        peer.close()
    assert partial.stat().st_size <= len(DATA)
    if refused is None:
        assert attack in EXTRA, f"{attack} was accepted"
        assert partial.read_bytes() == DATA


def test_the_honest_download_still_works(tmp_path):
    peer = TransferPeer(lambda sock: sock.sendall(ready() + DATA))
    partial = tmp_path / "worksheet.pdf"
    try:
        download_file(peer.connect, "token", partial, len(DATA), DIGEST)
    finally:
        peer.close()
    assert partial.read_bytes() == DATA
