"""The server's command-line options, shared by the headless script and the admin window (main thread).

`add_server_options` declares them; `config_from_args` turns the parsed
arguments into a ServerConfig.  Kept apart from both programs so neither
imports the other.
"""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Callable
from typing import TypeVar

from chat_server.config import ServerConfig
from chat_server.identity.join_code import clean_chosen_code, new_join_code
from chat_server.storage import default_data_dir
from shared.frames import DEFAULT_HOST, DEFAULT_PORT
from shared.version import __version__

T = TypeVar("T")

DEFAULTS = ServerConfig()


def add_server_options(parser: argparse.ArgumentParser, host_default: str = DEFAULT_HOST) -> None:
    """The options the headless script and the admin window share: address, limits, logging.

    --host stays None when not given, so `config_from_args` can apply the
    default of the program that runs (the window listens on the LAN).
    """
    parser.add_argument("--version", action="version", version=f"ClassChat server {__version__}")
    other = "127.0.0.1 for this computer only" if host_default == "0.0.0.0" else "0.0.0.0 for the LAN"
    parser.add_argument("--host", help=f"address to listen on (default {host_default}; {other})")
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)"
    )
    limits = parser.add_argument_group("limits (0 turns one off)")
    limits.add_argument(
        "--max-clients", type=_whole, default=DEFAULTS.max_clients, help="connections at once (default %(default)s)"
    )
    limits.add_argument(
        "--max-per-address",
        type=_whole,
        default=DEFAULTS.max_per_address,
        metavar="N",
        help="connections from one address, loopback included (default %(default)s)",
    )
    limits.add_argument(
        "--ipv6-prefix-length",
        type=_whole,
        default=DEFAULTS.ipv6_prefix_length,
        metavar="BITS",
        help="count IPv6 addresses of one prefix this long as one computer for the per-address limits, bans, mutes and login "
        "throttles: 64 for a server students reach over the internet; not in a classroom, whose LAN is one /64 (default %(default)s: "
        "each address alone)",
    )
    limits.add_argument(
        "--max-unregistered-per-address",
        type=_whole,
        default=DEFAULTS.max_unregistered_per_address,
        metavar="N",
        help="connections from one address still without a nickname (default %(default)s)",
    )
    limits.add_argument(
        "--register-timeout",
        type=_not_negative,
        default=DEFAULTS.register_timeout,
        metavar="SECONDS",
        help="time to get a nickname accepted (default %(default)s)",
    )
    limits.add_argument(
        "--idle-timeout",
        type=_not_negative,
        default=DEFAULTS.idle_timeout,
        metavar="SECONDS",
        help="silence before hanging up (default %(default)s)",
    )
    limits.add_argument(
        "--max-outbound-bytes",
        type=_whole,
        default=DEFAULTS.max_outbound_bytes,
        metavar="BYTES",
        help="unsent output per client before it is cut off (default %(default)s)",
    )
    limits.add_argument(
        "--max-total-outbound-bytes",
        type=_whole,
        default=DEFAULTS.max_total_outbound_bytes,
        metavar="BYTES",
        help="unsent output of all clients together; past it HISTORY, SEARCH and LIST are refused and the "
        "connections that read nothing for longest are cut off (default %(default)s; 0: no cap)",
    )
    limits.add_argument(
        "--rate",
        type=_not_negative,
        default=DEFAULTS.rate_per_second,
        metavar="PER_SECOND",
        help="commands per second per connection; one computer's messages, all its connections together, may be twice "
        "that (default %(default)s)",
    )
    limits.add_argument(
        "--burst",
        type=_whole,
        default=DEFAULTS.rate_burst,
        help="commands allowed in a burst (default %(default)s; 0 is taken as 1: no burst beyond the rate, which --rate 0 turns off)",
    )
    limits.add_argument(
        "--flood-seconds",
        type=_not_negative,
        default=DEFAULTS.flood_seconds,
        metavar="SECONDS",
        help="a client refused for sending too fast this long without a pause is disconnected (default %(default)s)",
    )
    limits.add_argument(
        "--list-interval",
        type=_not_negative,
        default=DEFAULTS.list_interval,
        metavar="SECONDS",
        help="LIST is answered once per this many seconds per connection, bursts of 3 (default %(default)s)",
    )
    limits.add_argument(
        "--typing-frames-per-second",
        type=_not_negative,
        default=DEFAULTS.typing_frames_per_second,
        metavar="N",
        help="typing frames the whole server sends a second, all rooms together: a TYPING passed on to 30 people is 30; "
        "each room where people type is sure of an even share (default %(default)g)",
    )
    limits.add_argument(
        "--keepalive-idle",
        type=_not_negative,
        default=DEFAULTS.keepalive_idle,
        metavar="SECONDS",
        help="TCP keepalive: silence before the first probe of a connection (default %(default)s)",
    )
    limits.add_argument(
        "--keepalive-interval",
        type=_not_negative,
        default=DEFAULTS.keepalive_interval,
        metavar="SECONDS",
        help="TCP keepalive: time between probes (default %(default)s)",
    )
    limits.add_argument(
        "--keepalive-count",
        type=_whole,
        default=DEFAULTS.keepalive_count,
        metavar="N",
        help="TCP keepalive: unanswered probes before a vanished client is dropped (default %(default)s)",
    )
    limits.add_argument(
        "--resume-seconds",
        type=_not_negative,
        default=DEFAULTS.resume_seconds,
        metavar="SECONDS",
        help="how long a lost connection's nickname and room can be taken back with RESUME, also across a normal "
        "restart (default %(default)s)",
    )
    limits.add_argument(
        "--backlog",
        type=_whole,
        default=DEFAULTS.listen_backlog,
        help="pending connections the OS may queue (default %(default)s)",
    )
    memory = parser.add_argument_group("memory (PROTOCOL.md version 2: history in the data folder)")
    memory.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"where the server keeps its database and files (default {default_data_dir()})",
    )
    memory.add_argument("--no-history", action="store_true", help="keep no messages")
    memory.add_argument(
        "--history-days",
        type=_whole,
        default=DEFAULTS.history_days,
        metavar="N",
        help="keep messages this many days; 0 keeps them forever (default %(default)s)",
    )
    memory.add_argument(
        "--history-max-mb",
        type=_megabytes,
        default=DEFAULTS.history_max_mb,
        metavar="MB",
        help="past this size of kept messages the oldest ones are deleted to make room; 0: no size limit "
        "(default %(default)g)",
    )
    memory.add_argument(
        "--replay",
        type=_whole,
        default=DEFAULTS.replay,
        metavar="N",
        help="messages replayed to someone joining a room; 0 turns it off (default %(default)s)",
    )
    finding = parser.add_argument_group("finding the server (DNS-SD/mDNS; where the network allows multicast)")
    finding.add_argument(
        "--class-name",
        metavar="NAME",
        help="the name students see in the Connect dialog (default: this computer's name)",
    )
    finding.add_argument(
        "--no-announce",
        action="store_true",
        help="do not announce the server on the network (it is announced when listening on a LAN address)",
    )
    finding.add_argument(
        "--announce-on",
        action="append",
        type=_ip_address,
        metavar="ADDRESS",
        help="announce only on the interface with this address (repeatable; e.g. 127.0.0.1 to try it on one computer)",
    )
    identity = parser.add_argument_group("who is who (docs/identity.md)")
    identity.add_argument(
        "--join-code",
        type=_join_code,
        metavar="CODE",
        help="a code every connection must send (PASS CODE) before choosing a nickname; 'new' makes one",
    )
    identity.add_argument(
        "--allow-plain-passwords",
        action="store_true",
        help="accept PASS, REGISTER and LOGIN over unencrypted connections from other computers",
    )
    add_tls_options(parser)
    files = parser.add_argument_group("shared files (docs/files.md; MB means MiB)")
    files.add_argument(
        "--max-file-mb",
        type=_megabytes,
        default=DEFAULTS.max_file_mb,
        metavar="MB",
        help="largest file that can be shared; 0 turns sharing off (default %(default)g)",
    )
    files.add_argument(
        "--files-quota-mb",
        type=_megabytes,
        default=DEFAULTS.files_quota_mb,
        metavar="MB",
        help="all shared files together; 0 for no quota (default %(default)g)",
    )
    files.add_argument(
        "--files-keep-free-mb",
        type=_megabytes,
        default=DEFAULTS.files_keep_free_mb,
        metavar="MB",
        help="refuse uploads that would leave less free disk than this (default %(default)g)",
    )
    files.add_argument(
        "--files-per-5-minutes",
        type=_whole,
        default=DEFAULTS.files_per_window,
        metavar="N",
        help="new files one sender (or address) may share in any 5 minutes; 0 for no limit (default %(default)s)",
    )
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation (server on port 0, two clients) and exit"
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to log (default INFO; message text only at DEBUG)",
    )


