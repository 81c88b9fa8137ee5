"""File sharing wired into the chat server: the store, the `file` announcement, transfer connections, expiry.

Threads:

    chat handler thread   FileCommands (handlers/files.py) ask the store, in OffLock work (off the registry lock)
    transfer connection   its own handler thread: `serve` (handed over by the request handler after the hello
                          line) runs chat_server.files.transfer.serve_transfer; an upload that completes calls
                          `announce` there: message id and `file` frame under the registry lock, the files row
                          and history after it
    chat-files-expiry     `void_idle_uploads` every IDLE_SWEEP_SECONDS (uploads with no byte for 10 minutes give
                          their room back; their senders get `cancelled`), `expire` every EXPIRY_SECONDS: files
                          past the history's retention go with their rows
    a chat handler thread `session_ended`: a sender who leaves voids their uploads that hold no byte

The store's disk work never runs under the registry lock; `announce` holds
the lock only to take a message id, find the recipients and queue frames.
A data folder that cannot be written leaves sharing off (`enabled` False,
`problem` says why), and chat goes on without `files` in `welcome`.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from chat_server.files.grants import Grant
from chat_server.files.limits import FileLimits
from chat_server.files.pacing import TransferCrowd, TransferPacer
from chat_server.files.records import StoredFile
from chat_server.files.share_rules import SentAwaySince, ShareRules
from chat_server.files.store import FileStore
from chat_server.files.transfer import TransferOutcome, serve_transfer
from chat_server.history.frames import FRAME_BUILDERS
from chat_server.identity.owners import ACCOUNT_PREFIX
from chat_server.registry import ChatRegistry
from chat_server.session import address_key
from chat_server.storage import FileRecord, Storage, StoredMessage, default_data_dir
from chat_server.storage.models import FILE_KIND
from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import (
    MIB,
    TRANSFER_FRAME_TYPE,
    FileError,
    FileErrorCode,
    Target,
    cancelled_frame,
    file_frame,
    format_size,
)
from shared.frame_text import collapse_blanks
from shared.frames import Frame, decode_frame, encode_frame, error_frame, server_frame_at
from shared.framing import LineDecoder

if TYPE_CHECKING:
    from chat_server.config import ServerConfig
    from chat_server.session import Session

log = logging.getLogger("chat_server.files")

EXPIRY_SECONDS = 600.0  # how often old files are looked for
IDLE_SWEEP_SECONDS = 60.0  # how often uploads that make no progress are looked for
NO_HISTORY_KEEP_DAYS = 1.0  # with --no-history a file still stays a day, so late downloads work
WELCOME_FLUSH_SECONDS = 5.0  # a transfer connection's welcome must be out before raw bytes follow it


def transfer_hand_off(lines: list[bytes], decoder: LineDecoder) -> tuple[Frame, bytes] | None:
    """If the first line of a connection is a `transfer` hello: (the hello, the bytes after it); else None.

    Called by the request handler on the connection's first read only, so
    chat connections pay one `startswith` per connection.  Whatever came
    after the hello (more lines, part of one) is handed on: a client must
    wait for `transfer_ready`, so serve_transfer refuses anything there.
    """
    for index, line in enumerate(lines):
        text = line.rstrip(b"\r")
        if not text.strip():
            continue
        if not text.lstrip().startswith(b"{") or b'"transfer"' not in text:
            return None
        try:
            frame = decode_frame(text)
        except ProtocolError:  # the chat path answers a bad first line as it does today
            return None
        if frame.get("type") != TRANSFER_FRAME_TYPE:
            return None
        rest = lines[index + 1 :]
        leftover = b"".join(part + b"\n" for part in rest) + decoder.take_pending()
        return frame, leftover
    return None


def file_limits(config: ServerConfig) -> FileLimits:
    return FileLimits(
        max_file_bytes=int(config.max_file_mb * MIB),
        quota_bytes=int(config.files_quota_mb * MIB),
        keep_free_bytes=int(config.files_keep_free_mb * MIB),
        files_per_window=config.files_per_window,
    )


def history_text(stored: StoredFile) -> str:
    """What a file message keeps as its text: readable in any replay, with the id that /get takes."""
    return f"{stored.sender} shared {stored.name} ({format_size(stored.size)}); /get {stored.id}"


def file_frame_of(record: FileRecord) -> Frame:
    """The `file` frame of a kept file."""
    target = Target(room=record.room) if record.room is not None else Target(to=record.recipient)
    return file_frame(
        record.message_id, record.file_id, record.original_name, record.size, record.sha256, record.sender, target
    )


# The kept files of every server in this process, by file id (ids are random: servers never share one).
# History answers build a file message's frame from it (chat_server.history.frames.FRAME_BUILDERS), which
# may happen under the registry lock: a dictionary look-up, no I/O.
_KEPT: dict[str, FileRecord] = {}


def history_file_frame(message: StoredMessage) -> Frame | None:
    """A kept file message as its `file` frame with `history: true`; None once the file is gone."""
    _, _, file_id = message.text.rpartition("/get ")
    record = _KEPT.get(file_id.strip())
    if record is None or record.message_id != message.id:
        return None
    return _history_frame(record)


def _history_frame(record: FileRecord) -> Frame:
    frame = file_frame_of(record)
    fields = {key: value for key, value in frame.items() if key not in ("type", "content", "timestamp", "time")}
    return server_frame_at(record.time_ms / 1000, "file", frame["content"], **fields, history=True)


def _is_owner(session: Session, owner: str | None) -> bool:
    """Whether the session holding the nickname is the file's person (an upload from before owners: by nickname)."""
    return owner is None or session.owns(owner)


