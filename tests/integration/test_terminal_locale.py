"""chat-term on odd computers: a locale that is not UTF-8, input piped in with /quit, output closed (`| head -1`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_text_mode import text_user
from tests.integration.wire import DEADLINE

pytestmark = pytest.mark.usefixtures("no_server_errors")

ROOT = Path(__file__).resolve().parents[2]
TEXT = "你好 😀 ça va, Zoë"


def run_term(address: tuple[str, int], env: dict[str, str], *args: str, keyboard: bytes) -> str:
    """One chat-term with `keyboard` piped into it, run to its end; what it printed (stdout and stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "chat_gui.terminal", address[0], str(address[1]), *args],
        input=keyboard,
        capture_output=True,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env},
        timeout=DEADLINE * 4,
    )
    printed = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0, printed
    assert "Traceback" not in printed, printed
    return printed


@pytest.mark.parametrize(
    "env",
    [
        # An ASCII locale without Python's UTF-8 mode: the bytes it cannot decode used to be sent as "?"
        {"LC_ALL": "C", "PYTHONUTF8": "0", "HOME": "{home}"},
        # A strict ASCII keyboard (as UTF-8 piped in on a Windows code page): the error ended the input
        {"PYTHONIOENCODING": "ascii", "HOME": "{home}"},
    ],
    ids=["ascii-locale", "strict-ascii"],
)
def test_utf8_typed_into_a_terminal_whose_locale_is_not_utf8_reaches_the_room_as_typed(server, tmp_path, env):
    env = {name: value.format(home=tmp_path) for name, value in env.items()}
    watcher = text_user(server, "watcher", "general")
    try:
        nick = "Zoë"
        run_term(server.address, env, "--nick", nick, "--room", "general", keyboard=f"{TEXT}\n/quit\n".encode())
        watcher.expect(rf"<{nick}> {TEXT}", timeout=DEADLINE)
    finally:
        watcher.close()


def test_a_piped_quit_waits_for_the_lines_before_it_to_go_out(server, tmp_path):
    """`printf 'hello\\n/quit\\n' | chat-term`: the /quit came before the connection was up and dropped hello."""
    watcher = text_user(server, "watcher", "general")
    try:
        printed = run_term(
            server.address,
            {"LANG": "C.UTF-8", "HOME": str(tmp_path)},
            "--nick",
            "scripted",
            keyboard=b"hello from a script\n/quit done\nnot this one\n",
        )
        watcher.expect(r"<scripted> hello from a script", timeout=DEADLINE)
        watcher.expect(r'scripted left #general \(quit: "done"\)', timeout=DEADLINE)
        assert "not sent (after /quit): not this one" in printed
    finally:
        watcher.close()


def test_chat_term_whose_output_was_closed_quits_quietly_instead_of_chatting_blind(server, tmp_path):
    """`chat-term ... | head -1` at a terminal: the output is gone after one line; chat-term went on reading the
    keyboard and sending what was typed, unseen, and printed "Exception ignored ... BrokenPipeError" at exit."""
    watcher = text_user(server, "watcher", "general")
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_gui.terminal", *map(str, server.address), "--nick", "piped_out"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    try:
        assert process.stdout is not None and process.stdin is not None and process.stderr is not None
        watcher.expect(r"piped_out joined #general", timeout=DEADLINE)
        process.stdout.readline()
        process.stdout.close()  # as head -1 does; the keyboard stays open
        process.stdin.write(b"a line nobody on this computer will see\n")
        process.stdin.flush()
        assert process.wait(DEADLINE * 2) == 0
        errors = process.stderr.read().decode("utf-8", "replace")
        assert "Exception ignored" not in errors and "Traceback" not in errors, errors
        watcher.expect(r"piped_out left #general", timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(DEADLINE)
        watcher.close()


@pytest.mark.parametrize(
    "env", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "cp1252"}], ids=["ascii", "cp1252"]
)
def test_help_prints_on_an_output_that_cannot_show_every_character(env):
    """`chat-term --help > help.txt` on Windows (cp1252) or under an ASCII locale: a traceback on the ① of
    --wide-ambiguous's help, and no help."""
    done = subprocess.run(
        [sys.executable, "-m", "chat_gui.terminal", "--help"],
        capture_output=True,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env},
        timeout=DEADLINE * 2,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"--wide-ambiguous" in done.stdout and b"Traceback" not in done.stderr
