"""A server's address as a person types it: "host", "host:port", "[IPv6]:port" or a bare IPv6 address (any thread).

The teacher's screen shows the address and port together ("192.168.1.20:55555"),
so that is what students type into the address field of the Connect dialog
or give `chat-term`; both clients split it here instead of looking up a
host called "192.168.1.20:55555".  A bare IPv6 address has several colons
and no port; with a port it needs brackets, as in a URL.
"""

from __future__ import annotations

MAX_PORT = 65535
# letters that pass for digits in a hurry: 192.168.1.2O, l92.168.1.20
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "i": "1"})


def port_number(text: str) -> int:
    """`text` as a port, or ValueError saying what a port is."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_PORT:
        raise ValueError(f"'{text}' is not a port: that is a number from 1 to {MAX_PORT}, e.g. 55555.")
    return int(text)


def split_address(text: str) -> tuple[str, int | None]:
    """(host, port) from what was typed; port None when it names none.  ValueError when the port part is not one."""
    text = text.strip()
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ValueError("An IPv6 address in brackets needs its closing ']', e.g. [fe80::1]:55555.")
        host, rest = text[1:close], text[close + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise ValueError(f"After ']' comes ':' and the port, e.g. [{host}]:55555.")
        return host, port_number(rest[1:])
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, port_number(port)
    return text, None  # a name, an IPv4 address, or an IPv6 address without a port


def mistyped_address(host: str) -> str | None:
    """What to say when `host` is a number address with a letter for a digit ("192.168.1.2O"), else None.

    Such a name would be looked up as a computer's name, which fails slowly
    and in words ("Temporary failure in name resolution") that do not point
    at the stray letter; this needs no lookup.
    """
    parts = host.split(".")
    fixed = host.translate(DIGIT_LOOKALIKES)
    if len(parts) != 4 or fixed == host or not all(part.isascii() and part.isdigit() for part in fixed.split(".")):
        return None
    return (
        f"'{host}' is not an address: check the spelling: an address is four numbers like 192.168.1.20 "
        f"(did you mean {fixed}?)."
    )
