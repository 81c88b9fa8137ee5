"""A process that uses the store the way a server would, for the fault tests: flood, hold, fill, status (main thread).

    python -m tests.integration.storage_child flood DIR          append forever; print "flushed <id>" as batches land
    python -m tests.integration.storage_child hold DIR           open, print the status, wait for stdin to close
    python -m tests.integration.storage_child fill DIR BYTES N   under a file-size limit of BYTES, append N messages
    python -m tests.integration.storage_child status DIR         open, append 3 messages, read them back
    ... --as-user UID MODE DIR ...                              first become UID (when started as root)

Every mode but flood prints one JSON object per line. `--as-user` drops
privileges after Python has started, so the interpreter may live where
only root can read it; root itself ignores file permissions.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time

from chat_server.storage import Conversation, Storage, StoredMessage, open_storage

TEXT = "lorem ipsum dolor sit amet " * 8


def status_json(storage: Storage, **extra: object) -> str:
    status = storage.status()
    return json.dumps(
        {"state": status.state, "reason": status.reason, "not_saved": status.not_saved, "text": status.describe()}
        | extra
    )


def flood(folder: str) -> None:
    storage = open_storage(folder, history_days=0)
    next_id = storage.messages.highest_id() + 1
    print(f"start {next_id}", flush=True)
    while True:
        for _ in range(500):
            storage.messages.append(StoredMessage.public(next_id, "general", "alice", f"{next_id} {TEXT}", 0))
            next_id += 1
        if storage.flush(30):
            print(f"flushed {next_id - 1}", flush=True)


def hold(folder: str) -> None:
    storage = open_storage(folder)
    print(status_json(storage), flush=True)
    sys.stdin.read()
    storage.close()


def fill(folder: str, limit: int, count: int) -> None:
    # Past the limit write() fails with EFBIG instead of the process being killed by SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    storage = open_storage(folder, history_days=0)
    started = time.monotonic()
    for message_id in range(1, count + 1):
        storage.messages.append(StoredMessage.public(message_id, "general", "alice", f"{message_id} {TEXT}", 0))
    append_seconds = time.monotonic() - started
    deadline = time.monotonic() + 30
    while storage.status().state == "ok" and not storage.flush(0.1) and time.monotonic() < deadline:
        pass
    replay = storage.messages.replay("general", 50)
    page = storage.messages.page(Conversation.of_room("general"), limit=100)
    found = storage.messages.search("bob", f"{count} lorem", room="general")
    print(
        status_json(
            storage,
            append_seconds=append_seconds,
            replay=[m.id for m in replay],
            page=[m.id for m in page.messages],
            search=[m.id for m in found],
        ),
        flush=True,
    )
    storage.close(timeout=1)
    print(status_json(storage), flush=True)


def status(folder: str) -> None:
    with open_storage(folder) as storage:
        for message_id in range(1, 4):
            now_ms = int(time.time() * 1000)
            storage.messages.append(StoredMessage.public(message_id, "general", "alice", f"hello {message_id}", now_ms))
        replay = [m.id for m in storage.messages.replay("general", 10)]
        print(status_json(storage, replay=replay), flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "--as-user":
        user = int(argv[1])
        os.setgroups([])
        os.setgid(user)
        os.setuid(user)
        argv = argv[2:]
    mode, folder, *rest = argv
    if mode == "flood":
        flood(folder)
    elif mode == "hold":
        hold(folder)
    elif mode == "fill":
        fill(folder, int(rest[0]), int(rest[1]))
    elif mode == "status":
        status(folder)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
