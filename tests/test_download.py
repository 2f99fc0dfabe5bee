"""Tests for nrnn/mnist/download.py against generated files: local folders, file:
URLs and a throw-away HTTP server on 127.0.0.1 that can corrupt, drop the
connection mid-file, ignore Range, stall, or answer 404.  Nothing here
touches the network beyond 127.0.0.1."""

import doctest
import errno
import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from unittest import mock

try:
    import resource
except ImportError:  # not on Windows
    resource = None
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from nrnn.errors import DataError
from nrnn.mnist import download
from nrnn.mnist.download import MNIST_FILES, Fetcher
from tests.known_inputs import make_mnist_folder
from tests.support import ROOT, requires_shared, shared_path


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(download))
    return tests


class Server:
    """A ThreadingHTTPServer serving ``files`` (name -> bytes) under /mnist/.

    drops: how many responses to cut off after half their body.
    honour_range: answer ``Range: bytes=N-`` with 206 (else send it all).
    stall: seconds to wait before answering (to trigger client timeouts).
    """

    def __init__(self, files, drops=0, honour_range=True, stall=0.0):
        self.files = files
        self.drops = drops
        self.honour_range = honour_range
        self.stall = stall
        self.requests = []  # (name, Range header or None)
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.handle_error = lambda request, address: None  # quiet on client aborts
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        self.url = "http://127.0.0.1:%d/mnist/" % self.httpd.server_address[1]

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def handle(self, handler):
        name = handler.path.rsplit("/", 1)[-1]
        wanted = handler.headers.get("Range")
        self.requests.append((name, wanted))
        if self.stall and self.stop.wait(self.stall):
            return
        if name not in self.files or not handler.path.startswith("/mnist/"):
            handler.send_error(404)
            return
        data = self.files[name]
        start = 0
        if wanted and self.honour_range:
            start = int(wanted.split("=")[1].rstrip("-"))
            if start >= len(data):
                handler.send_response(416)
                handler.send_header("Content-Range", "bytes */%d" % len(data))
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            handler.send_response(206)
            handler.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            handler.send_response(200)
        body = data[start:]
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if self.drops > 0:
            self.drops -= 1
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(body)


