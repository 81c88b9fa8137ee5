"""chat_gui.core.trust_store: pins per address, trust on first use, a changed key, a damaged file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chat_gui.core.trust_store import (
    KEPT_BROKEN_FILES,
    LOCK_FILE_NAME,
    MAX_STORE_BYTES,
    STORE_FILE_NAME,
    TrustStore,
    address_key,
    trust_store_path,
)
from shared.fingerprint import Fingerprint
from tests.pipe_trap import answer_despite_a_pipe

OLD = Fingerprint(bytes(range(32)))
NEW = Fingerprint(bytes(range(100, 132)))
ADDRESS = "192.168.1.20:55555"


@pytest.fixture
def store(tmp_path: Path) -> TrustStore:
    return TrustStore(tmp_path / "settings" / STORE_FILE_NAME)


def test_the_file_sits_beside_the_client_settings(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")  # the folder is chosen in shared/settings_file.py
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert trust_store_path() == tmp_path / "classchat" / STORE_FILE_NAME
    assert TrustStore().path == trust_store_path()


def test_first_use_pins_then_the_same_key_matches(store) -> None:
    first = store.check(ADDRESS, OLD)
    assert (first.status, first.pinned, first.presented) == ("new", None, OLD)
    assert store.pinned(ADDRESS) == OLD
    again = store.check(ADDRESS, OLD)
    assert (again.status, again.pinned) == ("match", OLD)
    assert again.pinned_since.endswith("Z")


def test_a_changed_key_is_reported_with_both_and_not_saved(store) -> None:
    store.check(ADDRESS, OLD)
    changed = store.check(ADDRESS, NEW)
    assert (changed.status, changed.pinned, changed.presented) == ("changed", OLD, NEW)
    assert store.pinned(ADDRESS) == OLD
    assert store.check(ADDRESS, NEW).status == "changed"  # asking again does not wear it down


def test_accepting_the_new_key_replaces_the_pin(store) -> None:
    store.check(ADDRESS, OLD)
    assert store.accept(ADDRESS, NEW)
    assert store.check(ADDRESS, NEW).status == "match"
    assert store.check(ADDRESS, OLD).status == "changed"


def test_pins_are_per_address(store) -> None:
    store.check(ADDRESS, OLD)
    assert store.check("192.168.1.20:55556", NEW).status == "new"
    assert store.check("192.168.1.21:55555", NEW).status == "new"
    assert store.check(ADDRESS, OLD).status == "match"


def test_pins_outlive_the_store_object(store) -> None:
    store.check(ADDRESS, OLD)
    assert TrustStore(store.path).check(ADDRESS, OLD).status == "match"
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["servers"][ADDRESS]["sha256"] == OLD.hex


def test_forget_drops_a_pin(store) -> None:
    store.check(ADDRESS, OLD)
    assert store.forget(ADDRESS)
    assert not store.forget(ADDRESS)
    assert store.check(ADDRESS, NEW).status == "new"


def test_allowing_plain_keeps_the_pin_and_tls_coming_back_clears_the_mark(store) -> None:
    assert not store.allow_plain(ADDRESS)  # nothing pinned: nothing to allow
    store.check(ADDRESS, OLD)
    assert not store.plain_allowed(ADDRESS)
    assert store.allow_plain(ADDRESS)
    assert store.plain_allowed(ADDRESS) and store.pinned(ADDRESS) == OLD
    entry = json.loads(store.path.read_text(encoding="utf-8"))["servers"][ADDRESS]
    assert entry["sha256"] == OLD.hex and entry["plain_since"].endswith("Z")
    assert store.check(ADDRESS, NEW).status == "changed"  # another key is not "new" after a plain spell
    assert store.plain_allowed(ADDRESS)
    assert store.check(ADDRESS, OLD).status == "match"
    assert not store.plain_allowed(ADDRESS)  # TLS is back with the pinned key: losing it again warns again
    store.allow_plain(ADDRESS)
    assert store.accept(ADDRESS, NEW) and not store.plain_allowed(ADDRESS)


def test_writes_leave_no_temporary_files(store) -> None:
    for n in range(5):
        store.accept(f"10.0.0.{n}:55555", OLD)
    assert sorted(p.name for p in store.path.parent.iterdir()) == [LOCK_FILE_NAME, STORE_FILE_NAME]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'"text"',
        b'{"servers": []}',
        b'{"servers": {"a:1": "not an object"}}',
        json.dumps({"servers": {ADDRESS: {"sha256": "xyz"}}}).encode(),
        json.dumps({"servers": {ADDRESS: {"sha256": "00" * 31}}}).encode(),
        json.dumps({"servers": {ADDRESS: {"sha256": 12}}}).encode(),
        b"[" * 100_000,  # chat-term's connecting thread died of a RecursionError and it said "connecting" for good
        b'{"version": 1, "servers": ' + b"{" * 100_000,
        json.dumps({"servers": {f"10.{n}:1": {"sha256": OLD.hex} for n in range(MAX_STORE_BYTES // 70)}}).encode(),
    ],
    ids=[
        "empty",
        "cut-json",
        "binary",
        "list",
        "string",
        "servers-list",
        "entry-string",
        "bad-hex",
        "short",
        "number",
        "deep",
        "deep-servers",
        "oversize",
    ],
)
def test_damaged_content_gives_an_empty_store_and_is_kept_aside(store, content: bytes) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    assert store.pinned(ADDRESS) is None
    assert store.check(ADDRESS, NEW).status == "new"  # no crash, and it works again
    assert store.check(ADDRESS, NEW).status == "match"
    assert store.path.with_name(STORE_FILE_NAME + ".broken").read_bytes() == content


def test_each_damaged_file_is_kept_aside_up_to_a_few(store) -> None:
    store.path.parent.mkdir(parents=True)
    for n in range(KEPT_BROKEN_FILES + 2):
        store.path.write_bytes(b"damage %d" % n)
        assert store.check(ADDRESS, NEW).store_damaged
    kept = sorted(p.name for p in store.path.parent.glob(STORE_FILE_NAME + ".broken*"))
    assert len(kept) == KEPT_BROKEN_FILES
    assert store.path.with_name(STORE_FILE_NAME + ".broken").read_bytes() == b"damage 0"  # the first is never lost
    assert store.path.with_name(STORE_FILE_NAME + ".broken.1").read_bytes() == b"damage 1"
    last = store.path.with_name(f"{STORE_FILE_NAME}.broken.{KEPT_BROKEN_FILES - 1}")
    assert last.read_bytes() == b"damage %d" % (KEPT_BROKEN_FILES + 1)  # the newest replaces only the last


def test_a_damaged_entry_does_not_lose_the_good_ones(store) -> None:
    store.path.parent.mkdir(parents=True)
    data = {"version": 1, "servers": {ADDRESS: {"sha256": OLD.hex, "since": "x"}, "b:1": {"sha256": "zz"}}}
    store.path.write_text(json.dumps(data), encoding="utf-8")
    assert store.check(ADDRESS, OLD).status == "match"
    assert store.pinned("b:1") is None


def test_a_store_that_cannot_be_written_still_answers(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    store = TrustStore(blocker / STORE_FILE_NAME)
    assert store.check(ADDRESS, OLD).status == "new"
    assert store.accept(ADDRESS, OLD) is False


def test_a_long_form_pin_written_by_hand_is_read(store) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"servers": {ADDRESS: {"sha256": OLD.long}}}), encoding="utf-8")
    assert store.check(ADDRESS, OLD).status == "match"


def test_threads_checking_at_once_pin_once(store) -> None:
    answers: list[str] = []
    lock = threading.Lock()

    def check() -> None:
        status = store.check(ADDRESS, OLD).status
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=check) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["match"] * 19 + ["new"]


def test_two_store_objects_see_each_others_pins(store) -> None:
    other = TrustStore(store.path)
    store.check(ADDRESS, OLD)
    other.check("10.0.0.1:55555", NEW)
    assert store.pinned("10.0.0.1:55555") == NEW and other.pinned(ADDRESS) == OLD


@pytest.mark.parametrize(
    "host, port, expected",
    [
        ("LocalHost", 55555, "localhost:55555"),
        ("chat.school.lan.", 55555, "chat.school.lan:55555"),
        (" 192.168.1.20 ", 55555, "192.168.1.20:55555"),
        ("::1", 55555, "[::1]:55555"),
        ("[0:0:0:0:0:0:0:1]", 55555, "[::1]:55555"),
        ("FE80::1", 1, "[fe80::1]:1"),
    ],
)
def test_address_keys_are_normalised(host: str, port: int, expected: str) -> None:
    assert address_key(host, port) == expected


def test_the_file_is_replaced_atomically(store, monkeypatch) -> None:
    """A crash between writing and renaming leaves the old file whole."""
    store.check(ADDRESS, OLD)
    before = store.path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    assert store.accept(ADDRESS, NEW) is False
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == [LOCK_FILE_NAME, STORE_FILE_NAME]


PINNING_PROCESS = """
import sys
from pathlib import Path
from chat_gui.core.trust_store import TrustStore
from shared.fingerprint import Fingerprint
from tests.pipe_trap import answer_despite_a_pipe
store = TrustStore(Path(sys.argv[1]))
for n in range(int(sys.argv[3])):
    store.check(f"{sys.argv[2]}.{n}:55555", Fingerprint(bytes(32)))
