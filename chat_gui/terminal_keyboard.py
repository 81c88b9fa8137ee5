"""chat-term's input: lines from the keyboard (or a pipe) to the core thread, passwords asked without echo (keyboard thread).

keyboard thread: for each line: /login or /register without a password -> read_secret (getpass on a terminal,
                 the next line from a pipe) -> the core thread (scheduler.call_soon); at the end: end_of_input
"""

from __future__ import annotations

import functools
import getpass
import sys
from typing import TYPE_CHECKING, TextIO

from chat_gui.core.sign_in import password_problem
from chat_gui.core.typed_lines import Login, Refuse, Register, interpret
from chat_gui.terminal_screen import now_stamp

if TYPE_CHECKING:
    from chat_gui.terminal_client import TerminalClient


def tolerate_undecodable(keyboard: TextIO) -> None:
    """Keep bytes the keyboard's encoding cannot decode (UTF-8 piped in on a Windows code page, an ASCII
    locale) as escapes for `typed_text`, instead of an error that ended the input and quit."""
    reconfigure = getattr(keyboard, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")


def typed_text(text: str, encoding: str | None) -> str:
    """`text` with the bytes its `encoding` could not decode (kept as escapes) read as UTF-8, which is what
    terminals, files and pipes carry these days; bytes that are not UTF-8 either become U+FFFD."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    try:
        raw = text.encode(encoding or "utf-8", "surrogateescape")
    except (LookupError, UnicodeError):
        return "".join("\ufffd" if "\udc80" <= char <= "\udcff" else char for char in text)
    return raw.decode("utf-8", "replace")


def read_secret(keyboard: TextIO, prompt: str) -> str:
    """A password from the keyboard: without echo on a terminal; from a pipe, simply the next line."""
    if keyboard is sys.stdin and keyboard.isatty():
        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            return ""
    return typed_text(keyboard.readline(), getattr(keyboard, "encoding", None)).rstrip("\r\n")


def secret_line(line: str, keyboard: TextIO) -> Login | Register | Refuse | None:
    """/login NICK or /register typed without a password: ask for it here, on the keyboard thread."""
    typed = interpret(line) if line.lstrip().lower().startswith(("/login", "/identify", "/register")) else None
    if isinstance(typed, Login) and typed.nick and not typed.password:
        return Login(typed.nick, read_secret(keyboard, f"Password for {typed.nick}: "))
    if isinstance(typed, Register) and not typed.password:
        password = read_secret(keyboard, "New password (8 to 128 characters): ")
        again = read_secret(keyboard, "The same password again: ")
        problem = password_problem(password, again)
        return Refuse(f"Not registered: {problem}") if problem else Register(password)
    return None


def read_keyboard(keyboard: TextIO, client: TerminalClient) -> None:
    """Keyboard thread: every line to the core thread, then the end of input."""
    try:
        for escaped in keyboard:
            line = typed_text(escaped, getattr(keyboard, "encoding", None))
            if client.finished.is_set():
                return
            secret = secret_line(line, keyboard)
            if isinstance(secret, Login):
                client.scheduler.call_soon(functools.partial(client.log_in, secret.nick, secret.password))
            elif isinstance(secret, Register):
                client.scheduler.call_soon(functools.partial(client.register, secret.password))
            elif isinstance(secret, Refuse):
                client.scheduler.call_soon(functools.partial(client.say, f"{now_stamp()} ! {secret.text}"))
            else:
                client.scheduler.call_soon(functools.partial(client.typed, line))
    except (OSError, ValueError):
        pass
    client.scheduler.call_soon(client.end_of_input)
