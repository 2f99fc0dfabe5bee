"""Run the examples in every nrnn module's docstrings as tests."""

import doctest
import importlib
import pkgutil

import nrnn


def load_tests(loader, tests, pattern):
    for module_info in pkgutil.walk_packages(nrnn.__path__, "nrnn."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        tests.addTests(doctest.DocTestSuite(module))
    return tests
