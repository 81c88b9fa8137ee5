"""Frozen entry point of the `ClassChat` executable (window): the chat client's main()."""

import sys

from chat_gui.app import main

sys.exit(main())
