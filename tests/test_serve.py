"""Tests for nrnn/serve.py: the drawing page's server, in a thread on 127.0.0.1.

The server runs a small network trained here on the project's own demo
digits (tests/drawn_digits.py), so "POST a drawn 3, get 3" is a reliable
check of the whole pipeline; each answer is also compared with what
``nrnn.recognize`` says directly for the same bytes.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

from nrnn.image import jpeg_encoder, png
from nrnn.image.gray import gray8
from nrnn.image.png import encode_gray8, png_size
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from nrnn.recognition import load_recognizer, recognize
from nrnn.serve import DEFAULT_MODEL, MAX_BODY_BYTES, make_server
from tests.drawn_digits import demo_network, demo_png
from tests.support import ROOT, request
from tests.support import serve_in_thread as _serve_in_thread


class ServerTest(unittest.TestCase):
    """One server for the class; every test leaves it able to answer."""

    @classmethod
    def setUpClass(cls):
        cls.network = demo_network()
        # A long queue: the fifty-client test must not meet a 503 on a busy
        # machine (the 503 itself is tested in test_serve_limits).
        cls.server = make_server(cls.network, "127.0.0.1", 0, quiet=True, request_seconds=2.0,
                                 queue_seconds=300)
        cls.port = cls.server.server_address[1]
        cls.thread = threading.Thread(target=cls.server.serve_forever, kwargs={"poll_interval": 0.05},
                                      daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join(10)

    def tearDown(self):
        # Whatever the test did, the server still serves the page.
        status, _, body = self.get("/")
        self.assertEqual(status, 200)
        self.assertIn(b'<canvas id="pad"', body)

    # ---------------------------------------------------------------- helpers

    def request(self, method, path, body=None, headers=None):
        return request(self.port, method, path, body, headers)

    def get(self, path):
        return self.request("GET", path)

    def post_png(self, data):
        status, headers, body = self.request("POST", "/predict", data, {"Content-Type": "image/png"})
        self.assertEqual(headers.get("Content-Type"), "application/json")
        return status, json.loads(body.decode("utf-8"))

    def raw(self, data: bytes, wait: float = 10.0) -> bytes:
        """Send raw bytes, return everything the server answers until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=wait) as sock:
            sock.sendall(data)
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def assert_json_error(self, status, answer, expected_status, *words):
        self.assertEqual(status, expected_status, answer)
        self.assertEqual(set(answer), {"error"})
        for word in words:
            self.assertIn(word, answer["error"])

    # ---------------------------------------------------------------- the page

    def test_page_and_assets_load_with_their_types(self):
        status, headers, body = self.get("/")
        self.assertEqual((status, headers["Content-Type"]), (200, "text/html; charset=utf-8"))
        for asset in (b"/static/style.css", b"/static/app.js"):
            self.assertIn(asset, body)
        with open(os.path.join(ROOT, "nrnn", "static", "app.js"), "rb") as handle:
            app_js = handle.read()
        for path, content_type, expected in (
                ("/static/app.js", "text/javascript; charset=utf-8", app_js),
                ("/static/style.css", "text/css; charset=utf-8", None),
                ("/static/strokes.json", "application/json", None)):
            status, headers, body = self.get(path)
            self.assertEqual((status, headers["Content-Type"]), (200, content_type), path)
            self.assertGreater(len(body), 100)
            if expected is not None:
                self.assertEqual(body, expected)
        self.assertEqual(set(json.loads(self.get("/static/strokes.json")[2])), set("0123456789"))

    def test_page_uses_nothing_from_elsewhere(self):
        for path in ("/", "/static/app.js", "/static/style.css"):
            body = self.get(path)[2].decode("utf-8")
            self.assertNotIn("http://", body.replace("http://127.0.0.1:8000", ""), path)
            self.assertNotIn("https://", body, path)

    def test_head_sends_headers_only(self):
        status, headers, body = self.request("HEAD", "/static/app.js")
        self.assertEqual(status, 200)
        self.assertGreater(int(headers["Content-Length"]), 100)
        self.assertEqual(body, b"")

    # ---------------------------------------------------------------- /predict

    def test_each_drawn_demo_digit_is_read_as_itself(self):
        for digit in range(10):
            data = demo_png(digit)
            status, answer = self.post_png(data)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["digit"], digit)
            # The same answer as the library gives for the same bytes.
            direct = recognize(data, self.network)
            self.assertEqual(answer["ranking"], direct.ranking)
            for got, want in zip(answer["probabilities"], direct.probabilities):
                self.assertAlmostEqual(got, want, places=6)
            self.assertAlmostEqual(sum(answer["probabilities"]), 1.0, places=4)
            self.assertEqual(answer["confidence"], answer["probabilities"][digit])
            self.assertEqual(len(answer["input"]), 784)
            for got, want in zip(answer["input"], direct.inputs):
                self.assertAlmostEqual(got, want, places=6)

    def test_the_documented_curl_request(self):
        # curl --data-binary @data/handwriting.png -H 'Content-Type: image/png' .../predict
        with open(os.path.join(ROOT, "data", "handwriting.png"), "rb") as handle:
            data = handle.read()
        status, answer = self.post_png(data)
        self.assertEqual(status, 200)
        self.assertEqual(set(answer) >= {"digit", "confidence", "probabilities", "input"}, True)
        self.assertEqual(answer["digit"], recognize(data, self.network).digit)

    def test_a_body_over_the_limit_is_refused_before_it_is_read(self):
        # Only the headers are sent: a 413 must come back without the body
        # (a server waiting for it would answer 408 after 2 s instead).
        reply = self.raw(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         b"Content-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
        head, _, body = reply.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.0 413") or head.startswith(b"HTTP/1.1 413"), head)
        self.assertIn(b"limit", json.loads(body.decode())["error"].encode())

    def test_a_real_oversized_upload_gets_413(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            try:
                connection.request("POST", "/predict", body=b"\0" * (MAX_BODY_BYTES + 1024),
                                   headers={"Content-Type": "image/png"})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may close before the upload finishes
            response = connection.getresponse()
            self.assertEqual(response.status, 413)
            self.assertIn("error", json.loads(response.read().decode()))
        except (ConnectionResetError, BrokenPipeError):
            pass  # acceptable: refused without reading; tearDown checks the server lives
        finally:
            connection.close()

    def test_missing_and_invalid_content_length(self):
        reply = self.raw(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n\r\n")
        self.assertIn(b" 411 ", reply.split(b"\r\n")[0])
        reply = self.raw(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n"
                         b"5\r\nhello\r\n0\r\n\r\n")
        self.assertIn(b" 411 ", reply.split(b"\r\n")[0])
        for bad in (b"abc", b"-5", b"1e3", b"12 34"):
            reply = self.raw(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                             b"Content-Length: " + bad + b"\r\n\r\n")
            self.assertIn(b" 400 ", reply.split(b"\r\n")[0], bad)
            self.assertIn(b'"error"', reply)

    def test_a_body_shorter_than_announced_is_400(self):
        reply = self.raw(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         b"Content-Length: 100\r\n\r\n\x89PNG",
                         wait=10)
        # The client stops sending; the request timeout (2 s here) ends it.
        self.assertRegex(reply.split(b"\r\n")[0], rb" 40[08] ")

    def test_empty_non_png_corrupt_and_blank_bodies_are_400_with_a_reason(self):
        status, answer = self.post_png(b"")
        self.assert_json_error(status, answer, 400, "empty")
        status, answer = self.post_png(b"GIF89a not a png at all")
        self.assert_json_error(status, answer, 400, "not a PNG")
        good = demo_png(3)
        status, answer = self.post_png(good[:len(good) // 2])
        self.assert_json_error(status, answer, 400)
        flipped = bytearray(good)
        flipped[40] ^= 0xFF  # inside the IDAT data: the CRC no longer matches
        status, answer = self.post_png(bytes(flipped))
        self.assert_json_error(status, answer, 400)
        status, answer = self.post_png(encode_gray8(50, 50, bytes([240]) * 2500))
        self.assert_json_error(status, answer, 400, "blank")

    def test_an_image_with_too_many_pixels_is_413_from_its_header(self):
        # 3000 x 3000 of zeros compresses to a few kB: small body, huge image.
        data = encode_gray8(3000, 3000, bytes(3000 * 3000))
        self.assertLess(len(data), MAX_BODY_BYTES)
        self.assertEqual(png_size(data), (3000, 3000))
        status, answer = self.post_png(data)
        self.assert_json_error(status, answer, 413, "pixels")

    def test_a_jpeg_is_read_like_a_png_and_its_header_checked_first(self):
        drawn = png.decode(demo_png(3))
        gray = gray8(drawn)
        data = jpeg_encoder.encode_gray8(drawn.width, drawn.height, gray, quality=90)
        status, headers, body = self.request("POST", "/predict", data, {"Content-Type": "image/jpeg"})
        answer = json.loads(body.decode("utf-8"))
        self.assertEqual(status, 200, answer)
        self.assertEqual(len(answer["input"]), 784)
        # 65535 x 65535 in the frame header: refused before any decoding.
        bomb = b"\xff\xd8\xff\xc0\x00\x0b\x08\xff\xff\xff\xff\x01\x01\x11\x00\xff\xd9"
        status, headers, body = self.request("POST", "/predict", bomb, {"Content-Type": "image/jpeg"})
        self.assert_json_error(status, json.loads(body.decode("utf-8")), 413, "MAX_STORED_PIXELS")

    def test_a_crafted_zlib_bomb_is_refused(self):
        # Declares 100 x 100 but inflates to far more: the decoder stops.
        raw = zlib.compress(b"\0" * 5_000_000, 9)
        data = encode_gray8(100, 100, bytes(10000))
        start = data.index(b"IDAT") - 4
        bomb = data[:start] + len(raw).to_bytes(4, "big") + b"IDAT" + raw
        bomb += zlib.crc32(b"IDAT" + raw).to_bytes(4, "big") + data[data.index(b"IEND") - 4:]
        status, answer = self.post_png(bomb)
        self.assert_json_error(status, answer, 400)

    # ---------------------------------------------------------------- paths

    def test_unknown_paths_and_traversal_are_404(self):
        for path in ("/nothing", "/static/", "/static/missing.js", "/../README.md",
                     "/static/../serve.py", "/static/../../README.md",
                     "/static/%2e%2e/serve.py", "/static/%2E%2E%2Fserve.py", "/static/..%2fserve.py",
                     "/%2e%2e/%2e%2e/etc/passwd", "/static/%2e%2e%2f%2e%2e%2fREADME.md",
                     "/static/serve.py", "/static/..\\serve.py", "/static/%00app.js",
                     "/static/app.js%00.png", "//etc/passwd", "/static//etc/passwd",
                     "/nrnn/serve.py", "/data/model.json.gz", "/static/strokes.json/.."):
            status, headers, body = self.get(path)
            self.assertEqual(status, 404, path)
            self.assertEqual(set(json.loads(body.decode())), {"error"}, path)
            self.assertNotIn(b"import", body, path)

    def test_traversal_sent_raw_is_404(self):
        # Bytes exactly as an attacker types them, without any client cleaning.
        for target in (b"/../../../etc/passwd", b"/static/../../README.md", b"/static/%2e%2e/%2e%2e/README.md",
                       b"/static/.%2e/serve.py"):
            reply = self.raw(b"GET " + target + b" HTTP/1.0\r\n\r\n")
            self.assertIn(b" 404 ", reply.split(b"\r\n")[0], target)
            self.assertNotIn(b"root:", reply)

    def test_wrong_methods(self):
        status, headers, _ = self.get("/predict")
        self.assertEqual((status, headers.get("Allow")), (405, "POST"))
        status, _, _ = self.request("POST", "/", b"x")
        self.assertEqual(status, 405)
        status, _, _ = self.request("POST", "/elsewhere", b"x")
        self.assertEqual(status, 404)

    # ---------------------------------------------------------------- load

    def test_fifty_concurrent_requests_all_succeed(self):
        pictures = {digit: demo_png(digit) for digit in range(10)}
        results = [None] * 50
        errors = []

        def ask(slot):
            digit = slot % 10
            try:
                # A bound that only a hang reaches: on a starved machine 50 requests
                # queue for minutes (two at a time), and that is not a failure.
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                connection.request("POST", "/predict", pictures[digit], {"Content-Type": "image/png"})
                response = connection.getresponse()
                results[slot] = (response.status, json.loads(response.read().decode())["digit"], digit)
                connection.close()
            except Exception as error:  # collected and reported below
                errors.append("%d: %r" % (slot, error))

        threads = [threading.Thread(target=ask, args=(slot,)) for slot in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(results, [(200, slot % 10, slot % 10) for slot in range(50)])

    def test_a_silent_client_is_cut_off_and_others_are_still_served(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            # ...and nothing more
            sock.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n")
            status, _ = self.post_png(demo_png(7))  # meanwhile, another client
            self.assertEqual(status, 200)
            reply = b""
            while True:  # the server gives up on it after 2 s (the socket waits 10)
                piece = sock.recv(65536)
                if not piece:
                    break
                reply += piece
            self.assertTrue(reply.startswith(b"HTTP/1.0 408"), reply[:100])


class StaticDirectoryTest(unittest.TestCase):
    """Only regular files inside the static folder are served, whatever links it holds."""

    def test_symlinks_leading_out_of_the_static_folder_are_404(self):
        with tempfile.TemporaryDirectory() as root:
            static = os.path.join(root, "static")
            os.mkdir(static)
            with open(os.path.join(static, "index.html"), "w") as handle:
                handle.write("<p>page</p>")
            with open(os.path.join(root, "secret.js"), "w") as handle:
                handle.write("secret")  # outside static/: must never be served
            try:
                os.symlink(os.path.join(root, "secret.js"), os.path.join(static, "leak.js"))
                os.symlink(root, os.path.join(static, "up"))
            except (OSError, NotImplementedError):
                self.skipTest("cannot make symlinks here")
            server = make_server(demo_network(), "127.0.0.1", 0, quiet=True, static_dir=static)
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            try:
                def get(path):
                    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
                    connection.request("GET", path)
                    response = connection.getresponse()
                    result = response.status, response.read()
                    connection.close()
                    return result
                self.assertEqual(get("/"), (200, b"<p>page</p>"))
                for path in ("/static/leak.js", "/static/up/secret.js", "/static/up%2fsecret.js"):
                    status, body = get(path)
                    self.assertEqual(status, 404, path)
                    self.assertNotEqual(body, b"secret", path)  # the file's content never comes back
            finally:
                server.shutdown()
                server.server_close()
                thread.join(10)


class CommandLineTest(unittest.TestCase):
    def run_serve(self, *args):
        return subprocess.run([sys.executable, "-m", "nrnn.serve"] + list(args), cwd=ROOT,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                              env=dict(os.environ, PYTHONPATH=ROOT))

    def test_a_missing_model_is_one_line_and_status_1(self):
        result = self.run_serve("--model", os.path.join(ROOT, "no-such-model.json"), "--port", "0")
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("no-such-model.json", lines[0])
        self.assertNotIn("Traceback", result.stderr.decode())

    def test_a_bad_port_is_a_usage_error(self):
        result = self.run_serve("--port", "70000")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(len(result.stderr.decode().splitlines()), 1)

    def test_prints_the_address_to_open(self):
        network_file = os.path.join(ROOT, "data", "model-784-16-16-10.json")
        if not os.path.exists(network_file):
            self.skipTest("needs data/model-784-16-16-10.json (a small shipped model)")
        process = subprocess.Popen([sys.executable, "-m", "nrnn.serve", "--port", "0", "--model", network_file],
                                   cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=ROOT))
        try:
            lines = [process.stdout.readline().decode() for _ in range(2)]
            match = re.search(r"open http://127\.0\.0\.1:(\d+)/ in a browser", lines[1])
            self.assertIsNotNone(match, lines)
            port = int(match.group(1))
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/")
            self.assertEqual(connection.getresponse().status, 200)
            connection.close()
        finally:
            process.terminate()
            process.wait(60)  # a bound on a hang, not on speed: a loaded machine may take seconds
            process.stdout.close()
        self.assertEqual(process.returncode, 0)  # SIGTERM stops it cleanly


# ------------------------------------------------------------------- more


def _post(port, data):
    status, _, body = request(port, "POST", "/predict", data, {"Content-Type": "image/png"})
    return status, json.loads(body.decode("utf-8"))


class ExactAnswerTest(unittest.TestCase):
    """With an untrained 784-10 network, /predict says exactly what
    recognize() says for the same bytes, every rounded number."""

    def test_the_json_is_recognize_as_dict(self):
        network = Network([784, 10], seed=5)
        port = _serve_in_thread(self, network)
        for digit in (0, 4, 8):
            data = demo_png(digit)
            status, answer = _post(port, data)
            self.assertEqual(status, 200, answer)
            self.assertGreater(answer.pop("milliseconds"), 0)
            # No hidden layer: nothing inside (test_serve_inside.py checks the rest).
            self.assertEqual((answer.pop("hidden"), answer.pop("contributions")), ([], []))
            expected = json.loads(json.dumps(recognize(data, network).as_dict(with_input=True)))
            self.assertEqual(answer, expected)
            self.assertEqual(len(answer["outputs"]), 10)


class SlowClientTest(unittest.TestCase):
    def test_a_body_that_stops_arriving_is_408_after_the_request_time(self):
        port = _serve_in_thread(self, Network([784, 10], seed=5), request_seconds=1.0)
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         b"Content-Length: 1000\r\n\r\n\x89PNG")
            reply = b""
            while True:  # the client keeps the connection open and waits
                piece = sock.recv(65536)
                if not piece:
                    break
                reply += piece
        elapsed = time.monotonic() - start
        self.assertTrue(reply.startswith(b"HTTP/1.0 408"), reply[:200])
        self.assertIn(b"4 of its 1000 bytes", reply)
        self.assertGreater(elapsed, 0.9)  # not before its time (no upper bound: a busy machine is slow)


@unittest.skipUnless(os.path.exists(os.path.join(ROOT, "data", "model.json.gz")),
                     "needs the shipped model data/model.json.gz")
class ShippedModelTest(unittest.TestCase):
    """The shipped 784-500-10 model, as the page and curl use it."""

    @classmethod
    def setUpClass(cls):
        cls.network = load_recognizer(DEFAULT_MODEL)

    def test_demo_digits_drawn_as_the_page_draws_them(self):
        port = _serve_in_thread(self, self.network)
        for digit in range(10):
            status, answer = _post(port, demo_png(digit))
            self.assertEqual((status, answer["digit"]), (200, digit))

    @unittest.skipUnless(os.path.exists(os.path.join(ROOT, "data", "handwriting.png")),
                         "needs data/handwriting.png")
    def test_the_curl_example_is_a_3(self):
        port = _serve_in_thread(self, self.network)
        with open(os.path.join(ROOT, "data", "handwriting.png"), "rb") as handle:
            status, answer = _post(port, handle.read())
        self.assertEqual((status, answer["digit"]), (200, 3))
        self.assertGreater(answer["confidence"], 0.9)


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class CommandLineMoreTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        self.model = os.path.join(folder, "tiny.json")
        save_model(Network([784, 10], seed=5), self.model)

    def start(self, *args):
        # SIGINT back to its default in the child: a test run started in the
        # background by a shell inherits it ignored, and Python then never
        # raises KeyboardInterrupt (the Ctrl-C test would wait forever).
        process = subprocess.Popen([sys.executable, "-m", "nrnn.serve", "--model", self.model, "--port", "0"]
                                   + list(args), cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=_default_sigint if os.name == "posix" else None)

        def stop():
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=30)

        self.addCleanup(stop)
        lines = [process.stdout.readline().decode() for _ in range(2)]
        self.assertIn("784-10 network from", lines[0])
        return process, int(re.search(r"http://127\.0\.0\.1:(\d+)/", lines[1]).group(1))

    def test_the_default_model_is_found_from_the_package(self):
        self.assertEqual(DEFAULT_MODEL, os.path.join(ROOT, "data", "model.json.gz"))

    def test_a_port_in_use_is_one_line_and_status_1(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            result = subprocess.run([sys.executable, "-m", "nrnn.serve", "--model", self.model,
                                     "--port", str(port)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                                    stdin=subprocess.DEVNULL, capture_output=True,
                                    timeout=60)
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("error: cannot listen on 127.0.0.1:%d" % port), lines)
        self.assertIn("already in use", lines[0])

    def test_one_log_line_a_request_and_ctrl_c_stops_cleanly(self):
        process, port = self.start()
        self.assertEqual(_post(port, demo_png(1))[0], 200)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/nowhere")
        self.assertEqual(connection.getresponse().status, 404)
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        self.assertEqual(process.returncode, 0, err)
        self.assertIn(b"stopped", out)
        log = err.decode().splitlines()
        self.assertEqual(len(log), 2, log)
        self.assertIn('"POST /predict HTTP/1.1" 200', log[0])
        self.assertIn('"GET /nowhere HTTP/1.1" 404', log[1])

    def test_quiet_logs_nothing(self):
        process, port = self.start("--quiet")
        self.assertEqual(_post(port, b"not a png")[0], 400)
        process.terminate()
        # A bound only a hang reaches (a lost SIGTERM once hung here: see
        # DigitServer.process_request and test_serve_limits.CtrlC).
        out, err = process.communicate(timeout=180)
        self.assertEqual((process.returncode, err), (0, b""))


if __name__ == "__main__":
    unittest.main()
