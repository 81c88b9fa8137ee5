"""Frozen entry point of the `chat-server` executable (console): the headless server's main()."""

import sys

from chat_server.cli import main

sys.exit(main())
