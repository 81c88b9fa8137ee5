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
    max_per_address: int = 20  # connections from one address (loopback too)...
    # ...of which this many may still be without a nickname: as many, so a class behind one address may all
    # connect before any registers, as the contract's 20 allows (a lower cap here refused the 11th: a probe)
    max_unregistered_per_address: int = 20
    # IPv6 addresses of one prefix of this length count as one computer for the per-address limits (0: each
    # address alone; chat_server/address_groups.py says why it is off: a classroom's LAN is one /64)
    ipv6_prefix_length: int = 0
    register_timeout: float = 30.0  # seconds to get a NICK accepted
    idle_timeout: float = 300.0  # seconds of silence before the server hangs up
    max_outbound_bytes: int = 1024 * 1024  # unsent output per client
    # Unsent output of all clients together (chat_server/output_cap.py): past it HISTORY, SEARCH and LIST are
    # refused and the worst non-readers cut off; 960 non-reading connections held 1 GB without it (a probe).
    max_total_outbound_bytes: int = 256 * 1024 * 1024
    rate_per_second: float = 10.0  # commands per second per connection...
    rate_burst: int = 30  # ...with bursts of this many
    flood_seconds: float = 10.0  # refused for going past the rate this long without a pause: disconnected
    list_interval: float = 2.0  # LIST answered once per this many seconds per connection (bursts of 3)
    # TCP keepalive on every connection: a peer that vanished without a FIN (Wi-Fi gone) is dropped
    # after idle + interval * count seconds without an answer (50 s by default).
    keepalive_idle: float = 20.0
    keepalive_interval: float = 10.0
    keepalive_count: int = 3
    resume_seconds: float = 600.0  # how long a lost connection's RESUME token stays good
    # The data folder (PROTOCOL.md, version 2): None is the user's data folder for the app.
    data_dir: str | None = None
    history: bool = True  # keep messages (--no-history: keep none)
    history_days: int = 30  # 0 keeps them forever
    history_max_mb: float = 2048.0  # past this much history the oldest messages go (storage/space.py); 0: no limit
    replay: int = 50  # messages replayed to a joiner; 0 off
    typing_interval: float = 3.0  # TYPING passed on at most once per this many seconds per user
    # Typing frames the whole server delivers a second (0: no limit).  160, not 200: with the bucket's
    # first-second burst and one relay's overdraft, 10 s of typing measured 239 a second at 200 (benchmark typing200).
    typing_frames_per_second: float = 160.0
    # Finding the server (DNS-SD, chat_server/announcing.py): the name the Connect dialogs list ("": this
    # computer's name); announced when listening on a LAN address, or on the `announce_on` addresses if given.
    class_name: str = ""
    announce: bool = True
    announce_on: tuple[str, ...] = ()
    # Who is who (docs/identity.md): a join code to get in (None: none), and whether PASS, REGISTER
    # and LOGIN may travel unencrypted from other computers.
    join_code: str | None = None
    allow_plain_passwords: bool = False
    # Encryption (PROTOCOL.md version 2; docs/encryption.md): TLS beside plain on the one port.
    tls: bool = True  # --no-tls: plain only
    require_tls: bool = False  # --require-tls: plain connections are turned away
    cert_file: str | None = None  # --cert and --key: the admin's own certificate instead of the server's own
    key_file: str | None = None
    max_message_chars: int = MAX_TEXT_CHARS
    listen_backlog: int = 1024
    # Files (PROTOCOL.md "Files", docs/files.md). "MB" is read as MiB, so a 25 MiB file fits exactly.
    max_file_mb: float = 25.0  # 0 turns sharing off
    files_quota_mb: float = 2048.0  # all shared files together, unfinished uploads counted at their size
    files_keep_free_mb: float = 64.0  # refuse uploads that would leave less free disk than this
    files_per_window: int = 10  # new files per sender in any 5 minutes
    name: str = "ClassChat"

    @property
    def dead_peer_seconds(self) -> float:
        """How long a vanished peer can go unnoticed with these keepalive settings (0: keepalive off)."""
        if not self.keepalive_idle:
            return 0.0
        return self.keepalive_idle + self.keepalive_interval * self.keepalive_count

    def describe_limits(self) -> list[tuple[str, str]]:
        def off(value: float, text: str) -> str:
            return text if value else "off"

        return [
            ("clients online", off(self.max_clients, f"{self.max_clients}")),
            ("connections per address", off(self.max_per_address, f"{self.max_per_address}")),
            (
                "without a nickname per address",
                off(self.max_unregistered_per_address, f"{self.max_unregistered_per_address}"),
            ),
            ("time to register", off(self.register_timeout, f"{self.register_timeout:g} s")),
            ("silence", off(self.idle_timeout, f"{self.idle_timeout:g} s")),
            ("vanished peer noticed", off(self.dead_peer_seconds, f"within {self.dead_peer_seconds:g} s")),
            ("unsent output per client", off(self.max_outbound_bytes, f"{self.max_outbound_bytes} bytes")),
            (
                "unsent output, all clients",
                off(self.max_total_outbound_bytes, f"{self.max_total_outbound_bytes} bytes"),
            ),
            ("commands", off(self.rate_per_second, f"{self.rate_per_second:g}/s, bursts of {self.rate_burst}")),
            ("LIST", off(self.list_interval, f"once per {self.list_interval:g} s")),
            (
                "shared file size",
                off(self.max_file_mb, f"{self.max_file_mb:g} MB") if self.max_file_mb else "sharing off",
            ),
        ]
