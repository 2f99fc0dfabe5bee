"""nrnn's test suite: ``python -m unittest`` from the project root.

The suite never writes into the user's own cache folder: the parsed-model
cache (nrnn/net/model_cache.py) goes to a temporary folder for this run,
and every command the tests start inherits that.
"""

import atexit
import os
import shutil
import tempfile

if "NRNN_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="nrnn-test-cache-")
    atexit.register(shutil.rmtree, _CACHE, True)
    os.environ["NRNN_CACHE_DIR"] = _CACHE
