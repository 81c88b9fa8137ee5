"""Looking back through a term of history in a real window: days between pages, a result from last week (Tk, real server).

The data folder is filled through the storage module with messages said on
earlier days (a server only stamps messages with the time it gets them),
then a real server on port 0 serves it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from chat_gui.window.controller import ChatController
from chat_gui.window.history_loader import MAX_JUMP_PAGES
from chat_server.storage import StoredMessage, open_storage
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import wait_until

PER_DAY = 120  # a busy day of one class, in a test's size
HOMEWORK = "Homework for Thursday: worksheet 9, page 100 exercises 3-12. Hand in on paper."
DAY_HEADING = re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d+ \w+$|^Today$", re.MULTILINE)


def fill_days(folder: Path, days: int, homework_day: int | None = None) -> tuple[list[int], int | None]:
    """PER_DAY messages in #math on each of `days` days up to today (today's in the last 15 minutes, after
    midnight); their ids, and the id of the teacher's homework in the middle of day `homework_day` (0 the oldest)."""
    today = dt.datetime.now()
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    today_start = max(midnight, today - dt.timedelta(minutes=15))
    today_step = (today - today_start) / (PER_DAY + 1)
    ids: list[int] = []
    homework = None
    with open_storage(folder, history_days=0) as storage:
        number = 0
        for day in range(days):
            ago = days - 1 - day
            start = today_start if ago == 0 else (midnight - dt.timedelta(days=ago)).replace(hour=9)
            step = today_step if ago == 0 else dt.timedelta(seconds=20)
            for n in range(PER_DAY):
                number += 1
                said = int((start + step * n).timestamp() * 1000)
                if day == homework_day and n == PER_DAY // 2:
                    storage.messages.append(StoredMessage.public(number, "math", "Ms_Lee", HOMEWORK, said))
                    homework = number
                else:
                    storage.messages.append(StoredMessage.public(number, "math", "bob", f"day{day} line{n}", said))
                ids.append(number)
    return ids, homework


@pytest.fixture
def term_server(start_server, tmp_path):
    def start(days: int, homework_day: int | None = None):
        folder = tmp_path / "term"
        ids, homework = fill_days(folder, days, homework_day)
        return start_server(data_dir=str(folder), history_days=0, rate_per_second=0, replay=50), ids, homework

    return start


def headings(text: str) -> list[str]:
    return [found.group(0) for found in DAY_HEADING.finditer(text)]


def test_pages_loaded_back_through_days_have_one_heading_a_day_and_today_is_headed_too(
    term_server, open_window, tk_root
):
    """Each page of one day brought its own heading (every 50 lines), and Thursday's read on into today unheaded."""
    server, ids, _ = term_server(days=3)
    alice: ChatController = open_window(server, "alice", "math")
    pane = alice.history.pane(alice.room_view)
    wait_until(lambda: pane.has(ids[-1]), pump=tk_root.update, timeout=WAIT)
    for _page in range(6):  # 50 replayed + 6 x 50 reach back into the oldest day
        wait_until(lambda: not pane.loading, pump=tk_root.update, timeout=WAIT)
        assert alice.history.loader.load(alice.room_view)
    wait_until(lambda: not pane.loading and pane.has(ids[-350]), pump=tk_root.update, timeout=WAIT)
    shown = alice.room_view.all_text()
    two_days_ago = dt.date.today() - dt.timedelta(days=2)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    words = [f"{d.strftime('%A')} {d.day} {d.strftime('%B')}" for d in (two_days_ago, yesterday)]
    assert headings(shown) == [*words, "Today"], "one heading a day, in order, today's too"
    assert shown.index(words[1]) < shown.index("day1 line0") < shown.index("day1 line119") < shown.index("Today")
    assert shown.index("Today") < shown.index("day2 line0")


def test_a_result_from_last_week_opens_among_its_neighbours_and_reads_on_to_the_present(
    term_server, open_window, tk_root
):
    """Last week's homework: 40 pages into the pane took 12 s and ended "too far back"; now a window shows it."""
    server, ids, homework = term_server(days=8, homework_day=1)
    alice: ChatController = open_window(server, "alice", "math")
    pane = alice.history.pane(alice.room_view)
    wait_until(lambda: pane.has(ids[-1]), pump=tk_root.update, timeout=WAIT)
    alice.history.open_search("worksheet")
    panel = alice.history.search_panel
    panel.submit()
    wait_until(lambda: panel.results, pump=tk_root.update, timeout=WAIT)
    assert [result["id"] for result in panel.results] == [homework]
    panel.pick(0)
    context = alice.history.context
    wait_until(
        lambda: context.pane is not None and context.pane.has(homework) and not context.requests,
        pump=tk_root.update,
        timeout=WAIT,
        message=f"no window around it: {panel.status.cget('text')}",
    )
    assert "shown among the messages around it" in str(panel.status.cget("text"))
    assert len([n for n in pane.ids if pane.has(n)]) <= 50 * (MAX_JUMP_PAGES + 1), "the pane did not fill up"
    assert context.window is not None and "#math around" in context.window.title()
    view, shown = context.view, context.view.all_text()
    assert view is not None
    at = ids.index(homework)
    assert context.pane is not None
    assert [n for n in context.pane.ids if context.pane.has(n)] == ids[at - 19 : at + 21], "20 before it, 20 after"
    assert HOMEWORK in shown and "day1 line59" in shown and "day1 line61" in shown
    start, end = context.pane.span(homework) or ("", "")
    assert "found" in view.text.tag_names(start), "highlighted"
    tk_root.update()
    assert view.text.bbox(start) is not None, "in view"
    day1 = dt.date.today() - dt.timedelta(days=6)
    assert headings(shown)[0] == f"{day1.strftime('%A')} {day1.day} {day1.strftime('%B')}"
    assert context.note is not None and str(context.note.cget("text")).startswith(headings(shown)[0] + ", ")
    alice_deletes = ids[at + 3]  # deleted while the window is open: it goes from there too
    alice.history.on_deleted(alice_deletes)
    assert "day1 line63" not in view.all_text()
    while context.more_after:  # "Newer messages" to the present: every message once, in order
        assert context.load_later()
        wait_until(lambda: not context.requests, pump=tk_root.update, timeout=WAIT)
    kept = [n for n in context.pane.ids if context.pane.has(n)]
    assert kept == [n for n in ids[at - 19 :] if n != alice_deletes]
    assert "newest kept message" in str(context.note.cget("text") if context.note else "")
    assert headings(view.all_text())[-1] == "Today"
    context.close()
    assert context.window is None


def test_a_result_from_a_room_this_window_is_not_in_shows_among_its_neighbours_too(term_server, open_window, tk_root):
    """Clicking a #math result from #general only said "Join #math to see it among the others"."""
    server, ids, homework = term_server(days=2, homework_day=1)
    alice: ChatController = open_window(server, "alice", "general")
    type_line(alice, "/search #math worksheet")
    panel = alice.history.search_panel
    wait_until(lambda: panel.results, pump=tk_root.update, timeout=WAIT)
    panel.pick(0)
    context = alice.history.context
    wait_until(
        lambda: context.pane is not None and context.pane.has(homework) and not context.requests,
        pump=tk_root.update,
        timeout=WAIT,
        message=f"no window around it: {panel.status.cget('text')}",
    )
    assert "Join #math to talk there" in str(panel.status.cget("text"))
    assert context.view is not None and HOMEWORK in context.view.all_text()
    assert alice.session.room == "general", "nothing was joined"
    at = ids.index(homework)
    assert [n for n in context.pane.ids if context.pane.has(n)] == ids[at - 19 : at + 21]
