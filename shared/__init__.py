"""What the chat server and its clients share: frames, framing, names, commands.

Nothing in this package opens a socket, starts a thread or touches Tk; every
function here is pure and runs on whichever thread calls it.
"""

from shared.version import __version__

__all__ = ["__version__"]
