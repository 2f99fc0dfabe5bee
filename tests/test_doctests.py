"""Run the examples in every nrnn module's docstrings as tests."""

import doctest
import importlib
import pkgutil

import nrnn


def load_tests(loader, tests, pattern):
    for module_info in pkgutil.iter_modules(nrnn.__path__):
        if module_info.name == "__main__":
            continue
        module = importlib.import_module("nrnn." + module_info.name)
        tests.addTests(doctest.DocTestSuite(module))
    return tests
