"""The benchmark's typing scenario against a real `chat_server`: typing frames are counted by the receiving load
processes, the per-user throttle and the server-wide budget show in the count (issue 16; nothing here is timed
beyond the scenario's own 2 s window, and no figure of speed is asserted)."""

from __future__ import annotations

from benchmarks.scenarios import Result, Scenario, run_scenario
from benchmarks.servers import ServerChoice, free_port, start_server
from benchmarks.typing_load import TypingMix

CLIENTS = 12  # one chat sender, ten typists, one who only listens: each relay reaches the 11 others
TYPISTS = TypingMix(window=2, hostile=8)  # two at the window's pace (every 3 s), eight every 50 ms
SECONDS = 2.0  # 20 messages at 10 a second: shorter than the server's 3 s per user, so one relay per typist


def run_typing(server_options: tuple[str, ...], typing: TypingMix = TYPISTS) -> Result:
    server = start_server(ServerChoice("classchat", options=server_options), free_port(42000, 42999), max_clients=40)
    try:
        scenario = Scenario(
            "typing check",
            "fanout",
            clients=CLIENTS,
            senders=1,
            rate=10.0,
            messages=20,
            connect_window=0,
            typing=typing,
        )
        result = run_scenario(scenario, server, processes=2)
    finally:
        server.stop()
    assert result.error == "" and result.failures == [] and result.registered == CLIENTS
    assert result.lost == 0 and result.order_violations == 0, "the chat beside the typing is whole"
    assert result.typing_seconds == SECONDS and len(result.typing_by_second) == 2
    assert sum(result.typing_by_second) == result.typing_frames
    return result


def test_without_a_budget_every_typist_is_relayed_once_to_everybody_however_often_it_types() -> None:
    result = run_typing(("--typing-frames-per-second", "0"))
    # the eight hostile typists wrote some 40 TYPING each in the window; the server passed one each on
    assert result.typing_sent > 8 * 20
    assert result.typing_frames == TYPISTS.typists * (CLIENTS - 1), "counted at the receivers, each frame once"
    assert result.typing_late == 0


def test_the_servers_budget_holds_the_typing_frames_counted() -> None:
    budget = 10
    result = run_typing(("--typing-frames-per-second", str(budget)))
    recipients = CLIENTS - 1
    # The bucket starts full, refills `budget` a second and may be overdrawn by one relay: over the window at most
    # budget * (SECONDS + 1) + recipients frames (41), against 110 without the budget (the test above).
    assert 0 < result.typing_frames <= budget * (SECONDS + 1) + recipients
    assert result.typing_frames % recipients == 0, "a relay reaches all of the room or nobody"
    assert result.typing_frames < TYPISTS.typists * recipients, "some typists were not relayed: the budget bit"


def test_the_twin_without_typists_counts_no_typing_frame() -> None:
    result = run_typing((), typing=TypingMix())
    assert result.typing_sent == 0 and result.typing_frames == 0 and result.typing_late == 0
    assert result.deliveries == 20 * (CLIENTS - 1)
