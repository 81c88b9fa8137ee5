"""Fixtures for every test: a real server on port 0, real client connections, raw checked wire clients, a watch on server threads."""

from __future__ import annotations

import ipaddress
import threading
import traceback

import pytest

from chat_gui.core.connection import ChatConnection
from chat_server import ChatServer, ServerConfig
from tests.integration.wire import WireClient
from tests.support import connect_client


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory, monkeypatch):
    """No test, and no program a test starts, reads or writes the user's own data or settings folders."""
    home = tmp_path_factory.mktemp("user")
    for variable, folder in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("LOCALAPPDATA", "data"),
        ("APPDATA", "config"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    return home


@pytest.fixture(autouse=True)
def announce_on_loopback_only(monkeypatch):
    """No test announces a server anywhere but on loopback: a DNS-SD announcement elsewhere fails the test."""
    from chat_server.discovery import ServerAnnouncer

    real_start = ServerAnnouncer.start

    def guarded_start(announcer: ServerAnnouncer) -> ServerAnnouncer:
        outside = [
            address
            for address in [*announcer.interfaces, *announcer.addresses]
            if not ipaddress.ip_address(address).is_loopback
        ]
        if outside:
            pytest.fail(f"a test tried to announce a server on {outside}; tests announce on 127.0.0.1 only")
        return real_start(announcer)

    monkeypatch.setattr(ServerAnnouncer, "start", guarded_start)


@pytest.fixture(autouse=True)
def browse_on_loopback_only(monkeypatch):
    """No test looks for servers on a real network: the Connect dialog (and any program a test starts) browses on
    127.0.0.1, and a browser anywhere else fails the test."""
    from chat_gui.core.discovery import ServerBrowser

    monkeypatch.setenv("CLASSCHAT_DISCOVERY_INTERFACES", "127.0.0.1")  # found_servers.INTERFACES_VARIABLE, without Tk
    real_start = ServerBrowser.start

    def guarded_start(browser: ServerBrowser) -> ServerBrowser:
        if browser.interfaces is None or not all(ipaddress.ip_address(a).is_loopback for a in browser.interfaces):
            pytest.fail(f"a test tried to look for servers on {browser.interfaces or 'every interface'}")
        return real_start(browser)

    monkeypatch.setattr(ServerBrowser, "start", guarded_start)


@pytest.fixture
def start_server(tmp_path_factory):
    """Factory: start_server(**limits) -> a running ChatServer on 127.0.0.1, port 0; stopped afterwards.

    Each server keeps its history in a data folder of its own unless the test
    passes `data_dir` (a restart test passes the same one twice).
    """
    servers: list[ChatServer] = []

    def start(**limits) -> ChatServer:
        limits.setdefault("data_dir", str(tmp_path_factory.mktemp("server-data")))
        server = ChatServer(ServerConfig(host="127.0.0.1", port=0, **limits)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def chat_lines():
    """chat_lines(server, nick=None, room=None): a tests.integration.file_wire.ChatLine to `server`, closed after the test."""
    from tests.integration.file_wire import ChatLine

    made: list[ChatLine] = []

    def make(
        server: ChatServer, nick: str | None = None, room: str | None = None, source: str | None = None
    ) -> ChatLine:
        line = ChatLine(server.address, nick, room, source=source)
        made.append(line)
        return line

    yield make
    for line in made:
        line.close()


@pytest.fixture
def server(start_server) -> ChatServer:
    """A running server with the default limits."""
    return start_server()


@pytest.fixture
def make_client():
    """Factory: make_client(server, nick=None, room=None) -> a connected ChatConnection; closed afterwards."""
    clients: list[ChatConnection] = []

    def make(server: ChatServer, nick: str | None = None, room: str | None = None) -> ChatConnection:
        client = connect_client(server.address, nick, room)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def wire():
    """Factory: wire(server, nick=None, room=None, welcome=True, replays=False, source=None, tls=False) -> a checked
    JSON-mode WireClient (`source`: the loopback address it connects from, standing for another computer)."""
    clients: list[WireClient] = []

    def make(
        server: ChatServer,
        nick: str | None = None,
        room: str | None = None,
        welcome: bool = True,
        replays: bool = False,
        source: str | None = None,
        tls: bool = False,
    ) -> WireClient:
        client = WireClient(server.address, welcome=welcome, replays=replays, source=source, tls=tls)
        clients.append(client)
        if nick is not None:
            client.register(nick, room)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def no_server_errors(monkeypatch):
    """Fail the test if any thread raised: a handler thread (socketserver's handle_error) or any other."""
    errors: list[str] = []
    report = ChatServer.handle_error

    def record_handler_error(server, request, client_address) -> None:
        errors.append(f"handler thread for {client_address}:\n{traceback.format_exc()}")
        report(server, request, client_address)

    def record_thread_error(args: threading.ExceptHookArgs) -> None:
        trace = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        errors.append(f"thread {args.thread.name if args.thread else '?'}:\n{trace}")

    monkeypatch.setattr(ChatServer, "handle_error", record_handler_error)
    monkeypatch.setattr(threading, "excepthook", record_thread_error)
    yield
    if errors:
        pytest.fail("a thread raised:\n" + "\n".join(errors))