"""


def test_processes_pinning_at_once_keep_every_pin(store) -> None:
    """The window and chat-term pinning at the same moment: no read-modify-write loses the other's pin."""
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    processes = [
        subprocess.Popen([sys.executable, "-c", PINNING_PROCESS, str(store.path), f"10.0.{n}", "60"], env=environment)
        for n in range(3)
    ]
    for process in processes:
        assert process.wait(timeout=60) == 0
    assert len(store.all_pinned()) == 180  # 103 to 150 of 180 were kept before the lock


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_in_place_of_the_file_is_a_damaged_store_not_a_wait(store) -> None:
    """Found by a probe: chat-term's connecting thread waited on the pipe for good ("waiting to send" forever)."""
    assert answer_despite_a_pipe(store.path, lambda: store.check(ADDRESS, OLD).status) == "new"
    assert store.path.is_file() and store.check(ADDRESS, OLD).status == "match"


def test_a_new_pin_says_whether_the_store_was_damaged(store) -> None:
    assert not store.check(ADDRESS, OLD).store_damaged  # no file yet: a plain first use
    store.path.write_bytes(b"\x00garbage")
    damaged = store.check("10.0.0.9:55555", NEW)
    assert damaged.status == "new" and damaged.store_damaged
    assert not store.check("10.0.0.10:55555", NEW).store_damaged  # the file is whole again
