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
from pathlib import Path

import pytest

from build_scripts.executables import EXECUTABLES, ROOT, Executable

SELF_TEST_LISTS = {
    "chat-server": "chat_server.cli",
    "ClassChat": "chat_gui.app",
    "ClassChat-Server": "chat_server.admin_gui.app",
}


class CompiledPackageFinder(modulefinder.ModuleFinder):
    """ModuleFinder that reads a compiled package's __init__.py twin (zeroconf ships `_services/__init__.*.so`
    beside `__init__.py`; the stock finder takes the .so for the package again and recurses without end)."""

    def load_package(self, fqname: str, pathname: str) -> modulefinder.Module:
        source = Path(pathname) / "__init__.py"
        if not any(Path(pathname).glob("__init__.*.so")) and not any(Path(pathname).glob("__init__.*.pyd")):
            return super().load_package(fqname, pathname)
        module = self.add_module(fqname)
        module.__file__ = str(source)
        module.__path__ = [pathname]
        with source.open("rb") as file:
            self.load_module(fqname, file, str(source), (".py", "rb", modulefinder._PY_SOURCE))  # type: ignore[attr-defined]
        return module


@pytest.mark.parametrize("executable", EXECUTABLES, ids=lambda executable: executable.name)
def test_self_test_modules_are_reachable_from_the_launcher(executable: Executable) -> None:
    shipped = importlib.import_module(SELF_TEST_LISTS[executable.name]).SHIPPED_MODULES
    finder = CompiledPackageFinder(path=[str(ROOT), *sys.path])
    finder.run_script(str(executable.launcher))
    missing = [name for name in shipped if name not in finder.modules]
    assert not missing, f"{executable.name}: --self-test imports modules its build would not carry: {missing}"
    assert len(finder.modules) > len(shipped)
