"""A chat server started inside the window, for one computer with no server yet (a worker thread starts it, Tk stops it).

It uses only the server's public API (`run_in_thread`), listens on every
interface so classmates on the LAN can join, and is stopped when the window
closes.  The server's own threads do the serving.  The server package is
imported when a server is started, not when the window opens (it is most
of the window's start-up time otherwise, and most people never start one).
The window starts it through `Starting`, on a thread of its own: opening
the data folder may wait for a lock (2 s for another server's, up to 17 s
for a program holding the database, such as DB Browser), and on the Tk
thread that froze the window for that long.  A window closed meanwhile
stops the server as soon as it is up.
"""

from __future__ import annotations

import errno
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat_server import ChatServer

LISTEN_ALL = "0.0.0.0"


class PortTaken(OSError):
    pass


class FolderTaken(Exception):
    """Another ClassChat server on this computer already keeps its data in the folder this one would use."""


class ServerStopped(Exception):
    """The window closed while its server was starting; the server was stopped as soon as it was up."""


class Starting:
    """`EmbeddedServer.start` on a worker thread; `outcome()` is None until it ends, then the port or the exception."""

    def __init__(self, embedded: EmbeddedServer, port: int, host: str = LISTEN_ALL) -> None:
        self._done = threading.Event()
        self._outcome: int | Exception = 0
        threading.Thread(
            target=self._run, args=(embedded, port, host), name="embedded-server-start", daemon=True
        ).start()

    def _run(self, embedded: EmbeddedServer, port: int, host: str) -> None:
        try:
            self._outcome = embedded.start(port, host)
        except Exception as exc:  # handed to the Tk thread, which says it in the dialog
            self._outcome = exc
        finally:
            self._done.set()

    def outcome(self) -> int | Exception | None:
        return self._outcome if self._done.is_set() else None


class EmbeddedServer:
    def __init__(self) -> None:
        self.server: ChatServer | None = None
        self._lock = threading.Lock()
        self._stopped = False  # stop() came while a start was under way: that server stops once it is up

    @property
    def running(self) -> bool:
        return self.server is not None and self.server.running

    @property
    def port(self) -> int:
        return self.server.address[1] if self.server is not None else 0

    def start(self, port: int, host: str = LISTEN_ALL) -> int:
        """Listen on host:port (0 picks a free port) and return the port.

        PortTaken if something holds the port, FolderTaken if another server holds the data folder.
        """
        from chat_server import ServerConfig, run_in_thread
        from chat_server.folder_busy import FolderBusy

        with self._lock:
            self._stopped = False
        try:
            server = run_in_thread(ServerConfig(host=host, port=port))
        except FolderBusy as exc:  # a second server beside it would lose accounts and rooms: it does not start
            raise FolderTaken(
                f"No server was started: {exc}. That server may already be the class's: connect to its "
                f"address and port, or stop it first."
            ) from exc
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE or getattr(exc, "winerror", None) == 10048:
                raise PortTaken(
                    f"Port {port} is already used by another program, which is not a ClassChat server. "
                    f"Pick another port (for example {port + 1}) and try again."
                ) from exc
            raise
        with self._lock:
            stopped = self._stopped
            if not stopped:
                self.server = server
        if stopped:
            server.stop("The window that started this chat server was closed.")
            raise ServerStopped("the window was closed while its server was starting")
        return self.port

    def addresses(self) -> list[str]:
        """ "address:port" strings classmates can connect to."""
        if self.server is None:
            return []
        from chat_server.netinfo import join_addresses

        host, port = self.server.address
        return join_addresses(host, port)

    def keeping_warning(self) -> str:
        """ "" while the server keeps what it should; else a sentence on what it cannot keep, and why.

        A data folder it cannot use (a file in its place, a read-only disk, a damaged database set aside)
        leaves it running memory-only, and a key it cannot save is a new one at every start (the students'
        windows then warn of a changed key): the teacher hears it now, not after the next start.
        """
        if self.server is None:
            return ""
        status = self.server.storage.status()
        words = []
        if status.state == "memory":
            words.append(f"Nothing is kept after this window closes ({status.describe()}).")
        elif not status.ok or status.notices:
            words.append(f"History: {status.describe()}.")
        tls = self.server.tls
        if tls is not None and tls.certificate.problem:
            words.append(f"Its key: {tls.certificate.problem}.")
        return " ".join(words)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            server, self.server = self.server, None
        if server is not None:
            server.stop("The window that ran this chat server was closed.")


def running_notice(addresses: list[str]) -> str:
    """What the chat window says once its own server runs: where classmates join, or that only this computer can."""
    from chat_server.netinfo import ONLY_THIS_COMPUTER, only_this_computer

    if only_this_computer(addresses):
        return f"This computer now runs the chat server. {ONLY_THIS_COMPUTER} Closing this window stops the server."
    return (
        f"This computer now runs the chat server. Classmates on the same network join with address and "
        f"port: {', '.join(addresses)}. Closing this window stops the server."
    )
