"""read_only_uri: the SQLite URI that opens a database file for reading only (any thread, no I/O).

Path.as_uri is not used: on Python 3.13 it imports urllib lazily, which a
server running as another user could not; SQLite needs only %, ? and #
escaped in the path.
"""

from __future__ import annotations

from pathlib import Path


def read_only_uri(path: Path, options: str = "") -> str:
    """`file:PATH?mode=ro` plus `&options` (e.g. "immutable=1"), for sqlite3.connect(..., uri=True)."""
    text = "".join(f"%{ord(char):02X}" if char in "%?#" else char for char in str(path.absolute()))
    return f"file:{text}?mode=ro" + (f"&{options}" if options else "")
