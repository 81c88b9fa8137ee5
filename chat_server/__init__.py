"""The ClassChat server: a threaded TCP chat server for a classroom or a small team.

Public API for embedders (the admin window, the client's embedded default,
tests): `ChatServer`, `ServerConfig` and `run_in_thread`.  `ChatServer` and
`run_in_thread` load chat_server.server (and with it the whole server) on
first use, not when a submodule such as chat_server.admin_gui is imported:
the admin window shows before the server it starts is loaded
(docs/executables.md).
"""

from typing import TYPE_CHECKING, Any

from chat_server.config import ServerConfig

if TYPE_CHECKING:
    from chat_server.server import ChatServer, run_in_thread

__all__ = ["ChatServer", "ServerConfig", "run_in_thread"]


def __getattr__(name: str) -> Any:
    if name in ("ChatServer", "run_in_thread"):
        from chat_server import server

        return getattr(server, name)
    raise AttributeError(f"module 'chat_server' has no attribute {name!r}")
