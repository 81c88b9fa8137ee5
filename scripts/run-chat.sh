#!/usr/bin/env bash
# Open the ClassChat window, setting up .venv first when that is needed.
#
# The first run makes .venv and installs ClassChat into it (editable: code
# changes need no reinstall), and sees to the system side the way
# scripts/system-packages.sh does for the tests: Tk, venv and an emoji font,
# installed when missing and run as root, otherwise it says what to install.
# Later runs reinstall only when setup.cfg, pyproject.toml or the version
# changed (a stamp in .venv records what was installed), so they go straight
# to the window.  With no --host, the Connect dialog offers to start a server
# on this computer (or uses the one already running here).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.classchat-installed
# cksum is POSIX (Linux, macOS, BSD) and fast; a change in any of these means "install again".
wanted="$(cksum setup.cfg pyproject.toml shared/version.py)"

say() { echo "run-chat.sh: $*" >&2; }

# Debian/Ubuntu packages the window needs; the emoji font is only recommended.
system_setup() {
    local missing=() needed=0
    python3 -c 'import tkinter' 2>/dev/null || { missing+=(python3-tk); needed=1; }
    if [ ! -x .venv/bin/python ]; then
        python3 -c 'import ensurepip, venv' 2>/dev/null || { missing+=(python3-venv); needed=1; }
    fi
    if command -v fc-list >/dev/null 2>&1; then
        # grep reads to the end (no -q): an early exit would kill fc-list, and pipefail call that a miss.
        fc-list 2>/dev/null | grep -i -e symbola -e 'noto color emoji' >/dev/null || missing+=(fonts-symbola)
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        if apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; then
            return 0
        fi
        say "could not install ${missing[*]}"
    elif [ "$needed" -eq 1 ]; then
        say "please install first (Debian/Ubuntu): sudo apt-get install ${missing[*]}"
    else
        say "emoji show as boxes without an emoji font: sudo apt-get install fonts-symbola (or fonts-noto-color-emoji)"
    fi
    [ "$needed" -eq 0 ] || exit 1
}

if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    system_setup
    if [ ! -x .venv/bin/python ]; then
        say "setting up .venv (once; about a minute)"
        python3 -m venv .venv
    fi
    if .venv/bin/python -m pip install -q --disable-pip-version-check -e .; then
        printf '%s\n' "$wanted" >"$stamp"
    elif [ -f "$stamp" ]; then
        say "could not update ClassChat in .venv; starting the copy installed there"
    else
        say "could not install ClassChat into .venv (pip needs the package index the first time; if it keeps failing, delete .venv and run again)"
        exit 1
    fi
fi
exec .venv/bin/python -m chat_gui "$@"
