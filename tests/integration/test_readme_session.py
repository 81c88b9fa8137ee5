"""README.md's "Chatting with nc or telnet" session, replayed line by line against a real server: what the
README shows a teacher is what an nc user sees (the times aside).

Found by the eleventh review: the README still showed the welcome and greetings of an older server
("Choose a nickname: NICK <name>"), and no check would have noticed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.wire import TextClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_session() -> list[str]:
    """The lines of the indented block that starts with `$ nc`, without that line."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("    $ nc 127.0.0.1 55555\n") :].split("\n\n", 1)[0]
    return [line.removeprefix("    ") for line in block.splitlines()[1:]]


def test_the_readme_nc_session_is_what_an_nc_user_sees(server, wire):
    session = readme_session()
    assert len(session) >= 8, session
    alice = wire(server, "alice", "general")
    wire(server, "bob", "general")  # the README's "(3 here)"
    carol = TextClient(server.address)
    try:
        for line in session:
            if line.startswith("{"):
                shown = re.search(r'"content":"(.*?)"', line)
                assert shown is not None, line
                welcome = json.loads(carol.next_line())
                assert welcome["type"] == "welcome"
                assert welcome["content"] == shown.group(1).replace('\\"', '"'), (welcome, line)
            elif line.startswith("["):
                assert re.match(r"\[\d\d:\d\d:\d\d\] ", line), line
                pattern = r"\[\d\d:\d\d:\d\d\]" + re.escape(line[10:])  # any time; the rest as shown
                got = carol.next_line().rstrip("\r")
                assert re.fullmatch(pattern, got), (line, got)
            else:
                carol.send_line(line)
        assert alice.expect("private")["content"] == "see you at lunch"
    finally:
        carol.close()
