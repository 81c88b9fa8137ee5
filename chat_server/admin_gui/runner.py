"""ServerRunner: the admin window's server, a new ChatServer and AdminFeed for each Start (called on the Tk thread).

Starting binds at once (so a busy port is reported right away) and hands
the rest to the server's threads.  Stopping runs on an "admin-stop" helper
thread, because ChatServer.stop() joins every client's threads; when it
has returned, ServerStopped is put on the feed, after everything the old
server reported, and the window's poller calls `forget()`.
"""

from __future__ import annotations

import threading

from chat_server.admin_gui.feed import AdminFeed
from chat_server.config import ServerConfig
from chat_server.server import ChatServer


class ServerRunner:
    def __init__(self) -> None:
        self.server: ChatServer | None = None
        self.feed: AdminFeed | None = None
        self._stop_thread: threading.Thread | None = None

    def start(self, config: ServerConfig) -> ChatServer:
        """Bind and serve; raises OSError when the address cannot be used."""
        if self.server is not None:
            raise RuntimeError("a server is already running; stop it first")
        server = ChatServer(config)
        feed = AdminFeed()
        server.registry.add_listener(feed.on_event)
        self.server, self.feed = server, feed
        server.start()
        return server

    def stop_in_background(self) -> None:
        """Every client gets shutdown and bye; ServerStopped arrives on the feed when all is joined."""
        server, feed = self.server, self.feed
        if server is None or feed is None or self._stop_thread is not None:
            return

        def stop() -> None:
            try:
                server.stop()
            finally:
                feed.mark_stopped()

        self._stop_thread = threading.Thread(target=stop, name="admin-stop", daemon=True)
        self._stop_thread.start()

    def stop_and_wait(self) -> None:
        """Stop (or finish stopping) before returning: for when the window goes away."""
        if self._stop_thread is not None:
            self._stop_thread.join()
        elif self.server is not None:
            self.server.stop()

    def forget(self) -> None:
        """After ServerStopped: drop the old server so Start makes a new one."""
        if self.server is not None and self.feed is not None:
            self.server.registry.remove_listener(self.feed.on_event)
        self.server = self.feed = None
        self._stop_thread = None
