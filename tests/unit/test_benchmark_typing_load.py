"""The benchmark's typists and typing-frame count (benchmarks/typing_load.py), and the check that fails a typing
scenario whose count cannot be right (benchmarks/scenarios.py); no sockets, times given by hand."""

from __future__ import annotations

from benchmarks.report import TYPING_HEADER, typing_row
from benchmarks.scenarios import Result, Scenario, _count_typing, plan_clients
from benchmarks.typing_load import NS, TypingLoad, TypingMix
from benchmarks.wire import DIALECTS
from chat_gui.core.presence import TYPING_EVERY_SECONDS
from shared.frames import encode_frame, server_frame

START = 1_000 * NS
TYPING_LINE = encode_frame(server_frame("typing", "ann is typing…", room="lab", user="ann"))
MESSAGE_LINE = encode_frame(server_frame("message", "M3.7.12345", room="lab", user="typing"))
MARKER = DIALECTS["classchat"].typing_marker()


def counter(seconds: float = 2.0, typists: list | None = None) -> TypingLoad:
    return TypingLoad(typists or [], START, seconds, DIALECTS["classchat"].typing(), MARKER)


def test_the_marker_is_in_a_typing_frame_once_and_in_no_other_line() -> None:
    assert TYPING_LINE.count(MARKER) == 1
    for frame_type in ("message", "presence", "system", "pong", "joined"):
        assert encode_frame(server_frame(frame_type, "typing", user="typing", room="typing")).count(MARKER) == 0


def test_only_frames_read_inside_the_window_count_and_each_second_apart() -> None:
    typing = counter(seconds=2.0)
    typing.count(TYPING_LINE * 3 + MESSAGE_LINE, START)
    typing.count(TYPING_LINE, START + NS - 1)
    typing.count(TYPING_LINE * 2, START + NS)
    typing.count(MESSAGE_LINE * 5, START + NS + 5)
    typing.count(TYPING_LINE, START + 2 * NS - 1)
    typing.count(TYPING_LINE * 4, START + 2 * NS)  # the window is over: late
    report = typing.report()
    assert (report["frames"], report["by_second"], report["late"]) == (7, [4, 3], 4)


def test_typists_write_at_their_pace_only_inside_the_window() -> None:
    written: list[tuple[str, bytes]] = []
    slow, fast = object(), object()
    typing = counter(seconds=1.0, typists=[(slow, 3.0, 0.5), (fast, 0.1, 0.0)])
    command = DIALECTS["classchat"].typing()
    typing.send_due(START, lambda client, data: written.append(("fast" if client is fast else "slow", data)))
    assert written == [("fast", command)]
    assert typing.timeout(START, 0.5) == 0.1  # the fast one is due again in 100 ms
    written.clear()
    # The loop was held up for 350 ms: the fast typist catches up in one write; the slow one's first is not due yet.
    typing.send_due(
        START + 350_000_000, lambda client, data: written.append(("fast" if client is fast else "slow", data))
    )
    assert written == [("fast", command * 3)]
    written.clear()
    typing.send_due(START + 5 * NS, lambda client, data: written.append(("fast" if client is fast else "slow", data)))
    # by the end of the 1 s window: the slow one's first (at 0.5 s) and the fast one's up to 0.9 s; nothing after
    assert sorted(written) == [("fast", command * 6), ("slow", command)]
    assert typing.report()["sent"] == 1 + 3 + 6 + 1
    assert typing.timeout(START + 5 * NS, 0.5) == 0.5 and typing.window_over(START + NS)


def test_the_typists_follow_the_senders_and_each_kind_is_spread_over_its_interval() -> None:
    mix = TypingMix(window=2, hostile=4, keystroke_seconds=0.1)
    plans = plan_clients(Scenario("t", "fanout", clients=10, senders=3, rate=10, messages=10, typing=mix))
    paces = [(plan.index, plan.typing_every, plan.typing_offset) for plan in plans if plan.typing_every]
    every = TYPING_EVERY_SECONDS
    assert [index for index, _, _ in paces] == [3, 4, 5, 6, 7, 8]
    assert [(e, round(o, 3)) for _, e, o in paces] == [
        (every, 0.0),
        (every, every / 2),
        (0.1, 0.0),
        (0.1, 0.025),
        (0.1, 0.05),
        (0.1, 0.075),
    ]
    assert not any(plan.sender for plan in plans if plan.typing_every)


def result_of(typing: TypingMix, frames: list[int], late: int = 0, sent: int = 0) -> Result:
    result = Result(Scenario("t", "fanout", clients=10, senders=1, rate=10, messages=20, typing=typing), "classchat")
    half = [count // 2 for count in frames]
    counts = [
        {"sent": sent, "frames": sum(half), "late": late, "by_second": half},
        {
            "sent": 0,
            "frames": sum(frames) - sum(half),
            "late": 0,
            "by_second": [f - h for f, h in zip(frames, half, strict=True)],
        },
    ]
    _count_typing(result, typing, 2.0, counts)
    return result


def test_a_typing_run_in_which_no_typing_frame_arrives_fails() -> None:
    result = result_of(TypingMix(window=1, hostile=1), [0, 0], sent=40)
    assert result.error.startswith("no typing frame reached any client") and "wrote 40 TYPING" in result.error


def test_typing_frames_counted_without_typists_fail_the_twin() -> None:
    assert "though nobody typed" in result_of(TypingMix(), [0, 0], late=1).error
    assert "though nobody typed" in result_of(TypingMix(), [3, 0]).error
    assert result_of(TypingMix(), [0, 0]).error == ""


def test_the_load_processes_counts_add_up_per_second() -> None:
    result = result_of(TypingMix(window=1), [199, 200], sent=5)
    assert result.error == ""
    assert (result.typing_frames, result.typing_by_second, result.typing_per_second) == (399, [199, 200], 199.5)
    assert result.typing_sent == 5 and result.typing_full_seconds == [199, 200]


def test_the_typing_table_gives_the_rate_over_the_window_its_first_second_and_the_rest() -> None:
    result = result_of(TypingMix(window=10, hostile=10), [398, 199, 398, 0], sent=812)
    result.typing_seconds = 4.0  # result_of counts over 2 s; these four seconds are the window here
    assert dict(zip(TYPING_HEADER, typing_row(result), strict=True)) == {
        "scenario": "t",
        "server": "classchat",
        "typists": "10+10",
        "TYPING/s": "203",
        "typing frames": "995",
        "typing/s": "249",
        "1st s": "398",
        "later /s": "199",
        "busiest later s": "398",
        "late": "0",
    }
    failed = result_of(TypingMix(window=1), [0, 0])
    assert typing_row(failed)[2].startswith("error: no typing frame")
