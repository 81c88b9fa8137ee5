"""The documentation says what the programs do: every option of the four programs' `--help` is documented,
the limits table in README.md gives the parser's defaults, and docs/protocol.md names every command and
error code the server has.

Found by the eleventh review (a teacher who reads only the documentation): a doc that drifts from the code
makes a teacher fail a step, so the cheap parts of it are checked here.  Pure: no sockets, no Tk.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from chat_gui.app import build_parser as client_parser
from chat_gui.terminal import build_parser as term_parser
from chat_server.admin_gui.app import build_parser as admin_parser
from chat_server.cli import build_parser as server_parser
from shared.commands import COMMANDS
from shared.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
# Guides a teacher reads; benchmarks.md and reliability.md are records of runs and reviews, not guides.
GUIDES = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in {"benchmarks.md", "reliability.md"}),
]
PARSERS: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "chat-server": server_parser,
    "chat-server-gui": admin_parser,
    "chat-client": client_parser,
    "chat-term": term_parser,
}


def long_options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {option: action for action in parser._actions for option in action.option_strings if option.startswith("--")}


@pytest.mark.parametrize("program", sorted(PARSERS))
def test_every_option_of_every_program_is_in_a_guide(program):
    text = "\n".join(guide.read_text(encoding="utf-8") for guide in GUIDES)
    missing = [
        option
        for option in long_options(PARSERS[program]())
        if option not in ("--help", "--version") and not re.search(re.escape(option) + r"(?![\w-])", text)
    ]
    assert not missing, f"{program}: options no guide mentions: {missing}"


def _readme_limits() -> list[tuple[str, str]]:
    """(option, default) pairs of README.md's table of the server's limits."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| option | default |") :].split("\n\n", 1)[0]
    pairs = []
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        options = re.findall(r"`(--[\w-]+)`", cells[0])
        defaults = [value.strip() for value in cells[1].split(",")]
        assert len(options) == len(defaults), row
        pairs.extend(zip(options, defaults, strict=True))
    return pairs


def _as_number(shown: str) -> float | str:
    """ "1 MiB" -> 1048576, "30 s" -> 30, "10/s" -> 10, "0 (off)" -> 0; anything else stays as it is."""
    match = re.fullmatch(r"([\d,.]+)\s*(MiB|s|/s)?(?: \(off\))?", shown)
    if match is None:
        return shown
    number = float(match.group(1).replace(",", ""))
    return number * 1024 * 1024 if match.group(2) == "MiB" else number


def test_the_readme_limits_table_gives_the_servers_defaults():
    actions = long_options(server_parser())
    pairs = _readme_limits()
    assert len(pairs) >= 18, pairs
    wrong = []
    for option, shown in pairs:
        assert option in actions, f"README.md documents {option}, which chat-server does not have"
        default = actions[option].default
        expected = float(default) if isinstance(default, (int, float)) else default
        if _as_number(shown) != expected:
            wrong.append((option, shown, default))
    assert not wrong, f"README.md's defaults differ from chat-server's: {wrong}"


def test_docs_protocol_names_every_command_and_error_code():
    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    commands = protocol[protocol.index("## Client to server") : protocol.index("## Server to client")]
    unnamed = [word for word in COMMANDS if not re.search(rf"`{word}\b", commands)]
    assert not unnamed, f"docs/protocol.md's command table lacks {unnamed}"
    codes = protocol[protocol.index("### Error codes") : protocol.index("### Ordering")]
    in_table = set(re.findall(r"^\| `(\w+)` \|", codes, re.M))
    assert in_table == {code.value for code in ErrorCode}
