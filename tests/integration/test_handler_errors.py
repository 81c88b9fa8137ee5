"""A handler thread that raises: the traceback goes to the log (socketserver's handle_error hook), the server serves on."""

from __future__ import annotations

import logging

from chat_server.handlers.chat import ChatCommands
from chat_server.log_queue import QueueLogHandler


def explode(self, session, argument):
    raise RuntimeError("a bug in a handler")


def test_a_handler_exception_is_logged_with_its_traceback_and_others_carry_on(start_server, wire, monkeypatch, caplog):
    monkeypatch.setattr(ChatCommands, "handle_help", explode)  # before the server builds its command table
    server = start_server()
    bystander = wire(server, "bystander", "lab")
    victim = wire(server, "victim", "lab")
    bystander.expect("system")
    with caplog.at_level(logging.ERROR, logger="chat_server"):
        victim.send("HELP")
        victim.rest_until_closed()  # that connection ends; nothing else does
        leave = bystander.expect("system")
    assert (leave["event"], leave["user"]) == ("leave", "victim")
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "chat_server"
    assert "failed with an unexpected error" in errors[0].getMessage()
    assert errors[0].exc_info is not None and "a bug in a handler" in str(errors[0].exc_info[1])
    text = logging.Formatter().format(errors[0])
    assert "Traceback (most recent call last)" in text and "in explode" in text
    assert bystander.reply("PING fine")["type"] == "pong"  # the registry lock was released
    assert wire(server, "newcomer").reply("PING")["type"] == "pong"


def test_the_admin_windows_log_handler_gets_the_traceback_too(start_server, wire, monkeypatch):
    """The admin window's log pane reads a QueueLogHandler on the "chat_server" logger (chat_server/log_queue.py)."""
    monkeypatch.setattr(ChatCommands, "handle_help", explode)
    server = start_server()
    handler = QueueLogHandler()
    logger = logging.getLogger("chat_server")
    logger.addHandler(handler)
    try:
        victim = wire(server, "victim")
        victim.send("HELP")
        victim.rest_until_closed()
        lines, dropped = handler.take(100)
    finally:
        logger.removeHandler(handler)
    errors = [line for line in lines if line.level == logging.ERROR]
    assert dropped == 0 and len(errors) == 1
    assert "Traceback" in errors[0].text and "RuntimeError: a bug in a handler" in errors[0].text
