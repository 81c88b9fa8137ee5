"""`python -m chat_server`: the headless server script."""

import sys

from chat_server.cli import main

sys.exit(main())
