"""A named pipe in place of a settings file, and a call that must not wait on it (test helper; any thread)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def answer_despite_a_pipe(path: Path, call: Callable[[], T], within: float = 10.0) -> T:
    """Put a named pipe at `path`, run `call()` on a thread, and return its answer; AssertionError if it waits.

    A call stuck opening the pipe (nobody ever writes to it) is set free afterwards by opening the pipe
    for writing, so the test run does not keep a blocked thread.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    answers: list[T] = []
    worker = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    worker.start()
    worker.join(within)
    if worker.is_alive():
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # the reader is waiting: this opens at once
        os.close(descriptor)
        worker.join(within)
        raise AssertionError(f"still waiting on the named pipe {path.name} after {within:g} s")
    return answers[0]
