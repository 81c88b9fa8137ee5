"""Server settings: the address and every limit of the wire contract (read by all server threads)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.frames import DEFAULT_HOST, DEFAULT_PORT
from shared.names import MAX_TEXT_CHARS


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen and the limits; for each limit 0 turns it off."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_clients: int = 1000
    register_timeout: float = 30.0  # seconds to get a NICK accepted
    idle_timeout: float = 300.0  # seconds of silence before the server hangs up
    max_outbound_bytes: int = 1024 * 1024  # unsent output per client
    rate_per_second: float = 10.0  # commands per second per connection...
    rate_burst: int = 30  # ...with bursts of this many
    max_message_chars: int = MAX_TEXT_CHARS
    listen_backlog: int = 1024
    name: str = "ClassChat"

    def describe_limits(self) -> list[tuple[str, str]]:
        def off(value: float, text: str) -> str:
            return text if value else "off"

        return [
            ("clients online", off(self.max_clients, f"{self.max_clients}")),
            ("time to register", off(self.register_timeout, f"{self.register_timeout:g} s")),
            ("silence", off(self.idle_timeout, f"{self.idle_timeout:g} s")),
            ("unsent output per client", off(self.max_outbound_bytes, f"{self.max_outbound_bytes} bytes")),
            ("commands", off(self.rate_per_second, f"{self.rate_per_second:g}/s, bursts of {self.rate_burst}")),
        ]
