"""Helpers the tests share: waiting for a condition with a deadline, registered clients."""

from __future__ import annotations

import gc
import os
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from chat_gui.core.connection import ChatConnection

T = TypeVar("T")


class FakeClock:
    """A clock a test moves by hand: pass it where a clock is injectable, then set or add to `now`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


WAIT_SECONDS = 15.0  # as long as a wire client waits for a frame: CI's fresh 2-CPU machine can stall for seconds


def wait_until(
    condition: Callable[[], T],
    timeout: float = WAIT_SECONDS,
    interval: float = 0.01,
    pump: Callable[[], object] | None = None,
    message: str = "",
) -> T:
    """Call `condition` until it returns something truthy, or fail after `timeout` seconds.

    It returns as soon as the condition holds, so a long default costs a
    passing test nothing; only a failing one waits it out.

    `pump` (for example a Tk root's `update`) runs before every check, so a
    window keeps processing events while a test waits.
    """
    deadline = time.monotonic() + timeout
    while True:
        if pump is not None:
            pump()
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s: {condition}")
        time.sleep(interval)


def connect_client(address: tuple[str, int], nick: str | None = None, room: str | None = None) -> ChatConnection:
    """A ChatConnection past `welcome`, registered as `nick` and in `room` when given."""
    connection = ChatConnection(*address).connect()
    connection.wait_for("welcome")
    if nick is not None:
        connection.send_command(f"NICK {nick}")
        connection.wait_for("nick")
    if room is not None:
        connection.send_command(f"JOIN {room}")
        connection.wait_for("joined")
    return connection


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds; always reaped."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def collect_tk_garbage_here() -> None:
    """Free unreachable objects now, on this (the Tk) thread, then freeze the survivors.

    Tk objects caught in reference cycles must be freed on the Tk thread: a
    later collection on a server thread makes Tcl abort the process.  The
    freeze keeps each later collection to the objects made since (a full
    collection over the whole suite's live objects, e.g. the emoji and
    confusables tables, costs tenths of a second and ran several times per
    window test).
    """
    gc.collect()
    gc.freeze()


def read_pty_into(master: int, screen: bytearray) -> threading.Thread:
    """Start a daemon thread that appends what a pseudo-terminal's program draws to `screen` until it closes."""

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end closed
                return
            if not chunk:
                return
            screen.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def fill_disk(path: os.PathLike | str) -> None:
    """Write zeros to a new file at path until its filesystem is full.

    Unbuffered, so nothing is left waiting in a buffer whose close would raise
    "No space left on device" after the disk is already full.
    """
    with open(path, "wb", buffering=0) as filler:
        block = b"\0" * 65536
        try:
            while filler.write(block):
                pass
        except OSError:
            pass
