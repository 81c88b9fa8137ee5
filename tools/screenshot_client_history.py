"""Screenshots of kept messages in the client window: the replay a late joiner sees, and a search (main thread).

Run: PYTHONPATH=. python3 tools/screenshot_client_history.py
Without a DISPLAY it starts Xvfb on :47 for the duration.  A real server
(its data folder a temporary one) and real classmates; it saves, in
docs/screenshots/:
  client-history.png   a late joiner: the room's last messages muted above "new since you were here", a kept
                       file among them as its card
  client-search.png    Ctrl+F: results for a word, one clicked, loaded from further back and flashing
  client-search-stopped.png  Ctrl+F: a search for a short word the server stopped early, its newest results and
                       the note that older messages were not searched (the server's 0.5 s reading budget made
                       tiny here, standing for a far bigger room)
  client-search-older.png  Ctrl+F: a word said all week, its newest 50 results and the Older results button
  client-search-context.png  Ctrl+F: last week's homework, too far back for the pane, in its own window among the
                       messages around it, highlighted, under its day's heading
Needs ImageMagick's `import`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat_gui.settings import ClientSettings  # noqa: E402
from chat_gui.window.controller import ChatController  # noqa: E402
from chat_server import ChatServer, ServerConfig  # noqa: E402
from chat_server.storage import (  # noqa: E402
    StoredMessage,
    open_storage,
    search_clock,  # noqa: E402
)
from tests.integration.file_wire import ChatLine, share  # noqa: E402
from tests.support import connect_client  # noqa: E402
from tools.screen_session import capture, pump_until, virtual_display  # noqa: E402
from tools.screenshot_client import settle, type_line  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
XVFB_DISPLAY = ":47"

EARLIER = [
    ("bob", "Morning! Has anyone started the worksheet on pendulums?"),
    ("chloe", "Not yet, I'm still on the reading 📖"),
    ("dmitri", "The worksheet is due on Thursday, right?"),
    ("bob", "Thursday, yes. Question 2 needs the small-angle approximation"),
    ("chloe", "sin θ ≈ θ for small θ, that one?"),
    ("bob", "Exactly 👍"),
]
LATER = [
    ("dmitri", "Does the period depend on the mass?"),
    ("chloe", "No, only on the length and g"),
    ("bob", "T = 2π√(L/g)"),
    ("dmitri", "Thanks! That makes question 3 easy"),
    ("chloe", "Who is bringing the stopwatch for the lab?"),
    ("bob", "I have one, I'll bring it"),
    ("dmitri", "Great, see you all at 10:30"),
]


def take_screenshots(data_dir: str) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    server = ChatServer(
        ServerConfig(
            host="127.0.0.1", port=0, rate_per_second=0, data_dir=data_dir, replay=len(LATER) + 1, files_keep_free_mb=0
        )
    ).start()
    classmates = {nick: connect_client(server.address, nick, "physics") for nick in ("bob", "chloe", "dmitri")}
    emma = ChatLine(server.address, "emma", "physics")
    sheet = Path(data_dir).parent / "pendulum-worksheet.pdf"
    sheet.write_bytes(b"%PDF-1.4 " + b"worksheet " * 9000)
    for number, (nick, text) in enumerate(EARLIER + LATER):
        if number == len(EARLIER) + 3:  # a file among the replayed messages: shown as its card, muted
            share(emma, sheet, "#physics")
        classmates[nick].send_command(f"SAY {text}")
        classmates[nick].wait_for(lambda frame, text=text: frame.get("type") == "message" and frame["content"] == text)

    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("900x560+0+0")
    pump_until(root, root.winfo_ismapped)
    controller.start(*server.address, "alice", "physics")
    pump_until(root, lambda: controller.session.state == "ready")
    pump_until(root, lambda: "new since you were here" in controller.room_view.all_text())
    classmates["chloe"].send_command("SAY Hi alice! We were talking about the pendulum worksheet")
    pump_until(root, lambda: "Hi alice" in controller.room_view.all_text())
    type_line(controller, "Hi! I'll scroll up and read 🙂")
    pump_until(root, lambda: "scroll up and read" in controller.room_view.all_text())
    pump_until(root, lambda: controller.window.rooms.rooms == [("physics", 5)], 5)  # the rooms push: once a second
    saved.append(capture(root, OUT / "client-history.png"))

    controller.history.open_search("worksheet")
    controller.history.search_panel.submit()
    panel = controller.history.search_panel
    pump_until(root, lambda: len(panel.results) >= 3)
    oldest = min(range(len(panel.results)), key=lambda index: panel.results[index]["id"])
    panel.pick(oldest)
    pump_until(root, lambda: "Found it" in str(panel.status.cget("text")))
    settle(root, 0.3)
    saved.append(capture(root, OUT / "client-search.png"))

    controller.shutdown()
    root.destroy()
    for client in classmates.values():
        client.close()
    emma.close()
    server.stop()
    return saved


# A chemistry lab: groups read out the pH of their samples, and someone looks for one from the start.
LAB_VOICES = ("bob", "chloe", "dmitri")
LAB_CHATTER = ("Rinsing the probe with distilled water", "Next beaker is ready", "Writing it in the table")
LAB_LATEST = [
    ("chloe", "That's all twelve samples done for today"),
    ("dmitri", "Does anyone still have the first readings of sample 3?"),
    ("bob", "Search for pH, they're all in here somewhere"),
]


def take_stopped_search(data_dir: str) -> Path:
    """A search for a short word (no index: the server reads message by message) that the server stops early."""
    saved_budget = search_clock.SEARCH_SECONDS
    search_clock.SEARCH_SECONDS = 0.0  # stands for a far bigger room: the first look at the clock stops the reading
    server = ChatServer(
        ServerConfig(host="127.0.0.1", port=0, rate_per_second=0, data_dir=data_dir, replay=len(LAB_LATEST))
    ).start()
    classmates = {nick: connect_client(server.address, nick, "chemistry") for nick in LAB_VOICES}
    lines = []
    for lesson in range(1, 9):
        for sample in range(1, 13):
            nick = LAB_VOICES[sample % len(LAB_VOICES)]
            reading = 3.2 + ((sample * 7 + lesson * 3) % 45) / 10
            lines.append((nick, f"Lesson {lesson}, sample {sample}: pH {reading:.1f}"))
            if sample % 4 == 0:
                lines.append((LAB_VOICES[(sample + 1) % 3], LAB_CHATTER[(sample // 4 + lesson) % 3]))
    for nick, text in lines + LAB_LATEST:
        classmates[nick].send_command(f"SAY {text}")
        classmates[nick].wait_for(lambda frame, text=text: frame.get("type") == "message" and frame["content"] == text)
    server.storage.flush()  # on disk, where the search clock watches the reading

    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("1320x600+0+0")  # the note follows the count on one line
    pump_until(root, root.winfo_ismapped)
    controller.start(*server.address, "alice", "chemistry")
    pump_until(root, lambda: controller.session.state == "ready")
    pump_until(root, lambda: "somewhere" in controller.room_view.all_text())
    pump_until(root, lambda: controller.window.rooms.rooms == [("chemistry", 4)], 5)
    controller.history.open_search("pH")
    panel = controller.history.search_panel
    panel.submit()
    pump_until(root, lambda: panel.stopped_early and len(panel.results) >= 3)
    settle(root, 0.3)
    path = capture(root, OUT / "client-search-stopped.png")

    controller.shutdown()
    root.destroy()
    for client in classmates.values():
        client.close()
    server.stop()
    search_clock.SEARCH_SECONDS = saved_budget
    return path


# A week of a maths class, said before the window opens (written through the storage module, with their times).
WEEK_VOICES = ("lena", "omar", "yuki", "jonas", "amira")
WEEK_CHATTER = (
    "Did anyone get 12 for question 4?",
    "I got 12 too",
    "Can someone explain how to simplify fractions again?",
    "Divide the top and the bottom by the same number",
    "Is the test on Friday or Monday?",
    "Friday, I think",
    "Who has the notes from yesterday?",
    "I'll share mine after lunch",
)
WEEK_HOMEWORK = "Homework for Thursday: worksheet 9, page 100, exercises 3 to 12. Hand it in on paper, please."


def fill_week(data_dir: str) -> None:
    """Six days of a busy class, 150 messages a day, the teacher's homework on the morning four days ago."""
    now = dt.datetime.now()
    with open_storage(data_dir, history_days=0) as storage:
        number = 0
        for ago in range(5, -1, -1):
            start = now - dt.timedelta(minutes=50) if ago == 0 else (now - dt.timedelta(days=ago)).replace(hour=9)
            for n in range(150):
                number += 1
                said = int((start + dt.timedelta(seconds=19 * n)).timestamp() * 1000)
                if ago == 4 and n == 75:
                    storage.messages.append(StoredMessage.public(number, "maths", "Ms_Lee", WEEK_HOMEWORK, said))
                    continue
                text = WEEK_CHATTER[(n * 3 + ago) % len(WEEK_CHATTER)]
                storage.messages.append(StoredMessage.public(number, "maths", WEEK_VOICES[n % 5], text, said))


