"""The servers' keys this client has seen, pinned per address on first use (connection thread; a small JSON file).

    check(address, fingerprint)
        no pin for the address yet -> "new": pinned now (trust on first use, like SSH's accept-new);
                                      `store_damaged` when the file could not be read, so an old pin
                                      may have been lost with it (the clients say so)
        the pinned key             -> "match"
        another key                -> "changed": nothing is saved; the caller stops and shows both
    accept(address, fingerprint)   the person chose to trust the new key: it replaces the pin
    allow_plain(address)           the person chose to go on without encryption at a pinned address: the
                                   pin is kept, marked "plain_since"; plain connections there are then
                                   allowed, and when TLS comes back its key is checked against the pin
                                   (a match clears the mark, so losing TLS again warns again)

Forgetting the pin instead (as before the eighth review) made the key of
whoever answered with TLS next "new", pinned quietly: a teacher who turned
TLS off for a lesson left every student open to an impostor's key after it.

The file sits beside the client's settings (chat_gui/settings.py decides the
folder): known_servers.json,
    {"version": 1, "servers": {"192.168.1.20:55555": {"sha256": "<64 hex>", "since": "<UTC ISO time>"}}}
("plain_since": "<UTC ISO time>" beside them while plain is allowed there; older clients ignore it.)
Every call reads the file afresh and every change is written to a
temporary file, flushed to the disk and renamed into place, so two windows
on one computer see each other's pins and a crash never leaves half a file.
A change (read, change, write) holds a lock on .known_servers.lock beside
it (shared/file_lock.py) for at most LOCK_WAIT_SECONDS, so the window and
chat-term pinning at the same moment keep both pins (without it three
processes pinning 200 servers each kept 273 of the 600).  Content that
cannot be read gives an empty store (unreadable entries are skipped): over
MAX_STORE_BYTES, nested deeper than any real file, binary, the wrong shape,
not a regular file (a named pipe would block the connecting thread);
the damaged file is kept as known_servers.json.broken on the next save
(a later damage as .broken.1, .broken.2, ...: the first KEPT_BROKEN_FILES are
kept, the earliest holding the oldest pins; past them the last is replaced).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from chat_gui.settings import settings_path
from shared.file_lock import held_file
from shared.fingerprint import Fingerprint
from shared.frames import MAX_NESTING, nesting_depth
from shared.settings_file import read_small_file

STORE_FILE_NAME = "known_servers.json"
LOCK_FILE_NAME = ".known_servers.lock"
STORE_VERSION = 1
MAX_STORE_BYTES = 1024 * 1024  # a pin is about 120 bytes: some 8,000 servers; a real file holds a few
KEPT_BROKEN_FILES = 5  # damaged files set aside: .broken, .broken.1 ... .broken.4
LOCK_WAIT_SECONDS = 2.0  # past this a change goes ahead unlocked: a stuck process never stops a connection

PinStatus = Literal["new", "match", "changed"]


def trust_store_path() -> Path:
    return settings_path().parent / STORE_FILE_NAME


def address_key(host: str, port: int) -> str:
    """How an address is named in the store: "host:port", host in lower case, IPv6 in brackets."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"{host}:{port}"
    return f"[{address.compressed}]:{port}" if address.version == 6 else f"{address}:{port}"


@dataclass(frozen=True)
class PinCheck:
    """The answer of `TrustStore.check`."""

    status: PinStatus
    address: str
    presented: Fingerprint  # the key the server showed now
    pinned: Fingerprint | None  # the key pinned before: None for "new", the old one for "changed"
    pinned_since: str = ""  # when the old pin was made (UTC ISO time), if known
    store_damaged: bool = False  # "new" only because the file could not be read: set aside as .broken, .broken.1 ...


@dataclass(frozen=True)
class _Pin:
    fingerprint: Fingerprint
    since: str
    plain_since: str = ""  # when the person allowed plain connections at this address ("" : not allowed)


