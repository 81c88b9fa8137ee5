"""The headless server's encryption: the key's fingerprint in its banner, kept across restarts, --no-tls said plainly,
a --cert that cannot be used stops the start with a sentence and exit code 2 (real `python -m chat_server`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chat_server.tls.server_tls import NO_TLS_LINE
from shared.fingerprint import Fingerprint
from tests.integration.test_headless_script import ROOT, ScriptRun, script_env
from tests.integration.test_tls_chat_server import expired_pair
from tests.integration.wire import DEADLINE, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


@pytest.fixture
def script():
    """script(*options) -> a running `python -m chat_server --no-console`; ended afterwards, with no traceback."""
    runs: list[ScriptRun] = []

    def start(*args: str) -> ScriptRun:
        runs.append(ScriptRun(*args))
        return runs[-1]

    yield start
    errors = [run.end() for run in runs]
    assert not any("Traceback" in text for text in errors), "\n".join(errors)


FINGERPRINT_LINE = r"Server key fingerprint: ((?:\d{4} ){4}\d{4})$"


def test_the_banner_shows_the_key_clients_see_and_a_restart_keeps_it(script, tmp_path) -> None:
    data = str(tmp_path / "data")
    first = script("--port", "0", "--data-dir", data)
    address = first.address()
    short = first.wait_for_line(FINGERPRINT_LINE).group(1)
    assert first.wait_for_line(r"certificate made now")
    first.wait_for_line(r"Students compare these 20 digits")
    client = WireClient(address, tls=True)
    assert client.channel is not None
    seen = client.channel.peer_certificate()
    assert seen is not None and Fingerprint.of_certificate(seen).short == short
    client.close()
    first.end()

    again = script("--port", "0", "--data-dir", data)
    again.address()
    assert again.wait_for_line(FINGERPRINT_LINE).group(1) == short
    assert again.wait_for_line(r"certificate kept")


def test_no_tls_says_the_connections_are_not_encrypted(script, tmp_path) -> None:
    run = script("--port", "0", "--no-tls", "--data-dir", str(tmp_path))
    run.address()
    assert run.wait_for_line(r"^Encryption: off").group(0) == NO_TLS_LINE[: len("Encryption: off")]
    assert not (tmp_path / "tls-certificate.pem").exists()


def chat_server(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chat_server", "--no-console", "--port", "0", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=script_env(),
        timeout=DEADLINE * 3,
    )


def test_an_expired_cert_stops_the_start_with_a_sentence_and_exit_2(tmp_path) -> None:
    cert_path, key_path = expired_pair(tmp_path)
    done = chat_server("--cert", str(cert_path), "--key", str(key_path), "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert "cannot start" in done.stderr and "expired" in done.stderr and "Traceback" not in done.stderr
    assert "listening on" not in done.stdout


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (("--cert", "x.pem"), "--cert and --key go together"),
        (("--key", "x.pem"), "--cert and --key go together"),
        (("--no-tls", "--require-tls"), "not allowed with"),
        (("--no-tls", "--cert", "a.pem", "--key", "b.pem"), "need TLS"),
    ],
)
def test_options_that_cannot_work_together_are_refused_before_anything_starts(options, complaint) -> None:
    done = chat_server(*options)
    assert done.returncode == 2 and complaint in done.stderr, done.stderr
