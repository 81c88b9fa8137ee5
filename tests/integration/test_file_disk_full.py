"""A disk that really fills up: the stand-in server on a 4 MiB tmpfs of its own (user and mount namespace).

The kernel answers ENOSPC, nothing is faked.  Where user namespaces are not
allowed (or off Linux) these tests are skipped; the quota tests in
test_file_transfer_prototype.py cover the same refusal path everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from chat_gui.core.transfer_client import upload_file
from shared.file_transfer import MIB, FileError
from tests.integration.file_wire import ChatLine, ProtoProcess, connector, offer, share


def _namespaces_work() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="user and mount namespaces are not allowed here")


def test_a_disk_that_fills_up_mid_upload_gives_storage_full_removes_the_partial_and_chat_goes_on(tmp_path):
    server = ProtoProcess(tmp_path / "small-disk", tmpfs_mb=4, keep_free_mb=0)
    try:
        alice = ChatLine(server.address, "alice", "general", speak_first=False)
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(6 * MIB))
        ticket = offer(alice, big)
        assert ticket["type"] == "upload"  # no free-space check asked for: the disk itself must say no
        with pytest.raises(FileError) as refused:
            upload_file(connector(server.address), ticket["token"], big)
        assert refused.value.code == "storage_full" and "disk is full" in refused.value.message
        state = server.state(alice)
        assert state["uploads_dir"] == [] and state["reserved_bytes"] == 0 and state["announced"] == []
        assert alice.request("PING on", "pong")["token"] == "on"
        small = tmp_path / "small.bin"
        small.write_bytes(os.urandom(100_000))
        assert share(alice, small)[1]["size"] == 100_000
        alice.close()
    finally:
        server.kill()


def test_an_upload_that_would_leave_too_little_free_disk_is_refused_before_a_byte_is_sent(tmp_path):
    server = ProtoProcess(tmp_path / "small-disk", tmpfs_mb=4, keep_free_mb=1)
    try:
        alice = ChatLine(server.address, "alice", "general", speak_first=False)
        three = tmp_path / "three.bin"
        three.write_bytes(os.urandom(3 * MIB + 512 * 1024))
        refused = offer(alice, three)
        assert refused["code"] == "storage_full" and "too little free space" in refused["content"]
        assert server.state(alice)["uploads_dir"] == []
        two = tmp_path / "two.bin"
        two.write_bytes(os.urandom(2 * MIB))
        assert share(alice, two)[1]["size"] == 2 * MIB
        alice.close()
    finally:
        server.kill()
