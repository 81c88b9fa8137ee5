"""The housekeeper thread: hangs up on clients that never register or fall silent.

It wakes a few times a second at most (never busy-polls) and only reads
timestamps under the registry lock; hanging up wakes the client's handler
thread, which does the rest.
"""

from __future__ import annotations

import threading
import time

from chat_server.config import ServerConfig
from chat_server.registry import ChatRegistry
from shared.frames import server_frame


class Housekeeper:
    def __init__(self, registry: ChatRegistry, config: ServerConfig) -> None:
        self.registry = registry
        self.config = config
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        timeouts = [t for t in (config.register_timeout, config.idle_timeout) if t]
        self.tick = min([1.0] + [t / 5 for t in timeouts])

    def start(self) -> None:
        if not (self.config.register_timeout or self.config.idle_timeout):
            return
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
        register_timeout = self.config.register_timeout
        idle_timeout = self.config.idle_timeout
        with self.registry.lock:
            for session in list(self.registry.sessions):
                if session.closing:
                    continue
                if register_timeout and not session.registered and now - session.opened > register_timeout:
                    text = f"No nickname within {register_timeout:g} s; reconnect and send NICK <name> first."
                elif idle_timeout and now - session.last_heard > idle_timeout:
                    text = f"Nothing heard for {idle_timeout:g} s; disconnected. Clients PING when idle."
                else:
                    continue
                session.send(server_frame("bye", text, reason="timeout"))
                session.hang_up("timeout")
