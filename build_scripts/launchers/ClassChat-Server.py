"""Frozen entry point of the `ClassChat-Server` executable (window): the server admin window's main()."""

import sys

from chat_server.admin_gui.app import main

sys.exit(main())
