"""The servers under test, each started in its own process on a loopback port (controller process).

ClassChat runs as `python -m chat_server` with rate limiting and the per-address limits off.  For the
comparison the same generator can drive miniircd (PyPI package
`miniircd`) and ngIRCd (Debian package `ngircd`), started here in the
foreground with a configuration written to a temporary folder; whatever is
not installed is reported as skipped.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT = 15.0
STOP_TIMEOUT = 20.0
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunningServer:
    kind: str
    dialect: str
    process: subprocess.Popen
    port: int
    workdir: str | None = None
    tls: bool = False  # the load clients speak TLS to it

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self) -> str:
        return _log_tail(self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.log_file.close()  # type: ignore[attr-defined]
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class ServerUnavailable(Exception):
    pass


SERVER_KINDS = ("classchat", "miniircd", "ngircd")


@dataclass(frozen=True)
class ServerChoice:
    """One server of a run, as written on the command line: `classchat`, `classchat@REV`, `classchat[--no-history]`.

    `@REV` runs ClassChat as it was at that git revision (an archive of it is
    unpacked in a temporary folder), so "before" and "after" are measured in
    the same run on the same machine; `[...]` adds server options (split on
    spaces), e.g. history off, or `--require-tls`, with which the load clients
    speak TLS too (so `classchat,classchat[--require-tls]` is plain against TLS).
    """

    kind: str
    revision: str = ""
    options: tuple[str, ...] = ()

    @property
    def tls(self) -> bool:
        """Load clients speak TLS to a server that requires it (`classchat[--require-tls]`), plain otherwise."""
        return "--require-tls" in self.options

    @property
    def label(self) -> str:
        label = self.kind + (f"@{self.revision}" if self.revision else "")
        return label + (f"[{' '.join(self.options)}]" if self.options else "")

    @classmethod
    def parse(cls, text: str) -> ServerChoice:
        options: tuple[str, ...] = ()
        if text.endswith("]") and "[" in text:
            text, _, inside = text[:-1].partition("[")
            options = tuple(inside.split())
        kind, _, revision = text.partition("@")
        if kind not in SERVER_KINDS:
            raise ValueError(f"unknown server {kind!r}; choose from {', '.join(SERVER_KINDS)}")
        if (revision or options) and kind != "classchat":
            raise ValueError("@REV and [options] apply to classchat only")
        return cls(kind, revision, options)


def unpack_revision(revision: str) -> str:
    """ClassChat as it was at `revision`, unpacked in a new temporary folder (git archive); returns the folder."""
    folder = tempfile.mkdtemp(prefix=f"classchat-bench-{revision}-")
    archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", revision], capture_output=True, check=False)
    if archive.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServerUnavailable(f"git archive {revision} failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
    return folder


def _supports(root: Path, option: str) -> bool:
    """Whether the ClassChat server in `root` knows a command-line option (older revisions lack the newer limits)."""
    for name in ("options.py", "cli.py"):
        source = root / "chat_server" / name
        if source.exists() and f'"{option}"' in source.read_text(encoding="utf-8"):
            return True
    return False


def free_port(first: int, last: int) -> int:
    """A port of first..last that is free now, from a random start: two runs at once seldom pick the same one."""
    span = last - first + 1
    start = random.randrange(span)
    for port in (first + (start + step) % span for step in range(span)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerUnavailable(f"no free port in {first}-{last}")


def start_server(choice: ServerChoice, port: int, max_clients: int, source_root: Path = REPO_ROOT) -> RunningServer:
    kind = choice.kind
    if kind == "classchat":
        command = [
            sys.executable,
            "-m",
            "chat_server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--max-clients",
            str(max_clients),
            "--rate",
            "0",
            "--log-level",
            "WARNING",
            # A listen queue that holds everybody who connects at once (the kernel caps it at somaxconn).
            "--backlog",
            str(max(1024, max_clients)),
            "--no-console",
        ]
        data_dir = None
        if _supports(source_root, "--data-dir"):  # a folder of its own, removed with the server
            data_dir = tempfile.mkdtemp(prefix="classchat-bench-data-")
            command += ["--data-dir", data_dir]
        # Every simulated client connects from 127.0.0.1: lift the per-address limits (older revisions lack them),
        # and the rate of new files, which counts per address too (the file scenarios share one file after another).
        for limit in ("--max-per-address", "--max-unregistered-per-address", "--files-per-5-minutes"):
            if _supports(source_root, limit):
                command += [limit, "0"]
        command += list(choice.options)
        env = dict(os.environ, PYTHONPATH=str(source_root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        server = RunningServer(choice.label, "classchat", _spawn(command, env, source_root), port, data_dir, choice.tls)
    elif kind == "miniircd":
        program = shutil.which("miniircd")
        if program is None:
            raise ServerUnavailable("miniircd is not installed (pip install miniircd)")
        command = [sys.executable, program, "--listen", "127.0.0.1", "--ports", str(port)]
        if os.geteuid() == 0:
            command += ["--setuid", "root"]  # miniircd refuses root unless told it is meant
        server = RunningServer(kind, "irc", _spawn(command, None), port)
    elif kind == "ngircd":
        program = shutil.which("ngircd") or ("/usr/sbin/ngircd" if os.path.exists("/usr/sbin/ngircd") else None)
        if program is None:
            raise ServerUnavailable("ngIRCd is not installed (apt-get install ngircd)")
        workdir = tempfile.mkdtemp(prefix="classchat-bench-ngircd-")
        config = Path(workdir) / "ngircd.conf"
        config.write_text(_ngircd_config(port, workdir))
        server = RunningServer(
            kind, "irc", _spawn([program, "--nodaemon", "--config", str(config)], None), port, workdir
        )
    else:
        raise ValueError(f"unknown server {kind}")
    _wait_until_listening(server)
    return server


def _spawn(command: list[str], env: dict[str, str] | None, cwd: Path = REPO_ROOT) -> subprocess.Popen[bytes]:
    # A file, not a pipe: a server that logs every connection must never block on a full pipe.
    log_file = tempfile.TemporaryFile()  # noqa: SIM115 (kept open with the process)
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, cwd=cwd
    )
    process.log_file = log_file  # type: ignore[attr-defined]
    return process


def _log_tail(process: subprocess.Popen) -> str:
    log_file = process.log_file  # type: ignore[attr-defined]
    log_file.seek(0)
    return log_file.read().decode(errors="replace").strip()[-500:]


def _wait_until_listening(server: RunningServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerUnavailable(f"{server.kind} exited at start: {_log_tail(server.process)}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise ServerUnavailable(f"{server.kind} did not listen on port {server.port} within {READY_TIMEOUT:g} s")


def _ngircd_config(port: int, workdir: str) -> str:
    # Limits off so that the comparison is about speed, not about refusals.
    return f"""[Global]
    Name = bench.invalid
    Info = ClassChat benchmark comparison
    Listen = 127.0.0.1
    Ports = {port}
    PidFile = {workdir}/ngircd.pid
    MotdPhrase = benchmark
[Limits]
    MaxConnections = 0
    MaxConnectionsIP = 0
    MaxJoins = 0
    MaxPenaltyTime = 0
    MaxNickLength = 30
    PingTimeout = 600
    PongTimeout = 600
[Options]
    DNS = no
    Ident = no
    PAM = no
"""
