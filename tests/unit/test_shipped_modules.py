"""Each executable's --self-test list names only modules its build can find from the entry point.

PyInstaller finds modules by reading import statements from the launcher
outward; a module that the self-test imports but the launcher never reaches
is missing from the executable and fails the self-test only after a build.
ModuleFinder reads imports the same way (top level and inside functions),
so the mismatch shows here in seconds instead.
"""

from __future__ import annotations

import importlib
import modulefinder
import sys

import pytest

from build_scripts.executables import EXECUTABLES, ROOT, Executable

SELF_TEST_LISTS = {
    "chat-server": "chat_server.cli",
    "ClassChat": "chat_gui.app",
    "ClassChat-Server": "chat_server.admin_gui.window",
}


@pytest.mark.parametrize("executable", EXECUTABLES, ids=lambda executable: executable.name)
def test_self_test_modules_are_reachable_from_the_launcher(executable: Executable) -> None:
    shipped = importlib.import_module(SELF_TEST_LISTS[executable.name]).SHIPPED_MODULES
    finder = modulefinder.ModuleFinder(path=[str(ROOT), *sys.path])
    finder.run_script(str(executable.launcher))
    missing = [name for name in shipped if name not in finder.modules]
    assert not missing, f"{executable.name}: --self-test imports modules its build would not carry: {missing}"
    assert len(finder.modules) > len(shipped)
