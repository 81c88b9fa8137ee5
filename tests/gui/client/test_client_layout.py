"""The entry box and Send are never lost (issue 11, item 6): on 1366x768 and 1280x720 screens at 100%, 125% and
150% scaling the window opens within the screen, and at the smallest size it allows the conversation pane gives
up its space first (real Tk on private Xvfb screens, measured in a child process: layout_probe.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat_gui.window.window_size import BASE_MIN_SIZE, SCREEN_MARGIN
from tests.gui.admin.helpers import virtual_screen

ROOT = Path(__file__).resolve().parents[3]
SCREENS = ["1366x768", "1280x720"]
PERCENTS = [100, 125, 150]


@pytest.fixture(scope="module")
def screens():
    with contextlib.ExitStack() as stack:
        made: dict[str, str] = {}

        def screen(size: str) -> str:
            if size not in made:
                made[size] = stack.enter_context(virtual_screen(size))
            return made[size]

        yield screen


def open_window_on(display: str, percent: int, *what: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.client.layout_probe", str(percent), *what],
        env={**os.environ, "DISPLAY": display, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert not measured["errors"], measured["errors"]
    return measured


@pytest.mark.parametrize(
    ("percent", "size"),
    [(percent, size) for size in SCREENS for percent in PERCENTS] + [(150, "1024x600"), (200, "1920x1080")],
)
def test_entry_and_send_stay_in_view_from_the_first_size_to_the_smallest(screens, size, percent):
    measured = open_window_on(screens(size), percent)
    screen_width, screen_height = (int(part) for part in size.split("x"))
    assert measured["screen"] == [screen_width, screen_height]
    width, height = measured["opened"]["size"]
    assert width <= screen_width - SCREEN_MARGIN[0] and height <= screen_height - SCREEN_MARGIN[1], "fits the screen"
    assert not measured["opened"]["hidden"], f"at {percent}% on {size}: {measured['opened']['hidden']} out of view"
    smallest = measured["smallest"]
    min_width, min_height = measured["minsize"]
    assert min_width <= screen_width - SCREEN_MARGIN[0] and min_height <= screen_height - SCREEN_MARGIN[1]
    assert min_width >= BASE_MIN_SIZE[0] - 2 and min_height >= BASE_MIN_SIZE[1] - 2  # tk scaling rounds
    assert not smallest["hidden"], f"at the smallest size, {percent}% on {size}: {smallest['hidden']} out of view"
    assert smallest["entry_width"] >= 100, "the entry box keeps room to type"
    if measured["opened"]["size"][1] > min_height:  # at 150% on 1024x600 it opens as short as it may be
        assert smallest["pane_height"] < measured["opened"]["pane_height"], "the conversation pane gave up its height"
    assert measured["typed_at_smallest"], "the entry box still takes typing at the smallest size"


@pytest.mark.parametrize(
    ("percent", "size"), [(150, "1024x600"), (150, "1280x720"), (200, "1920x1080"), (125, "1366x768")]
)
def test_the_connect_dialog_at_its_tallest_keeps_connect_its_message_and_every_field_on_the_screen(
    screens, percent, size
):
    """Found by the twelfth review: at 150% on 1024x600 the dialog was 635 px tall (781 with the Register fields, a
    join code and an error) and Connect and the error were below the screen.  Now the class servers' list gives up
    rows, the fields scroll above the message and the buttons, and a field that gets the focus scrolls into view."""
    measured = open_window_on(screens(size), percent, "connect")
    assert not measured["errors"], measured["errors"]
    top, height = measured["dialog"]
    assert top >= 0 and top + height <= int(size.split("x")[1]), f"the dialog is drawn from {top} px, {height} px tall"
    assert not measured["hidden"], f"at {percent}% on {size}: {measured['hidden']} below the screen"
    assert measured["again_in_view"], "the password field Tab went to was not scrolled into view"