FRAME_BUILDERS[FILE_KIND] = history_file_frame


class FileSharing:
    """The server's file sharing: None of it runs when --max-file-mb is 0, the folder cannot be used or the store is memory-only."""

    def __init__(
        self, registry: ChatRegistry, config: ServerConfig, storage: Storage, sent_away_since: SentAwaySince
    ) -> None:
        self.registry = registry
        self.config = config
        self.storage = storage
        self.rules = ShareRules(registry, storage, sent_away_since)
        self.store: FileStore | None = None
        self.problem = ""
        if config.max_file_mb <= 0:
            self.problem = "file sharing is turned off (--max-file-mb 0)"
        elif not storage.persistent:
            # Without the database nothing says which files were announced, nor which rooms are locked: the
            # folder's kept files would all be announced again, a locked room's to anyone (found by a probe).
            self.problem = "the database is not open, so the shared files in the data folder are not used"
        else:
            folder = Path(config.data_dir) if config.data_dir is not None else default_data_dir()
            try:
                self.store = FileStore(folder, file_limits(config))
            except OSError as exc:
                self.problem = f"cannot use {folder} for shared files: {exc.strerror or exc}"
        self._lock = threading.Lock()
        self._transfers: set[socket.socket] = set()
        self._crowd = TransferCrowd()  # the transfers running now: they share the time chat leaves them
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def features(self) -> list[str]:
        return ["files"] if self.store is not None else []

    # -- life --
    def start(self) -> None:
        if self.store is None:
            if self.config.max_file_mb > 0:
                # A data folder the storage could not use either has had its warning already.
                level = logging.WARNING if self.storage.status().state == "ok" else logging.INFO
                log.log(level, "shared files: %s; chat goes on without them", self.problem)
            return
        self._reconcile()
        self._thread = threading.Thread(target=self._expiry_loop, name="chat-files-expiry", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop every transfer under way (they resume after a restart) and the expiry thread."""
        self._stop.set()
        for record in self.storage.files.list_all():  # this server's; another in this process keeps its own
            _KEPT.pop(record.file_id, None)
        self.interrupt_transfers()
        if self._thread is not None:
            self._thread.join()

    def interrupt_transfers(self) -> int:
        """Cut every transfer connection under way (each can resume); how many there were."""
        with self._lock:
            transfers = list(self._transfers)
        for sock in transfers:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return len(transfers)

    # -- the transfer connection (its handler thread) --
    def serve(self, session: Session, sock: socket.socket, hello: Frame, leftover: bytes) -> None:
        """Turn a connection whose first line was a transfer hello into that transfer, and run it to the end.

        The session stays in the registry (it counts against the
        per-address limits) but is marked closing, so the housekeeper's
        timeouts pass it by and nothing more is queued on its outbox; the
        welcome already queued goes out before the first raw byte.
        """
        with self.registry.lock:
            session.closing = True
            session.close_reason = "transfer connection ended"
            session.outbox.close()
        if not session.outbox.join(WELCOME_FLUSH_SECONDS):
            return
        store = self.store
        if store is None:
            _send_quietly(sock, error_frame(ErrorCode.NOT_ALLOWED, "File sharing is turned off on this server."))
            return
        with self._lock:
            if self._stop.is_set():
                return
            self._transfers.add(sock)
        try:
            writer = session.outbox.writer
            # Gives way while chat frames go out, sharing that time with every transfer running now.
            pacer = TransferPacer(lambda: writer.last_active, crowd=self._crowd)
            via = address_key(session.host)  # the computer that holds the upload's token now
            with self._crowd.one():
                outcome = serve_transfer(
                    sock,
                    hello,
                    store,
                    lambda stored: self.announce(stored, via=via),
                    leftover,
                    pacer=pacer,
                    may_download=self.download_refusal,
                )
        finally:
            with self._lock:
                self._transfers.discard(sock)
        if outcome is TransferOutcome.REFUSED:
            log.info("transfer from %s refused", session.address_text)

    # -- announcing a verified upload (the transfer's thread) --
    def announce(self, stored: StoredFile, *, at_start: bool = False, via: str | None = None) -> None:
        """The `file` frame to the room (the sender too) or to the two people; the message and row are kept.

        People are found by nickname and must be the file's owners
        (chat_server/identity/owners.py): someone who took the sender's or
        the recipient's nickname meanwhile gets nothing.  A private file to
        an account nobody is logged in to waits for its next login
        (`waiting_frames`).

        Who sends it, and where to, is checked again now, since an upload
        may take hours (chat_server/files/share_rules.py): a sender who has
        been muted, banned or kicked since, or who has gone while someone
        else took their name, shares nothing, and nor does one whose room
        is empty now or locked to them (the bytes are deleted and the
        transfer hears why: FileError).  A sender in the chat now
        shares under the name they have now, not the one they began with.
        One who has gone (a restart ends every guest's session) shares under
        the old name while nobody else holds it; a guest who holds it again
        from the computer that finishes the upload (`via`, the transfer
        connection's address: it has the upload's token) is taken for the
        sender.  Found by a probe: after a restart mid-upload, chat-term
        reconnected under its name at once, sent the rest, and its own
        reconnect voided the file.  `at_start`: an upload that
        was complete when the server stopped, announced as the server starts,
        when no room has members yet (its room is not asked about).
        """
        time_ms = int(self.storage.deletion_clock.stamp() * 1000)
        address = (self.store.sender_address(stored.id) if self.store is not None else None) or via
        with self.registry.lock:
            sender_session = self._sender_online(stored, via)
            refusal = self.rules.refusal(stored, sender_session, address, rooms=not at_start)
            if refusal is None:
                if sender_session is not None and sender_session.nick:
                    stored = dataclasses.replace(stored, sender=sender_session.nick)
                shown = self._share(stored, sender_session, time_ms)
        if refusal is not None:
            self.delete_file(stored.id)
            log.info("file %s from %s not shared: %s", stored.id, stored.sender, refusal.message)
            raise refusal
        log.info(
            "%s shared %s (%d bytes) with %s as file %s",
            stored.sender,
            collapse_blanks(stored.name),
            stored.size,
            shown,
            stored.id,
        )

    def _share(self, stored: StoredFile, sender_session: Session | None, time_ms: int) -> Target:
        """Keep the file's row and message and deliver its `file` frame; where it went (registry lock held; no I/O)."""
        target = stored.target
        if stored.sender_owner is None and sender_session is not None:  # an upload begun before owners were kept
            stored = dataclasses.replace(stored, sender_owner=sender_session.owner)
        message_id = self.registry.next_id()
        recipients: dict[Session, None] = {}
        room_name = target.room
        waiting = False
        if target.room is not None:
            room = self.registry.find_room(target.room)
            if room is not None:
                room_name = room.name
                recipients.update(room.members)
        else:
            other = self.registry.find_nick(target.to or "")
            if other is not None and _is_owner(other, stored.recipient_owner):
                recipients[other] = None
                if stored.recipient_owner is None:  # the person it reaches now is the one who may fetch it
                    stored = dataclasses.replace(stored, recipient_owner=other.owner)
            else:
                waiting = (stored.recipient_owner or "").startswith(ACCOUNT_PREFIX)
        if sender_session is not None:
            recipients[sender_session] = None
        shown = Target(room=room_name) if room_name is not None else target
        # The row first, so a DOWNLOAD sent the moment the frame arrives finds it (no I/O: written behind).
        record = self._record(message_id, stored, shown, time_ms, waiting)
        self.storage.files.put(record)
        _KEPT[record.file_id] = record
        frame = file_frame(message_id, stored.id, stored.name, stored.size, stored.sha256, stored.sender, shown)
        self.registry.deliver(list(recipients), frame)
        self.storage.messages.append(self._message(message_id, stored, shown, time_ms))
        return shown

    def _sender_online(self, stored: StoredFile, via: str | None = None) -> Session | None:
        """The sender's connection now, found by owner (under any name); else by nickname: the account logged in under
        it for an upload from before owners, or a guest holding the sender's name from the computer `via` that finishes
        the upload.  (An upload from before owners went to whoever held the name: after the upgrade, another
        computer's guest under a departed guest's name became the file's owner; found by the upgrade probe.)"""
        holder = self.registry.find_nick(stored.sender)
        if stored.sender_owner is None:
            if holder is None or holder.closing:
                return None
            here = via is not None and address_key(holder.host) == via
            return holder if holder.account is not None or here else None
        if holder is not None and holder.owns(stored.sender_owner) and not holder.closing:
            return holder
        for session in self.registry.sessions:
            if session.registered and not session.closing and session.owns(stored.sender_owner):
                return session
        same_guest = (
            holder is not None
            and not holder.closing
            and holder.account is None
            and not stored.sender_owner.startswith(ACCOUNT_PREFIX)
            and via is not None
            and address_key(holder.host) == via
        )
        return holder if same_guest else None

    @staticmethod
    def _message(message_id: int, stored: StoredFile, target: Target, time_ms: int) -> StoredMessage:
        text = history_text(stored)
        if target.room is not None:
            return StoredMessage.public(
                message_id, target.room, stored.sender, text, time_ms, kind=FILE_KIND, sender_owner=stored.sender_owner
            )
        return StoredMessage.private(
            message_id,
            stored.sender,
            target.to or "",
            text,
            time_ms,
            kind=FILE_KIND,
            sender_owner=stored.sender_owner,
            recipient_owner=stored.recipient_owner,
        )

    @staticmethod
    def _record(message_id: int, stored: StoredFile, target: Target, time_ms: int, waiting: bool) -> FileRecord:
        return FileRecord(
            stored.id,
            message_id,
            stored.id,
            stored.name,
            stored.size,
            stored.sha256,
            stored.sender,
            time_ms,
            room=target.room,
            recipient=target.to,
            state="ready",
            sender_owner=stored.sender_owner,
            recipient_owner=stored.recipient_owner,
            waiting=waiting,
        )

    # -- who may fetch, and what waits for a login (registry lock held; memory only) --
    def may_fetch(self, session: Session, file_id: str) -> bool:
        """DOWNLOAD: a private file by its two owners only; a room's file by its sender and the room's members now.

        A side without an owner is nobody's: the upgrade to owners (schema
        version 4) gives an account's old rows its owner and a guest's none,
        that guest's session being over, as for private messages.  Going by
        nickname there let whoever took a departed guest's name after the
        upgrade fetch her private files and her files in a locked room
        (found by a probe, the ninth review).
        """
        record = _KEPT.get(file_id)
        if record is None:
            return False
        if record.sender_owner is not None and session.owns(record.sender_owner):
            return True
        if record.recipient is not None:
            return record.recipient_owner is not None and session.owns(record.recipient_owner)
        return session.room is not None and session.room.key == record.room_key

    def download_refusal(self, grant: Grant) -> FileError | None:
        """Whether a download token's owner may still fetch its file, asked when a transfer connection brings it.

        A token worked for an hour from any computer, so one taken before
        leaving a locked room, or before a kick or a ban, still fetched the
        file (found by a probe).  Now: the file's sender, and the two people
        of a private file, while not removed from the chat since the token
        was granted nor banned; anyone else (a room's file) only while
        someone of theirs is in that room now (`may_fetch`).  A transfer
        connection's thread; the registry lock for a few look-ups, no I/O.
        """
        owner = grant.owner
        if owner is None:  # granted by a caller that names nobody (the store's own tests)
            return None
        refused = FileError(
            FileErrorCode.NO_SUCH_FILE,
            "You cannot fetch that file any more (you left its room, or were removed from the chat).",
        )
        record = _KEPT.get(grant.file_id)
        if record is None:
            return refused
        with self.registry.lock:
            if self.rules.sent_away_since(owner, grant.granted) or self.rules.banned(grant.holder):
                return refused
            if owner in (record.sender_owner, record.recipient_owner):
                return None
            members = [session for session in self.registry.sessions if session.registered and not session.closing]
            if any(session.owns(owner) and self.may_fetch(session, grant.file_id) for session in members):
                return None
        return refused

    def session_ended(self, session: Session) -> None:
        """A chat connection ended: its uploads that hold no byte are voided, unless the sender is still here.

        Called by the server after the session left the registry (its handler
        thread, off the registry lock: the store touches the disk).
        """
        store = self.store
        if store is None or not session.registered:
            return
        with self.registry.lock:
            here = [other for other in self.registry.sessions if other is not session and not other.closing]
            gone = tuple(owner for owner in session.owners if not any(other.owns(owner) for other in here))
        if gone:
            voided = store.void_unstarted(gone)
            if voided:
                log.info("%d uploads of %s voided: they left before sending a byte", len(voided), session.nick)

    def void_idle_uploads(self) -> list[StoredFile]:
        """Void the uploads with no byte for a while (FileStore.void_idle_uploads); their senders get `cancelled`."""
        if self.store is None:
            return []
        voided = self.store.void_idle_uploads()
        if voided:
            minutes = self.store.limits.upload_expiry_seconds / 60
            with self.registry.lock:
                for stored in voided:
                    why = (
                        f"Sending {stored.name} was stopped: no byte of it came for {minutes:g} minutes, so its "
                        "space was given back. Send it again."
                    )
                    frame = cancelled_frame(stored.id, stored.name, why)
                    senders = [
                        session
                        for session in self.registry.sessions
                        if session.registered and not session.closing and session.owns(stored.sender_owner)
                    ]
                    self.registry.deliver(senders, frame)
            log.info("voided %d unfinished uploads that made no progress", len(voided))
        return voided

    def waiting_frames(self, session: Session) -> list[Frame]:
        """The `file` frames (with `history: true`) of files sent to the session's account while nobody was logged in to it."""
        if session.account is None or session.account_owner is None:
            return []
        frames = []
        for record in self.storage.files.waiting_for(session.account_owner):
            kept = _KEPT.get(record.file_id)
            if kept is not None:
                _KEPT[record.file_id] = dataclasses.replace(kept, waiting=False)
                frames.append(_history_frame(record))
        return frames

    # -- deleting and expiring (off the registry lock) --
    def message_deleted(self, message: StoredMessage) -> bool:
        """DELETE of a message: if it announced a file, the file goes too (downloads under way stop)."""
        if message.kind != FILE_KIND:
            return False
        for record in self.storage.files.list_all():
            if record.message_id == message.id:
                return self.delete_file(record.file_id)
        return False

    def delete_file(self, file_id: str) -> bool:
        """Delete a file's bytes and row; nobody can fetch it any more."""
        removed = self.store.delete(file_id) if self.store is not None else False
        _KEPT.pop(file_id, None)
        return self.storage.files.delete(file_id) or removed

    def room_cleared(self, room_key: str) -> int:
        """An admin cleared a room's history: its files go too.  How many."""
        records = [record for record in self.storage.files.list_all() if record.room_key == room_key]
        for record in records:
            self.delete_file(record.file_id)
        return len(records)

    def expire(self) -> list[str]:
        """Drop files older than the history keeps messages (a day with --no-history); their rows and messages go."""
        if self.store is None:
            return []
        days = float(self.config.history_days) if self.config.history else NO_HISTORY_KEEP_DAYS
        # by the storage's deletion clock: a clock set ahead must not delete the term's files (deletion_clock.py)
        expired = self.store.expire(days, self.storage.deletion_clock.now())
        for file_id in expired.files:
            _KEPT.pop(file_id, None)
            record = self.storage.files.get(file_id)
            self.storage.files.delete(file_id)
            if record is not None:
                self.storage.messages.delete(record.message_id)
        if expired.files or expired.uploads:
            log.info("expired %d shared files and %d unfinished uploads", len(expired.files), len(expired.uploads))
        return expired.files

    def _expiry_loop(self) -> None:
        last_expiry = time.monotonic()
        while not self._stop.wait(IDLE_SWEEP_SECONDS):
            try:
                self.void_idle_uploads()
                if time.monotonic() - last_expiry >= EXPIRY_SECONDS:
                    last_expiry = time.monotonic()
                    self.expire()
            except Exception:
                log.exception("expiring shared files failed")

    def _reconcile(self) -> None:
        """At start: rows whose bytes are gone are dropped; stored files never announced get their row and message."""
        store = self.store
        assert store is not None
        stored_ids = {stored.id for stored in store.files()}
        for record in self.storage.files.list_all():
            if record.file_id not in stored_ids:
                self.storage.files.delete(record.file_id)
            else:
                _KEPT[record.file_id] = record
        for stored in store.files():
            if self.storage.files.get(stored.id) is None:
                self.announce(stored, at_start=True)  # completed just before a crash: announced now


def _send_quietly(sock: socket.socket, frame: Frame) -> None:
    try:
        sock.sendall(encode_frame(frame))
    except OSError:
        pass
