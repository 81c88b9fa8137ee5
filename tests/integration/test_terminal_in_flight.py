"""chat-term says which typed lines a dying connection ate, so they can be typed again (a subprocess, a real server)."""

from __future__ import annotations

import pytest

from tests.integration.cut_relay import CutRelay
from tests.integration.test_client_in_flight import swallowed
from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_chat_term_prints_the_lines_a_frozen_connection_lost(start_server, terminals, wire):  # noqa: F811
    server = start_server()
    relay = CutRelay(server.address)
    try:
        ann = terminals(relay.address, "--nick", "ann", "--room", "lab")
        ann.expect(r"You joined #lab")
        bob = wire(server, "bob", "lab")
        ann.type("before the drop")
        ann.expect(r"<ann> before the drop$")
        relay.freeze()  # the Wi-Fi is gone; neither end notices
        ann.type("lost in the \x1b[31mair")
        ann.type("/pm bob lost too")
        swallowed(relay, 2)
        relay.cut()
        ann.expect(r"Connection lost.*Reconnecting by itself")
        relay.restore()
        ann.expect(r"Reconnected to .* as ann in #lab", timeout=30)
        # a private conversation that only the lost line started is caught up too, so this is known, not "maybe"
        ann.expect(r"\* Not delivered \(the connection was lost\): lost in the \\x1b\[31mair$", timeout=30)
        ann.expect(r"\* Not delivered \(the connection was lost\): /pm bob lost too$", timeout=30)
        ann.type("after the drop")
        ann.expect(r"<ann> after the drop$")
        printed = "\n".join(ann.lines)
        assert printed.count("Not delivered") == 2 and "Maybe" not in printed, "each once, and known"
        assert "\x1b" not in printed, "the typed text is escaped like all user text"
        assert "before the drop" not in printed.split("Reconnected")[-1], "a line that arrived is not reported"
        assert ann.finish() == 0
        bob.send("SAY are you there")
        assert "lost" not in bob.expect("message")["content"]
    finally:
        relay.close()
