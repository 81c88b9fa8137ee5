"""A small stand-in server for the file-transfer prototype tests: the real file store and transfer handler, a toy chat.

Not the chat server (which is being rewritten): a ThreadingTCPServer whose
connections, like the real server's, get `welcome` and are then routed by
their first line -- a `transfer` hello goes to chat_server.files.transfer,
anything else is a toy chat connection that knows NICK, JOIN, PING, UPLOAD,
DOWNLOAD, CANCEL, DELETE and STATE (the store's numbers, for tests that run
this server in another process).  Completed uploads are announced with
`file` frames to the connected people who may fetch them.

    python -m tests.integration.file_proto_server DATA_DIR [--max-file-mb N] [--quota-mb N] [--keep-free-mb N]

prints "PORT <n>" and serves until killed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import socketserver
import ssl
import sys
import threading
from typing import Any

from chat_server.files.limits import FileLimits
from chat_server.files.records import StoredFile
from chat_server.files.store import FileStore
from chat_server.files.transfer import TransferOutcome, serve_transfer
from shared.commands import parse_command_line
from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import (
    CANCEL_USAGE,
    DOWNLOAD_USAGE,
    MIB,
    TRANSFER_FRAME_TYPE,
    FileError,
    FileErrorCode,
    cancelled_frame,
    download_frame,
    file_frame,
    may_fetch,
    parse_id_argument,
    parse_upload_argument,
    upload_frame,
)
from shared.frames import Frame, decode_frame, encode_frame, error_frame, server_frame
from shared.names import name_key, normalise_nick, normalise_room


class ChatPeer:
    """A toy chat connection: its nickname, room and a lock so other threads may write to it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.nick: str | None = None
        self.room: str | None = None
        self.lock = threading.Lock()

    def send(self, frame: Frame) -> None:
        with self.lock:
            try:
                self.sock.sendall(encode_frame(frame))
            except OSError:
                pass


class FileProtoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(
        self, data_dir: str | os.PathLike[str], limits: FileLimits | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), FileProtoHandler)
        self.tls = tls  # when set: a connection whose first byte is 0x16 is TLS, as the real server will do it
        self.store = FileStore(data_dir, limits)
        self.lock = threading.Lock()
        self.peers: list[ChatPeer] = []
        self.announced: list[StoredFile] = []
        self.outcomes: list[TransferOutcome] = []
        self.transfer_sockets: set[socket.socket] = set()
        self.message_ids = itertools.count(1)
        self.thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    def start(self) -> FileProtoServer:
        self.thread = threading.Thread(target=self.serve_forever, name="file-proto-accept", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.kill_transfers()

    def kill_transfers(self) -> None:
        """The server side cutting every transfer connection it has, as a crash or a network fault would."""
        with self.lock:
            sockets = list(self.transfer_sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def announce(self, stored: StoredFile) -> None:
        frame = file_frame(
            next(self.message_ids), stored.id, stored.name, stored.size, stored.sha256, stored.sender, stored.target
        )
        with self.lock:
            self.announced.append(stored)
            peers = list(self.peers)
        for peer in peers:
            rooms = {name_key(peer.room)} if peer.room else set()
            if peer.nick is not None and may_fetch(stored.sender, stored.target, peer.nick, rooms):
                peer.send(frame)


class FileProtoHandler(socketserver.BaseRequestHandler):
    server: FileProtoServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.tls is not None:
            # A plain client waits for `welcome` before it speaks, a TLS client speaks first: a short
            # wait for a first byte tells them apart (how the real server does it is its own choice).
            sock.settimeout(0.3)
            try:
                first = sock.recv(1, socket.MSG_PEEK)
            except TimeoutError:
                first = b""
            sock.settimeout(10)
            if first == b"\x16":
                sock = self.server.tls.wrap_socket(sock, server_side=True)
            sock.settimeout(None)
        sock.sendall(encode_frame(server_frame("welcome", "file prototype", server="proto", protocol=2)))
        pending = b""
        while b"\n" not in pending:
            data = sock.recv(65536)
            if not data:
                return
            pending += data
        line, pending = pending.split(b"\n", 1)
        try:
            first = decode_frame(line)
        except ProtocolError as exc:
            sock.sendall(encode_frame(error_frame(exc.code, exc.message)))
            return
        if first["type"] == TRANSFER_FRAME_TYPE:
            with self.server.lock:
                self.server.transfer_sockets.add(sock)
            try:
                outcome = serve_transfer(sock, first, self.server.store, self.server.announce, leftover=pending)
            finally:
                with self.server.lock:
                    self.server.transfer_sockets.discard(sock)
            with self.server.lock:
                self.server.outcomes.append(outcome)
            return
        self.chat(sock, first, pending)

    def chat(self, sock: socket.socket, first: Frame, pending: bytes) -> None:
        peer = ChatPeer(sock)
        with self.server.lock:
            self.server.peers.append(peer)
        try:
            frame: Frame | None = first
            while True:
                if frame is not None:
                    reply = self.command(peer, str(frame.get("content", "")))
                    if reply is not None:
                        peer.send(reply)
                while b"\n" not in pending:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pending += data
                line, pending = pending.split(b"\n", 1)
                frame = decode_frame(line)
        except (OSError, ProtocolError):
            return
        finally:
            with self.server.lock:
                self.server.peers.remove(peer)

    def command(self, peer: ChatPeer, content: str) -> Frame | None:
        store = self.server.store
        command = parse_command_line(content)
        try:
            if command.name == "NICK":
                peer.nick = normalise_nick(command.argument)
                return server_frame("nick", f"You are {peer.nick}.", nick=peer.nick)
            if command.name == "PING":
                return server_frame("pong", command.argument, token=command.argument)
            if peer.nick is None:
                raise ProtocolError(ErrorCode.NOT_REGISTERED, "NICK first.")
            if command.name == "JOIN":
                peer.room = normalise_room(command.argument)
                return server_frame("joined", f"You joined #{peer.room}.", room=peer.room, users=[peer.nick])
            if command.name == "UPLOAD":
                request = parse_upload_argument(command.argument, store.limits.max_file_bytes)
                ticket = store.begin_upload(peer.nick, request, str(self.client_address[0]))
                return upload_frame(ticket.upload_id, ticket.token, request)
            if command.name == "DOWNLOAD":
                file_id = parse_id_argument(command.argument, DOWNLOAD_USAGE)
                stored = store.info(file_id)
                rooms = {name_key(peer.room)} if peer.room else set()
                if stored is None or not may_fetch(stored.sender, stored.target, peer.nick, rooms):
                    raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no file with that id.")
                token = store.grant_download(file_id, peer.nick)
                return download_frame(file_id, token, stored.name, stored.size, stored.sha256)
            if command.name == "CANCEL":
                upload_id = parse_id_argument(command.argument, CANCEL_USAGE)
                stored = store.cancel_upload(upload_id, peer.nick)
                return cancelled_frame(upload_id, stored.name)
            if command.name == "DELETE":
                if not store.delete(command.argument.strip()):
                    raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no file with that id.")
                return server_frame("deleted", "Deleted.", id=0)
            if command.name == "STATE":
                return self.state()
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"Unknown command {command.name}.")
        except FileError as exc:
            return exc.frame()
        except ProtocolError as exc:
            return error_frame(exc.code, exc.message)

    def state(self) -> Frame:
        store = self.server.store
        fields: dict[str, Any] = {
            "stored_bytes": store.stored_bytes,
            "reserved_bytes": store.reserved_bytes,
            "uploads_dir": sorted(path.name for path in store.uploads_dir.iterdir()),
            "files_dir": sorted(path.name for path in store.files_dir.iterdir()),
            "announced": [stored.id for stored in self.server.announced],
        }
        return server_frame("state", "", **fields)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir")
    parser.add_argument("--max-file-mb", type=float, default=25)
    parser.add_argument("--quota-mb", type=float, default=2048)
    parser.add_argument("--keep-free-mb", type=float, default=64)
    args = parser.parse_args(argv)
    limits = FileLimits(
        max_file_bytes=int(args.max_file_mb * MIB),
        quota_bytes=int(args.quota_mb * MIB),
        keep_free_bytes=int(args.keep_free_mb * MIB),
    )
    server = FileProtoServer(args.data_dir, limits)
    print(f"PORT {server.address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
