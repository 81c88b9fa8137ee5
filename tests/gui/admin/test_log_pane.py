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
