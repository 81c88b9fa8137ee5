"""FolderBusy, apart from the storage so that catching it (the admin window's Start) loads no storage code (any thread)."""

from __future__ import annotations


class FolderBusy(Exception):
    """Another live ClassChat server holds the data folder; the message names its pid when known.

    A server does not start beside it: memory-only there would lose every
    account, ban and room key while the other's files/ folder stayed in
    reach (found by a probe). The lock dies with its process, even with
    `kill -9`, so a folder left by a crashed server is never refused.
    """
