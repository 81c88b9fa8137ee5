"""Fixtures for black-box tests: raw-socket clients that are closed after each test, and a watch on server threads."""

from __future__ import annotations

import threading
import traceback

import pytest

from chat_server import ChatServer


@pytest.fixture
def no_server_errors(monkeypatch):
    """Fail the test if any thread raised: a handler thread (socketserver's handle_error) or any other."""
    errors: list[str] = []
    report_to_stderr = ChatServer.handle_error

    def record_handler_error(server, request, client_address) -> None:
        errors.append(f"handler thread for {client_address}:\n{traceback.format_exc()}")
        report_to_stderr(server, request, client_address)

    def record_thread_error(args: threading.ExceptHookArgs) -> None:
        trace = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        errors.append(f"thread {args.thread.name if args.thread else '?'}:\n{trace}")

    monkeypatch.setattr(ChatServer, "handle_error", record_handler_error)
    monkeypatch.setattr(threading, "excepthook", record_thread_error)
    yield
    if errors:
        pytest.fail("a thread raised:\n" + "\n".join(errors))
