"""Out of file descriptors: the headless server, started with a tiny open-file limit, is flooded with connections.

accept() then fails with EMFILE while the listening socket stays readable;
the server must pause rather than spin, warn once, keep serving the clients
it has, and take the waiting ones as soon as descriptors are free again.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.procstat import sample
from tests.support import wait_until

FILE_LIMIT = 64
FLOOD = 100
REPO_ROOT = Path(__file__).resolve().parents[2]


def _tiny_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


def _welcomed(sock: socket.socket) -> bool:
    sock.settimeout(0.05)
    try:
        return b'"type":"welcome"' in sock.recv(65536)
    except (TimeoutError, BlockingIOError):
        return False


def test_running_out_of_file_descriptors_pauses_accept_and_recovers(tmp_path):
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chat_server",
                "--port",
                "0",
                "--no-console",
                "--max-per-address",  # a hundred connections come from 127.0.0.1
                "0",
                "--max-unregistered-per-address",
                "0",
                "--max-clients",
                "0",
                "--log-level",
                "WARNING",
            ],
            cwd=REPO_ROOT,
            env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            preexec_fn=_tiny_file_limit,
        )
    flood: list[socket.socket] = []
    try:
        banner = server.stdout.readline().decode()
        port = int(banner.rsplit(":", 1)[1].split()[0])
        flood = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(FLOOD)]
        for sock in flood:  # a blank line first, as ClassChat's clients speak first: no first-byte wait
            sock.sendall(b"\n")
        wait_until(lambda: b"cannot accept more connections" in log_path.read_bytes(), 10)

        # Waiting for descriptors costs (next to) no CPU: a spinning accept loop would burn the whole second.
        before = sample(server.pid).cpu_seconds
        time.sleep(1.0)
        assert sample(server.pid).cpu_seconds - before < 0.5

        welcomed = [sock for sock in flood if _welcomed(sock)]
        assert 0 < len(welcomed) < FLOOD
        for sock in welcomed[:30]:
            sock.close()
        waiting = [sock for sock in flood if sock not in welcomed]
        # Descriptors are free again: some of those left in the listen queue get in now.
        wait_until(lambda: any(_welcomed(sock) for sock in waiting), 10)
        assert log_path.read_bytes().count(b"cannot accept more connections") == 1
    finally:
        for sock in flood:
            sock.close()
        server.terminate()
        assert server.wait(20) == 0
        server.stdout.close()
