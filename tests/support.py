"""Helpers shared by the tests: where ../shared is, and skipping without it;
one HTTP request to a server on loopback; small generated samples."""

import http.client
import os
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