def add_tls_options(parser: argparse.ArgumentParser) -> None:
    """--require-tls, --no-tls, --cert, --key (PROTOCOL.md version 2, Encryption; docs/encryption.md)."""
    encryption = parser.add_argument_group(
        "encryption (TLS on the same port; by default the server makes its own certificate in the data folder)"
    )
    choice = encryption.add_mutually_exclusive_group()
    choice.add_argument(
        "--require-tls",
        action="store_true",
        help="turn plain (unencrypted) connections away, nc and older clients included",
    )
    choice.add_argument("--no-tls", action="store_true", help="no encryption: every connection is plain")
    encryption.add_argument("--cert", metavar="FILE", help="your own certificate (PEM) instead of the server's own")
    encryption.add_argument("--key", metavar="FILE", help="the private key (PEM, no passphrase) for --cert")


def check_tls_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse combinations that cannot work, before anything starts (parser.error exits 2)."""
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together: give both, or neither to use the server's own certificate")
    if args.no_tls and args.cert:
        parser.error("--cert and --key need TLS; leave out --no-tls")


def config_from_args(args: argparse.Namespace, default_host: str = DEFAULT_HOST) -> ServerConfig:
    return ServerConfig(
        host=args.host or default_host,
        port=args.port,
        max_clients=args.max_clients,
        max_per_address=args.max_per_address,
        max_unregistered_per_address=args.max_unregistered_per_address,
        ipv6_prefix_length=args.ipv6_prefix_length,
        register_timeout=args.register_timeout,
        idle_timeout=args.idle_timeout,
        max_outbound_bytes=args.max_outbound_bytes,
        max_total_outbound_bytes=args.max_total_outbound_bytes,
        rate_per_second=args.rate,
        rate_burst=args.burst,
        flood_seconds=args.flood_seconds,
        list_interval=args.list_interval,
        typing_frames_per_second=args.typing_frames_per_second,
        keepalive_idle=args.keepalive_idle,
        keepalive_interval=args.keepalive_interval,
        keepalive_count=args.keepalive_count,
        resume_seconds=args.resume_seconds,
        listen_backlog=args.backlog,
        data_dir=args.data_dir,
        history=not args.no_history,
        history_days=args.history_days,
        history_max_mb=args.history_max_mb,
        replay=args.replay,
        class_name=args.class_name or "",
        announce=not args.no_announce,
        announce_on=tuple(args.announce_on or ()),
        join_code=args.join_code,
        tls=not args.no_tls,
        require_tls=args.require_tls,
        cert_file=args.cert,
        key_file=args.key,
        allow_plain_passwords=args.allow_plain_passwords,
        max_file_mb=args.max_file_mb,
        files_quota_mb=args.files_quota_mb,
        files_keep_free_mb=args.files_keep_free_mb,
        files_per_window=args.files_per_5_minutes,
    )


def _parsed(text: str, convert: Callable[[str], T], kind: str) -> T:
    """`convert(text)`, or a usage error saying what the option wanted."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {kind}: {text!r}") from None


def _whole(text: str) -> int:
    """A count or size limit: a whole number, 0 (the limit off) or more; -1 is not "unlimited" here."""
    value = _parsed(text, int, "a whole number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 or more, not {text!r} (0 turns the limit off)")
    return value


def _not_negative(text: str) -> float:
    """A time or rate limit: a number, 0 (the limit off) or more; not nan or inf."""
    value = _parsed(text, float, "a number")
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"0 or more, not {text!r} (0 turns the limit off)")
    return value


def _port(text: str) -> int:
    """--port: 0 (a free one) to 65535."""
    value = _parsed(text, int, "a port number")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {text!r}")
    return value


def _megabytes(text: str) -> float:
    """A size in MB (MiB), 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of MB: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"0 or more MB, not {text!r}")
    return value


def _ip_address(text: str) -> str:
    """An --announce-on value: an IP address of this computer's, as typed."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address") from None
    return text


def _join_code(text: str) -> str:
    """--join-code: a chosen code (4 to 32 letters and digits), or 'new' for a random one."""
    if text.strip().lower() == "new":
        return new_join_code()
    try:
        return clean_chosen_code(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
