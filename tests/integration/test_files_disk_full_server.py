"""The real chat-server process on a 4 MiB tmpfs of its own (user and mount namespace): a disk that really fills.

The kernel answers ENOSPC, nothing is faked: the upload stops with
`storage_full`, the partial file goes, and chat goes on.  Skipped where user
namespaces are not allowed (or off Linux).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chat_gui.core.transfer_client import upload_file
from shared.file_transfer import MIB, FileError
from tests.integration.file_wire import ChatLine, connector, offer, share
from tests.integration.test_file_disk_full import _namespaces_work
from tests.support import stop_process

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="user and mount namespaces are not allowed here")


@pytest.fixture
def small_disk_server(tmp_path):
    data = tmp_path / "small-disk"
    data.mkdir()
    server = [sys.executable, "-m", "chat_server", "--host", "127.0.0.1", "--port", "0", "--no-console"]
    server += ["--data-dir", str(data), "--files-keep-free-mb", "0", "--max-unregistered-per-address", "50"]
    mount = 'mount -t tmpfs -o size=4m tmpfs "$0" && exec "$@"'
    process = subprocess.Popen(
        ["unshare", "-rm", "sh", "-c", mount, str(data), *server],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if found:
            break
    else:
        stop_process(process)
        raise AssertionError("the server did not start")
    yield ("127.0.0.1", int(found.group(1)))
    stop_process(process)
    process.stdout.close()


def test_a_disk_that_fills_mid_upload_gives_storage_full_and_chat_goes_on(small_disk_server, tmp_path):
    alice = ChatLine(small_disk_server, "alice", "general")
    bob = ChatLine(small_disk_server, "bob", "general")
    try:
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(6 * MIB))
        ticket = offer(alice, big)
        assert ticket["type"] == "upload"  # the free-space check is off: the disk itself must say no
        with pytest.raises(FileError) as refused:
            upload_file(connector(small_disk_server), ticket["token"], big)
        assert refused.value.code == "storage_full" and "disk is full" in refused.value.message
        assert not bob.has_frame("file")
        alice.send("SAY still talking")
        assert bob.expect("message")["content"] == "still talking"
        small = tmp_path / "small.bin"
        small.write_bytes(os.urandom(200_000))
        assert share(alice, small)[1]["size"] == 200_000  # the partial file was removed: room again
        assert bob.expect("file")["size"] == 200_000
    finally:
        alice.close()
        bob.close()
