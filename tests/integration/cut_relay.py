"""A TCP relay on 127.0.0.1 in front of a real server that a test can cut and restore, like a Wi-Fi that drops.

    relay = CutRelay(server.address)      clients connect to relay.address
    relay.cut()                           every connection through it is closed, both ways; new ones are refused
    relay.cut(server_notices=False)       only the client's side closes: the server goes on writing into
                                          a connection nobody reads (a drop it has not noticed yet)
    relay.freeze()                        nothing is forwarded any more, either way, but every socket stays open:
                                          a half-open connection (Wi-Fi gone); `relay.dropped` holds what the
                                          client wrote meanwhile.  freeze(to_server=False) loses only the answers
    relay.thaw()                          forward again, without cutting
    relay.hold()                          nothing is forwarded on connections made from now on, and nothing is
                                          lost: each way waits (TCP backs up to the sender, as on a very slow
                                          link) until relay.release(); the connections open before go on
    relay.restore()                       it listens again, on the same port (and forwards again)
    CutRelay(server.address, source="127.0.0.2")   the server sees the clients come from that address

The server sees its side of each connection close (so it keeps the user's
session for RESUME), and the client sees its side close and reconnects,
refused until `restore()`.
"""

from __future__ import annotations

import socket
import threading


class CutRelay:
    def __init__(self, target: tuple[str, int], source: str | None = None) -> None:
        self.target = target
        self.source = (source, 0) if source else None  # stands for another computer (per-address limits)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self.connections = 0
        self.silent: set[socket.socket] = set()  # server sides left open by cut(server_notices=False)
        self.frozen = {"to_server": False, "to_client": False}  # freeze(): what is read that way is dropped
        self.dropped = bytearray()  # what the client wrote while its way to the server was frozen
        self.flowing = threading.Event()  # a new, unset one after hold(): the pumps of later connections wait
        self.flowing.set()
        self._start_accepting(self.listener)

    def _start_accepting(self, listener: socket.socket) -> None:
        threading.Thread(target=self._accept, args=(listener,), name="relay-accept", daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, source_address=self.source)
            except OSError:
                client.close()
                continue
            with self._lock:
                self.pairs.append((client, upstream))
                self.connections += 1
            gate = self.flowing
            for source, sink, way in ((client, upstream, "to_server"), (upstream, client, "to_client")):
                threading.Thread(
                    target=self._pump, args=(source, sink, way, gate), name="relay-pump", daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, way: str, gate: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                if self.frozen[way]:
                    with self._lock:
                        if way == "to_server":
                            self.dropped += data
                elif source not in self.silent:  # a silent server side's frames are lost, as on a dropped Wi-Fi
                    gate.wait()
                    sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            if end in self.silent and end is not source:
                continue  # the server closes it (RESUME) or close() does
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self, server_notices: bool = True) -> None:
        """Close every connection through the relay (only the client's side unless `server_notices`); refuse new ones."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept thread, which holds the port until it returns
        except OSError:
            pass
        self.listener.close()
        with self._lock:
            pairs, self.pairs = self.pairs, []
        if not server_notices:
            self.silent.update(upstream for _client, upstream in pairs)
        for client, upstream in pairs:
            for end in (client,) if upstream in self.silent else (client, upstream):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()

    def freeze(self, to_server: bool = True, to_client: bool = True) -> None:
        """Stop forwarding (both ways by default) while every connection stays open: neither end notices."""
        self.frozen = {"to_server": to_server, "to_client": to_client}

    def thaw(self) -> None:
        """Forward again (connections made from now on, and what the frozen ones still carry)."""
        self.frozen = {"to_server": False, "to_client": False}

    def hold(self) -> None:
        """Connections made from now on forward nothing until `release()`, keeping every byte: a link that stalls."""
        if self.flowing.is_set():
            self.flowing = threading.Event()

    def release(self) -> None:
        self.flowing.set()

    def restore(self) -> None:
        self.frozen = {"to_server": False, "to_client": False}
        self.listener = socket.create_server(self.address)
        self._start_accepting(self.listener)

    def close(self) -> None:
        self.flowing.set()
        self.cut()
        for upstream in list(self.silent):
            upstream.close()