def take_far_search(data_dir: str) -> list[Path]:
    """A word said all week (its Older results button), then last week's homework shown among the messages around it."""
    fill_week(data_dir)
    server = ChatServer(
        ServerConfig(host="127.0.0.1", port=0, rate_per_second=0, data_dir=data_dir, history_days=0)
    ).start()
    root = tk.Tk(className="ClassChat")
    controller = ChatController(root, ClientSettings(), save=False)
    root.geometry("900x560+0+0")
    pump_until(root, root.winfo_ismapped)
    controller.start(*server.address, "mia", "maths")
    pump_until(root, lambda: controller.session.state == "ready")
    controller.history.open_search("Friday")  # a word said all week: more than one page matches
    panel = controller.history.search_panel
    panel.submit()
    pump_until(root, lambda: len(panel.results) == 50 and panel.older.winfo_ismapped())
    settle(root, 0.3)
    older = capture(root, OUT / "client-search-older.png")
    controller.history.open_search("worksheet")
    panel.submit()
    pump_until(root, lambda: len(panel.results) == 1)  # the homework alone, the week's page gone
    panel.pick(0)
    context = controller.history.context
    pump_until(root, lambda: context.pane is not None and not context.requests and not context.pane.loading)
    assert context.window is not None
    context.window.geometry("760x460+60+60")
    settle(root, 0.5)
    path = capture(context.window, OUT / "client-search-context.png")
    controller.shutdown()
    root.destroy()
    server.stop()
    return [older, path]


def main() -> int:
    if shutil.which("import") is None:
        print("ImageMagick's `import` is needed to save the screenshots.", file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix="classchat-screens-")
    os.environ["XDG_CONFIG_HOME"] = os.path.join(scratch, "config")  # never touch real settings or data
    os.environ["XDG_DATA_HOME"] = os.path.join(scratch, "data")
    with virtual_display(XVFB_DISPLAY, "1400x800x24"):
        for path in take_screenshots(os.path.join(scratch, "server")):
            print(f"saved {path.relative_to(ROOT)}")
        path = take_stopped_search(os.path.join(scratch, "server-lab"))
        print(f"saved {path.relative_to(ROOT)}")
        for path in take_far_search(os.path.join(scratch, "server-maths")):
            print(f"saved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
