"""chat_server.tls.handshake: which first bytes mean TLS, plain, or garbage (the sockets are in tests/integration)."""

from __future__ import annotations

import pytest

from chat_server.tls.handshake import FirstByte, classify_first_byte


def test_only_0x16_starts_tls() -> None:
    assert [byte for byte in range(256) if classify_first_byte(byte) is FirstByte.TLS] == [0x16]


@pytest.mark.parametrize("text", ["{", "N", "n", "/", " ", "\t", "\r", "\n", "é", "日", "😀", "\x1b"])
def test_whatever_a_person_or_json_client_types_first_is_plain(text: str) -> None:
    assert classify_first_byte(text.encode()[0]) is FirstByte.PLAIN


def test_telnet_iac_is_plain() -> None:
    assert classify_first_byte(0xFF) is FirstByte.PLAIN  # PuTTY in telnet mode negotiates first


def test_garbage_is_nul_other_tls_records_and_bytes_that_cannot_start_utf8() -> None:
    garbage = {byte for byte in range(256) if classify_first_byte(byte) is FirstByte.GARBAGE}
    assert garbage == {0x00, 0x14, 0x15, 0x17, 0x18} | set(range(0x80, 0xC2)) | set(range(0xF5, 0xFF))
    for byte in garbage - {0x00, 0x14, 0x15, 0x17, 0x18}:
        with pytest.raises(UnicodeDecodeError):
            bytes([byte, 0x80, 0x80, 0x80]).decode("utf-8")
