"""ServerRunner: the admin window's server, a new ChatServer and AdminFeed for each Start (called on the Tk thread).

Starting binds at once (so a busy port is reported right away) and hands
the rest to the server's threads.  Stopping runs on an "admin-stop" helper
thread, because ChatServer.stop() joins every client's threads; when it
has returned, the feed is marked stopped (its next take reports
ServerStopped and drops whatever the old server left pending), and the
window's poller calls `forget()`.  The server's
DNS-SD announcement (chat_server/announcing.py) starts with it and is
withdrawn first when it stops.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server's modules load at the first Start, not with the window (docs/executables.md)
    from chat_server.admin_gui.feed import AdminFeed
    from chat_server.announcing import Announcement
    from chat_server.config import ServerConfig
    from chat_server.server import ChatServer


class ServerRunner:
    def __init__(self) -> None:
        self.server: ChatServer | None = None
        self.feed: AdminFeed | None = None
        self.announcement: Announcement | None = None
        self._stop_thread: threading.Thread | None = None

    def start(self, config: ServerConfig) -> ChatServer:
        """Bind and serve; raises OSError when the address cannot be used, FolderBusy when another server has the data folder."""
        if self.server is not None:
            raise RuntimeError("a server is already running; stop it first")
        from chat_server.admin_gui.feed import AdminFeed
        from chat_server.announcing import Announcement
        from chat_server.server import ChatServer

        server = ChatServer(config)
        feed = AdminFeed()
        server.registry.add_listener(feed.on_event)
        self.server, self.feed = server, feed
        server.start()
        self.announcement = Announcement.for_server(server).start()
        return server

    def stop_in_background(self) -> None:
        """Every client gets shutdown and bye; the feed is marked stopped when all is joined."""
        server, feed, announcement = self.server, self.feed, self.announcement
        if server is None or feed is None or self._stop_thread is not None:
            return

        def stop() -> None:
            try:
                if announcement is not None:
                    announcement.stop()
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
            if self.announcement is not None:
                self.announcement.stop()
            self.server.stop()

    def forget(self) -> None:
        """After ServerStopped: drop the old server so Start makes a new one."""
        if self.server is not None and self.feed is not None:
            self.server.registry.remove_listener(self.feed.on_event)
        self.server = self.feed = None
        self.announcement = None
        self._stop_thread = None
