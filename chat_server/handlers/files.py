"""UPLOAD, DOWNLOAD, CANCEL: sharing files (handler threads; the target is checked under the registry lock, the store is asked off it).

The bytes never pass here: these commands hand out transfer tokens, and a
second connection to the same port carries the bytes (docs/files.md,
chat_server/files/sharing.py).  Refusals of the store (FileError) become
`error` frames with the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chat_server.files.records import StoredFile, UploadTicket
from chat_server.files.sharing import FileSharing
from chat_server.files.store import FileStore
from chat_server.handlers.base import CommandModule, CommandResult, Delivery, OffLock
from chat_server.identity.owners import account_owner
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import (
    CANCEL_USAGE,
    DOWNLOAD_USAGE,
    FileError,
    Target,
    UploadRequest,
    cancelled_frame,
    download_frame,
    parse_id_argument,
    parse_upload_argument,
    upload_frame,
)
from shared.names import name_key, one_line

T = TypeVar("T")
TEXT_MODE_REFUSAL = "Files cannot travel over a text connection; use the chat window or chat-term (/send, /get)."


def protocol_error(exc: FileError) -> ProtocolError:
    """A store's refusal as the error frame's exception (the file codes are ErrorCode members too)."""
    return ProtocolError(ErrorCode(str(exc.code)), exc.message)


def off_lock(work: Callable[[], T], then: Callable[[T], list[Delivery]]) -> OffLock[T]:
    """OffLock whose work may raise FileError: it reaches the sender as its `error`."""

    def guarded() -> T:
        try:
            return work()
        except FileError as exc:
            raise protocol_error(exc) from None

    return OffLock(guarded, then)


class FileCommands(CommandModule):
    @property
    def sharing(self) -> FileSharing | None:
        return self.services.files

    def _store(self, session: Session) -> FileStore:
        if session.text_mode:
            raise ProtocolError(ErrorCode.NOT_ALLOWED, TEXT_MODE_REFUSAL)
        sharing = self.sharing
        if sharing is None or sharing.store is None:
            why = sharing.problem if sharing is not None else "file sharing is not available"
            raise ProtocolError(ErrorCode.NOT_ALLOWED, f"File sharing is off on this server ({why}).")
        return sharing.store

    def handle_upload(self, session: Session, argument: str) -> CommandResult:
        store = self._store(session)
        try:
            request = parse_upload_argument(argument, store.limits.max_file_bytes)
        except FileError as exc:
            raise protocol_error(exc) from None
        target, recipient_owner = self._target(session, request.target)
        self.require_voice(session, to_teacher=self._is_teacher(target))  # a class mute lets a hand-in through
        request = UploadRequest(request.size, request.sha256, target, request.name)
        sender, address, owners = session.nick or "", session.computer, (session.owner, recipient_owner)
        # Teachers and the server's own computer (the teacher's window) share without a cap on their part.
        shared = session.host not in THIS_COMPUTER and not self.identity.is_teacher(session)

        def answer(ticket: UploadTicket) -> list[Delivery]:
            return [([session], upload_frame(ticket.upload_id, ticket.token, request))]

        return off_lock(lambda: store.begin_upload(sender, request, address, owners, shared_quota=shared), answer)

    def _target(self, session: Session, target: Target) -> tuple[Target, str | None]:
        """The target as the registry spells it, and the recipient's owner (chat_server/identity/owners.py).

        The sender's own room; someone online now; or a teacher's account
        while nobody is logged in to it (a hand-in waits for the teacher's
        next login: docs/files.md, "Hand-ins").  An account's role is looked
        up by its name (memory), so a guest who merely calls themselves like
        a teacher is no teacher.
        """
        if target.room is not None:
            room = self.require_room(session)
            if room.key != name_key(target.room):
                raise ProtocolError(
                    ErrorCode.NOT_IN_ROOM,
                    f"You can share files only in your own room (#{room.name}), not #{one_line(target.room, 40)}.",
                )
            return Target(room=room.name), None
        other = self.registry.find_nick(target.to or "")
        if other is not None and other.nick is not None:
            self.refuse_if_ignored(other, session, "files")
            return Target(to=other.nick), other.owner
        account = self.storage.accounts.get(target.to or "")
        if account is not None and account.role == "teacher":
            return Target(to=account.nick), account_owner(account)
        raise ProtocolError(
            ErrorCode.NO_SUCH_USER,
            f"Nobody called {one_line(target.to or '', 40)} is online; /list shows who is. "
            "A private file can wait only for a teacher's account.",
        )

    def _is_teacher(self, target: Target) -> bool:
        """Whether a private file goes to a teacher (online now, or a teacher's account: a hand-in)."""
        if target.to is None:
            return False
        other = self.registry.find_nick(target.to)
        if other is not None:
            return other.role == "teacher"
        account = self.storage.accounts.get(target.to)
        return account is not None and account.role == "teacher"

    def handle_download(self, session: Session, argument: str) -> CommandResult:
        store = self._store(session)
        try:
            file_id = parse_id_argument(argument, DOWNLOAD_USAGE)
        except FileError as exc:
            raise protocol_error(exc) from None
        stored = store.info(file_id)  # a dictionary look-up under the store's own small lock: no I/O
        sharing = self.sharing
        if stored is None or sharing is None or not sharing.may_fetch(session, file_id):  # by owner, memory only
            # the same answer for "gone" and "not yours": an id tells nobody whether a file exists
            raise ProtocolError(ErrorCode.NO_SUCH_FILE, "There is no file with that id that you can fetch.")
        holder, owner = session.nick or "", session.owner  # asked again when the token is used (download_refusal)

        def answer(token: str) -> list[Delivery]:
            frame = download_frame(file_id, token, stored.name, stored.size, stored.sha256)
            return [([session], frame)]

        return off_lock(lambda: store.grant_download(file_id, holder, owner), answer)

    def handle_cancel(self, session: Session, argument: str) -> CommandResult:
        store = self._store(session)
        try:
            upload_id = parse_id_argument(argument, CANCEL_USAGE)
        except FileError as exc:
            raise protocol_error(exc) from None
        sender, owners = session.nick or "", session.owners

        def answer(stored: StoredFile) -> list[Delivery]:
            return [([session], cancelled_frame(upload_id, stored.name))]

        return off_lock(lambda: store.cancel_upload(upload_id, sender, owners), answer)
