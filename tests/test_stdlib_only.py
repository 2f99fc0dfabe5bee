"""nrnn uses the Python standard library and nothing else.

Every import in nrnn/, train.py, predict.py, tests/ and tools/ (the build
backend) is read with ``ast`` (without running the code) and its top-level
module must belong to the standard library.  Python 3.10+ lists those names in
``sys.stdlib_module_names``; on 3.9 we ask where the module would be loaded
from: built in, or inside the interpreter's own library folder and not under
site-packages.
"""

import ast
import importlib.util
import os
import sys
import sysconfig
import unittest

from tests.support import ROOT

PROJECT_MODULES = {"nrnn", "tests", "bench", "train", "predict", "nrnn_build"}
# Standard library in newer Pythons, imported only where present (the build
# backend reads pyproject.toml with tomllib on 3.11+, with its own reader before),
# and PyPy's own built-in module for its JIT (predict asks it to compile fewer
# loops; CPython has none, and the import is tried).
NEWER_STANDARD_LIBRARY = {"tomllib", "pypyjit"}


def is_standard_library(name: str) -> bool:
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return name in names
    if name in sys.builtin_module_names:
        return True
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    origin = os.path.realpath(spec.origin)
    library = os.path.realpath(sysconfig.get_paths()["stdlib"])
    return origin.startswith(library + os.sep) and "site-packages" not in origin


def imported_modules(source: str, filename: str = "<source>"):
    """Yield (line, top-level module name) for each absolute import."""
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def foreign_imports(source: str, filename: str = "<source>"):
    return [
        "%s:%d imports %s" % (filename, line, name)
        for line, name in imported_modules(source, filename)
        if name not in PROJECT_MODULES | NEWER_STANDARD_LIBRARY and not is_standard_library(name)
    ]


def project_files():
    for name in ("train.py", "predict.py"):
        path = os.path.join(ROOT, name)
        if os.path.exists(path):
            yield path
    for folder in ("nrnn", "tests", "tools"):
        for directory, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.endswith(".py"):
                    yield os.path.join(directory, name)


class StandardLibraryOnlyTest(unittest.TestCase):
    def test_project_imports_only_the_standard_library(self):
        problems = []
        checked = 0
        for path in project_files():
            with open(path, encoding="utf-8") as handle:
                problems += foreign_imports(handle.read(), os.path.relpath(path, ROOT))
            checked += 1
        self.assertGreater(checked, 10)
        self.assertEqual(problems, [])

    def test_the_check_catches_third_party_imports(self):
        source = "import os\nimport numpy as np\nfrom PIL import Image\nfrom . import matrix\n"
        self.assertEqual(foreign_imports(source), ["<source>:2 imports numpy", "<source>:3 imports PIL"])
        self.assertTrue(is_standard_library("json"))
        self.assertFalse(is_standard_library("requests"))


if __name__ == "__main__":
    unittest.main()
