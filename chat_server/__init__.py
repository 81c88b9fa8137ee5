"""The ClassChat server: a threaded TCP chat server for a classroom or a small team.

Public API for embedders (the admin window, the client's embedded default,
tests): `ChatServer`, `ServerConfig` and `run_in_thread`.
"""

from chat_server.config import ServerConfig
from chat_server.server import ChatServer, run_in_thread

__all__ = ["ChatServer", "ServerConfig", "run_in_thread"]
