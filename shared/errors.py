"""Error codes of the wire contract and the exception that carries one (any thread)."""

from __future__ import annotations


class ErrorCode:
    """The `code` values an `error` frame may carry (PROTOCOL.md, version 1)."""

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

    ALL = (
        BAD_FRAME, FRAME_TOO_LARGE, UNKNOWN_COMMAND, BAD_ARGUMENT,
        NOT_REGISTERED, NICK_TAKEN, BAD_NICK, BAD_ROOM, NOT_IN_ROOM,
        NO_SUCH_USER, TOO_LONG, RATE_LIMITED, SERVER_FULL,
    )


class ProtocolError(Exception):
    """A refusal with a contract error code and a message that says what to do next."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
