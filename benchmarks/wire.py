"""What the load generator says to each kind of server: ClassChat JSON lines or a small IRC subset (load processes).

The generator speaks the same scenario to every server.  A benchmark
message's text is one token, `M<sender>.<seq>.<sent_ns>`, so a receiver
can find sender, sequence number and send time with one regular expression
over whatever it received, whatever the framing around it.  A flow-control
probe is a PING whose token `PK<n>` comes back in the pong.  Typing
scenarios (benchmarks/typing_load.py) speak ClassChat's TYPING only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

TOKEN_RE = re.compile(rb"M\d+\.\d+\.\d+")
PONG_RE = re.compile(rb"PK(\d+)")


@dataclass(frozen=True)
class Dialect:
    name: str
    echoes_sender: bool  # does the sender get its own room message back?

    def register(self, nick: str) -> bytes:
        raise NotImplementedError

    def join(self, room: str) -> bytes:
        raise NotImplementedError

    def say(self, room: str, text: str) -> bytes:
        raise NotImplementedError

    def ping(self, token: str) -> bytes:
        raise NotImplementedError

    def typing(self) -> bytes:
        """The command that tells the room this client is typing (ClassChat only)."""
        raise NotImplementedError

    def typing_marker(self) -> bytes:
        """Bytes that occur once in each `typing` frame and in no other line (ClassChat only)."""
        raise NotImplementedError

    def registered_marker(self) -> bytes:
        """Bytes that appear in the server's answer once a nickname is accepted."""
        raise NotImplementedError

    def joined_marker(self, room: str) -> bytes:
        raise NotImplementedError


class ClassChatDialect(Dialect):
    def _command(self, content: str) -> bytes:
        return (json.dumps({"type": "command", "content": content}, separators=(",", ":")) + "\n").encode()

    def register(self, nick: str) -> bytes:
        return self._command(f"NICK {nick}")

    def join(self, room: str) -> bytes:
        return self._command(f"JOIN {room}")

    def say(self, room: str, text: str) -> bytes:
        # SAY is always public, so the token can never be taken for a private message.
        return b'{"type":"command","content":"SAY ' + text.encode() + b'"}\n'

    def ping(self, token: str) -> bytes:
        return self._command(f"PING {token}")

    def typing(self) -> bytes:
        return self._command("TYPING")

    def typing_marker(self) -> bytes:
        # Frames are encoded compactly and `type` is a frame's first key; message text is a token here.
        return b'{"type":"typing",'

    def registered_marker(self) -> bytes:
        return b'"type":"nick"'

    def joined_marker(self, room: str) -> bytes:
        return b'"type":"joined"'


class IrcDialect(Dialect):
    def register(self, nick: str) -> bytes:
        return f"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n".encode()

    def join(self, room: str) -> bytes:
        return f"JOIN #{room}\r\n".encode()

    def say(self, room: str, text: str) -> bytes:
        return f"PRIVMSG #{room} :{text}\r\n".encode()

    def ping(self, token: str) -> bytes:
        return f"PING {token}\r\n".encode()

    def registered_marker(self) -> bytes:
        return b" 001 "

    def joined_marker(self, room: str) -> bytes:
        return b" 366 "  # end of NAMES, sent after a JOIN


DIALECTS: dict[str, Dialect] = {
    "classchat": ClassChatDialect("classchat", echoes_sender=True),
    "irc": IrcDialect("irc", echoes_sender=False),
}


def message_token(sender: int, seq: int, sent_ns: int) -> str:
    return f"M{sender}.{seq}.{sent_ns}"
