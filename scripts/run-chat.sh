#!/usr/bin/env bash
# Set up ClassChat in .venv and open the chat.  With no --host, a server is
# started on this computer (or the one already running here is used).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python -m chat_gui "$@"
