#!/usr/bin/env bash
# Debian packages the windows and their tests need: Xvfb (virtual screen),
# xdotool (drives windows in tests), an emoji font.  Installs only what is
# missing, and only as root (otherwise it says what to install).
set -euo pipefail
missing=()
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
python3 -c 'import tkinter' 2>/dev/null || missing+=(python3-tk)
fc-list 2>/dev/null | grep -i -e symbola -e 'noto color emoji' >/dev/null || missing+=(fonts-symbola)  # not grep -q: fc-list would die of SIGPIPE under pipefail
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "Please install these Debian/Ubuntu packages first: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
