"""The benchmark's load clients over TLS: a few clients against a real `chat_server --require-tls` deliver every
message (a correctness check of benchmarks/load.py's TLS path, not a measurement: nothing here is timed)."""

from __future__ import annotations

from benchmarks.scenarios import Scenario, run_scenario
from benchmarks.servers import ServerChoice, free_port, start_server


def test_load_clients_speak_tls_to_a_server_that_turns_plain_away() -> None:
    choice = ServerChoice("classchat", options=("--require-tls",))
    assert choice.tls
    server = start_server(choice, free_port(42000, 42999), max_clients=20)
    try:
        scenario = Scenario("tls check", "fanout", clients=6, senders=2, rate=50.0, messages=5, connect_window=0)
        result = run_scenario(scenario, server, processes=1)
    finally:
        server.stop()
    assert result.failures == [] and result.registered == 6
    assert result.deliveries == 2 * 5 * 5, "each sender's 5 messages reach the 5 others"
    assert result.lost == 0 and result.order_violations == 0
