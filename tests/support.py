"""Helpers shared by the tests: where ../shared is, and skipping without it;
one HTTP request to a server on loopback; small generated samples; running
predict.py, train.py, the server and gradcheck (on a broken copy) as the
tests do.  A test module never imports another test module: what two of
them share lives here or in known_inputs.py."""

import contextlib
import http.client
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

from nrnn.net.prng import PCG32

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("NRNN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))


def shared_path(*parts):
    """Path of a file or folder under ../shared (beside the project root)."""
    return os.path.join(SHARED, *parts)


def requires_shared(*parts):
    """Skip a test (or class) when ../shared/<parts> is absent, saying why.

    A user's clone has no ../shared; CI always has it.
    """
    path = shared_path(*parts)
    return unittest.skipUnless(
        os.path.exists(path),
        "needs %s (the project's shared test resources; present in CI, "
        "absent in a plain clone)" % path,
    )


def request(port, method, path, body=None, headers=None, timeout=30):
    """One HTTP request to 127.0.0.1:``port``: (status, headers dict, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def three_blobs(count, seed):
    """Three separable classes of points in the unit square, with labels."""
    rng = PCG32(seed)
    centres = [(0.2, 0.2), (0.8, 0.3), (0.5, 0.85)]
    samples = []
    for k in range(count):
        label = k % 3
        cx, cy = centres[label]
        samples.append(([cx + 0.1 * rng.gaussian(), cy + 0.1 * rng.gaussian()], label))
    return samples


def run_predict(*args, cwd=ROOT, timeout=300):
    """Run predict.py with ``args``; return the CompletedProcess (text)."""
    return subprocess.run([sys.executable, os.path.join(ROOT, "predict.py")] + [str(a) for a in args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


#: A small, quick train.py run that still uses every training option.
SMALL_TRAINING = ["--layers", "784,8,10", "--learning-rate", "0.5", "--epochs", "2", "--seed", "3",
         "--augment", "1", "--weight-decay", "1", "--batch-size", "3", "--learning-rate-decay", "0.9"]


def run_train(argv, **options):
    """Run the train command's main in-process; return (status, stdout, stderr)."""
    from nrnn.train import command  # here: imported only by the tests that run it
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = command.main(argv, **options)
        except SystemExit as exit:  # argparse: --help, bad options
            status = exit.code
    return status, out.getvalue(), err.getvalue()


def run_broken(*edits):
    """Run gradcheck on a copy of nrnn/ with ``edits`` = (file, old, new) applied.

    Returns (exit status, {"reference": text, "network": text, "rest": text}).
    """
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(os.path.join(ROOT, "nrnn"), os.path.join(folder, "nrnn"),
                        ignore=shutil.ignore_patterns("static", "__pycache__"))
        for name, old, new in edits:
            path = os.path.join(folder, "nrnn", name)
            with open(path, encoding="utf-8") as source:
                text = source.read()
            if text.count(old) != 1:
                raise AssertionError("%s: %r found %d times" % (name, old, text.count(old)))
            with open(path, "w", encoding="utf-8") as source:
                source.write(text.replace(old, new))
        done = subprocess.run([sys.executable, "-m", "nrnn.net.gradcheck"], cwd=folder,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = done.stdout
    reference_start = text.index("\nnrnn/net/reference.py (")
    network_start = text.index("\nnrnn/net/network.py (")
    rest_start = text.index("\nstep checks")
    return done.returncode, {"reference": text[reference_start:network_start],
                             "network": text[network_start:rest_start],
                             "rest": text[rest_start:], "all": text}


def serve_in_thread(test, network, **options):
    """Serve ``network`` on a free loopback port for one test; the port."""
    from nrnn.serve import make_server
    options.setdefault("quiet", True)
    server = make_server(network, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(10)

    test.addCleanup(stop)
    return server.server_address[1]
