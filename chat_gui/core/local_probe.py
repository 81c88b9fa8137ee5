"""Whether anything answers on a port of this computer, asked on a short-lived thread (that thread; the caller polls).

    probe = LocalProbe(55555).start()      a thread tries 127.0.0.1:55555 for at most PROBE_TIMEOUT seconds
    probe.answer()                          None while it tries, then True (something accepted) or False

The Connect dialog asks this when it opens, so it can offer "Start a
server on this computer" from the start rather than after a failed
Connect.  A connection that is accepted is closed at once, before any
line is sent: a ClassChat server sees a client that left before choosing
a nickname.  The thread only writes its answer; the dialog reads it from
Tk's thread with `after()`, so no widget is touched from the thread.
"""

from __future__ import annotations

import socket
import threading

PROBE_TIMEOUT = 0.5  # a local port answers (or refuses) in well under a millisecond; this is for a busy machine
LOOPBACK = "127.0.0.1"


class LocalProbe:
    def __init__(self, port: int, host: str = LOOPBACK, timeout: float = PROBE_TIMEOUT) -> None:
        self.port = port
        self.host = host
        self.timeout = timeout
        self._answer: bool | None = None
        self._done = threading.Event()

    def start(self) -> LocalProbe:
        threading.Thread(target=self._run, name="chat-local-probe", daemon=True).start()
        return self

    def answer(self) -> bool | None:
        """True: something accepts connections there; False: nothing does; None: not known yet."""
        return self._answer if self._done.is_set() else None

    def wait(self, timeout: float | None = None) -> bool | None:
        self._done.wait(timeout)
        return self.answer()

    def _run(self) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout):
                self._answer = True
        except OSError:
            self._answer = False
        finally:
            self._done.set()
