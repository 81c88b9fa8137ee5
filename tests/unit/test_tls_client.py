"""chat_gui.core.tls_client: the client's context and the changed-key message (handshakes are in tests/integration)."""

from __future__ import annotations

import ssl

from chat_gui.core.tls_client import ServerKeyChanged, client_context
from chat_gui.core.trust_store import PinCheck
from shared.fingerprint import Fingerprint


def test_the_client_asks_no_ca_and_no_host_name_but_wants_tls12_or_later() -> None:
    context = client_context()
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    for cipher in context.get_ciphers():
        assert cipher["protocol"] == "TLSv1.3" or (cipher["kea"] == "kx-ecdhe" and cipher["aead"]), cipher


def test_the_changed_key_message_shows_both_short_forms_and_what_to_do() -> None:
    old, new = Fingerprint(bytes(32)), Fingerprint(bytes(range(32)))
    error = ServerKeyChanged(PinCheck("changed", "192.168.1.20:55555", new, old, "2026-11-30T10:00:00Z"))
    message = str(error)
    assert "192.168.1.20:55555" in message
    assert f"Before: {old.short}. Now: {new.short}." in message
    assert "teacher" in message and "accept" in message
    assert error.check.presented == new
