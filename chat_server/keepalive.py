"""TCP keepalive on an accepted connection, so a peer that vanished without a FIN is noticed (handler thread).

A laptop that leaves the Wi-Fi sends nothing more, not even a reset; without
keepalive its connection (and its nickname) would stay until the silence
limit.  With it the kernel probes a quiet connection and, after `count`
probes go unanswered, fails the connection: the handler thread's recv()
raises and the session ends like any other.  TCP_USER_TIMEOUT (Linux) gives
the same bound when data is waiting unacknowledged, where keepalive probes
are not sent and retransmissions would otherwise go on for about 15 minutes.
"""

from __future__ import annotations

import logging
import math
import socket

from chat_server.config import ServerConfig

log = logging.getLogger("chat_server")

# The idle option has another name on macOS.
_TCP_KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", None) or getattr(socket, "TCP_KEEPALIVE", None)


def enable_keepalive(sock: socket.socket, config: ServerConfig) -> None:
    """Switch keepalive on with the configured timing; options a platform lacks are skipped."""
    if not config.keepalive_idle:
        return
    wanted: list[tuple[int, int, int]] = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    if _TCP_KEEPIDLE is not None:
        wanted.append((socket.IPPROTO_TCP, _TCP_KEEPIDLE, max(1, math.ceil(config.keepalive_idle))))
    if hasattr(socket, "TCP_KEEPINTVL"):
        wanted.append((socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, math.ceil(config.keepalive_interval))))
    if hasattr(socket, "TCP_KEEPCNT"):
        wanted.append((socket.IPPROTO_TCP, socket.TCP_KEEPCNT, max(1, config.keepalive_count)))
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        wanted.append((socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(config.dead_peer_seconds * 1000)))
    for level, option, value in wanted:
        try:
            sock.setsockopt(level, option, value)
        except OSError as exc:  # e.g. an old Windows without the per-socket timings
            log.debug("keepalive option %d not set: %s", option, exc)
