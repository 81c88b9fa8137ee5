"""A text-mode line as a real telnet client sent it, made into what its user typed (the handler thread).

    clean_telnet_line(b"\\xff\\xfb\\x1fnick alice")      -> b"nick alice"     (PuTTY's opening negotiation)
    clean_telnet_line(b"say helo\\x7flo")               -> b"say hello"      (DEL or BS takes back one character)
    clean_telnet_line(b"say oops\\xff\\xf4\\xff\\xfd\\x06")   -> b""               (Ctrl+C, IAC IP: the line so far is dropped)

The server never negotiates anything, but telnet clients do: PuTTY in
telnet mode opens with IAC WILL/DO offers before its user types, Ctrl+C
travels as IAC IP (with IAC DO TIMING-MARK after it), and a client in
character mode (Windows telnet, PuTTY) sends backspace and DEL as bytes
in the line.  Left in, an IAC made the whole line "not valid UTF-8" (so
PuTTY's first /nick was refused, with advice to fix a terminal that was
fine) and each backspace vanished with the other control characters
(`helo<BS>lo` arrived as `helolo`).  Here, on the bytes of one line:

- IAC WILL/WONT/DO/DONT option, IAC SB ... IAC SE, and the two-byte
  commands (NOP, DM, BRK, AO, AYT, GA) are dropped; IAC IAC stays one
  0xFF byte, and so does an IAC with no command after it (latin-1's
  y-diaeresis): not UTF-8, so the line is refused as before;
- IAC EC, BS (0x08) and DEL (0x7F) take back the character before them
  (a whole UTF-8 character, not one byte); IAC EL takes back the whole
  line so far, and so does IAC IP (Ctrl+C means "not
  this": a line with only Ctrl+C before its Enter is a blank line);
- a NUL after CR (how telnet sends a bare CR) goes with it.

And on the stream, before it is split into lines (TelnetStream): CR NUL,
which a telnet client in character mode (busybox's, netkit's after
`mode character`) sends for Enter, and a CR alone (PuTTY in telnet mode
with "Return key sends Telnet New Line" off, a student's script) end a
line as CR LF does, also when the LF or NUL after a CR comes in the next
packet.  Without that its user's lines never ended: nothing they typed
was carried out, and after 32 KiB of it the server hung up
(frame_too_large).  JSON never holds a raw CR or NUL, and a transfer
hello must wait for its answer, so this runs on every connection until
it has shown it is JSON.

One thing is answered: DO TIMING-MARK, which netkit telnet sends after
Ctrl+C and then shows nothing until it is answered (TelnetStream).  Other
offers get no reply: a client keeps its defaults (line at a time, local
echo), which is what a chat needs.  The
server applies this to text-mode lines only (and to a connection's first
line when it is not JSON), so a JSON client's bytes are never changed.
"""

from __future__ import annotations

import re

IAC = 0xFF
_SE = 0xF0
_EC = 0xF7  # erase character
_EL = 0xF8  # erase line
_IP = 0xF4  # interrupt process: Ctrl+C
_SB = 0xFA
_WILL_WONT_DO_DONT = frozenset({0xFB, 0xFC, 0xFD, 0xFE})
_BACKSPACE = frozenset({0x08, 0x7F})
_NEEDS_WORK = (b"\xff", b"\x08", b"\x7f", b"\r\x00")


def needs_cleaning(line: bytes) -> bool:
    """Whether `line` holds anything clean_telnet_line would change (the common line does not: one scan each)."""
    return any(marker in line for marker in _NEEDS_WORK)


def clean_telnet_line(line: bytes) -> bytes:
    """`line` (no line end) without telnet commands, with its backspaces and erases applied; see the module."""
    if not needs_cleaning(line):
        return line
    out = bytearray()
    index, end = 0, len(line)
    while index < end:
        byte = line[index]
        if byte == IAC:
            command = line[index + 1] if index + 1 < end else 0
            if command < _SE:  # no telnet command after it: a 0xFF of someone's latin-1 (refused as not UTF-8)
                out.append(IAC)
                index += 1
            elif command == IAC:
                out.append(IAC)
                index += 2
            elif command in _WILL_WONT_DO_DONT:
                index += 3
            elif command == _SB:
                closing = line.find(bytes([IAC, _SE]), index + 2)
                index = end if closing < 0 else closing + 2
            else:
                if command == _EC:
                    _erase_character(out)
                elif command in (_EL, _IP):
                    out.clear()
                index += 2
        elif byte in _BACKSPACE:
            _erase_character(out)
            index += 1
        elif byte == 0 and out.endswith(b"\r"):
            index += 1  # CR NUL: telnet's bare carriage return; the CR is dropped with the other controls
        else:
            out.append(byte)
            index += 1
    return bytes(out)


def _erase_character(out: bytearray) -> None:
    """Take back the last character: its UTF-8 continuation bytes and the byte that starts it."""
    while out and 0x80 <= out[-1] <= 0xBF:
        out.pop()
    if out:
        out.pop()


# Ctrl+C in netkit telnet (Linux's, in its default line mode) sends IAC IP and then IAC DO TIMING-MARK,
# and throws away everything the server sends until an answer to the DO arrives: unanswered, its user
# saw nothing more of the chat after one Ctrl+C.  IAC WONT TIMING-MARK is that answer.
DO_TIMING_MARK = b"\xff\xfd\x06"
WONT_TIMING_MARK = b"\xff\xfc\x06"


class TelnetStream:
    """A possibly-telnet connection's raw reads, before they are split into lines (see the module)."""

    __slots__ = ("_after_cr",)

    def __init__(self) -> None:
        self._after_cr = False  # the last read ended in a CR, already made a line end: its LF or NUL is dropped

    def feed(self, data: bytes) -> tuple[bytes, bytes]:
        """(the bytes for the line decoder, the bytes to send back: WONT_TIMING_MARK once for any DO in this read)."""
        if self._after_cr and data[:1] in (b"\n", b"\x00"):
            data = data[1:]
        self._after_cr = data.endswith(b"\r")
        if b"\r" in data:
            data = _LONE_CR.sub(b"\r\n", data)
        return data, WONT_TIMING_MARK if DO_TIMING_MARK in data else b""


_LONE_CR = re.compile(rb"\r\x00|\r(?!\n)")  # CR NUL, or a CR with no LF after it in this read
