"""`python -m chat_gui`: the ClassChat window (see chat_gui.app)."""

import sys

from chat_gui.app import main

sys.exit(main())
