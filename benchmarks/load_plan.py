"""What the controller tells a load process: each client's part and the pace of a run (controller and load processes).

    ClientPlan   one client: its nickname number, room, whether it sends chat, checks every token, types
    RunPlan      one timed run: messages and rate per sender, the flat-out window, who should get how much

Both cross the pipe to the forked load processes, so they hold plain values only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClientPlan:
    index: int  # nickname b<index>; also the sender number in tokens
    room: str | None
    sender: bool
    probe: bool
    typing_every: float = 0.0  # a typist: seconds between its TYPING commands (0: it never types)
    typing_offset: float = 0.0  # when its first TYPING goes out, after the run starts (typists are spread)
    # At a fixed rate: where in each interval this sender's messages go out (0 to 1).  Spread over every sender of
    # the run, whichever load process holds it, so no two senders of a fanout write at the same moment.
    send_phase: float = 0.0


@dataclass(frozen=True)
class RunPlan:
    messages_per_sender: int
    rate: float  # messages per second per sender; 0 means flat out
    batch: int  # flat out: messages written before each PING
    window: int  # flat out: PINGs that may be unanswered at once
    expected: dict[int, int]  # client index -> room messages it should receive
    deadline_seconds: float
    # Typing scenarios: typists type and `typing` frames are counted for this many seconds from the start
    # (the measured window); 0 leaves typing out of the run altogether.
    typing_seconds: float = 0.0
    # time.monotonic_ns() at which every load process starts (one clock on one machine), so that the senders'
    # phases line up across processes; 0: each process starts when the plan reaches it.
    start_ns: int = 0
