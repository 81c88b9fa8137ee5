#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them all:
# lint and type checks, the whole suite on .venv's Python, then the suite
# again on every other Python the README allows (3.10 to 3.13) found on
# this machine, each in its own .venv-3.X.  Any failure fails the run.
#
#   scripts/run-tests.sh                  everything
#   scripts/run-tests.sh tests/unit -q    these pytest arguments, on every Python
#   CLASSCHAT_PYTHONS="3.13" scripts/run-tests.sh    other Pythons to try ("" for none)
#
# System packages (Xvfb for the window tests) are installed when missing and
# this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# Lint and type-check first: a style slip or a type error fails the run like a failing test.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"

# The other allowed Pythons: the unit, integration and adversarial tests, about 2 minutes each
# (the window tests and the executable builds run on .venv's Python above; GitHub runs the
# window tests on every Python too, in parallel jobs).
main_version=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
matrix_args=("$@")
[ ${#matrix_args[@]} -gt 0 ] || matrix_args=(-q -m "not build" tests/unit tests/integration tests/adversarial)

find_python() {  # the first interpreter of version $1 that runs: on PATH, or under pyenv
    local candidate
    for candidate in "$(command -v "python$1" || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/python"$1"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import venv' >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

failed=()
for version in ${CLASSCHAT_PYTHONS-3.10 3.11 3.12 3.13}; do
    [ "$version" = "$main_version" ] && continue
    if ! python=$(find_python "$version"); then
        echo "== Python $version: not found here, skipped"
        continue
    fi
    echo "== Python $version ($python)"
    venv=".venv-$version"
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
    "$venv/bin/python" -m pytest -p no:cacheprovider "${matrix_args[@]}" || failed+=("$version")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED on Python ${failed[*]}" >&2
    exit 1
fi
