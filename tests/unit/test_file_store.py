"""Unit tests for chat_server/files/store.py on a real temporary folder: limits, resume, restart, takeover, expiry."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import threading

import pytest

from chat_server.files.handles import DownloadReader, UploadWriter, storage_error
from chat_server.files.limits import FileLimits
from chat_server.files.store import FileStore
from shared.errors import ErrorCode
from shared.file_transfer import MIB, FileError, FileErrorCode, Target, TransferHello, UploadRequest, new_token

NO_DISK_CHECK = {"keep_free_bytes": 0}


class Clocks:
    def __init__(self) -> None:
        self.wall = 1_700_000_000.0
        self.mono = 500.0

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def make_store(tmp_path, clocks):
    def make(**limits) -> FileStore:
        return FileStore(tmp_path / "data", FileLimits(**{**NO_DISK_CHECK, **limits}), clocks.time, clocks.monotonic)

    return make


def request_for(data: bytes, name: str = "work.pdf", target: Target | None = None) -> UploadRequest:
    return UploadRequest(len(data), hashlib.sha256(data).hexdigest(), target or Target(room="general"), name)


def open_upload(store: FileStore, token: str, interrupt=None) -> UploadWriter:
    writer = store.open_transfer(TransferHello(token, 0), interrupt)
    assert isinstance(writer, UploadWriter)
    return writer


def upload(store: FileStore, data: bytes, sender: str = "alice", name: str = "work.pdf"):
    ticket = store.begin_upload(sender, request_for(data, name))
    writer = open_upload(store, ticket.token)
    try:
        writer.write(data)
        return ticket, writer.finish()
    finally:
        writer.close()


def test_a_file_is_kept_under_the_servers_own_id_never_the_clients_name(make_store):
    store = make_store()
    data = os.urandom(5000)
    ticket, stored = upload(store, data, name="../../etc/passwd")
    assert stored.id == ticket.upload_id and stored.completed is not None
    assert sorted(os.listdir(store.files_dir)) == sorted([stored.id, f"{stored.id}.json"])
    assert os.listdir(store.uploads_dir) == []
    assert (store.files_dir / stored.id).read_bytes() == data
    record = (store.files_dir / f"{stored.id}.json").read_text()
    assert ticket.token not in record  # only the token's digest is kept
    assert json.loads(record)["name"] == "../../etc/passwd"  # kept as given; every reader cleans it
    assert store.info(stored.id) == stored and store.files() == [stored]
    assert (store.stored_bytes, store.reserved_bytes) == (5000, 0)


def test_too_large_and_sharing_off(make_store):
    store = make_store(max_file_bytes=1000)
    with pytest.raises(FileError) as refused:
        store.begin_upload("alice", request_for(b"x" * 1001))
    assert refused.value.code == ErrorCode.FILE_TOO_LARGE and "1,000 bytes" in refused.value.message
    off = make_store(max_file_bytes=0)
    with pytest.raises(FileError) as refused:
        off.begin_upload("alice", request_for(b"x"))
    assert refused.value.code == ErrorCode.NOT_ALLOWED
    assert store.reserved_bytes == 0 and os.listdir(store.uploads_dir) == []


def test_the_quota_counts_stored_files_and_unfinished_uploads(make_store):
    store = make_store(quota_bytes=10_000)
    upload(store, b"a" * 6000)
    pending = store.begin_upload("bob", request_for(b"b" * 3000))
    with pytest.raises(FileError) as refused:
        store.begin_upload("carol", request_for(b"c" * 1001))
    assert refused.value.code == FileErrorCode.STORAGE_FULL and "is full" in refused.value.message
    store.begin_upload("carol", request_for(b"c" * 1000))  # exactly up to the quota
    store.cancel_upload(pending.upload_id, "bob")
    store.begin_upload("carol", request_for(b"d" * 3000))
    assert (store.stored_bytes, store.reserved_bytes) == (6000, 4000)


def test_a_disk_with_too_little_free_space_refuses_before_anything_is_written(make_store):
    store = make_store(keep_free_bytes=10**18)
    with pytest.raises(FileError) as refused:
        store.begin_upload("alice", request_for(b"x" * 10))
    assert refused.value.code == FileErrorCode.STORAGE_FULL and "free space" in refused.value.message
    assert os.listdir(store.uploads_dir) == [] and store.reserved_bytes == 0


def test_ten_files_in_five_minutes_then_rate_limited_and_refusals_for_space_do_not_count(make_store, clocks):
    store = make_store(quota_bytes=100, unfinished_per_sender=0)
    for _ in range(3):
        with pytest.raises(FileError):
            store.begin_upload("alice", request_for(b"x" * 101))
    for _ in range(10):
        store.begin_upload("alice", request_for(b"x"))
    with pytest.raises(FileError) as refused:
        store.begin_upload("ALICE", request_for(b"x"))  # the same sender, however spelled
    assert refused.value.code == ErrorCode.RATE_LIMITED and "10 files in 5 minutes" in refused.value.message
    store.begin_upload("bob", request_for(b"x"))
    clocks.advance(300)
    store.begin_upload("alice", request_for(b"x"))


def test_an_upload_broken_off_resumes_from_its_last_byte_in_this_process(make_store):
    store = make_store()
    data = os.urandom(300_000)
    ticket = store.begin_upload("alice", request_for(data))
    first = open_upload(store, ticket.token)
    first.write(data[:123_457])
    first.close()
    assert store.offset_of(ticket.upload_id) == 123_457
    second = open_upload(store, ticket.token)
    assert second.offset == 123_457
    second.write(data[123_457:])
    stored = second.finish()
    second.close()
    assert (store.files_dir / stored.id).read_bytes() == data


def test_an_upload_resumes_after_a_restart_and_its_hash_is_rebuilt_from_disk(make_store):
    store = make_store()
    data = os.urandom(2 * MIB + 11)
    ticket = store.begin_upload("alice", request_for(data))
    writer = open_upload(store, ticket.token)
    writer.write(data[:MIB])
    writer.close()
    del store, writer
    restarted = make_store()
    assert restarted.offset_of(ticket.upload_id) == MIB
    assert restarted.reserved_bytes == len(data)
    writer = open_upload(restarted, ticket.token)
    assert writer.offset == MIB
    writer.write(data[MIB:])
    stored = writer.finish()
    writer.close()
    again = make_store()
    assert again.info(stored.id) == stored and again.stored_bytes == len(data) and again.reserved_bytes == 0
    assert again.open_transfer(TransferHello(ticket.token, 0)) == stored  # the token of a complete upload


def test_leftovers_of_a_crash_are_cleaned_at_start_and_strangers_left_alone(make_store):
    store = make_store()
    kept = upload(store, b"keep")[1]
    resumable = store.begin_upload("alice", request_for(b"resume me"))
    orphan_part = store.uploads_dir / ("A" * 22 + ".part")
    orphan_part.write_bytes(b"no record")
    record_only = store.uploads_dir / ("B" * 22 + ".json")
    record_only.write_text("{}")
    bytes_only = store.files_dir / ("C" * 22)
    bytes_only.write_bytes(b"never announced")
    wrong_size = upload(store, b"12345")[1]
    (store.files_dir / wrong_size.id).write_bytes(b"123")
    temporary = store.files_dir / ("D" * 22 + ".json.tmp")
    temporary.write_text("half")
    broken = store.files_dir / ("E" * 22 + ".json")
    broken.write_text("{not json")
    stranger = store.folder / "files" / "README.txt"
    stranger.write_text("not ours")
    restarted = make_store()
    assert restarted.files() == [kept]
    assert restarted.offset_of(resumable.upload_id) == 0
    for gone in (orphan_part, record_only, bytes_only, temporary, broken, store.files_dir / wrong_size.id):
        assert not gone.exists(), gone
    assert stranger.exists()
    assert restarted.stored_bytes == 4


def test_a_newer_connection_takes_an_upload_over_and_the_older_one_stops(make_store):
    store = make_store()
    data = os.urandom(10_000)
    ticket = store.begin_upload("alice", request_for(data))
    stopped = threading.Event()
    old = open_upload(store, ticket.token, stopped.set)
    old.write(data[:4000])
    new = open_upload(store, ticket.token)
    assert stopped.is_set() and new.offset == 4000
    with pytest.raises(FileError) as refused:
        old.write(data[4000:5000])
    assert refused.value.code == FileErrorCode.BAD_TOKEN
    old.close()
    new.write(data[4000:])
    assert (store.files_dir / new.finish().id).read_bytes() == data
    new.close()


def test_cancelling_stops_the_writer_and_removes_everything_but_only_for_the_sender(make_store):
    store = make_store()
    data = os.urandom(10_000)
    ticket = store.begin_upload("alice", request_for(data))
    stopped = threading.Event()
    writer = open_upload(store, ticket.token, stopped.set)
    writer.write(data[:100])
    with pytest.raises(FileError) as refused:
        store.cancel_upload(ticket.upload_id, "mallory")
    assert refused.value.code == FileErrorCode.NO_SUCH_FILE and not stopped.is_set()
    store.cancel_upload(ticket.upload_id, "Alice")
    assert stopped.is_set()
    with pytest.raises(FileError) as refused:
        writer.write(data[100:])
    assert refused.value.code == FileErrorCode.NO_SUCH_FILE
    writer.close()
    assert os.listdir(store.uploads_dir) == [] and store.reserved_bytes == 0
    with pytest.raises(FileError) as refused:
        store.open_transfer(TransferHello(ticket.token, 0))
    assert refused.value.code == FileErrorCode.BAD_TOKEN


@pytest.mark.parametrize("how", ["more bytes than declared", "wrong hash"])
def test_a_failed_upload_is_removed_and_its_token_dies(make_store, how):
    store = make_store()
    data = os.urandom(1000)
    request = request_for(data) if how != "wrong hash" else request_for(b"other" * 200)
    ticket = store.begin_upload("alice", request)
    writer = open_upload(store, ticket.token)
    with pytest.raises(FileError) as refused:
        if how == "more bytes than declared":
            writer.write(data + b"!")
        else:
            writer.write(data)
            writer.finish()
    writer.close()
    expected = ErrorCode.FILE_TOO_LARGE if how == "more bytes than declared" else FileErrorCode.BAD_HASH
    assert refused.value.code == expected
    assert os.listdir(store.uploads_dir) == [] and os.listdir(store.files_dir) == []
    assert store.files() == [] and store.reserved_bytes == 0
    with pytest.raises(FileError):
        store.open_transfer(TransferHello(ticket.token, 0))


def test_downloads_need_a_granted_token_and_stop_when_the_file_is_deleted(make_store):
    store = make_store()
    data = os.urandom(50_000)
    stored = upload(store, data)[1]
    with pytest.raises(FileError) as refused:
        store.open_transfer(TransferHello(new_token(), 0))
    assert refused.value.code == FileErrorCode.BAD_TOKEN
    token = store.grant_download(stored.id, "bob")
    with pytest.raises(FileError) as refused:
        store.open_transfer(TransferHello(token, 50_001))
    assert refused.value.code == ErrorCode.BAD_ARGUMENT
    stopped = threading.Event()
    reader = store.open_transfer(TransferHello(token, 20_000), stopped.set)
    assert isinstance(reader, DownloadReader) and reader.offset == 20_000
    reader.file.seek(reader.offset)
    assert reader.file.read() == data[20_000:]
    reader.check()
    assert store.delete(stored.id) and not store.delete(stored.id)
    assert stopped.is_set()
    with pytest.raises(FileError) as refused:
        reader.check()
    assert refused.value.code == FileErrorCode.NO_SUCH_FILE
    reader.close()
    with pytest.raises(FileError):
        store.open_transfer(TransferHello(token, 0))
    with pytest.raises(FileError) as refused:
        store.grant_download(stored.id, "bob")
    assert refused.value.code == FileErrorCode.NO_SUCH_FILE
    assert store.stored_bytes == 0 and os.listdir(store.files_dir) == []


def test_one_person_has_at_most_so_many_transfers_at_once(make_store):
    store = make_store(transfers_per_user=2)
    stored = upload(store, b"x" * 100)[1]
    readers = [store.open_transfer(TransferHello(store.grant_download(stored.id, "bob"), 0)) for _ in range(2)]
    with pytest.raises(FileError) as refused:
        store.open_transfer(TransferHello(store.grant_download(stored.id, "BOB"), 0))
    assert refused.value.code == ErrorCode.RATE_LIMITED
    store.open_transfer(TransferHello(store.grant_download(stored.id, "carol"), 0)).close()  # type: ignore[union-attr]
    readers[0].close()  # type: ignore[union-attr]
    store.open_transfer(TransferHello(store.grant_download(stored.id, "bob"), 0)).close()  # type: ignore[union-attr]


def test_expiry_removes_old_files_stale_uploads_and_old_tokens(make_store, clocks):
    store = make_store(upload_expiry_seconds=3600, download_token_seconds=600, unfinished_per_sender=0)
    old = upload(store, b"old")[1]
    clocks.advance(10 * 86400)
    new = upload(store, b"new")[1]
    stale = store.begin_upload("alice", request_for(b"stale"))
    attached = store.begin_upload("bob", request_for(b"attached"))
    writer = open_upload(store, attached.token)
    token = store.grant_download(new.id, "carol")
    clocks.advance(3601)
    assert store.expire(0).files == []  # 0 keeps files forever
    result = store.expire(7)
    assert result.files == [old.id]
    assert store.files() == [new]
    assert stale.upload_id not in result.uploads  # dropped by the first call already
    with pytest.raises(FileError):
        store.offset_of(stale.upload_id)
    assert store.offset_of(attached.upload_id) == 0  # a connection is on it: not stale
    writer.close()
    with pytest.raises(FileError) as refused:
        store.open_transfer(TransferHello(token, 0))
    assert refused.value.code == FileErrorCode.BAD_TOKEN


def test_parallel_uploads_from_many_threads_keep_the_counts_right(make_store):
    store = make_store()
    payloads = [os.urandom(200_000 + number) for number in range(8)]
    results: list[object] = []

    def send(number: int) -> None:
        data = payloads[number]
        ticket = store.begin_upload(f"user{number}", request_for(data))
        writer = open_upload(store, ticket.token)
        for start in range(0, len(data), 16_384):
            writer.write(data[start : start + 16_384])
        results.append(writer.finish())
        writer.close()

    threads = [threading.Thread(target=send, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 8
    assert store.stored_bytes == sum(len(data) for data in payloads) and store.reserved_bytes == 0
    assert sorted((store.files_dir / stored.id).read_bytes() for stored in store.files()) == sorted(payloads)


def test_disk_errors_become_clear_storage_errors():
    full = storage_error(OSError(errno.ENOSPC, "No space left on device"), "the upload was stopped")
    assert full.code == FileErrorCode.STORAGE_FULL and "disk is full" in full.message
    other = storage_error(OSError(errno.EIO, "Input/output error"), "keeping the file")
    assert other.code == FileErrorCode.STORAGE_FULL and "Input/output error" in other.message


def test_a_partial_file_grown_past_its_declared_size_ends_the_upload_at_the_next_resume(make_store):
    store = make_store()
    ticket = store.begin_upload("alice", request_for(b"x" * 100))
    (store.uploads_dir / f"{ticket.upload_id}.part").write_bytes(b"y" * 101)
    with pytest.raises(FileError) as refused:
        store.open_transfer(TransferHello(ticket.token, 0))
    assert refused.value.code == FileErrorCode.BAD_HASH
    assert os.listdir(store.uploads_dir) == [] and store.reserved_bytes == 0 and store.slots.active("alice") == 0


def test_unfinished_uploads_are_capped_per_sender_and_per_address_so_nobody_reserves_the_quota(make_store):
    store = make_store(unfinished_per_sender=3)
    tickets = [store.begin_upload("mallory", request_for(b"x" * 1000), "192.0.2.7") for _ in range(3)]
    for sender, address in (("MALLORY", None), ("mallory2", "192.0.2.7")):
        with pytest.raises(FileError) as refused:
            store.begin_upload(sender, request_for(b"x"), address)
        assert refused.value.code == ErrorCode.RATE_LIMITED and "3 unfinished uploads" in refused.value.message
    store.begin_upload("alice", request_for(b"x"), "192.0.2.8")  # others are not held up
    store.cancel_upload(tickets[0].upload_id, "mallory")
    store.begin_upload("mallory2", request_for(b"x"), "192.0.2.7")


def test_an_uploads_owners_outlive_a_restart_and_only_its_sender_may_cancel_it(make_store):
    store = make_store()
    data = os.urandom(1000)
    target = Target(to="bob")
    ticket = store.begin_upload("alice", request_for(data, target=target), owners=("g:alice-1", "g:bob-1"))
    writer = open_upload(store, ticket.token)
    writer.write(data[:400])
    writer.close()
    del store, writer
    restarted = make_store()
    for other in (("g:alice-2",), ("a:alice:5",), ()):  # same nickname, another person
        with pytest.raises(FileError) as refused:
            restarted.cancel_upload(ticket.upload_id, "alice", other)
        assert refused.value.code == FileErrorCode.NO_SUCH_FILE
    writer = open_upload(restarted, ticket.token)
    writer.write(data[400:])
    stored = writer.finish()
    writer.close()
    assert (stored.sender_owner, stored.recipient_owner) == ("g:alice-1", "g:bob-1")
    assert make_store().info(stored.id) == stored  # kept in the complete file's record too
    second = restarted.begin_upload("alice", request_for(data, "b.pdf", target), owners=("g:alice-1", None))
    assert restarted.cancel_upload(second.upload_id, "ALICE", ("g:alice-1",)).name == "b.pdf"
