"""The HTTP server survives a stream of malformed requests (loopback only).

``nrnn/serve.py`` runs as a subprocess on 127.0.0.1 and a free port, gets
every case of ``tests/http_abuse.py`` (bad methods, bad/negative/huge
Content-Length, truncated bodies, slow clients that must hit the server's
timeout), and must afterwards still be running and answer ``GET /`` with
200.  Every case must get a reply (slow and silent clients: 408 once the
server's deadline passes) and a closed connection.

Until serve.py is in place the server tests skip; the abuse helper itself
is checked against a small standard-library server.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests import http_abuse
from tests.support import ROOT

SERVE = os.path.join(ROOT, "nrnn", "serve.py")
# How the server is started; {port} is filled in.  Adapt here if serve.py's
# command line differs.
# A short --timeout: the slow-client cases wait it out, and the defaults
# (10 s a read, 30 s a request) would make this test take half a minute.
SERVER_TIMEOUT = 1.5
SERVE_COMMAND = [sys.executable, "-m", "nrnn.serve", "--host", "127.0.0.1", "--port", "{port}",
                 "--timeout", str(SERVER_TIMEOUT)]
# Where the server takes its PNG uploads.
POST_PATH = b"/predict"
# How long the client waits for a reply: only a bound against hanging.  The
# server answers every case, slow clients with 408 after its whole-request
# deadline (three timeouts); a missing reply is the failure, not the time.
MAX_CLIENT_SECONDS = 60.0
# GET requests a lenient server may still answer with 200.
LENIENT = {"header without a colon", "200 headers"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    timeout = 0.5

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self.send_error(400)
            return
        if not 0 <= length <= 1 << 20:
            self.send_error(413)
            return
        body = self.rfile.read(length)
        self.send_error(400 if len(body) < length else 422)


class AbuseHelper(unittest.TestCase):
    def test_every_case_is_bounded_and_a_careful_server_survives(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        port = server.server_address[1]
        outcomes = http_abuse.abuse(port, read_timeout=3.0)
        self.assertEqual(len(outcomes), len(http_abuse.cases()))
        by_name = {outcome.name: outcome for outcome in outcomes}
        self.assertEqual(by_name["huge Content-Length"].status, 413)
        self.assertEqual(by_name["negative Content-Length"].status, 413)
        self.assertTrue(by_name["connection opened, nothing sent"].closed)
        self.assertEqual(http_abuse.answers_normally(port), 200)


@unittest.skipUnless(os.path.exists(SERVE), "nrnn/serve.py is not in place yet")
class ServerUnderAbuse(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in SERVE_COMMAND]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        env=dict(os.environ, PYTHONPATH=ROOT))
        self.addCleanup(self.stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode("utf-8", "replace")
                if self.process.returncode == 2:
                    self.skipTest("serve.py's command line differs from SERVE_COMMAND: %s" % err[-300:])
                self.fail("the server exited with %s: %s" % (self.process.returncode, err[-500:]))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.fail("the server did not listen on 127.0.0.1:%d within 60 s" % self.port)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()

    def test_server_survives_malformed_requests(self):
        outcomes = http_abuse.abuse(self.port, post_path=POST_PATH, read_timeout=MAX_CLIENT_SECONDS)
        self.assertIsNone(self.process.poll(), "the server died")
        for outcome in outcomes:
            with self.subTest(case=outcome.name):
                # Every connection gets a reply (slow and silent clients: 408)
                # and is then closed.
                self.assertIsNotNone(outcome.status, outcome)
                self.assertTrue(outcome.closed, outcome)
                if outcome.status is not None and outcome.name not in LENIENT:
                    self.assertNotEqual(outcome.status // 100, 2, "malformed request accepted: %r" % (outcome,))
                    self.assertLess(outcome.status, 500 if outcome.name != "unknown method" else 502, outcome)
        self.assertEqual(http_abuse.answers_normally(self.port), 200)
        self.assertIsNone(self.process.poll(), "the server died")


if __name__ == "__main__":
    unittest.main()
