"""The log pane and its queue handler: server logging reaches the pane, the level filter hides and shows lines."""

from __future__ import annotations

import logging
import tkinter as tk

from chat_server.admin_gui.log_pane import MAX_LINES, LogPane
from chat_server.log_queue import LogLine, QueueLogHandler


def test_handler_queues_formatted_lines_and_counts_what_it_drops() -> None:
    handler = QueueLogHandler(capacity=2)
    logger = logging.getLogger("tests.admin_log_pane")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        for number in range(5):
            logger.warning("line %d", number)
    finally:
        logger.removeHandler(handler)
    lines, dropped = handler.take(10)
    assert [line.text.split()[1:] for line in lines] == [["WARNING", "line", "0"], ["WARNING", "line", "1"]]
    assert all(line.level == logging.WARNING for line in lines)
    assert dropped == 3
    assert handler.take(10) == ([], 0)


def test_level_filter_hides_and_shows_kept_lines(tk_root: tk.Tk) -> None:
    pane = LogPane(tk_root, "INFO")
    pane.add_lines([LogLine(logging.INFO, "alice joined"), LogLine(logging.WARNING, "admin kicked bob")])
    assert pane.shown_text().splitlines() == ["alice joined", "admin kicked bob"]
    pane.level_name.set("WARNING")
    pane.refilter()
    assert pane.shown_text().splitlines() == ["admin kicked bob"]
    pane.add_lines([LogLine(logging.INFO, "carol joined")], dropped=2)
    assert pane.shown_text().splitlines()[-1].startswith("(2 log lines dropped")
    pane.level_name.set("DEBUG")
    pane.refilter()
    assert "carol joined" in pane.shown_text()


def test_level_box_selection_refilters(tk_root: tk.Tk) -> None:
    pane = LogPane(tk_root, "INFO")
    pane.pack()
    pane.add_lines([LogLine(logging.INFO, "quiet"), LogLine(logging.ERROR, "loud")])
    pane.level_box.set("ERROR")
    pane.level_box.event_generate("<<ComboboxSelected>>")
    tk_root.update()
    assert pane.shown_text().splitlines() == ["loud"]


def test_pane_keeps_a_bounded_number_of_lines(tk_root: tk.Tk) -> None:
    pane = LogPane(tk_root, "INFO")
    pane.add_lines([LogLine(logging.INFO, f"line {n}") for n in range(MAX_LINES + 50)])
    shown = pane.shown_text().splitlines()
    assert len(shown) == MAX_LINES and shown[-1] == f"line {MAX_LINES + 49}"


def test_a_flood_of_info_keeps_the_warning_lines(tk_root: tk.Tk) -> None:
    """Each level keeps its own last MAX_LINES lines: students coming and going never push out an admin line."""
    pane = LogPane(tk_root, "INFO")
    pane.add_lines([LogLine(logging.WARNING, "admin muted student01"), LogLine(logging.ERROR, "cannot write")])
    pane.add_lines([LogLine(logging.INFO, f"student{n} connected") for n in range(MAX_LINES + 10)])
    shown = pane.shown_text().splitlines()
    assert len(shown) == MAX_LINES + 2 and shown[:2] == ["admin muted student01", "cannot write"]
    assert shown[2] == "student10 connected"
    pane.level_name.set("WARNING")
    pane.refilter()
    assert pane.shown_text().splitlines() == ["admin muted student01", "cannot write"]


def test_the_view_shows_exactly_the_kept_lines_as_they_are_dropped(tk_root: tk.Tk) -> None:
    """A line its buffer dropped leaves the view at once, whatever lines of other levels sit above it."""
    pane = LogPane(tk_root, "WARNING")
    pane.add_lines([LogLine(logging.ERROR, "first error")])
    pane.add_lines([LogLine(logging.INFO, f"info {n}") for n in range(50)])
    for start in range(0, MAX_LINES + 30, 7):  # in batches, as the poller hands them over
        pane.add_lines([LogLine(logging.WARNING, f"admin action {n}") for n in range(start, start + 7)])
    pane.add_lines([LogLine(logging.WARNING, "traceback:\n  line 1\n  line 2")] * 3)
    live = pane.shown_text()
    assert live.startswith("first error\nadmin action ")
    pane.refilter()
    assert pane.shown_text() == live
    assert live.count("admin action") == MAX_LINES - 3
    pane.level_name.set("DEBUG")
    pane.refilter()
    assert pane.shown_text().count("info ") == 50
