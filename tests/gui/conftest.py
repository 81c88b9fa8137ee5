"""Fixtures for window tests: a real Tk root under Xvfb that fails the test if a callback raised."""

from __future__ import annotations

import tkinter as tk
import traceback

import pytest

from tests.support import collect_tk_garbage_here


@pytest.fixture
def tk_root():
    """A mapped Tk root; any exception raised inside a Tk callback fails the test."""
    root = tk.Tk()
    errors: list[str] = []

    def record(exc_type, exc_value, exc_tb) -> None:
        errors.append("".join(traceback.format_exception(exc_type, exc_value, exc_tb)))

    root.report_callback_exception = record
    # `tk scaling` belongs to the X display, which every Tk root of this thread shares: a test that
    # sets 150% would leave it for the next test's fonts and layout unless it is put back.
    scaling = root.tk.call("tk", "scaling")
    root.update()
    yield root
    try:
        root.tk.call("tk", "scaling", scaling)
        root.update()
        root.destroy()
    except tk.TclError:
        # The test destroyed the root (the admin window's close() does): put the display's scaling back
        # through a root made for it, or a 200% test leaves every later test's fonts twice as large.
        restorer = tk.Tk()
        restorer.tk.call("tk", "scaling", scaling)
        restorer.destroy()
    # Free Tk objects caught in reference cycles here, on the Tk thread: freed
    # later by a collection on a server thread, they make Tcl abort the process.
    collect_tk_garbage_here()
    if errors:
        pytest.fail("a Tk callback raised:\n" + "\n".join(errors))
