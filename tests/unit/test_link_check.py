"""Links whose text hides where they go: look-alike hosts, user names before "@", backslashes, escapes."""

from __future__ import annotations

import pytest

from chat_gui.text.link_check import link_target, link_warning, real_host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://g\u043e\u043egle.com/login", "xn--ggle-55da.com"),  # Cyrillic o twice
        ("https://school.edu@evil.example/", "evil.example"),
        ("https://school.edu:443@evil.example/", "evil.example"),
        ("https://evil.example\\@school.edu", "evil.example"),
        ("https://evil.example\\school.edu", "evil.example"),
        ("https://school\u3002edu.evil.example", "school.edu.evil.example"),  # an ideographic full stop is a dot
        ("https://\uff53chool.edu", "school.edu"),  # a full-width s: IDNA maps it, the address is not as written
        ("https://%65vil.example", "%65vil.example"),
        ("https://b\u00fccher.de", "xn--bcher-kva.de"),  # an honest foreign name is asked about too
    ],
)
def test_a_link_that_hides_its_host_is_warned_about_naming_the_real_one(url, host):
    warning = link_warning(url)
    assert warning is not None and host in warning, warning
    assert real_host(url) == host


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.org/notes",
        "http://example.org:8080/a?b=c#d",
        "https://example.org/caf\u00e9",
        "https://[::1]:8/",
    ],
)
def test_ordinary_links_open_without_a_question(url):
    assert link_warning(url) is None


def test_an_address_that_cannot_be_read_is_warned_about():
    assert link_warning("https://[::1/x") is not None
    assert real_host("https://[::1/x") == ""


def test_www_links_get_https():
    assert link_target("www.example.org") == "https://www.example.org"
    assert link_target("HTTP://example.org") == "HTTP://example.org"
