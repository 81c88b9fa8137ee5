"""The chat window's side of sharing files: rows for transfers, cards for shared files, thumbnails, opening (Tk thread).

    Attach… / /send PATH [NICK] --> FileTransfers.send_file --events--> a row: progress, speed, time left, Cancel
    file frame {file, name, size, sender, room|to} --> a FileCard in the room's or the private tab's text pane
    card's Save / /get FILE-ID --> FileTransfers.get_file(into Downloads) --events--> row; card: Open, Open folder
    card's "Show pictures from here" --> get_file(into a private cache folder) --> the thumbnail on the card;
                                         the fetched file is removed once the thumbnail is made (or failed)

The moving of bytes is the client core's (chat_gui/core/file_transfers.py,
shared with chat-term): it hashes and transfers in worker threads and
hands its events to this class on the Tk thread, through a queue that a
TkScheduler timer (after()) drains.  So nothing here blocks the window,
and no widget is touched from another thread.  Pictures are fetched
only where the user asked for them once, so a classmate cannot make every
window in the room download a file by sending it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from tkinter import messagebox

from chat_gui.core.conversations import conversation_of
from chat_gui.core.downloads_folder import downloads_folder
from chat_gui.core.file_transfers import (
    FileTransfers,
    TransferEvent,
    TransferFinished,
    TransferProgressed,
    TransferStarted,
)
from chat_gui.core.session import ClientSession
from chat_gui.window.file_card import CardActions, FileCard, is_picture_name
from chat_gui.window.main_window import ChatWindow
from chat_gui.window.message_view import MessageView
from chat_gui.window.open_file import AskYesNo, Launch, launch_with_system, open_received
from chat_gui.window.tk_scheduler import TkScheduler
from shared.file_transfer import format_size, is_file_id
from shared.frames import Frame
from shared.image_header import MAX_THUMBNAIL_FILE_BYTES, thumbnail_kind
from shared.names import name_key
from shared.safe_filename import clean_filename, looks_executable

MAX_REMEMBERED_CARDS = 500
CACHE_PREFIX = "classchat-pictures-"
# A picture cache left by a window that was killed (no shutdown ran) goes when a later window makes its own.
STALE_CACHE_SECONDS = 24 * 3600
ANSWER_TYPES = frozenset(("upload", "download", "cancelled"))  # the server's answers to our own requests


@dataclass
class Purpose:
    """What a transfer is for, on this side: a row under the text pane, a card to update, a thumbnail."""

    kind: str  # "send", "save", "picture"
    card: FileCard | None = None
    shown_row: bool = True


class FileSharing:
    def __init__(
        self,
        root: tk.Misc,
        window: ChatWindow,
        session: ClientSession,
        ask_yes_no: AskYesNo | None = None,
        launch: Launch = launch_with_system,
        downloads: Callable[[], Path] = downloads_folder,
    ) -> None:
        self.root = root
        self.window = window
        self.session = session
        self.ask_yes_no: AskYesNo = ask_yes_no or (
            lambda title, text: messagebox.askyesno(title, text, parent=root, icon="warning", default="no")
        )
        self.launch = launch
        self.downloads = downloads
        self.transfers = FileTransfers(session, TkScheduler(root), self._on_event)
        self.purposes: dict[int, Purpose] = {}
        self.cards: dict[str, list[FileCard]] = {}  # file id -> its cards (history may show one twice)
        self.picture_places: set[str] = set()  # "#room" / "@nick" keys where the user asked for thumbnails
        self.sent_files: dict[str, Path] = {}  # file id of our finished uploads -> the local file
        self._starting: Purpose | None = None  # the purpose of the transfer being started (its key is not known yet)
        self._cache: Path | None = None
        # a room file from someone this user ignores: its line and card folded, no picture fetched (ignored_names.py)
        self.hides: Callable[[Frame], bool] = lambda _frame: False
        # a file shared by someone else while the window was in the background: the title counts it (the controller)
        self.count_unread: Callable[[int | None, bool], None] = lambda _id, _mention: None

    # -- what the user asks for --
    def send_file(self, path: Path, to: str | None = None) -> int:
        """Share `path` with the room, or with `to` only; a row follows it."""
        return self._start(Purpose("send"), lambda: self.transfers.send_file(path, to))

    def save(self, card: FileCard) -> int:
        """The card's Save: into the Downloads folder, under a cleaned name that overwrites nothing."""
        card.saving()
        folder = self.downloads()
        return self._start(Purpose("save", card), lambda: self.transfers.get_file(card.file_id, folder))

    def get(self, file_id: str, folder: Path | None = None) -> int | None:
        """`/get FILE-ID [FOLDER]`: save a file without a card (into Downloads, or FOLDER)."""
        if not is_file_id(file_id):
            self.window.tabs.room_view.show_notice(f"{file_id} is not a file id (a file's card shows it).", "error")
            return None
        target = folder or self.downloads()
        return self._start(Purpose("save"), lambda: self.transfers.get_file(file_id, target))

    def show_pictures(self, card: FileCard, place: str) -> None:
        """Thumbnails for this room (or person) from now on, and this card's picture now."""
        self.picture_places.add(place)
        for cards in self.cards.values():
            for other in cards:
                if (
                    other.winfo_exists()
                    and other.shared_in == place
                    and is_picture_name(other.name)
                    and (other is card or not other.from_ignored)
                ):
                    self._fetch_picture(other)

    def open_saved(self, card: FileCard) -> None:
        path = card.saved_path
        if path is None or not path.exists():
            card.saved_path = None
            card.failed("The saved file is gone; save it again.")
            return
        try:
            open_received(path, card.sender, self.ask_yes_no, self.launch, looks_executable)
        except OSError as exc:
            card.failed(f"Could not open it: {exc.strerror or exc}")

    def open_folder(self, card: FileCard) -> None:
        if card.saved_path is not None:
            try:
                self.launch(card.saved_path.parent)
            except OSError as exc:
                card.failed(f"Could not open the folder: {exc.strerror or exc}")

    def cancel(self, key: int) -> None:
        self.transfers.cancel(key)

    # -- the chat connection's frames --
    def take(self, frame: Frame) -> bool:
        """Every received frame passes here first; True if it was one of ours (nothing else shows it)."""
        if self.transfers.handle_frame(frame):  # type: ignore[arg-type]  # a checked ServerFrame, as a dict
            return True
        kind = frame.get("type")
        if kind == "file":
            self._on_file(frame)
            return True
        if kind == "deleted":
            self.message_deleted(frame.get("id"))
            return False  # the message's own line is the history display's business
        return kind in ANSWER_TYPES

    def shutdown(self) -> None:
        """Stop every transfer and remove the picture cache."""
        self.transfers.cancel_all()
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)
            self._cache = None

    # -- inside --
    def _start(self, purpose: Purpose, start: Callable[[], int]) -> int:
        self._starting = purpose
        try:
            key = start()
        finally:
            self._starting = None
        self.purposes.setdefault(key, purpose)
        return key

    def _cache_folder(self) -> Path:
        if self._cache is None or not self._cache.is_dir():  # a day-old cache may have been taken for a dead one
            remove_stale_caches(Path(tempfile.gettempdir()))
            self._cache = Path(tempfile.mkdtemp(prefix=CACHE_PREFIX))
        return self._cache

    def _fetch_picture(self, card: FileCard) -> None:
        if card.has_thumbnail() or card.fetching or card.file_size > MAX_THUMBNAIL_FILE_BYTES:
            return
        local = self.sent_files.get(card.file_id)
        if local is not None and self._try_thumbnail(card, local):
            return
        card.fetching_picture()
        folder = self._cache_folder()
        self._start(Purpose("picture", card, shown_row=False), lambda: self.transfers.get_file(card.file_id, folder))

    def _try_thumbnail(self, card: FileCard, path: Path) -> bool:
        header = thumbnail_kind(path)
        return header is not None and card.show_thumbnail(path, header)

    def _on_file(self, frame: Frame) -> None:
        view, place = self._place_of(frame)
        card = self.show_card(view, frame, place)
        number = frame.get("id")
        number = number if isinstance(number, int) and not isinstance(number, bool) else None
        if name_key(str(frame["sender"])) != name_key(self.session.nick) and not card.from_ignored:
            if place.startswith("#"):  # a private file was counted on its tab by _place_of
                self.window.tabs.count_room_message(str(frame.get("room", "")), number)
            self.count_unread(number, False)

    def show_kept(self, view: MessageView, frame: Frame) -> None:
        """A kept `file` frame (replay, an earlier page, /history): its card in `view`, muted, where the pane inserts."""
        found = conversation_of(frame, self.session.nick)
        self.show_card(view, frame, found[0] if found is not None else "", muted=True)

    def show_card(self, view: MessageView, frame: Frame, place: str, muted: bool = False) -> FileCard:
        """The line "alice shared name (size)" and the file's card under it; `place` is "#room" or "@nick" (keys)."""
        file_id, name, sender = str(frame["file"]), str(frame["name"]), str(frame["sender"])
        size, digest = int(frame["size"]), str(frame["sha256"])
        own = name_key(sender) == name_key(self.session.nick)
        style = "own" if own else ("private" if frame.get("to") else "")
        stamp = str(frame.get("timestamp", ""))
        shown = f"shared {clean_filename(name)} ({format_size(size)})"
        hidden = not own and self.hides(frame)
        view.show_message(stamp, sender, shown, f"{style} replayed".strip() if muted else style, hidden=hidden)
        actions = CardActions(
            save=lambda: self.save(card),
            open_file=lambda: self.open_saved(card),
            open_folder=lambda: self.open_folder(card),
            show_picture=lambda: self.show_pictures(card, place),
        )
        card = FileCard(view.text, file_id, name, size, sender, actions, sha256=digest)
        card.message_id = frame.get("id")
        card.shared_in = place
        card.from_ignored = hidden
        if muted:
            card.mute()
        classmate = not own and not frame.get("to") and frame.get("role") != "teacher"  # a room file that may fold
        view.show_widget(card, hidden=hidden, sender=sender if classmate else "")
        if len(self.cards) > MAX_REMEMBERED_CARDS:  # cards trimmed off the top of their pane are gone
            self.cards = {
                key: alive for key, cards in self.cards.items() if (alive := [c for c in cards if c.winfo_exists()])
            }
        self.cards.setdefault(file_id, []).append(card)
        if is_picture_name(name) and not hidden and (place in self.picture_places or file_id in self.sent_files):
            self._fetch_picture(card)
        return card

    def message_deleted(self, message_id: object) -> None:
        """A deleted file can no longer be fetched: its cards say so instead of offering Save."""
        for cards in self.cards.values():
            for card in cards:
                if card.message_id == message_id and card.winfo_exists():
                    card.deleted()

    def _place_of(self, frame: Frame) -> tuple[MessageView, str]:
        """The view a file frame goes to, and its key for "show pictures from here"."""
        to = frame.get("to")
        if not isinstance(to, str):
            room = str(frame.get("room", ""))
            return self.window.tabs.view_for_room(room), f"#{name_key(room)}"
        sender = str(frame["sender"])
        own = name_key(sender) == name_key(self.session.nick)
        other = to if own else sender
        tabs = self.window.tabs
        tab = tabs.private.get(name_key(other))
        if tab is None:  # the same tab limit as private messages: a flood of files collects in one tab
            if own or tabs.room_for_another_tab():
                tab = tabs.open_private(other, select=False, by_other=not own)
            else:
                tab = tabs.collecting_tab()
        if not own:
            number = frame.get("id")
            tabs.mark_unread(tab, number if isinstance(number, int) and not isinstance(number, bool) else None)
        return tab.view, f"@{name_key(other)}"

    # -- the core's events (on the Tk thread) --
    def _on_event(self, event: TransferEvent) -> None:
        purpose = self.purposes.get(event.key)
        if purpose is None:
            purpose = self._starting or Purpose("save")
            self.purposes[event.key] = purpose
        bar = self.window.transfers
        if isinstance(event, TransferStarted):
            if not purpose.shown_row:
                return
            row = bar.get(event.key) or bar.add(
                event.key, clean_filename(event.name), event.kind == "upload", lambda: self.cancel(event.key)
            )
            row.set_title(clean_filename(event.name))
            if event.size is None:
                row.set_busy("Checking the file…" if event.kind == "upload" else "Asking the server…")
            else:
                row.set_busy(f"{format_size(event.size)}: waiting for the server…")
        elif isinstance(event, TransferProgressed):
            moving = bar.get(event.key)
            if moving is not None:
                moving.set_progress(event.report.fraction, event.report.text())
        elif isinstance(event, TransferFinished):
            self._finished(event, purpose)

    def _finished(self, event: TransferFinished, purpose: Purpose) -> None:
        del self.purposes[event.key]
        row = self.window.transfers.get(event.key)
        if event.cancelled:
            self.window.transfers.remove(event.key)
        elif row is not None and event.ok and purpose.kind == "save" and event.path is not None:
            row.end(f"Saved as {event.path.name}")  # the core's sentence names the whole path: too long for a row
        elif row is not None and event.ok and purpose.kind == "send":
            row.end("Sent; the server checked it.")
        elif row is not None:
            row.end(event.detail, failed=not event.ok)
        card = purpose.card
        if purpose.kind == "send" and event.ok and event.file_id and event.path is not None:
            self.sent_files[event.file_id] = event.path
            for sent_card in self.cards.get(event.file_id, []):  # the file frame may come before this event
                if is_picture_name(sent_card.name) and sent_card.winfo_exists():
                    self._try_thumbnail(sent_card, event.path)
        if card is None or not card.winfo_exists():
            if purpose.kind == "save" and event.ok and event.path is not None and row is None:
                self.window.tabs.room_view.show_notice(event.detail, "system")
            return
        if purpose.kind == "picture":
            card.fetching = False
            if not (event.ok and event.path is not None and self._try_thumbnail(card, event.path)):
                card.failed("" if event.cancelled else "The picture could not be shown.")
            if event.path is not None:  # the thumbnail is in memory now: the cache never holds more than fetches
                event.path.unlink(missing_ok=True)
        elif event.ok and event.path is not None:
            card.saved(event.path)
            if is_picture_name(event.path.name):
                self._try_thumbnail(card, event.path)
        else:
            card.failed("" if event.cancelled else event.detail)


def remove_stale_caches(folder: Path, now: float | None = None) -> int:
    """Remove picture caches in `folder` untouched for STALE_CACHE_SECONDS (another window's live one is kept)."""
    moment = time.time() if now is None else now
    removed = 0
    for cache in folder.glob(f"{CACHE_PREFIX}*"):
        try:
            if cache.is_dir() and not cache.is_symlink() and moment - cache.stat().st_mtime > STALE_CACHE_SECONDS:
                shutil.rmtree(cache, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
