"""Splitting a byte stream into lines and frames, with the 32 KiB cap (any thread).

Decoders are fed whatever `recv()` returned and hand back complete lines;
they never hold more than one frame's worth of bytes.
"""

from __future__ import annotations

from shared.errors import ErrorCode, ProtocolError
from shared.frames import MAX_FRAME_BYTES, Frame, decode_frame


class FrameTooLarge(ProtocolError):
    def __init__(self, lines_before: list[bytes] | None = None) -> None:
        super().__init__(
            ErrorCode.FRAME_TOO_LARGE,
            f"A line longer than {MAX_FRAME_BYTES} bytes was received; the connection is closed.",
        )
        # Complete lines that arrived in the same feed before the oversized one:
        # they were sent first, so the receiver handles them before refusing.
        self.lines_before = lines_before or []


class LineDecoder:
    """Feed bytes, get complete lines (newline removed, a trailing CR kept)."""

    def __init__(self, max_line: int = MAX_FRAME_BYTES) -> None:
        self._max_line = max_line
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Return the lines completed by `data`; raise FrameTooLarge past the cap.

        The cap counts the newline, so a line of max_line - 1 bytes plus its
        newline is accepted and one byte more is refused.
        """
        if b"\n" not in data:
            self._pending += data
            if len(self._pending) >= self._max_line:
                self._pending.clear()
                raise FrameTooLarge()
            return []
        self._pending += data
        parts = self._pending.split(b"\n")
        rest = parts.pop()
        for index, part in enumerate(parts):
            if len(part) >= self._max_line:
                self._pending.clear()
                raise FrameTooLarge([bytes(line) for line in parts[:index]])
        if len(rest) >= self._max_line:
            self._pending.clear()
            raise FrameTooLarge([bytes(line) for line in parts])
        self._pending = bytearray(rest)
        return [bytes(part) for part in parts]

    @property
    def buffered(self) -> int:
        return len(self._pending)

    def take_pending(self) -> bytes:
        """The bytes of an unfinished line, handed over (a transfer connection's raw bytes after its hello)."""
        pending, self._pending = bytes(self._pending), bytearray()
        return pending


class FrameDecoder:
    """Feed bytes, get frames; a bad line comes back as a ProtocolError in its place."""

    def __init__(self, max_line: int = MAX_FRAME_BYTES) -> None:
        self._lines = LineDecoder(max_line)

    def feed(self, data: bytes) -> list[Frame | ProtocolError]:
        results: list[Frame | ProtocolError] = []
        for line in self._lines.feed(data):
            if not line.strip():
                continue
            try:
                results.append(decode_frame(line))
            except ProtocolError as exc:
                results.append(exc)
        return results
