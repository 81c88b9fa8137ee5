"""Error codes of the wire contract and the exception that carries one (any thread)."""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    """The `code` values an `error` frame may carry (PROTOCOL.md, versions 1 and 2).

    A str enum: a member is its code wherever a string is expected (JSON,
    comparisons with a received frame's `code`, f-strings).
    """

    # version 1
    BAD_FRAME = "bad_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_COMMAND = "unknown_command"
    BAD_ARGUMENT = "bad_argument"
    NOT_REGISTERED = "not_registered"
    NICK_TAKEN = "nick_taken"
    BAD_NICK = "bad_nick"
    BAD_ROOM = "bad_room"
    NOT_IN_ROOM = "not_in_room"
    NO_SUCH_USER = "no_such_user"
    TOO_LONG = "too_long"
    RATE_LIMITED = "rate_limited"
    SERVER_FULL = "server_full"
    # version 2
    CODE_REQUIRED = "code_required"
    BAD_CODE = "bad_code"
    NICK_REGISTERED = "nick_registered"
    BAD_LOGIN = "bad_login"
    NOT_ALLOWED = "not_allowed"
    BANNED = "banned"
    BAD_ROOM_KEY = "bad_room_key"
    TLS_REQUIRED = "tls_required"
    FILE_TOO_LARGE = "file_too_large"
    MUTED = "muted"
    IGNORED = "ignored"  # our addition: the recipient has ignored the sender (IGNORE)
    # files (docs/files.md): the same four as shared.file_transfer.FileErrorCode
    BAD_HASH = "bad_hash"
    BAD_TOKEN = "bad_token"
    NO_SUCH_FILE = "no_such_file"
    STORAGE_FULL = "storage_full"

    def __str__(self) -> str:
        return str(self.value)


class ProtocolError(Exception):
    """A refusal with a contract error code and a message that says what to do next."""

    def __init__(self, code: ErrorCode, message: str, **fields: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields  # extra fields of the `error` frame (e.g. retry_after, checked)