class FetchTestCase(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        self.source_dir = os.path.join(self.root, "source")
        self.md5 = make_mnist_folder(self.source_dir)
        self.dest = os.path.join(self.root, "dest")
        self.log = io.StringIO()

    def served(self, **options):
        files = {}
        for name in MNIST_FILES:
            with open(os.path.join(self.source_dir, name), "rb") as handle:
                files[name] = handle.read()
        server = Server(files, **options)
        self.addCleanup(server.close)
        return server

    def fetcher(self, source, **options):
        settings = dict(
            checksums=self.md5, timeout=2.0, attempts=3, retry_delay=0.0,
            stream=self.log, opener=urllib.request.build_opener(urllib.request.ProxyHandler({})),
        )
        settings.update(options)
        return Fetcher(self.dest, source, **settings)

    def assertFetchedAll(self, paths):
        self.assertEqual(sorted(paths), sorted(MNIST_FILES))
        for name, path in paths.items():
            self.assertEqual(download.file_digest(path), self.md5[name])
        self.assertEqual(sorted(os.listdir(self.dest)), sorted(MNIST_FILES))  # no .part left

    def assertFails(self, fetcher, *fragments, names=MNIST_FILES[:1]):
        with self.assertRaises(DataError) as caught:
            fetcher.fetch(names)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        for name in names:
            self.assertFalse(os.path.exists(os.path.join(self.dest, name)))
        return str(caught.exception)


class LocalSourceTest(FetchTestCase):
    def test_folder_with_matching_checksums(self):
        fetcher = self.fetcher(self.source_dir)
        self.assertFetchedAll(fetcher.fetch())
        self.assertIn("MD5 matches the published checksum", fetcher.notes[MNIST_FILES[0]])

    def test_file_url(self):
        fetcher = self.fetcher(Path(self.source_dir).as_uri())
        self.assertTrue(fetcher.sources[0].startswith("file:///"))
        self.assertFetchedAll(fetcher.fetch())

    def test_unofficial_file_without_sums_is_structure_checked_and_noted(self):
        fetcher = self.fetcher(self.source_dir, checksums=download.OFFICIAL_MD5)
        self.assertFetchedAll(fetcher.fetch())
        note = fetcher.notes["train-images-idx3-ubyte.gz"]
        self.assertIn("NOT the official file", note)
        self.assertIn("IDX structure checked: 3 images", note)
        self.assertIn("no checksum list", note)
        self.assertIn("3 labels", fetcher.notes["t10k-labels-idx1-ubyte.gz"])

    def test_sha256sums_beside_the_files_is_used(self):
        with open(os.path.join(self.source_dir, "SHA256SUMS"), "w") as handle:
            for name in MNIST_FILES:
                digest = download.file_digest(os.path.join(self.source_dir, name), "sha256")
                handle.write("%s  %s\n" % (digest, name))
        fetcher = self.fetcher(self.source_dir, checksums=download.OFFICIAL_MD5)
        self.assertFetchedAll(fetcher.fetch())
        self.assertIn("SHA256 matches", fetcher.notes[MNIST_FILES[0]])

    def test_sum_list_mismatch_rejects_the_file(self):
        name = MNIST_FILES[1]
        with open(os.path.join(self.source_dir, "MD5SUMS"), "w") as handle:
            handle.write("%s *%s\n" % ("0" * 32, name))
        fetcher = self.fetcher(self.source_dir, checksums=download.OFFICIAL_MD5)
        self.assertFails(fetcher, name, "MD5 of", "MD5SUMS lists " + "0" * 32, "deleted", names=[name])
        self.assertEqual(os.listdir(self.dest), [])

    def test_malformed_idx_without_sums_is_rejected(self):
        name = MNIST_FILES[0]
        with open(os.path.join(self.source_dir, name), "r+b") as handle:
            handle.truncate(60)
        fetcher = self.fetcher(self.source_dir, checksums=download.OFFICIAL_MD5)
        self.assertFails(fetcher, name, self.source_dir)
        self.assertEqual(os.listdir(self.dest), [])

    def test_missing_folder(self):
        self.assertFails(self.fetcher(os.path.join(self.root, "nowhere")), "cannot copy", "nowhere")

    def test_an_endless_local_file_stops_at_the_limit(self):
        if not os.path.exists("/dev/zero"):
            self.skipTest("no /dev/zero here")
        name = MNIST_FILES[3]
        os.unlink(os.path.join(self.source_dir, name))
        os.symlink("/dev/zero", os.path.join(self.source_dir, name))
        with mock.patch("nrnn.mnist.download.MAX_DOWNLOAD_BYTES", 3 << 20):
            self.assertFails(self.fetcher(self.source_dir), "larger than the 3145728 bytes", names=[name])
        self.assertEqual(os.listdir(self.dest), [])

    def test_unsupported_scheme(self):
        with self.assertRaises(DataError) as caught:
            self.fetcher("ftp://example.org/mnist/").fetch()
        self.assertIn("unsupported URL scheme 'ftp'", str(caught.exception))

    def test_present_file_with_right_md5_is_kept_without_fetching(self):
        self.fetcher(self.source_dir).fetch()
        fetcher = self.fetcher(os.path.join(self.root, "nowhere"))  # would fail if used
        self.assertFetchedAll(fetcher.fetch())
        self.assertIn("already present", fetcher.notes[MNIST_FILES[0]])


class SourceChoiceTest(unittest.TestCase):
    def test_argument_then_environment_then_mirrors(self):
        saved = os.environ.pop(download.SOURCE_ENV_VAR, None)
        self.addCleanup(lambda: saved is None or os.environ.__setitem__(download.SOURCE_ENV_VAR, saved))
        self.assertEqual(download.resolve_sources(), list(download.MIRRORS))
        os.environ[download.SOURCE_ENV_VAR] = "/srv/mnist"
        try:
            self.assertEqual(download.resolve_sources(), ["/srv/mnist"])
            self.assertEqual(download.resolve_sources("file:/x"), ["file:/x"])
            self.assertEqual(download.resolve_sources(["a", "b"]), ["a", "b"])
        finally:
            del os.environ[download.SOURCE_ENV_VAR]

    def test_mirrors_are_https_folders(self):
        for mirror in download.MIRRORS:
            self.assertTrue(mirror.startswith("https://") and mirror.endswith("/"), mirror)
            self.assertIsNone(download.local_folder(mirror))


class HttpTest(FetchTestCase):
    def test_download_all_four(self):
        server = self.served()
        fetcher = self.fetcher(server.url)
        self.assertFetchedAll(fetcher.fetch())
        self.assertEqual([name for name, _ in server.requests], list(MNIST_FILES))
        self.assertIn("MD5 matches", fetcher.notes[MNIST_FILES[2]])

    def test_corrupted_file_fails_md5_and_is_deleted(self):
        server = self.served()
        name = MNIST_FILES[0]
        data = bytearray(server.files[name])
        data[-10] ^= 0x01
        server.files[name] = bytes(data)
        message = self.assertFails(self.fetcher(server.url), name, "MD5 is", "expected " + self.md5[name], "deleted")
        self.assertIn(hashlib.md5(bytes(data)).hexdigest(), message)
        self.assertEqual(os.listdir(self.dest), [])  # neither the file nor .part

    def test_dropped_connection_is_resumed_with_range(self):
        server = self.served(drops=1)
        name = MNIST_FILES[0]
        self.assertFetchedAll(self.fetcher(server.url).fetch())
        half = len(server.files[name]) // 2
        self.assertEqual(server.requests[:2], [(name, None), (name, "bytes=%d-" % half)])
        self.assertIn("attempt 1 of 3 failed", self.log.getvalue())

    def test_dropped_connection_restarts_when_range_is_ignored(self):
        server = self.served(drops=1, honour_range=False)
        self.assertFetchedAll(self.fetcher(server.url).fetch())
        self.assertEqual(len(server.requests), len(MNIST_FILES) + 1)

    def test_server_that_always_drops_fails_cleanly_then_resumes_later(self):
        server = self.served(drops=10 ** 6)
        name = MNIST_FILES[0]
        self.assertFails(self.fetcher(server.url), name, "gave up after 3 attempts", "IncompleteRead")
        self.assertEqual(len(server.requests), 3)
        # The partial file stays, under its .part name only, for a resume.
        self.assertEqual(os.listdir(self.dest), [name + ".part"])
        server.drops = 0
        self.assertFetchedAll(self.fetcher(server.url).fetch())
        self.assertIsNotNone(server.requests[3][1])  # resumed with Range

    def test_stale_partial_file_that_corrupts_the_result_is_deleted(self):
        server = self.served()
        name = MNIST_FILES[0]
        os.makedirs(self.dest)
        with open(os.path.join(self.dest, name + ".part"), "wb") as handle:
            handle.write(b"garbage")
        self.assertFails(self.fetcher(server.url), name, "MD5 is")
        self.assertEqual(os.listdir(self.dest), [])
        self.assertFetchedAll(self.fetcher(server.url).fetch())  # next run starts afresh

    def test_partial_file_longer_than_the_original_restarts(self):
        server = self.served()
        name = MNIST_FILES[1]
        os.makedirs(self.dest)
        with open(os.path.join(self.dest, name + ".part"), "wb") as handle:
            handle.write(bytes(len(server.files[name]) + 5))
        self.fetcher(server.url).fetch([name])
        self.assertEqual(download.file_digest(os.path.join(self.dest, name)), self.md5[name])
        self.assertEqual([r[1] is not None for r in server.requests], [True, False])

    def test_timeout_is_bounded(self):
        # The server stalls 5 s; each attempt gives up after 0.2 s (the
        # server never answers within a test: its reply would be a 200).
        server = self.served(stall=5.0)
        self.assertFails(self.fetcher(server.url, timeout=0.2, attempts=2), "gave up after 2 attempts",
                         "timed out")
        self.assertEqual(len(server.requests), 2)

    def test_mirrors_tried_in_order(self):
        good = self.served()
        bad = self.served()
        bad.files = {}
        fetcher = self.fetcher([bad.url, good.url])
        self.assertFetchedAll(fetcher.fetch())
        self.assertEqual(len(bad.requests), 4)  # a 404 each, not retried
        self.assertIn("HTTP 404", self.log.getvalue())

    def test_all_sources_failing_lists_each(self):
        bad = self.served()
        bad.files = {}
        message = self.assertFails(self.fetcher([bad.url, os.path.join(self.root, "nowhere")]),
                                   "could not fetch", "HTTP 404", "nowhere")
        self.assertNotIn("\n", message)

    def test_progress_line_shows_bytes(self):
        server = self.served()
        self.fetcher(server.url).fetch(MNIST_FILES[:1])
        size = len(server.files[MNIST_FILES[0]])
        self.assertIn("%d B / %d B  100%%" % (size, size), self.log.getvalue())


class _StubOpener:
    """An opener whose every open raises ``error``; counts the calls."""

    def __init__(self, error):
        self.error = error
        self.calls = 0

    def open(self, request, timeout=None):
        self.calls += 1
        raise self.error


class BadServerTest(FetchTestCase):
    """Issue 15: what can never succeed is neither retried nor kept."""

    def odd_server(self, behaviour):
        """A server on 127.0.0.1 whose every GET runs ``behaviour(handler)``."""
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                requests.append(self.path)
                behaviour(self)

        requests = []
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.handle_error = lambda request, address: None
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()

        def stop():
            httpd.shutdown()
            httpd.server_close()
            thread.join(10)

        self.addCleanup(stop)
        return "http://127.0.0.1:%d/mnist/" % httpd.server_address[1], requests

    def test_an_endless_body_stops_at_the_size_limit_and_is_deleted(self):
        def endless(handler):  # no Content-Length, then "forever" (bounded: 1 MB)
            handler.send_response(200)
            handler.end_headers()
            try:
                for _ in range(64):
                    handler.wfile.write(bytes(16384))
            except OSError:
                pass  # the client hung up, as it should

        url, requests = self.odd_server(endless)
        name = MNIST_FILES[1]
        message = self.assertFails(self.fetcher(url, size_limits={name: 50000}), name,
                                   "more than the 50000 bytes", "deleted", names=[name])
        self.assertEqual(len(requests), 1)  # not retried
        self.assertFalse(os.path.exists(os.path.join(self.dest, name + ".part")))
        self.assertIn("--source DIR", message)

    def test_an_official_file_is_limited_to_its_official_size(self):
        def announce_too_much(handler):
            handler.send_response(200)
            handler.send_header("Content-Length", str(download.OFFICIAL_SIZES[MNIST_FILES[3]] + 1))
            handler.end_headers()

        url, requests = self.odd_server(announce_too_much)
        fetcher = self.fetcher(url, checksums=download.OFFICIAL_MD5)
        self.assertEqual(fetcher.size_limits, download.OFFICIAL_SIZES)
        self.assertFails(fetcher, "announces 4543 bytes, more than the 4542", names=MNIST_FILES[3:])
        self.assertEqual(len(requests), 1)
        self.assertEqual(os.listdir(self.dest), [])

    def test_a_trickle_meets_the_deadline(self):
        # One byte every 0.1 s never trips a 2 s read timeout; the 0.5 s
        # deadline for the whole file stops it after a few bytes.
        def trickle(handler):
            handler.send_response(200)
            handler.send_header("Content-Length", "1000")
            handler.end_headers()
            try:
                for _ in range(1000):
                    handler.wfile.write(b"x")
                    handler.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        url, requests = self.odd_server(trickle)
        name = MNIST_FILES[0]
        message = self.assertFails(self.fetcher(url, deadline=0.5), "deadline", "partial file kept")
        self.assertEqual(len(requests), 1)
        kept = os.path.getsize(os.path.join(self.dest, name + ".part"))
        self.assertTrue(0 < kept < 1000, kept)  # a prefix to resume, not the whole file
        self.assertIn("the next run resumes it", message)

    def test_http_500_is_retried_and_no_partial_file_is_claimed(self):
        def fail(handler):
            handler.send_error(500)

        url, requests = self.odd_server(fail)
        message = self.assertFails(self.fetcher(url), "gave up after 3 attempts", "HTTP Error 500")
        self.assertNotIn("partial file kept", message)
        self.assertEqual(len(requests), 3)
        self.assertEqual(os.listdir(self.dest), [])

    def test_no_dns_and_no_network_are_not_retried(self):
        for reason in (socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
                       OSError(errno.ENETUNREACH, "Network is unreachable")):
            with self.subTest(reason=reason):
                stub = _StubOpener(urllib.error.URLError(reason))
                fetcher = self.fetcher(["https://mirror-one.example/", "https://mirror-two.example/"],
                                       opener=stub, attempts=4, retry_delay=10.0,
                                       sleep=lambda seconds: self.fail("slept %s s" % seconds))
                message = self.assertFails(fetcher, "not retried")
                self.assertEqual(stub.calls, 2)  # one try per mirror
                self.assertNotIn("partial file kept", message)
                self.assertTrue(message.endswith("--source DIR (or set NRNN_MNIST_SOURCE=DIR)"), message)

    def test_a_full_disk_stops_at_once(self):
        # RLIMIT_FSIZE makes a write fail with "File too large", as a full
        # disk does with "No space left on device"; in a subprocess.
        if resource is None or not sys.platform.startswith("linux"):
            self.skipTest("needs resource.RLIMIT_FSIZE (Linux)")
        # 100 KB a file: the write fails at 20 KB, long before any checksum.
        server = Server({name: bytes(100000) for name in MNIST_FILES})
        self.addCleanup(server.close)

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

        result = subprocess.run([sys.executable, "-m", "nrnn.data", "fetch", "--data-dir", self.dest,
                                 "--source", server.url], preexec_fn=limit, cwd=ROOT,
                                env=dict(os.environ, PYTHONPATH=ROOT, no_proxy="*"),
                                capture_output=True, timeout=300)
        err = result.stderr.decode("utf-8", "replace")
        self.assertEqual(result.returncode, 1, err)
        self.assertNotIn("Traceback", err)
        lines = [line for line in err.splitlines() if line.strip() and "\r" not in line]
        self.assertTrue(lines[-1].startswith("error: cannot write "), lines)
        self.assertIn("File too large", lines[-1])
        self.assertEqual(len(server.requests), 1)  # not retried, no other source tried


@requires_shared("mnist", "t10k-labels-idx1-ubyte.gz")
class SharedMnistTest(unittest.TestCase):
    def test_shared_folder_official_and_subset_files(self):
        dest = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, dest)
        names = ["t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"]
        fetcher = Fetcher(dest, shared_path("mnist"), quiet=True)
        fetcher.fetch(names)
        self.assertIn("MD5 matches the published checksum", fetcher.notes[names[0]])
        self.assertIn("SHA256 matches", fetcher.notes[names[1]])
        self.assertIn("24,345 labels", fetcher.notes[names[1]])
        self.assertIn("NOT the official file", fetcher.notes[names[1]])


if __name__ == "__main__":
    unittest.main()
