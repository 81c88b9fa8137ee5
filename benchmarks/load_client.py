"""One simulated client's state and the latency book of a load process (load processes, one thread each).

A load process (benchmarks/load.py) keeps a Client per socket; the
"probe" clients pass every token they receive to the process's
LatencyBook, which checks per-sender order and files the latency in a
histogram of LATENCY_BUCKET_NS buckets (bounded however long the run).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from benchmarks.load_plan import ClientPlan
from shared.tls_channel import TlsChannel

LATENCY_BUCKET_NS = 10_000  # latencies are kept as a histogram of 10 µs buckets


@dataclass
class Client:
    plan: ClientPlan
    sock: socket.socket
    own_marker: bytes
    pending: bytes = b""
    outgoing: bytearray = field(default_factory=bytearray)
    writing: bool = False
    connected: bool = False
    setup_seen: bytes = b""
    received: int = 0  # room message tokens, own echoes included
    own_received: int = 0
    crc: int = 0
    next_seq: int = 0  # next message this sender writes
    pings_sent: int = 0
    pings_answered: int = 0
    order_violations: int = 0
    expected_seq: dict[int, int] = field(default_factory=dict)
    last_receive_ns: int = 0
    channel: TlsChannel | None = None  # TLS runs
    handshaking: bool = False
    plain_waiting: bytearray = field(default_factory=bytearray)  # said before the handshake finished


class LatencyBook:
    """The latencies a load process's probe clients measured, and the order checks they make on the way."""

    def __init__(self) -> None:
        self.histogram: dict[int, int] = {}  # LATENCY_BUCKET_NS bucket -> count
        self.max_ns = 0

    def check_tokens(self, client: Client, tokens: list[bytes], now_ns: int) -> None:
        """Tokens `client` received at `now_ns`: count order violations, file the others' latencies."""
        expected_seq = client.expected_seq
        histogram = self.histogram
        for token in tokens:
            sender, seq, sent_ns = token[1:].split(b".")
            sender_number, seq_number = int(sender), int(seq)
            expected = expected_seq.get(sender_number, 0)
            if seq_number < expected:
                client.order_violations += 1
            else:
                expected_seq[sender_number] = seq_number + 1
            if sender_number != client.plan.index:
                latency = now_ns - int(sent_ns)
                bucket = latency // LATENCY_BUCKET_NS
                histogram[bucket] = histogram.get(bucket, 0) + 1
                if latency > self.max_ns:
                    self.max_ns = latency
