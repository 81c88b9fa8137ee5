"""Where a clicked link really goes, and whether its text hides that (Tk thread when clicked; pure, no Tk).

    link_target("www.example.org/notes")          -> "https://www.example.org/notes"
    link_warning("https://school.edu@evil.example") -> "… it goes to evil.example …"   (None: nothing hidden)

A student can send a link whose text reads like the school's site but
goes elsewhere: letters of another alphabet in the host (`gооgle.com` with
Cyrillic o, shown as itself in the pane), a user name before `@`
(`https://school.edu@evil.example` goes to evil.example), or a backslash,
which browsers read as `/` (`https://evil.example\\@school.edu` goes to
evil.example).  The window asks before opening such a link, naming the
host the browser will really visit (in its ASCII form, `xn--ggle-55da.com`).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def link_target(shown: str) -> str:
    """The address to open for a link's text: "www." links get https://."""
    return shown if shown.lower().startswith(("http://", "https://")) else "https://" + shown


def real_host(url: str) -> str:
    """The host a browser visits for `url`: backslashes read as "/", any user name dropped, in ASCII (IDNA) form."""
    try:
        host = urlsplit(url.replace("\\", "/")).hostname or ""
    except ValueError:  # "https://[::1" and the like: nothing a browser would visit as written
        return ""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a name IDNA accepts: show it escaped, never as the look-alike it is
        return host.encode("ascii", "backslashreplace").decode("ascii")


def link_warning(url: str) -> str | None:
    """Why the link's text may mislead, naming where it really goes; None for an ordinary ASCII link."""
    authority = url.split("//", 1)[-1]
    if "\\" in authority:
        return (
            f"The link has a backslash, which browsers read as “/”: it goes to {real_host(url)}, "
            "whatever the text after it says."
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        return "The address cannot be read as one: a browser may go somewhere else than it seems."
    host = real_host(url)
    if "@" in parts.netloc:
        return f"The part before “@” is only a user name: this link goes to {host}."
    if not (parts.hostname or "").isascii():
        return (
            f"The address is written with letters of another alphabet that can look like ours: its real name is {host}."
        )
    if "%" in parts.netloc:
        return f"The address is written in code (%): it goes to {host}."
    return None
