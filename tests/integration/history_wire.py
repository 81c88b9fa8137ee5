"""What the history tests share: sending numbered messages, reading a history answer or a replay off a WireClient."""

from __future__ import annotations

from shared.frames import Frame
from tests.integration.wire import WireClient


def say_many(sender: WireClient, count: int, prefix: str = "m") -> list[Frame]:
    """Send `count` numbered messages to the sender's room; return their echoes (in id order)."""
    for number in range(count):
        sender.send(f"SAY {prefix}{number}")
    return [sender.expect(lambda f: f["type"] == "message" and not f.get("history")) for _ in range(count)]


def answer(client: WireClient, command: str | None = None) -> tuple[list[Frame], Frame]:
    """The history messages up to the next `history` frame (after sending `command`), and that frame.

    Only history frames are taken; live frames that come in between are
    left out (they are in `client.received`).
    """
    if command is not None:
        client.send(command)
    messages: list[Frame] = []
    while True:
        frame = client.next()
        if frame["type"] == "history":
            return messages, frame
        assert frame["type"] != "error", frame
        if frame["type"] in ("message", "private") and frame.get("history"):
            messages.append(frame)


def join_with_replay(client: WireClient, room: str) -> tuple[Frame, list[Frame], Frame]:
    """JOIN on a client made with replays=True: `joined`, the replayed messages, the `history` frame."""
    client.send(f"JOIN {room}")
    joined = client.expect("joined")
    messages, closing = answer(client)
    return joined, messages, closing


def ids(frames: list[Frame]) -> list[int]:
    return [frame["id"] for frame in frames]
