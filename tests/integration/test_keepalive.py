"""TCP keepalive on every accepted connection, with the configured timings (the real probing: tests/adversarial/test_ghost_sessions.py)."""

from __future__ import annotations

import socket

import pytest

from chat_server.config import ServerConfig
from tests.support import wait_until


def accepted_socket(server) -> socket.socket:
    sessions = wait_until(lambda: list(server.registry.sessions))
    return sessions[0].sock


def test_accepted_connections_probe_a_silent_peer_with_the_default_timings(server, wire):
    wire(server)
    sock = accepted_socket(server)
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    if hasattr(socket, "TCP_KEEPIDLE"):
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 20
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 10
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 50_000
    assert ServerConfig().dead_peer_seconds == 50  # "within about 60 s"


@pytest.mark.parametrize(("idle", "interval", "count"), [(5, 2, 4), (1, 1, 1), (7.5, 0.5, 2)])
def test_the_timings_are_options(start_server, wire, idle, interval, count):
    server = start_server(keepalive_idle=idle, keepalive_interval=interval, keepalive_count=count)
    wire(server)
    sock = accepted_socket(server)
    if hasattr(socket, "TCP_KEEPIDLE"):
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == max(1, -(-idle // 1))
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == count


def test_zero_idle_turns_keepalive_off(start_server, wire):
    server = start_server(keepalive_idle=0)
    wire(server)
    assert accepted_socket(server).getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0
