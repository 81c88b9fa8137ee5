"""The server's shared files: uploads received, verified, kept under the server's own ids, fetched, expired.

Which threads: a chat handler thread asks for an upload or a download
(`begin_upload`, `grant_download`, `cancel_upload`) -- never while holding
the registry lock, since these touch the disk; a transfer connection's
thread writes or reads the bytes (`open_transfer`, then an UploadWriter or
a DownloadReader; going on with an unfinished upload is upload_resume.py);
the housekeeper calls `expire`.

    begin_upload --> uploads/<id>.part + .json --(UploadWriter.write ...)--> finish: sha256 checked
        --> files/<id> + .json --> on_complete announces it (the server's job)
    grant_download --> token --> open_transfer(token, offset) --> DownloadReader --> bytes

Locks: `FileStore._lock` guards the maps and byte counts; it is held for
a few dictionary operations, never across disk I/O or a callback.  Each
upload has its own lock, held across one write of its bytes, so that when
a new connection takes an upload over (the old one broke but its thread
has not noticed yet) the two never write at once; the order is always
upload lock, then store lock.  The registry lock is never involved.

Quota: complete files plus the declared sizes of unfinished uploads (a
reservation, so a hundred half-finished uploads cannot fill the disk).
The folder is the truth: the counts are rebuilt from it at start.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from chat_server.files.grants import DownloadGrants, Grant
from chat_server.files.handles import DownloadReader, UploadWriter, _Upload, storage_error
from chat_server.files.limits import FileLimits, SenderRateLimit, TransferSlots, share_word, students_space
from chat_server.files.records import Expired, StoredFile, UploadTicket, record_fields, scan_folder, write_record
from chat_server.files.upload_resume import open_upload
from shared.errors import ErrorCode
from shared.file_transfer import (
    FileError,
    FileErrorCode,
    TransferHello,
    UploadRequest,
    check_size,
    format_size,
    new_file_id,
    new_token,
    token_digest,
)
from shared.names import name_key

Interrupt = Callable[[], None]
MayDownload = Callable[[Grant], FileError | None]  # None: the grant's owner may still fetch its file
VOIDED_REMEMBERED = 1000  # voided uploads whose token still gets the reason (then a plain bad_token)


class FileStore:
    """Shared files in `folder` (created if missing); see the module docstring for threads and locks."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        limits: FileLimits | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or FileLimits()
        self.folder = Path(folder)
        self.files_dir = self.folder / "files"
        self.uploads_dir = self.folder / "uploads"
        self._clock = clock
        self._lock = threading.Lock()
        self._uploads: dict[str, _Upload] = {}
        self._upload_by_token: dict[str, str] = {}
        self._completed_by_token: dict[str, str] = {}  # an upload's token digest -> its file, once complete
        self._voided: dict[str, str] = {}  # a voided upload's token digest -> why, for its sender's next connection
        self._files: dict[str, StoredFile] = {}
        self._address_of: dict[str, str] = {}  # file id -> its sender's address, for files made in this process
        self._grants = DownloadGrants(self.limits.download_token_seconds, monotonic)
        self._readers: dict[str, set[DownloadReader]] = {}
        self.slots = TransferSlots(self.limits.transfers_per_user)
        self._stored_bytes = 0
        self._reserved_bytes = 0
        self._rate = SenderRateLimit(self.limits.files_per_window, self.limits.window_seconds, monotonic)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        self._load()

    # -- numbers --
    @property
    def stored_bytes(self) -> int:
        return self._stored_bytes

    @property
    def reserved_bytes(self) -> int:
        return self._reserved_bytes

    def info(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(file_id)

    def files(self) -> list[StoredFile]:
        """Every complete file, oldest first (the server checks at start that each one was announced)."""
        with self._lock:
            return sorted(self._files.values(), key=lambda stored: stored.completed or 0.0)

    def path_of(self, file_id: str) -> Path:
        """Where a complete file's bytes are (for the admin window's "save all"); no_such_file if it is gone."""
        with self._lock:
            if file_id not in self._files:
                raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no file with that id.")
        return self.files_dir / file_id

    # -- uploads --
    def begin_upload(
        self,
        sender: str,
        request: UploadRequest,
        address: str | None = None,
        owners: tuple[str | None, str | None] = (None, None),
        *,
        shared_quota: bool = False,
    ) -> UploadTicket:
        """Reserve room for a new upload and make its token; FileError (too large, rate, storage full) otherwise.

        `address` (the sender's IP address) lets the cap on unfinished
        uploads also hold for someone who changes nickname between them:
        otherwise one person could reserve the whole quota with uploads
        they never send.  `owners` (sender's, recipient's) are kept in the
        record for the announcement.  `shared_quota` is a student's upload:
        all files together may then fill only `students_space` (the teachers'
        part stays free for them), and the address's files (stored and
        reserved) may take at most 1/`shares_of_quota` of what the other
        computers leave of the quota (files kept from before a restart count by
        their sender's name only then, since addresses are not kept on disk);
        refusals say to ask the teacher only then.  Disk I/O:
        checks free space and writes the upload's record, so call it
        outside the registry lock.
        """
        limits = self.limits
        check_size(request.size, limits.max_file_bytes)
        # Who reads the refusal: a student asks the teacher; the teacher (or the server's own computer) is told what
        # to do, not to ask the teacher (found by a probe).
        ask = "Tell the teacher." if shared_quota else "Free some space on the server's disk."
        unwritable = self._unwritable_reason()
        if unwritable:
            # Before the free space: a read-only disk was reported as a full one (found by a probe).
            raise FileError(
                FileErrorCode.STORAGE_FULL,
                f"The server cannot store files now: {unwritable}; nothing was sent. "
                + ("Tell the teacher." if shared_quota else "Check the server's data folder."),
            )
        if limits.keep_free_bytes:
            free = self._free_disk()
            if free - self._unwritten_reservations() < request.size + limits.keep_free_bytes:
                raise FileError(
                    FileErrorCode.STORAGE_FULL,
                    f"The server's disk has too little free space for {format_size(request.size)}; "
                    f"nothing was sent. {ask}",
                )
        with self._lock:
            used = self._stored_bytes + self._reserved_bytes
            if limits.quota_bytes and used + request.size > limits.quota_bytes:
                raise FileError(
                    FileErrorCode.STORAGE_FULL,
                    f"The server's space for files ({format_size(limits.quota_bytes)}) is full; nothing was sent. "
                    + (
                        "Ask the teacher to delete old files."
                        if shared_quota
                        else "Delete old files (/delete on their messages, or in the admin window) or start the "
                        "server with a larger --files-quota-mb."
                    ),
                )
            students = students_space(limits)
            if shared_quota and limits.quota_bytes and used + request.size > students:
                raise FileError(
                    FileErrorCode.STORAGE_FULL,
                    f"The students' part of the server's space for files ({format_size(students)}) is full; the rest "
                    "is kept for the teacher. Nothing was sent. Ask the teacher to delete old files.",
                )
            if shared_quota and address is not None and limits.quota_bytes and limits.shares_of_quota:
                self._check_share(sender, address, request.size)
            unfinished = sum(
                1
                for upload in self._uploads.values()
                if name_key(upload.stored.sender) == name_key(sender)
                or (address is not None and upload.address == address)
            )
            if limits.unfinished_per_sender and unfinished >= limits.unfinished_per_sender:
                raise FileError(
                    ErrorCode.RATE_LIMITED,
                    f"You have {unfinished} unfinished uploads; finish or cancel one before starting another.",
                )
            # By address too: a new nickname must not bring a fresh allowance (as for unfinished uploads).
            wait = self._rate.acquire(name_key(sender), *([f"address\n{address}"] if address is not None else []))
            if wait:
                raise FileError(
                    ErrorCode.RATE_LIMITED,
                    f"At most {limits.files_per_window} files in {limits.window_seconds / 60:g} minutes; "
                    f"try again in {int(wait) + 1} s.",
                )
            self._reserved_bytes += request.size
        stored = StoredFile(
            new_file_id(), request.name, request.size, request.sha256, sender, request.target, self._clock()
        )
        stored = dataclasses.replace(stored, sender_owner=owners[0], recipient_owner=owners[1])
        token = new_token()
        upload = _Upload(stored, token_digest(token), self.uploads_dir / f"{stored.id}.part", self._clock())
        upload.address = address
        try:
            fd = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            os.close(fd)
            write_record(self.uploads_dir / f"{stored.id}.json", record_fields(stored, upload.token_digest))
        except OSError as exc:
            self._remove_upload_files(stored.id)
            with self._lock:
                self._reserved_bytes -= request.size
            raise storage_error(exc, "starting the upload") from None
        with self._lock:
            self._uploads[stored.id] = upload
            self._upload_by_token[upload.token_digest] = stored.id
        return UploadTicket(stored.id, token, stored)

    def _check_share(self, sender: str, address: str, size: int) -> None:
        """FileError(storage_full) when this address's files would pass its share of the quota (lock held).

        The share is 1/`shares_of_quota` of what the other computers leave of
        the quota, so it shrinks as the space fills: a few computers that each
        take all they may leave most of the space to everybody else (with 4
        shares, 4 of them leave 32%, 8 of them 10%), and a hand-in always has
        a share of what is free.
        """
        key = name_key(sender)
        mine = sum(
            stored.size
            for file_id, stored in self._files.items()
            if self._address_of.get(file_id) == address or name_key(stored.sender) == key
        )
        mine += sum(upload.stored.size for upload in self._uploads.values() if upload.address == address)
        others = max(0, self._stored_bytes + self._reserved_bytes - mine)
        share = max(0, self.limits.quota_bytes - others) // self.limits.shares_of_quota
        if mine + size > share:
            raise FileError(
                FileErrorCode.STORAGE_FULL,
                f"Your files already take {format_size(mine)} of the server's space for files; one computer may use "
                f"at most {format_size(share)} now (a {share_word(self.limits.shares_of_quota)} of what the others "
                "leave free). Delete one of yours (/delete ID) or ask the teacher.",
            )

    def offset_of(self, upload_id: str) -> int:
        """Bytes the server holds of an unfinished upload; FileError(no_such_file) if there is no such upload."""
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None:
            raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no unfinished upload with that id.")
        with upload.lock:
            if upload.session is not None:
                return upload.session.offset
            try:
                return upload.path.stat().st_size
            except OSError:
                return 0

    def cancel_upload(self, upload_id: str, sender: str, owners: tuple[str, ...] | None = None) -> StoredFile:
        """Drop an unfinished upload of `sender`'s: its bytes, its token, its connection.  no_such_file otherwise.

        With `owners`, an upload that records its sender's owner is `sender`'s only if that owner is one of them.
        """
        with self._lock:
            upload = self._uploads.get(upload_id)
        owner = upload.stored.sender_owner if upload is not None else None
        if (
            upload is None
            or name_key(upload.stored.sender) != name_key(sender)
            or (owners is not None and owner is not None and owner not in owners)
        ):
            raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no unfinished upload of yours with that id.")
        self.abort_upload(upload)
        return upload.stored

    def abort_upload(self, upload: _Upload, stop_writer: bool = True) -> None:
        """End an upload for good (cancelled, failed, expired): stop its writer, free its room, delete its files.

        A writer that fails by itself passes stop_writer=False: its own
        connection must stay open to carry the error line.
        """
        self._end_upload(upload, stop_writer)

    def _end_upload(
        self,
        upload: _Upload,
        stop_writer: bool = True,
        only_if: Callable[[_Upload], bool] | None = None,
        voided: str = "",
    ) -> bool:
        """abort_upload, or (with `only_if`) only if that still holds under the upload's lock; whether it ended it.

        `voided` is what a later connection with the upload's token is told.
        """
        with upload.lock:
            if only_if is not None and (upload.ended or not only_if(upload)):
                return False
            interrupt = upload.end()
            if not stop_writer:
                interrupt = None
        with self._lock:
            if self._uploads.pop(upload.stored.id, None) is not None:
                self._upload_by_token.pop(upload.token_digest, None)
                self._reserved_bytes -= upload.stored.size
            if voided:
                self._voided[upload.token_digest] = voided
                while len(self._voided) > VOIDED_REMEMBERED:
                    del self._voided[next(iter(self._voided))]
        self._remove_upload_files(upload.stored.id)
        if interrupt is not None:
            interrupt()
        return True

    # -- uploads that make no progress give their room back --
    def void_idle_uploads(self) -> list[StoredFile]:
        """Void the unfinished uploads with no byte for `upload_expiry_seconds` and no connection on them.

        A reservation is counted at its declared size, so uploads asked for
        and never sent held the quota: thirty computers filled it for a day
        (found by a probe).  The housekeeping thread calls this every
        minute; the caller tells the senders (what it returns).
        """
        now, limit = self._clock(), self.limits.upload_expiry_seconds
        with self._lock:
            uploads = list(self._uploads.values())

        def idle(upload: _Upload) -> bool:
            return not upload.open_writers and now - upload.last_progress > limit

        reason = (
            f"That upload was dropped: no byte of it came for {limit / 60:g} minutes and its space was given back. "
            "Send the file again."
        )
        return [upload.stored for upload in uploads if self._end_upload(upload, only_if=idle, voided=reason)]

    def void_unstarted(self, owners: tuple[str, ...]) -> list[StoredFile]:
        """Its sender has left the chat: void each upload of theirs that holds no byte and has no connection on it.

        An upload under way, or one with bytes (it resumes when they come
        back), is left to `void_idle_uploads`.  Disk I/O (the partial
        files' sizes): call it off the registry lock.
        """
        with self._lock:
            uploads = [upload for upload in self._uploads.values() if upload.stored.sender_owner in owners]

        def unstarted(upload: _Upload) -> bool:
            if upload.open_writers:
                return False
            if upload.session is not None:
                return upload.session.offset == 0
            try:
                return upload.path.stat().st_size == 0
            except OSError:
                return True

        reason = "That upload was dropped when you left the chat before sending a byte of it. Send the file again."
        return [upload.stored for upload in uploads if self._end_upload(upload, only_if=unstarted, voided=reason)]

    def now(self) -> float:
        return self._clock()

    def complete_upload(self, upload: _Upload) -> StoredFile:
        """Called by UploadWriter.finish, under the upload's lock, once the sha256 matched: move into files/.

        The record goes first and the bytes second, so after a crash between
        the two the upload is still resumable (its record in uploads/ is
        removed last) and the lone record in files/ is dropped at start.
        """
        stored = dataclasses.replace(upload.stored, completed=self._clock())
        write_record(self.files_dir / f"{stored.id}.json", record_fields(stored, upload.token_digest))
        os.replace(upload.path, self.files_dir / stored.id)
        upload.end()
        with self._lock:
            self._uploads.pop(stored.id, None)
            self._upload_by_token.pop(upload.token_digest, None)
            self._completed_by_token[upload.token_digest] = stored.id
            self._reserved_bytes -= stored.size
            self._stored_bytes += stored.size
            self._files[stored.id] = stored
            if upload.address is not None:
                self._address_of[stored.id] = upload.address
        try:
            os.unlink(self.uploads_dir / f"{stored.id}.json")
        except OSError:
            pass  # found and removed at the next start (the file itself is complete)
        return stored

    def sender_address(self, file_id: str) -> str | None:
        """The address a file made in this process was uploaded from (None after a restart)."""
        with self._lock:
            return self._address_of.get(file_id)

    # -- downloads --
    def grant_download(self, file_id: str, holder: str, owner: str | None = None) -> str:
        """A token that lets one transfer connection (and its resumes) fetch `file_id`; no_such_file if gone.

        Who may fetch is the caller's decision (shared.file_transfer.may_fetch).
        """
        with self._lock:
            if file_id not in self._files:
                raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no file with that id (it may have been deleted).")
        return self._grants.grant(file_id, name_key(holder), owner, self._clock())

    # -- the transfer connection --
    def open_transfer(
        self, hello: TransferHello, interrupt: Interrupt | None = None, may_download: MayDownload | None = None
    ) -> UploadWriter | DownloadReader | StoredFile:
        """The upload or download a transfer token stands for, ready to go on at the right offset.

        For an upload the offset is the server's (bytes it holds); a
        connection that takes over an upload stops the one before it
        (`interrupt` is how this one is stopped in turn).  The token of an
        upload that is already complete gives its StoredFile (the sender
        lost the connection just before `transfer_done`).  `may_download`
        (the server's) asks again whether the download token's owner may
        still have the file: a FileError it gives is the refusal.  FileError:
        bad_token, no_such_file, bad_argument (an offset past the end),
        rate_limited (too many transfers at once), storage_full.
        """
        digest = token_digest(hello.token)
        with self._lock:
            upload_id = self._upload_by_token.get(digest)
            upload = self._uploads.get(upload_id) if upload_id is not None else None
            completed = self._files.get(self._completed_by_token.get(digest, ""))
        grant = self._grants.find(digest)
        if completed is not None:
            return completed
        if upload is not None:
            return open_upload(self, upload, interrupt)
        if grant is not None:
            refusal = may_download(grant) if may_download is not None else None
            if refusal is not None:
                raise refusal
            return self._open_download(grant, hello.offset, interrupt)
        with self._lock:
            voided = self._voided.get(digest)
        raise FileError(
            FileErrorCode.BAD_TOKEN, voided or "That transfer token is unknown or expired; ask for the file again."
        )

    def _open_download(self, grant: Grant, offset: int, interrupt: Interrupt | None) -> DownloadReader:
        with self._lock:
            stored = self._files.get(grant.file_id)
        if stored is None:
            raise FileError(FileErrorCode.NO_SUCH_FILE, "That file has been deleted.")
        if offset > stored.size:
            raise FileError(ErrorCode.BAD_ARGUMENT, f"The offset {offset:,} is past the end ({stored.size:,} bytes).")
        self.slots.take(grant.holder)
        try:
            handle: BinaryIO = open(self.files_dir / stored.id, "rb")  # noqa: SIM115  # DownloadReader.close closes it
        except OSError:
            self.release_slot(grant.holder)
            raise FileError(FileErrorCode.NO_SUCH_FILE, "That file has been deleted.") from None
        reader = DownloadReader(self, stored, handle, offset, grant.holder, interrupt)
        with self._lock:
            deleted = stored.id not in self._files
            if not deleted:
                self._readers.setdefault(stored.id, set()).add(reader)
        if deleted:
            reader.close()
            raise FileError(FileErrorCode.NO_SUCH_FILE, "That file has been deleted.")
        return reader

    def reader_closed(self, reader: DownloadReader) -> None:
        with self._lock:
            readers = self._readers.get(reader.stored.id)
            if readers is not None:
                readers.discard(reader)
                if not readers:
                    del self._readers[reader.stored.id]
        self.release_slot(reader.holder)

    def is_current(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self._files

    def release_slot(self, holder: str) -> None:
        self.slots.release(holder)

    # -- deleting and expiring --
    def delete(self, file_id: str) -> bool:
        """Delete a complete file: nobody can fetch it any more, and fetches under way are stopped."""
        with self._lock:
            stored = self._files.pop(file_id, None)
            self._address_of.pop(file_id, None)
            if stored is None:
                return False
            self._stored_bytes -= stored.size
            for digest in [digest for digest, done in self._completed_by_token.items() if done == file_id]:
                del self._completed_by_token[digest]
            readers = list(self._readers.pop(file_id, ()))
        self._grants.drop_file(file_id)
        for reader in readers:
            reader.interrupt_transfer()
        for path in (self.files_dir / file_id, self.files_dir / f"{file_id}.json"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError:
                pass  # Windows keeps a file that is still open; the next start removes it (no record)
        return True

    def expire(self, max_age_days: float, now: float | None = None) -> Expired:
        """Remove complete files older than `max_age_days` at `now` (default: the store's clock; 0 days keeps them),
        stale uploads and stale tokens."""
        now = self._clock() if now is None else now
        with self._lock:
            old = (
                [
                    file_id
                    for file_id, stored in self._files.items()
                    if (stored.completed or 0) < now - max_age_days * 86400
                ]
                if max_age_days > 0
                else []
            )
        for file_id in old:
            self.delete(file_id)
        stale = self.void_idle_uploads()
        self._grants.expire()
        self._rate.forget_idle()
        return Expired(old, [stored.id for stored in stale])

    # -- disk --
    def _unwritable_reason(self) -> str:
        """Why nothing can be written in the uploads folder now ('' if it can): a disk remounted read-only."""
        if os.access(self.uploads_dir, os.W_OK):
            return ""
        try:
            read_only = bool(os.statvfs(self.uploads_dir).f_flag & os.ST_RDONLY) if hasattr(os, "statvfs") else False
        except OSError as exc:
            return f"its folder for files cannot be reached ({exc.strerror or exc})"
        return "its disk is read-only" if read_only else "it may not write in its folder for files"

    def _free_disk(self) -> int:
        try:
            return shutil.disk_usage(self.folder).free
        except OSError:
            return 0

    def _unwritten_reservations(self) -> int:
        """Reserved bytes not yet on disk: they will need free space too."""
        with self._lock:
            uploads = list(self._uploads.values())
        unwritten = 0
        for upload in uploads:
            session = upload.session  # read without its lock: an estimate is enough here
            unwritten += upload.stored.size - (session.offset if session is not None else 0)
        return unwritten

    def _remove_upload_files(self, upload_id: str) -> None:
        for path in (self.uploads_dir / f"{upload_id}.part", self.uploads_dir / f"{upload_id}.json"):
            try:
                os.unlink(path)
            except OSError:
                pass

    def _load(self) -> None:
        """Rebuild the maps and counts from the folder (file_records.scan_folder drops a crash's leftovers)."""
        found = scan_folder(self.files_dir, self.uploads_dir)
        for stored, digest in found.files:
            self._files[stored.id] = stored
            self._stored_bytes += stored.size
            if digest is not None:
                self._completed_by_token[digest] = stored.id
        for stored, digest, partial, changed in found.uploads:
            self._uploads[stored.id] = _Upload(stored, digest, partial, changed)
            self._upload_by_token[digest] = stored.id
            self._reserved_bytes += stored.size