class TrustStore:
    """Pins in one JSON file; safe to use from several threads of one process."""

    _lock = threading.Lock()  # one read-modify-write at a time in this process

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or trust_store_path()

    def all_pinned(self) -> dict[str, Fingerprint]:
        """Every pin ("host:port" -> key), read in one go (the Connect dialog compares each found server)."""
        return {address: pin.fingerprint for address, pin in self._load()[0].items()}

    def pinned(self, address: str) -> Fingerprint | None:
        pin = self._load()[0].get(address)
        return pin.fingerprint if pin else None

    def check(self, address: str, fingerprint: Fingerprint) -> PinCheck:
        """Compare with the pin for `address`; pin it if there is none yet (see the module's table)."""
        with self._lock, self._held():
            pins, broken = self._load()
            pin = pins.get(address)
            if pin is None:
                pins[address] = _Pin(fingerprint, _now_text())
                self._save(pins, broken)
                return PinCheck("new", address, fingerprint, None, store_damaged=broken)
            if pin.fingerprint == fingerprint and pin.plain_since:
                pins[address] = _Pin(pin.fingerprint, pin.since)  # TLS is back with the same key: plain warns again
                self._save(pins, broken)
        if pin.fingerprint == fingerprint:
            return PinCheck("match", address, fingerprint, fingerprint, pin.since)
        return PinCheck("changed", address, fingerprint, pin.fingerprint, pin.since)

    def accept(self, address: str, fingerprint: Fingerprint) -> bool:
        """Pin `fingerprint` for `address`, replacing any old pin; False if the file could not be written."""
        with self._lock, self._held():
            pins, broken = self._load()
            pins[address] = _Pin(fingerprint, _now_text())
            return self._save(pins, broken)

    def allow_plain(self, address: str) -> bool:
        """Allow plain connections at a pinned `address`, keeping its pin; False if none or the file could not be written."""
        with self._lock, self._held():
            pins, broken = self._load()
            pin = pins.get(address)
            if pin is None:
                return False
            pins[address] = _Pin(pin.fingerprint, pin.since, pin.plain_since or _now_text())
            return self._save(pins, broken)

    def plain_allowed(self, address: str) -> bool:
        """Whether the person allowed plain connections at `address` (allow_plain) since TLS was last seen there."""
        pin = self._load()[0].get(address)
        return pin is not None and bool(pin.plain_since)

    def forget(self, address: str) -> bool:
        """Drop the pin for `address`; False if there was none or the file could not be written."""
        with self._lock, self._held():
            pins, broken = self._load()
            if pins.pop(address, None) is None:
                return False
            return self._save(pins, broken)

    # -- the file --
    def _held(self) -> AbstractContextManager[bool]:
        """The other processes' changes wait while this one reads, changes and writes the file."""
        return held_file(self.path.with_name(LOCK_FILE_NAME), LOCK_WAIT_SECONDS)

    def _load(self) -> tuple[dict[str, _Pin], bool]:
        """The pins, and whether the file held something that could not be read."""
        try:
            raw = read_small_file(self.path, MAX_STORE_BYTES + 1)
        except FileNotFoundError:
            return {}, False
        except OSError:
            return {}, True
        # brackets nested ten thousand deep overflow the JSON decoder's stack: refused before parsing
        if len(raw) > MAX_STORE_BYTES or nesting_depth(raw) > MAX_NESTING:
            return {}, True
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return {}, True
        servers = data.get("servers") if isinstance(data, dict) else None
        if not isinstance(servers, dict):
            return {}, True
        pins: dict[str, _Pin] = {}
        broken = False
        for address, entry in servers.items():
            pin = _read_pin(entry)
            if pin is None:
                broken = True
            else:
                pins[address] = pin
        return pins, broken

    def _broken_path(self) -> Path:
        """Where a damaged file is set aside: the first free of .broken, .broken.1 ...; the last when all are taken."""
        names = [self.path.name + ".broken"] + [f"{self.path.name}.broken.{n}" for n in range(1, KEPT_BROKEN_FILES)]
        for name in names:
            candidate = self.path.with_name(name)
            if not os.path.lexists(candidate):
                return candidate
        return self.path.with_name(names[-1])

    def _save(self, pins: dict[str, _Pin], broken: bool) -> bool:
        data = {
            "version": STORE_VERSION,
            "servers": {address: _entry(pin) for address, pin in pins.items()},
        }
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if broken and self.path.exists():
                os.replace(self.path, self._broken_path())
            with temporary.open("w", encoding="utf-8") as file:
                file.write(json.dumps(data, indent=2, sort_keys=True))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
            return False
        return True


def _read_pin(entry: Any) -> _Pin | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return None
    try:
        fingerprint = Fingerprint.from_text(entry["sha256"])
    except ValueError:
        return None
    since, plain_since = entry.get("since"), entry.get("plain_since")
    return _Pin(
        fingerprint, since if isinstance(since, str) else "", plain_since if isinstance(plain_since, str) else ""
    )


def _entry(pin: _Pin) -> dict[str, str]:
    entry = {"sha256": pin.fingerprint.hex, "since": pin.since}
    if pin.plain_since:
        entry["plain_since"] = pin.plain_since
    return entry


def _now_text() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
