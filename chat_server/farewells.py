"""Every frame the server sends when it ends a connection on purpose, built in one place (any thread).

The contract promises a `bye` before every deliberate close; its `reason`
(an extension) tells a client why, so it can decide whether to reconnect:

    reason            when                                           the client should
    quit              the client sent QUIT                           stay away
    kick              an admin removed it                            stay away, say so
    timeout           no nickname in time, or silent too long        reconnect when the user acts
    flood             refused for sending too fast for too long      stay away, say so
    frame_too_large   it sent a line over 32 KiB                     fix itself
    server_full       the server, or its address, has no room        retry later
    resumed           its nickname was taken back with RESUME        stay away (it is the old one)
    replaced          its account was logged in to from elsewhere    stay away (it is the old one)
    banned            a teacher or the admin banned it               stay away, say so (an `error` banned came first)
    name              its name could pass for a teacher's account    come back under another name
                      the admin just made (identity/teacher_copies.py)
    shutdown          the server is stopping                         reconnect later
    tls_required      a plain connection to a server with --require-tls   connect with TLS
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from shared.errors import ErrorCode
from shared.frames import Frame, error_frame, server_frame, utc_time

if TYPE_CHECKING:
    from chat_server.storage.models import Sanction


def bye(text: str, reason: str) -> Frame:
    return server_frame("bye", text, reason=reason)


def quit_bye() -> Frame:
    return bye("Goodbye!", "quit")


def shutdown_frames(text: str = "The server is shutting down.") -> list[Frame]:
    """`system`/shutdown for everyone's window, then the bye."""
    return [server_frame("system", text, event="shutdown"), bye(text, "shutdown")]


def server_full_frames(limit: int) -> list[Frame]:
    """The refusal at --max-clients; the bye says it whole too (a window's Connect dialog shows the last words)."""
    text = f"The server is full (it takes {limit:,} connection{'' if limit == 1 else 's'} at once); try again later."
    return [error_frame(ErrorCode.SERVER_FULL, text), bye(text, "server_full")]


def address_full_frames(limit: int, unregistered: bool) -> list[Frame]:
    """The refusal for one address too many: it names the per-address limit that was reached, and its option.

    A whole class can share one address (a school's NAT, a server outside
    the school): the 21st student has one connection to close, so the text
    also says who can change it and how.
    """
    if unregistered:
        text = (
            f"Too many connections from your address are still choosing a nickname (limit {limit}); "
            "try again in a moment."
        )
    else:
        text = (
            f"Too many connections from your address (limit {limit}); close one and try again. "
            "If your whole class shares one address, the teacher can raise the server's --max-per-address."
        )
    return [error_frame(ErrorCode.SERVER_FULL, text), bye(text, "server_full")]


def address_full_log(host: str, limit: int, unregistered: bool) -> str:
    """The server log's line for that refusal: which limit, its option, and what a teacher with a class behind NAT does."""
    if unregistered:
        return (
            f"{limit} connections from {host} are still choosing a nickname (--max-unregistered-per-address {limit}); "
            "if a class shares this address, raise it"
        )
    return (
        f"{limit} connections from {host} already (--max-per-address {limit}); if a class shares this address "
        "(a school's NAT, a server outside the school), restart the server with --max-per-address above the "
        "number of students"
    )


def frame_too_large_bye() -> Frame:
    return bye("That line was too long; the connection is closed.", "frame_too_large")


def register_timeout_bye(seconds: float) -> Frame:
    return bye(f"No nickname within {seconds:g} s; reconnect and choose one with /nick NAME.", "timeout")


def idle_timeout_bye(seconds: float) -> Frame:
    return bye(f"Nothing heard for {seconds:g} s; disconnected. Clients /ping when idle.", "timeout")


def flood_bye(seconds: float) -> Frame:
    return bye(f"You kept sending faster than allowed for {seconds:g} s; disconnected.", "flood")


def kicked_bye(reason: str, by: str | None = None) -> Frame:
    """`by`: the teacher who did it (named in `by`); None for the admin."""
    if by is None:
        return bye(f"An admin removed you: {reason}", "kick")
    return server_frame("bye", f"{by} (teacher) removed you: {reason}", reason="kick", by=by)


def time_left(sanction: Sanction, at_ms: int) -> str:
    """ "for 14 more minutes", "for 2 more hours and 30 minutes", "for 3 more days", or "until a teacher or the admin
    lifts it"."""
    if sanction.until_ms is None:
        return "until a teacher or the admin lifts it"
    minutes = max(1, math.ceil((sanction.until_ms - at_ms) / 60_000))
    if minutes < 120:
        return f"for {minutes} more minute{'' if minutes == 1 else 's'}"
    # the rest in the smaller unit, not rounded up: a ban of 150 minutes said "for 3 more hours"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"for {hours} more hours" + (f" and {_counted(rest, 'minute')}" if rest else "")
    days, rest_hours = divmod(math.ceil(minutes / 60), 24)
    return f"for {days} more days" + (f" and {_counted(rest_hours, 'hour')}" if rest_hours else "")


def _counted(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def banned_frames(ban: Sanction, now_ms: int) -> list[Frame]:
    """`error` banned with the time left (and `until`, UTC, unless it lasts until lifted), then the bye."""
    text = f"You are banned from this server {time_left(ban, now_ms)}"
    text += f": {ban.reason}" if ban.reason else "."
    error = error_frame(ErrorCode.BANNED, text)
    if ban.until_ms is not None:
        error["until"] = utc_time(ban.until_ms / 1000)
    return [error, bye(text, "banned")]


def where_else(old_host: str, new_host: str) -> str:
    """Where the name went, in the words of the one who lost it: another window here, or the other computer."""
    if old_host == new_host:
        return "in another window or program on this computer"
    return f"from another computer ({new_host})"


def replaced_bye(nick: str, where: str) -> Frame:
    """To a connection whose account was logged in to elsewhere: who, where, and that nothing takes it back by itself."""
    text = (
        f"You logged in as {nick} {where}, so this connection was closed (one connection per account). "
        "It does not reconnect by itself: reconnect here to take the name back. "
        "If that was not you, change your password or tell your teacher."
    )
    return bye(text, "replaced")


def resumed_bye(nick: str, where: str) -> Frame:
    """To a connection whose session a RESUME with its token took over (the same program after a drop, or a copy)."""
    text = (
        f"Your session as {nick} was taken over with its RESUME token {where}, so this connection was closed. "
        "It does not reconnect by itself: reconnect here to take the name back."
    )
    return bye(text, "resumed")


PLAIN_REFUSED_TEXT = (
    "This server accepts encrypted connections only (--require-tls). Connect with the ClassChat window or "
    "chat-term, which encrypt by default."
)


def plain_refused_frames() -> list[Frame]:
    """The answer to a plain connection when TLS is required: in JSON, or as text lines for `nc`."""
    return [error_frame(ErrorCode.TLS_REQUIRED, PLAIN_REFUSED_TEXT), bye(PLAIN_REFUSED_TEXT, "tls_required")]
