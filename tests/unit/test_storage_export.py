"""Transcripts as text, CSV and HTML: private messages only when asked, spreadsheet formulas and markup made inert."""

from __future__ import annotations

import csv
import datetime
import errno
import html.parser
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from chat_server.storage import StoredMessage, write_csv, write_html, write_text

UTC = datetime.timezone.utc
T = 1_796_000_000_000  # 2026-11-30 00:53:20 UTC

ROWS = [
    StoredMessage.public(1, "Physics", "alice", "Hello class\nsecond line", T),
    StoredMessage.private(2, "bob", "alice", "secret answer", T + 1000),
    StoredMessage.public(3, "Physics", "mallory", "<script>alert('x')</script> & =HYPERLINK(\"http://x\")", T + 2000),
    StoredMessage.public(4, "Physics", "-dash", "+1 @here 你好", T + 3000),
]


def test_text_lists_one_message_per_line_without_private_ones():
    out = io.StringIO()
    assert write_text(ROWS, out, tz=UTC) == 3
    lines = out.getvalue().splitlines()
    assert lines[0] == "[2026-11-30 00:53:20] #Physics <alice> Hello class"
    assert lines[1] == "    | second line"
    assert "secret" not in out.getvalue()
    assert lines[-1] == "[2026-11-30 00:53:23] #Physics <-dash> +1 @here 你好"


def test_text_includes_private_messages_when_asked():
    out = io.StringIO()
    assert write_text(ROWS, out, include_private=True, tz=UTC) == 4
    assert "[2026-11-30 00:53:21] private to alice <bob> secret answer" in out.getvalue()


def test_csv_round_trips_and_defuses_formulas():
    out = io.StringIO()
    assert write_csv(ROWS, out, tz=UTC) == 3
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["id", "time", "room", "sender", "to", "text"]
    assert rows[1] == ["1", "2026-11-30T00:53:20+00:00", "Physics", "alice", "", "Hello class\nsecond line"]
    assert rows[2][5].startswith("<script>")
    assert rows[3][3] == "'-dash" and rows[3][5] == "'+1 @here 你好"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    assert "secret" not in out.getvalue()


def test_csv_with_private_messages_names_the_recipient():
    out = io.StringIO()
    write_csv(ROWS, out, include_private=True, tz=UTC)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[2][2:] == ["", "bob", "alice", "secret answer"]


class TagCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_html_is_a_standalone_page_with_every_value_escaped():
    out = io.StringIO()
    assert write_html(ROWS, out, title="Physics <b>", tz=UTC) == 3
    page = out.getvalue()
    parser = TagCollector()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "p", "table", "tr", "td"}
    text = "".join(parser.text)
    assert "<script>alert('x')</script> & =HYPERLINK" in text
    assert "Physics <b>" in text
    assert "Hello class\nsecond line" in text
    assert "secret" not in page
    assert 'http-equiv="Content-Security-Policy"' in page and "src=" not in page and "href=" not in page


def test_html_marks_private_messages_when_asked():
    out = io.StringIO()
    assert write_html(ROWS, out, title="All", include_private=True, tz=UTC) == 4
    assert '<tr class="private" id="m2">' in out.getvalue()
    assert "bob &rarr; alice" in out.getvalue()


def test_an_empty_range_makes_an_empty_but_valid_transcript():
    for writer in (write_text, write_csv):
        out = io.StringIO()
        assert writer([], out) == 0
    out = io.StringIO()
    assert write_html([], out, title="Nothing") == 0
    assert out.getvalue().rstrip().endswith("</html>")


FORGED = "[2026-12-02 10:44:14] #Physics <carol> Ms Lee is useless"


def test_text_marks_each_further_line_so_a_typed_entry_cannot_pass_for_one():
    """Found by a probe: a message's second line was told from an entry by a 4-space indent alone."""
    rows = [StoredMessage.public(1, "Physics", "mal", f"ok\n{FORGED}\r\n\n  {FORGED}\u2028{FORGED}", T)]
    out = io.StringIO()
    write_text(rows, out, tz=UTC)
    lines = out.getvalue().splitlines()
    assert lines[0] == "[2026-11-30 00:53:20] #Physics <mal> ok"
    assert lines[1:] == [f"    | {FORGED}", "    | ", f"    |  {FORGED}", f"    | {FORGED}"]


@pytest.mark.parametrize("blank", [" ", "\u3000", "\u2800", "\u3164", "\uffa0", "\t", "\u00a0", "\u2003"])
def test_text_makes_every_run_of_blanks_one_space_so_padding_cannot_wrap_to_a_new_row(blank):
    """Padding of blank-looking characters pushed a forged entry to the start of a row in a wrapping viewer."""
    rows = [StoredMessage.public(1, "Physics", "mal", f"ok{blank * 150}{FORGED}\nand{blank * 3}more", T)]
    out = io.StringIO()
    write_text(rows, out, tz=UTC)
    lines = out.getvalue().splitlines()
    assert lines == [
        "[2026-11-30 00:53:20] #Physics <mal> ok [2026-12-02 10:44:14] #Physics <carol>",
        "    | Ms Lee is useless",  # the row was longer than 79 columns: it goes on after the marker
        "    | and more",
    ]


@pytest.mark.parametrize(
    "padding",
    ["\u2500" * 120, "-" * 130, "=" * 90 + "~" * 40, "x" * 200, "ab" * 70, "\u2500 " * 60, "\u4e00" * 70, "ok " * 45],
)
def test_text_wraps_long_lines_itself_so_no_padding_reaches_column_0(padding):
    """A probe: a rule of U+2500 dashes (or any visible padding) pushed a forged entry to column 0 of 80 columns."""
    rows = [StoredMessage.public(1, "lab", "mal", f"{padding}{FORGED}", T)]
    out = io.StringIO()
    write_text(rows, out, tz=UTC)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[2026-11-30 00:53:20] #lab <mal> ")
    assert all(line.startswith("    | ") and not line[6:7].isspace() for line in lines[1:]), lines
    assert all(_columns(line) <= 79 for line in lines), lines
    assert "".join(line.removeprefix("    | ") for line in lines).replace(" ", "").endswith(FORGED.replace(" ", ""))


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


FAILING_EXPORT = """
import datetime, resource, signal, sys
from chat_server.history.transcripts import write_transcript
from chat_server.storage import StoredMessage
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit a write fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
rows = [StoredMessage.public(n, "physics", "alice", "x" * 1000, 1_796_000_000_000 + n) for n in range(1, 500)]
day = datetime.date(2026, 11, 30)
try:
    write_transcript(rows, sys.argv[1], "physics", day, day)
except OSError as exc:
    print("failed", exc.errno)
"""


@pytest.mark.parametrize("name", ["lesson.html", "lesson.txt", "lesson.csv"])
def test_an_export_that_fails_half_way_leaves_the_file_already_there_as_it_was(tmp_path, name):
    """Before, the transcript was written in place: a write that failed half-way (a full USB stick; here the
    file size limit of a child process) had already emptied last week's file and left 64 KB of a half one."""
    target = tmp_path / name
    target.write_text("last week's lesson", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", FAILING_EXPORT, str(target)], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == f"failed {errno.EFBIG}", done.stderr
    assert target.read_text(encoding="utf-8") == "last week's lesson"
    assert [path.name for path in tmp_path.iterdir()] == [name]  # no half transcript left beside it
