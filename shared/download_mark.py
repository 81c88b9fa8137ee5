"""Marking a saved file as downloaded from elsewhere (Mark of the Web, macOS quarantine); the thread that saves it.

A classmate's file is as foreign as one from the internet, and the
system's own guards only look at files that say so: on Windows, Office
opens a marked document in Protected View with its macros off, SmartScreen
asks before a marked program runs, and Explorer warns on marked shortcuts;
on macOS, Gatekeeper checks a quarantined program or app before its
first start.  Found by a probe: saved files carried no mark, so a `.doc`
with macros opened with nothing between it and the student.

    marking_for(path, "win32")   -> Marking(stream=<path>:Zone.Identifier, data=ZONE_IDENTIFIER)
    marking_for(path, "darwin")  -> Marking(command=("xattr", "-w", "com.apple.quarantine", "0081;...;ClassChat;", path))
    marking_for(path, "linux")   -> None   (no common mark on Linux desktops)
    mark_downloaded(path)        # writes what marking_for says for this system; False if it could not

`marking_for` is pure (tests check what would be written on every
system); `mark_downloaded` does it.  On macOS the standard library cannot
set an extended attribute (`os.setxattr` is Linux-only), so the system's
`xattr` tool does.  A file system without alternate streams (FAT, a
network share) or a missing tool leaves the file unmarked: the "Open a
program?" question of the chat window still stands (shared.safe_filename).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ZONE_STREAM = "Zone.Identifier"
ZONE_IDENTIFIER = b"[ZoneTransfer]\r\nZoneId=3\r\n"  # 3: the Internet zone, what browsers write for a download
QUARANTINE_ATTRIBUTE = "com.apple.quarantine"
QUARANTINE_FLAGS = "0081"  # what Safari writes for a download the user has not opened yet
AGENT = "ClassChat"  # shown by macOS as the program the file came with
XATTR_SECONDS = 5.0
PLATFORM = sys.platform  # read at each call, so a test can ask for another system's mark


@dataclass(frozen=True)
class Marking:
    """What marking a file means on one system: bytes for an alternate data stream, or a command to run."""

    stream: Path | None = None
    data: bytes = b""
    command: tuple[str, ...] = ()


def marking_for(path: Path, platform: str | None = None, now: Callable[[], float] = time.time) -> Marking | None:
    """How a file saved at `path` is marked as from elsewhere on `platform` (a sys.platform value); None: no mark."""
    platform = platform or PLATFORM
    if platform == "win32":
        return Marking(stream=Path(f"{path}:{ZONE_STREAM}"), data=ZONE_IDENTIFIER)  # NTFS: the file's second stream
    if platform == "darwin":
        value = f"{QUARANTINE_FLAGS};{int(now()):08x};{AGENT};"
        return Marking(command=("xattr", "-w", QUARANTINE_ATTRIBUTE, value, str(path)))
    return None


def mark_downloaded(
    path: Path,
    platform: str | None = None,
    run: Callable[..., subprocess.CompletedProcess[bytes]] = subprocess.run,
) -> bool:
    """Mark a just-saved file as from elsewhere; True if marked (or nothing to do here), False if it could not be."""
    marking = marking_for(path, platform)
    if marking is None:
        return True
    try:
        if marking.stream is not None:
            with open(marking.stream, "wb") as stream:
                stream.write(marking.data)
            return True
        done = run(list(marking.command), capture_output=True, timeout=XATTR_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
