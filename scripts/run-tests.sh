#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them all.
# System packages (Xvfb for the window tests) are installed when missing and
# this runs as root; the Python side goes into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# Lint and type-check first: a style slip or a type error fails the run like a failing test.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
