"""ServerRunner without a window: a new server per Start, a stop that reports itself on the feed, the same port again."""

from __future__ import annotations

from chat_server.admin_gui.feed import ServerStopped
from chat_server.admin_gui.runner import ServerRunner
from chat_server.config import ServerConfig
from tests.support import connect_client, wait_until


def test_stop_in_background_then_start_again_on_the_same_port() -> None:
    runner = ServerRunner()
    first = runner.start(ServerConfig(host="127.0.0.1", port=0))
    feed = runner.feed
    assert feed is not None
    port = first.address[1]
    alice = connect_client(first.address, "alice")
    try:
        runner.stop_in_background()
        runner.stop_in_background()  # a second press while stopping changes nothing
        assert alice.wait_for(lambda frame: frame.get("event") == "shutdown", 10)
        seen: list[object] = []
        wait_until(lambda: seen.extend(feed.take_events(100)[0]) or any(isinstance(e, ServerStopped) for e in seen), 10)
        assert isinstance(seen[-1], ServerStopped) and not first.running
    finally:
        alice.close()
    runner.forget()
    assert runner.server is None and runner.feed is None
    second = runner.start(ServerConfig(host="127.0.0.1", port=port))
    try:
        assert second is not first and second.address[1] == port
        connect_client(second.address, "bob").close()
    finally:
        runner.stop_and_wait()
    assert not second.running
