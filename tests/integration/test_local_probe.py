"""The Connect dialog's question "does anything answer on this computer?", against real sockets on 127.0.0.1."""

from __future__ import annotations

import socket
import time

from chat_gui.core.local_probe import LocalProbe


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def test_a_listening_port_answers_and_a_free_one_does_not(server):
    assert LocalProbe(server.address[1]).start().wait(5) is True
    assert LocalProbe(free_port()).start().wait(5) is False


def test_a_listener_that_never_accepts_still_counts_as_an_answer():
    listener = socket.create_server(("127.0.0.1", 0), backlog=1)  # the kernel completes the handshake
    try:
        assert LocalProbe(listener.getsockname()[1]).start().wait(5) is True
    finally:
        listener.close()


def test_the_answer_is_unknown_until_the_thread_is_done_and_never_blocks_the_caller():
    started = time.monotonic()
    probe = LocalProbe(free_port())
    assert probe.answer() is None
    probe.start()
    assert time.monotonic() - started < 0.1, "start() returns at once"
    assert probe.wait(5) is False and probe.answer() is False
