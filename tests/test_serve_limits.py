"""The server protects itself and its user (issue 15), over real HTTP on 127.0.0.1.

Each test starts its own server in a thread (``make_server``) with the
limits it needs made small: one recognition at a time, a short queue, two
connections.  A network whose feedforward waits for an event (``HeldNetwork``)
keeps a recognition running for exactly as long as a test wants, so "the
queue is full" is a state the test sets up, not a race against the clock.

What is checked: the Host rule (DNS rebinding), Content-Type (CORS "simple"
requests), no CORS headers, HTTP/0.9, the watchdog's 408, zero-padded
Content-Length, the listen backlog, the recognition queues (503 with
Retry-After; drawings answered while big images wait), the connection cap,
and a 500 JSON reply with one log line for MemoryError.
"""

import io
import json
import socket
import socketserver
import threading
import time
import unittest
from unittest import mock

from nrnn.image.png import encode_gray8
from nrnn.net.network import Network
from nrnn.serve import LISTEN_BACKLOG, SMALL_IMAGE_PIXELS, allowed_hosts, make_server
from tests.drawn_digits import demo_png
from tests.support import request

# How long a test waits for something that must happen (a reply): only a
# bound against hanging, never a figure that is checked.
PATIENCE = 60


class HeldNetwork(Network):
    """A 784-10 network whose feedforward waits until ``release`` is set,
    and counts the calls that have started (``started``)."""

    def __init__(self):
        super().__init__([784, 10], seed=5)
        self.release = threading.Event()
        self.started = threading.Semaphore(0)

    def feedforward(self, inputs):
        self.started.release()
        self.release.wait(PATIENCE)
        return super().feedforward(inputs)


class FailingNetwork(Network):
    def __init__(self):
        super().__init__([784, 10], seed=5)

    def feedforward(self, inputs):
        raise MemoryError("pretend the machine ran out of memory")


