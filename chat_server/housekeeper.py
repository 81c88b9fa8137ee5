"""The housekeeper thread: timeouts, the `rooms` push and expired RESUME tokens.

It wakes at most twice a second (never busy-polls).  Under the registry
lock it only reads timestamps, queues frames and marks sessions; hanging up
(a socket call) happens after the lock is released, and wakes the client's
handler thread, which does the rest.
"""

from __future__ import annotations

import threading
import time

from chat_server.config import ServerConfig
from chat_server.farewells import idle_timeout_bye, register_timeout_bye
from chat_server.registry import ChatRegistry
from chat_server.rooms_push import RoomsPush
from chat_server.session import Session

MAX_TICK_SECONDS = 0.5  # the rooms push goes out within this of its second being up


class Housekeeper:
    def __init__(self, registry: ChatRegistry, config: ServerConfig, rooms_push: RoomsPush) -> None:
        self.registry = registry
        self.config = config
        self.rooms_push = rooms_push
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        timeouts = [t for t in (config.register_timeout, config.idle_timeout) if t]
        self.tick = min([MAX_TICK_SECONDS] + [t / 5 for t in timeouts])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chat-housekeeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            self.sweep(time.monotonic())

    def sweep(self, now: float) -> None:
        with self.registry.lock:
            timed_out = self._time_out(now)
            self.rooms_push.tick(now)
            self.registry.parked.expire(now)
        for session in timed_out:
            session.hang_up("timeout")

    def _time_out(self, now: float) -> list[Session]:
        """Queue a bye for every connection past a time limit and return them (registry lock held)."""
        register_timeout = self.config.register_timeout
        idle_timeout = self.config.idle_timeout
        if not (register_timeout or idle_timeout):
            return []
        timed_out = []
        for session in self.registry.sessions:
            if session.closing:
                continue
            if register_timeout and not session.registered and now - session.opened > register_timeout:
                session.send_last(register_timeout_bye(register_timeout))
            elif idle_timeout and now - session.last_heard > idle_timeout:
                session.send_last(idle_timeout_bye(idle_timeout))
            else:
                continue
            session.closing = True
            session.close_reason = "timeout"
            timed_out.append(session)
        return timed_out
