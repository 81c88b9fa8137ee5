"""Unit tests for chat_server/config.py and the script's options: the contract's defaults, every limit an option."""

from __future__ import annotations

from chat_server.cli import build_parser
from chat_server.config import ServerConfig
from chat_server.options import config_from_args


def test_the_defaults_are_the_contracts():
    config = ServerConfig()
    assert (config.host, config.port) == ("127.0.0.1", 55555)
    assert config.max_clients == 1000
    assert config.register_timeout == 30
    assert config.idle_timeout == 300
    assert config.max_outbound_bytes == 1024 * 1024
    assert (config.rate_per_second, config.rate_burst) == (10, 30)
    assert config.max_message_chars == 2000


def test_the_script_without_options_gives_the_defaults():
    assert config_from_args(build_parser().parse_args([])) == ServerConfig()


def test_every_limit_is_an_option():
    args = build_parser().parse_args(
        [
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--max-clients",
            "5",
            "--register-timeout",
            "0.5",
            "--idle-timeout",
            "0",
            "--max-outbound-bytes",
            "4096",
            "--rate",
            "0",
            "--burst",
            "7",
            "--backlog",
            "16",
        ]
    )
    assert config_from_args(args) == ServerConfig(
        host="0.0.0.0",
        port=0,
        max_clients=5,
        register_timeout=0.5,
        idle_timeout=0,
        max_outbound_bytes=4096,
        rate_per_second=0,
        rate_burst=7,
        listen_backlog=16,
    )


def test_limits_turned_off_are_described_as_off():
    described = dict(ServerConfig(max_clients=0, idle_timeout=0, rate_per_second=0).describe_limits())
    assert described["clients online"] == "off"
    assert described["silence"] == "off"
    assert described["commands"] == "off"
    assert described["time to register"] == "30 s"


def test_the_typing_budget_is_an_option_and_0_turns_it_off():
    parser = build_parser()
    assert config_from_args(parser.parse_args([])).typing_frames_per_second == 160
    assert config_from_args(parser.parse_args(["--typing-frames-per-second", "15"])).typing_frames_per_second == 15
    assert config_from_args(parser.parse_args(["--typing-frames-per-second", "0"])).typing_frames_per_second == 0


def test_host_help_names_the_other_choice_than_the_default():
    """Found by a probe: chat-server-gui's help read "(default 0.0.0.0; 0.0.0.0 for the LAN)"."""
    import argparse

    from chat_server.options import add_server_options

    for default, other in (("0.0.0.0", "127.0.0.1 for this computer only"), ("127.0.0.1", "0.0.0.0 for the LAN")):
        parser = argparse.ArgumentParser()
        add_server_options(parser, host_default=default)
        [host] = [action for action in parser._actions if "--host" in action.option_strings]
        assert host.help == f"address to listen on (default {default}; {other})"


def test_limits_below_0_or_not_numbers_are_refused_by_the_parser(capsys):
    """The ninth review: --max-clients -1 started a server that refused everyone; --port 70000 ended in a traceback."""
    import pytest

    parser = build_parser()
    for option in (
        "--max-clients",
        "--max-per-address",
        "--max-unregistered-per-address",
        "--max-outbound-bytes",
        "--max-total-outbound-bytes",
        "--burst",
        "--keepalive-count",
        "--backlog",
        "--history-days",
        "--replay",
        "--files-per-5-minutes",
        "--register-timeout",
        "--idle-timeout",
        "--rate",
        "--flood-seconds",
        "--list-interval",
        "--typing-frames-per-second",
        "--keepalive-idle",
        "--keepalive-interval",
        "--resume-seconds",
        "--max-file-mb",
        "--files-quota-mb",
        "--files-keep-free-mb",
    ):
        for value in ("-1", "nan", "inf", "many"):
            with pytest.raises(SystemExit) as ended:
                parser.parse_args([option, value])
            assert ended.value.code == 2, (option, value)
            assert f"argument {option}" in capsys.readouterr().err
        assert config_from_args(parser.parse_args([option, "0"])) is not None
    for port in ("-1", "65536", "70000"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--port", port])
    assert config_from_args(parser.parse_args(["--port", "65535"])).port == 65535