def serve(test, network=None, **options):
    """Serve on a free loopback port for one test; return the server."""
    options.setdefault("quiet", True)
    server = make_server(network or Network([784, 10], seed=5), "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(PATIENCE)

    test.addCleanup(stop)
    return server


def big_drawing(side=600):
    """A side x side PNG (more than SMALL_IMAGE_PIXELS) with a bar of ink."""
    pixels = bytes(20 if side * 0.45 < x < side * 0.55 and side * 0.2 < y < side * 0.8 else 235
                   for y in range(side) for x in range(side))
    return encode_gray8(side, side, pixels)


def raw(port, data, wait=PATIENCE):
    """Send bytes, return all the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def split_reply(reply):
    """(status line, {header: value}, JSON body) of a raw reply."""
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return lines[0], headers, json.loads(body.decode("utf-8"))



def post_png(port, data, content_type="image/png"):
    status, headers, body = request(port, "POST", "/predict", data, {"Content-Type": content_type}, timeout=PATIENCE)
    return status, headers, json.loads(body.decode("utf-8"))


class HostAndContentType(unittest.TestCase):
    """What a web page elsewhere could make a browser send is refused."""

    def setUp(self):
        self.port = serve(self).server_address[1]

    def test_a_foreign_host_is_refused_the_own_addresses_are_served(self):
        # The reproduction: Host: evil.example with a text/plain upload.
        reply = raw(self.port, b"POST /predict HTTP/1.1\r\nHost: evil.example\r\nContent-Type: text/plain\r\n"
                               b"Content-Length: 5\r\n\r\nhello")
        status, _, answer = split_reply(reply)
        self.assertEqual(status.split()[1], "400", status)
        self.assertIn("evil.example", answer["error"])
        for host in (b"127.0.0.1:%d" % self.port, b"localhost:%d" % self.port, b"LOCALHOST",
                     b"[::1]:%d" % self.port, b"127.0.0.1"):
            reply = raw(self.port, b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
            self.assertTrue(reply.startswith(b"HTTP/1.0 200"), (host, reply[:100]))
        for host in (b"evil.example", b"evil.example:%d" % self.port, b"127.0.0.1.evil.example",
                     b"localhost.evil.example", b"10.0.0.1"):
            reply = raw(self.port, b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
            self.assertTrue(reply.startswith(b"HTTP/1.0 400"), (host, reply[:100]))
        # Two Host headers, or none in HTTP/1.1 (which requires one): 400.
        reply = raw(self.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.0 400"), reply[:100])
        reply = raw(self.port, b"GET / HTTP/1.1\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.0 400"), reply[:100])
        # An HTTP/1.0 client without Host (not a browser) is served.
        self.assertTrue(raw(self.port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200"))

    def test_which_hosts_a_server_answers_to(self):
        self.assertEqual(allowed_hosts("127.0.0.1"), {"127.0.0.1", "localhost", "[::1]"})
        self.assertIn("digits.lan", allowed_hosts("digits.lan"))
        self.assertIn("[fe80::1]", allowed_hosts("fe80::1"))
        # Listening everywhere: any IP address (checked per request), but
        # no names other than localhost.
        self.assertIsNone(allowed_hosts("0.0.0.0"))
        self.assertIsNone(allowed_hosts("::"))

    def test_only_image_content_types_are_accepted(self):
        data = demo_png(3)
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                             "application/octet-stream", ""):
            status, headers, answer = post_png(self.port, data, content_type)
            self.assertEqual(status, 415, content_type)
            self.assertIn("image/png or image/jpeg", answer["error"])
        self.assertEqual(post_png(self.port, data, "image/png")[0], 200)
        self.assertEqual(post_png(self.port, data, "Image/PNG; charset=binary")[0], 200)
        # image/jpeg passes the Content-Type check; the bytes decide the format.
        self.assertNotEqual(post_png(self.port, data, "image/jpeg")[0], 415)

    def test_no_cors_header_is_ever_sent(self):
        replies = [request(self.port, "GET", "/", timeout=PATIENCE),
                   request(self.port, "OPTIONS", "/predict", headers={
                       "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
                           timeout=PATIENCE),
                   request(self.port, "POST", "/predict", demo_png(1), {"Content-Type": "image/png",
                                                                       "Origin": "http://evil.example"},
                           timeout=PATIENCE)]
        for _status, headers, _ in replies:
            self.assertFalse([name for name in headers if name.lower().startswith("access-control")],
                             headers)
        self.assertEqual(replies[1][0], 501)  # a preflight is never approved
        self.assertEqual(replies[2][0], 200)


class SlowAndOddRequests(unittest.TestCase):
    def test_trickled_headers_get_408_not_200(self):
        server = serve(self, socket_timeout=1.0, request_seconds=1.5)
        status = self.trickle(server.server_address[1],
                              b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"y" * 200 + b"\r\n\r\n")
        self.assertEqual(status, "HTTP/1.0 408 Request Timeout")

    def test_a_trickled_path_is_not_served_truncated(self):
        server = serve(self, socket_timeout=1.0, request_seconds=1.5)
        status = self.trickle(server.server_address[1], b"GET /static/app.js" + b"x" * 200 + b" HTTP/1.1\r\n")
        self.assertEqual(status, "HTTP/1.0 408 Request Timeout")

    def trickle(self, port, data):
        """Send ``data`` a byte every 0.3 s until the server answers; its status line."""
        with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as sock:
            sock.settimeout(0.3)
            reply = b""
            for byte in data:
                try:
                    sock.sendall(bytes([byte]))
                except OSError:  # the server answered and closed
                    break
                try:
                    reply = sock.recv(65536)
                except socket.timeout:
                    continue
                break
            sock.settimeout(PATIENCE)
            while True:
                try:
                    piece = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not piece:
                    break
                reply += piece
        status, headers, answer = split_reply(reply)
        self.assertIn("X-Content-Type-Options", headers)  # a real reply, with our headers
        self.assertIn("in time", answer["error"])
        return status

    def test_an_http_0_9_request_gets_a_1_0_reply(self):
        port = serve(self).server_address[1]
        reply = raw(port, b"GET /\r\n")
        status, headers, answer = split_reply(reply)
        self.assertEqual(status, "HTTP/1.0 400 Bad Request")
        self.assertIn("0.9", answer["error"])
        self.assertIn("Content-Security-Policy", headers)

    def test_zero_padded_content_length_is_its_number(self):
        port = serve(self).server_address[1]
        data = demo_png(4)
        reply = raw(port, b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                          b"Content-Length: %019d\r\n\r\n" % len(data) + data)
        status, _, answer = split_reply(reply)
        self.assertEqual(status, "HTTP/1.0 200 OK", answer)
        reply = raw(port, b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                          b"Content-Length: 1%s\r\n\r\n" % (b"0" * 30))
        self.assertTrue(reply.startswith(b"HTTP/1.0 413"), reply[:100])


class Load(unittest.TestCase):
    def test_a_burst_of_connections_waits_in_the_backlog(self):
        # Nothing accepts yet: every connection must be queued by the
        # kernel, not refused (the old backlog of 5 refused the 7th).
        server = make_server(Network([784, 10], seed=5), "127.0.0.1", 0, quiet=True)
        self.addCleanup(server.server_close)
        port = server.server_address[1]
        sockets = []
        self.addCleanup(lambda: [sock.close() for sock in sockets])
        for _ in range(LISTEN_BACKLOG - 4):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=PATIENCE))
        for sock in sockets:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self.addCleanup(lambda: (server.shutdown(), thread.join(PATIENCE)))
        for sock in sockets:
            self.assertTrue(sock.recv(64).startswith(b"HTTP/1.0 200"))

    def test_a_full_queue_answers_503_with_retry_after(self):
        network = HeldNetwork()
        port = serve(self, network, recognitions=1, queue_seconds=0.2).server_address[1]
        first = {}
        thread = threading.Thread(target=lambda: first.update(reply=post_png(port, demo_png(2))))
        thread.start()
        self.assertTrue(network.started.acquire(timeout=PATIENCE))  # the first is being read
        status, headers, answer = post_png(port, demo_png(3))
        self.assertEqual(status, 503, answer)
        self.assertEqual(headers["Retry-After"], "1")
        self.assertIn("busy", answer["error"])
        network.release.set()
        thread.join(PATIENCE)
        self.assertEqual(first["reply"][0], 200)
        self.assertEqual(post_png(port, demo_png(3))[0], 200)  # free again

    def test_drawings_are_answered_while_big_images_wait(self):
        network = HeldNetwork()
        port = serve(self, network, recognitions=1, large_recognitions=1, queue_seconds=0.5).server_address[1]
        big = big_drawing()
        self.assertGreater(600 * 600, SMALL_IMAGE_PIXELS)
        replies = []
        threads = [threading.Thread(target=lambda: replies.append(post_png(port, big))) for _ in range(3)]
        for thread in threads:
            thread.start()
        self.assertTrue(network.started.acquire(timeout=PATIENCE))  # one big image is being read
        # ...the other two wait and get 503; meanwhile a drawing is answered.
        drawing = {}
        helper = threading.Thread(target=lambda: drawing.update(reply=post_png(port, demo_png(5))))
        helper.start()
        self.assertTrue(network.started.acquire(timeout=PATIENCE))  # the drawing got its turn
        deadline = time.monotonic() + PATIENCE
        while len(replies) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the other two big images: refused after their 0.5 s in the queue
        network.release.set()
        helper.join(PATIENCE)
        for thread in threads:
            thread.join(PATIENCE)
        self.assertEqual(drawing["reply"][0], 200)
        self.assertEqual(sorted(status for status, _, _ in replies), [200, 503, 503])
        for _status, headers, _answer in replies:
            self.assertEqual(headers["Content-Type"], "application/json")

    def test_connections_past_the_cap_get_503_at_once(self):
        port = serve(self, max_connections=2, request_seconds=PATIENCE).server_address[1]
        idle = [socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) for _ in range(2)]
        self.addCleanup(lambda: [sock.close() for sock in idle])
        for sock in idle:  # make sure both are being handled (each holds a thread)
            sock.sendall(b"GET / HTTP/1.0\r\n")
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            reply = raw(port, b"GET / HTTP/1.0\r\n\r\n")
            if reply.startswith(b"HTTP/1.0 503"):
                break
            time.sleep(0.05)  # the two handler threads are not both running yet
        status, headers, answer = split_reply(reply)
        self.assertEqual(status, "HTTP/1.0 503 Service Unavailable")
        self.assertIn("Retry-After", headers)
        for sock in idle:
            sock.sendall(b"\r\n")
            self.assertTrue(sock.recv(64).startswith(b"HTTP/1.0 200"))
        # Their threads give their slots back just after the reply is sent,
        # not before: a new connection is served as soon as they have.
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            reply = raw(port, b"GET / HTTP/1.0\r\n\r\n")
            if not reply.startswith(b"HTTP/1.0 503"):
                break
            time.sleep(0.05)
        self.assertTrue(reply.startswith(b"HTTP/1.0 200"), reply[:60])


class Failures(unittest.TestCase):
    def test_memory_error_is_a_json_500_and_one_log_line(self):
        port = serve(self, FailingNetwork()).server_address[1]
        log = io.StringIO()
        with mock.patch("sys.stderr", log):
            status, headers, answer = post_png(port, demo_png(6))
        self.assertEqual(status, 500)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertIn("MemoryError", answer["error"])
        lines = log.getvalue().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("MemoryError", lines[0])
        self.assertIn("POST /predict", lines[0])
        self.assertEqual(request(port, "GET", "/", timeout=PATIENCE)[0], 200)  # still serving


class CtrlC(unittest.TestCase):
    def test_ctrl_c_while_a_connection_thread_starts_reaches_the_server_loop(self):
        # A regression: Ctrl-C landing in process_request after the thread had
        # started (and finished) released its connection slot a second time;
        # the ValueError replaced the KeyboardInterrupt, serve_forever swallowed
        # it as a request error, and the server never stopped.
        server = make_server(Network([784, 4, 10], seed=1), quiet=True, max_connections=2)
        self.addCleanup(server.server_close)
        started = socketserver.ThreadingMixIn.process_request
        # The connection's own thread says when it is done (its slot then
        # released).  Not by joining the threads that appeared meanwhile:
        # another test's thread, not started yet, cannot be joined, and
        # that RuntimeError reads to process_request as "can't start new
        # thread".
        finished = threading.Event()
        connection_thread = server.process_request_thread

        def thread_then_signal(request, client_address):
            try:
                connection_thread(request, client_address)
            finally:
                finished.set()

        server.process_request_thread = thread_then_signal

        def start_then_interrupt(self, request, client_address):
            started(self, request, client_address)
            finished.wait(PATIENCE)
            raise KeyboardInterrupt

        client = socket.create_connection(server.server_address)
        self.addCleanup(client.close)
        client.close()
        request, address = server.get_request()
        with mock.patch.object(socketserver.ThreadingMixIn, "process_request", start_then_interrupt):
            with self.assertRaises(KeyboardInterrupt):
                server.process_request(request, address)
        # Both slots free again: the thread released its own, nobody twice.
        self.assertTrue(server.connections.acquire(blocking=False))
        self.assertTrue(server.connections.acquire(blocking=False))
        self.assertFalse(server.connections.acquire(blocking=False))


if __name__ == "__main__":
    unittest.main()
