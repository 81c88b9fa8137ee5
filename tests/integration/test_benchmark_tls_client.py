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


def test_register_scenario_over_tls_registers_every_client_and_reports_memory_per_connection() -> None:
    # The server only offers TLS (no --require-tls): the scenario's clients choose it themselves.
    choice = ServerChoice("classchat")
    assert not choice.tls
    server = start_server(choice, free_port(42000, 42999), max_clients=60)
    try:
        scenario = Scenario("tls-register", "connect", clients=40, idle_seconds=0.2, connect_window=0, tls_clients=True)
        result = run_scenario(scenario, server, processes=2)
    finally:
        server.stop()
    assert result.failures == [] and result.registered == 40
    assert result.server_rss_before_mb > 0 and result.server_rss_mb >= result.server_rss_before_mb
    assert result.kb_per_connection == result.kb_per_connection  # a number, not NaN
    assert result.register_seconds > 0


def test_register_scenario_over_tls_really_speaks_tls() -> None:
    # Against a server with TLS off, the TLS clients' ClientHello is taken for garbage: nobody registers.
    server = start_server(ServerChoice("classchat", options=("--no-tls",)), free_port(42000, 42999), max_clients=20)
    try:
        scenario = Scenario("tls-register", "connect", clients=4, idle_seconds=0.1, connect_window=0, tls_clients=True)
        result = run_scenario(scenario, server, processes=1)
    finally:
        server.stop()
    assert result.registered < 4 or result.failures, "plain-only server: the TLS clients cannot have registered"


def test_connect_scenario_speaks_tls_to_a_server_that_requires_it() -> None:
    choice = ServerChoice("classchat", options=("--require-tls",))
    server = start_server(choice, free_port(42000, 42999), max_clients=20)
    try:
        # A plain scenario against --require-tls: the server's option makes the clients speak TLS.
        scenario = Scenario("register", "connect", clients=5, idle_seconds=0.1, connect_window=0)
        result = run_scenario(scenario, server, processes=1)
    finally:
        server.stop()
    assert result.registered == 5 and result.failures == []


def test_file_client_uploads_and_downloads_over_tls_against_a_server_that_requires_it() -> None:
    # The benchmark's file client used to open plain connections, which --require-tls turns away.
    choice = ServerChoice("classchat", options=("--require-tls",))
    server = start_server(choice, free_port(42000, 42999), max_clients=20)
    try:
        scenario = Scenario("files1", "files", clients=0, transfer_mib=1)
        result = run_scenario(scenario, server, processes=1)
    finally:
        server.stop()
    assert result.error == "" and result.failures == []
    assert len(result.transfer_speeds) == 1
    upload, download = result.transfer_speeds[0]
    assert upload > 0 and download > 0
