"""Draw a digit in the browser: ``python -m nrnn.serve``.

A small web server, standard library only, that serves the drawing page
(``nrnn/static/``: index.html, style.css, app.js; plain files, no build
step, nothing fetched from the internet) and answers one API call::

    POST /predict      body: a PNG image (Content-Type: image/png)
                       reply: JSON {"digit", "confidence", "probabilities",
                              "ranking", "outputs", "input", "hidden",
                              "contributions", "milliseconds"}
    GET /weights/L.png the weight pictures of layer L's neurons (0: the first
                       hidden layer) as one PNG, tile j of 28 x 28 pixels at
                       (28 (j % columns), 28 (j // columns)); with an ETag,
                       so a browser fetches it once and then only asks
                       whether it changed (304)

``hidden`` holds the activations of each hidden layer on the prepared input
(the first of recognize's two looks), ``contributions`` what each neuron of
the last hidden layer added to the answer's z (activation times its weight
to the answer; see ``nrnn/inside/explain.py``).  The page draws its "inside the
network" strip from those and from ``/weights/0.png``: 500 x 784 weights
would be 400,000 numbers a request; as a picture they are one cached
download of ~0.5 MB.

The answer comes from ``nrnn.recognition.recognize``, the same pipeline
``predict.py`` uses, so the page and the command line always agree.  From a
shell::

    curl --data-binary @data/handwriting.png -H 'Content-Type: image/png' \\
         http://127.0.0.1:8000/predict

What the server refuses, and how (every error body is ``{"error": "..."}``)
---------------------------------------------------------------------------
- a ``Host`` header naming anything but an address the server listens on
  (``127.0.0.1``, ``localhost``, ``[::1]``, the ``--host`` given): 400.
  This stops *DNS rebinding*: a web page on evil.example whose name is
  re-pointed at 127.0.0.1 could otherwise read our answers, since to the
  browser they come from evil.example itself;
- a request line without a version (HTTP/0.9): 400, in HTTP/1.0 form;
- ``POST /predict`` whose Content-Type is not ``image/png`` or
  ``image/jpeg``: 415.  A cross-site form or ``fetch`` may only send
  ``text/plain``, form types and the like without asking first (a CORS
  "simple" request); ``image/png`` makes the browser ask (a preflight
  ``OPTIONS``), and we never say yes: no CORS header is ever sent;
- no Content-Length (e.g. a chunked upload): 411, before reading anything;
- a Content-Length that is not a plain number, or two different ones: 400;
- a body over ``MAX_BODY_BYTES`` (16 MB): 413, before reading the body;
- a body that ends before its Content-Length: 400; a request (line,
  headers or body) that arrives slower than ``REQUEST_SECONDS`` allows, or
  a read that waits longer than ``SOCKET_TIMEOUT``: 408, and the
  connection is closed;
- an image over ``MAX_IMAGE_PIXELS`` (4 megapixels; a JPEG over
  ``jpeg.MAX_STORED_PIXELS``, as it is decoded reduced): 413, refused by
  the decoder from the header before anything is decoded (its
  ``TooLargeError``; preprocessing costs ~3 us a pixel in pure Python, so a
  50-megapixel image would hold a thread for minutes);
- an empty body, not a PNG, a corrupt PNG, a blank image: 400 with the
  decoder's own one-line message;
- any path other than ``/``, ``/static/<file>``, ``/predict`` and
  ``/weights/<layer>.png`` for a layer the network has: 404;
  a method a path does not take: 405;
- more recognitions at once than the server runs (``RECOGNITIONS``, one
  per core, for drawings of at most ``SMALL_IMAGE_PIXELS``;
  ``LARGE_RECOGNITIONS``, one, for bigger images): the request waits up to
  ``QUEUE_SECONDS``, then gets 503 with ``Retry-After``.  The two queues
  are apart, so a burst of big uploads never keeps a drawing waiting;
- more than ``MAX_CONNECTIONS`` connections at once: 503 at once, unread;
- anything that goes wrong inside the server (``MemoryError`` included):
  500, logged as one line; the server keeps serving.

Static files are looked up by *name*, never by joining the URL onto a
directory: a name must match ``STATIC_NAME`` (letters, digits, ``-``,
``_``, one known extension: no slash, no ``..``), after percent-decoding, and
must resolve (symlinks followed) to a regular file inside ``STATIC_DIR``.

Every connection gets a socket timeout (``SOCKET_TIMEOUT``) and a watchdog
that answers 408 and closes it if the request (line, headers, body) has not
arrived within ``REQUEST_SECONDS``, so a slow or silent client holds a
thread for a bounded time.  Requests run in their own (daemon) threads; the
network is only read while predicting, so they need no lock (the
semaphores above bound how many run, not who reads what).  The listen
queue holds ``LISTEN_BACKLOG`` connections, so a burst of clients waits
instead of being reset.  Each request is logged as one line on stderr
(``--quiet`` turns that off; failures are always logged).
"""

import argparse
import errno
import hashlib
import ipaddress
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import unquote, urlsplit

from nrnn.cli import EXIT_FAILED, EXIT_OK, OneLineParser, print_error, run_main, seconds_option, standard_flags
from nrnn.errors import NrnnError, TooLargeError, UsageError
from nrnn.image.image_file import image_size
from nrnn.inside.explain import layer_values
from nrnn.inside.weights import neuron_pictures, sheet_png
from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.net.network import Network
from nrnn.recognition import MAX_IMAGE_PIXELS, load_recognizer, recognize

__all__ = ["DEFAULT_MODEL", "MAX_BODY_BYTES", "MAX_IMAGE_PIXELS", "STATIC_DIR", "ACCEPTED_TYPES",
           "LISTEN_BACKLOG", "MAX_CONNECTIONS", "QUEUE_SECONDS", "RECOGNITIONS", "LARGE_RECOGNITIONS",
           "SMALL_IMAGE_PIXELS",
           "DigitServer", "make_server", "main"]

#: The shipped model, found from the package's own location so the server
#: starts from any working directory.
DEFAULT_MODEL = SHIPPED_MODEL

#: Where the page's files live; nothing outside it is ever served.
STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")

#: Largest request body accepted.  A 280 x 280 canvas drawing is ~5-20 KB;
#: a phone's 12-megapixel JPEG 2-6 MB.  (The page scales a bigger file
#: down before sending it: app.js's MAX_UPLOAD_BYTES.)
MAX_BODY_BYTES = 16 * 1024 * 1024

# MAX_IMAGE_PIXELS (4 megapixels) is recognize()'s own limit, imported above:
# the decoders refuse a bigger image from its header with a TooLargeError,
# which the server answers with 413.  A JPEG is decoded reduced (a
# 12-megapixel photo at 1/8), so its header is held to the JPEG decoder's
# limit on stored pixels instead.

#: Seconds one blocking read or write on a connection may wait (--timeout).
SOCKET_TIMEOUT = 10.0

#: Seconds a client has to send its whole request (line, headers and body):
#: three socket timeouts.
REQUEST_SECONDS = 3 * SOCKET_TIMEOUT

#: What ``POST /predict`` accepts as its Content-Type (the format itself is
#: recognised from the bytes); anything else is 415.
ACCEPTED_TYPES = ("image/png", "image/jpeg")

#: Connections the kernel queues while every thread is busy accepting; the
#: socketserver default of 5 resets clients in a burst (a page reload with
#: its assets, a script sending 50 requests).
LISTEN_BACKLOG = 64

#: Connections handled at once; more are answered 503 without being read.
#: Each holds a thread and up to MAX_BODY_BYTES of body, so this bounds the
#: server's memory: 64 x 16 MB at the very most (a drawing is ~10 KB).
MAX_CONNECTIONS = 64

#: Drawings recognised at once: one per core.  More would not finish
#: sooner (pure Python holds the interpreter lock anyway), only hold more
#: memory.
RECOGNITIONS = os.cpu_count() or 1

#: Big images recognised at once: one.  A 4-megapixel image holds about
#: 0.5 GB while it is decoded and prepared; one at a time keeps the server
#: under 1 GB whatever arrives, and costs no throughput (the lock again).
LARGE_RECOGNITIONS = 1

#: Images up to this many pixels (a 512 x 512 square; the page sends
#: 280 x 280) queue apart from bigger ones: they take milliseconds.
SMALL_IMAGE_PIXELS = 512 * 512

#: Seconds a request may wait for a free recognition before 503.
QUEUE_SECONDS = 10.0

#: Host names every server answers to, besides the --host it listens on.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

#: The weight pictures of one layer: /weights/0.png for the first hidden layer.
WEIGHTS_PATH = re.compile(r"^/weights/([0-9]{1,2})\.png$")

#: Tiles a row in /weights/L.png (fewer if the layer has fewer neurons).
SPRITE_COLUMNS = 32

#: A static file name: no slashes, no dots but the extension's.
STATIC_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(html|css|js|json|png|jpg|svg)$")

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "json": "application/json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "svg": "image/svg+xml",
}

#: Only our own files: no inline scripts, nothing from elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data: blob:; "
                           "style-src 'self'; script-src 'self'; connect-src 'self'; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class RequestError(Exception):
    """A request we answer with an error status and ``{"error": message}``
    (and, for 503, a Retry-After header)."""

    def __init__(self, status: HTTPStatus, message: str, headers: Optional[dict] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _host_name(value: str) -> str:
    """The host part of a Host header, lower-cased: ``[::1]:8000`` -> ``[::1]``.

    >>> _host_name("LocalHost:8000"), _host_name("[::1]:80"), _host_name("127.0.0.1")
    ('localhost', '[::1]', '127.0.0.1')
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[:value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts(listen_host: str) -> Optional[frozenset]:
    """The Host names a server listening on ``listen_host`` answers to.

    ``None`` means "any IP address as well": a server listening on every
    interface (0.0.0.0, ::) is reached by whatever address the client
    used.  A *name* other than localhost or the --host given is never
    accepted: a name can be re-pointed by DNS, an address cannot.

    >>> sorted(allowed_hosts("127.0.0.1"))
    ['127.0.0.1', '[::1]', 'localhost']
    >>> sorted(allowed_hosts("::1")), sorted(allowed_hosts("digits.lan"))[-1]
    (['127.0.0.1', '[::1]', 'localhost'], 'localhost')
    """
    host = listen_host.strip().lower()
    shown = "[%s]" % host if ":" in host else host
    names = frozenset(LOOPBACK_HOSTS + (shown,))
    return names if host not in ("", "0.0.0.0", "::", "[::]") else None


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return False
    return True


def _loggable(text: str) -> str:
    """``text`` with unprintable characters escaped (``\\x1b``, ``\\u2028``):
    a client's path echoed in a log line or an error cannot break the line
    or forge another.  (Not ``cli.one_line``, which only folds line breaks.)"""
    return "".join(c if c.isprintable() else ("\\x%02x" if ord(c) < 256 else "\\u%04x") % ord(c)
                   for c in text)


class DigitHandler(BaseHTTPRequestHandler):
    """One connection: one request (HTTP/1.0 style, closed after the reply)."""

    server_version = "nrnn"
    # A request line without a version is HTTP/0.9, which has no status
    # line or headers at all: we answer everything, errors included, in 1.0.
    default_request_version = "HTTP/1.0"

    server: "DigitServer"  # (socketserver only knows it as a BaseServer)

    # ------------------------------------------------------------ connection

    def setup(self):
        self.request.settimeout(self.server.socket_timeout)
        super().setup()
        # The socket timeout bounds each read; the watchdog bounds them all
        # together, so a client trickling a byte every few seconds is cut off.
        self._watchdog = threading.Timer(self.server.request_seconds, self._cut_off)
        self._watchdog.daemon = True
        self._watchdog.start()
        self._timed_out = False

    def _cut_off(self):
        self._timed_out = True
        try:
            # Reading side only: the blocked read returns at once, and the
            # 408 reply can still be written.
            self.connection.shutdown(socket.SHUT_RD)
        except OSError:
            pass

    def _stop_watchdog(self):
        """The request is in, or no more of it will be read.

        ``_send`` calls this before every reply; ``do_POST`` calls it as soon
        as the body is in, so the time spent predicting is not the client's.
        """
        self._watchdog.cancel()

    def finish(self):
        self._stop_watchdog()
        try:
            super().finish()
        except OSError:  # the client went away before the reply was flushed
            pass

    def handle_one_request(self):
        """Read one request and answer it: every way through ends with a
        JSON reply or, if the client is gone, a closed connection."""
        # What the log line and the replies need even if nothing arrives.
        self.command, self.requestline, self.request_version = "", "", self.default_request_version
        self.close_connection = True
        self._replied = False
        try:
            self._handle_one_request()
        except (ConnectionError, socket.timeout):
            pass  # the client went away, or stopped reading our reply
        except Exception as error:  # a bug, or MemoryError: answer, log, go on
            self.server.log_failure(self, error)
            if not self._replied:
                try:
                    self._fail(HTTPStatus.INTERNAL_SERVER_ERROR,
                               "the server failed (%s); it is still running" % type(error).__name__)
                except Exception:
                    pass

    def _handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except socket.timeout:
            self._timed_out = True
        if self._timed_out:  # also a line cut short by the watchdog
            self._too_slow()
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.raw_requestline:
            return  # connection closed without a request
        if len(self.raw_requestline.split()) == 2:  # "GET /": HTTP/0.9, no headers follow
            self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            self._fail(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported: "
                                               "send HTTP/1.0 or HTTP/1.1")
            return
        try:
            parsed = self.parse_request()  # reads the headers
        except socket.timeout:
            self._timed_out = True
        if self._timed_out:  # headers cut short: never act on half of them
            self._too_slow()
            return
        if not parsed:
            return  # parse_request has answered
        problem = self._host_problem()
        if problem:
            self._fail(HTTPStatus.BAD_REQUEST, problem)
            return
        method = getattr(self, "do_" + self.command, None)
        if method is None:
            self._fail(HTTPStatus.NOT_IMPLEMENTED, "method %s is not supported" % _loggable(self.command))
            return
        method()
        self.wfile.flush()

    def _too_slow(self):
        self._fail(HTTPStatus.REQUEST_TIMEOUT,
                   "the request did not arrive in time (%g s for all of it, %g s for each read)"
                   % (self.server.request_seconds, self.server.socket_timeout))

    def _host_problem(self) -> Optional[str]:
        """Why the Host header is refused, or None if it names this server."""
        hosts = self.headers.get_all("Host") or []
        if not hosts:
            # HTTP/1.1 requires Host; a 1.0 client (not a browser) may omit it.
            return "a Host header is required" if self.request_version != "HTTP/1.0" else None
        if len(hosts) > 1:
            return "more than one Host header"
        name = _host_name(hosts[0])
        allowed = self.server.allowed_hosts
        if (allowed is None and _is_ip_address(name)) or name in (allowed or LOOPBACK_HOSTS):
            return None
        return ("Host %r is not this server (it answers to %s): open it by its address"
                % (_loggable(hosts[0][:100]), ", ".join(sorted(allowed or LOOPBACK_HOSTS))))

    # ------------------------------------------------------------ routing

    def do_GET(self):
        path = self._path()
        if path == "/predict":
            self._fail(HTTPStatus.METHOD_NOT_ALLOWED, "use POST with a PNG body", allow="POST")
            return
        weights = WEIGHTS_PATH.match(path)
        if weights:
            self._send_weights(int(weights.group(1)))
            return
        name = self._static_name(path)
        if name is None:
            self._fail(HTTPStatus.NOT_FOUND, "no such page: %s" % _loggable(path))
            return
        self._send_static(name)

    do_HEAD = do_GET  # _send() leaves the body out for HEAD

    def do_POST(self):
        path = self._path()
        if path != "/predict":
            if self._static_name(path) is not None or WEIGHTS_PATH.match(path):
                self._fail(HTTPStatus.METHOD_NOT_ALLOWED, "%s only takes GET" % path, allow="GET, HEAD")
            else:
                self._fail(HTTPStatus.NOT_FOUND, "no such page: %s" % _loggable(path))
            return
        try:
            self._check_content_type()
            body = self._read_body()
            self._stop_watchdog()
            answer = self._predict(body)
        except RequestError as error:
            self._fail(error.status, error.message, extra=error.headers)
            return
        self._send(HTTPStatus.OK, "application/json", json.dumps(answer).encode("ascii"))

    def _path(self) -> str:
        """The request's path, percent-decoded, without the query."""
        return unquote(urlsplit(self.path).path, errors="replace")

    @staticmethod
    def _static_name(path: str) -> Optional[str]:
        """The static file a GET path names, or None: ``/`` is index.html,
        ``/static/NAME`` is NAME when NAME matches ``STATIC_NAME``."""
        if path == "/" or path == "/index.html":
            return "index.html"
        if path.startswith("/static/") and STATIC_NAME.match(path[len("/static/"):]):
            return path[len("/static/"):]
        return None

    # ------------------------------------------------------------ static files

    def _send_static(self, name: str):
        root = os.path.realpath(self.server.static_dir)
        path = os.path.realpath(os.path.join(root, name))
        # A symlink in static/ that points elsewhere is not ours to serve.
        if os.path.dirname(path) != root or not os.path.isfile(path):
            self._fail(HTTPStatus.NOT_FOUND, "no such file: %s" % name)
            return
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            self._fail(HTTPStatus.NOT_FOUND, "no such file: %s" % name)
            return
        self._send(HTTPStatus.OK, CONTENT_TYPES[name.rsplit(".", 1)[1]], data)

    # ------------------------------------------------------------ /weights

    def _send_weights(self, layer: int):
        picture = self.server.weight_picture(layer)
        if picture is None:
            self._fail(HTTPStatus.NOT_FOUND, "the network has no weight layer %d (it has 0-%d)"
                       % (layer, len(self.server.network.weights) - 1))
            return
        data, etag = picture
        # "no-cache": keep it, but ask each time whether it changed (a new
        # model behind the same URL); the answer is then a bodiless 304.
        cache = {"Cache-Control": "no-cache", "ETag": etag}
        if etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]:
            self._send(HTTPStatus.NOT_MODIFIED, None, b"", cache)
            return
        self._send(HTTPStatus.OK, "image/png", data, cache)

    # ------------------------------------------------------------ /predict

    def _check_content_type(self):
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() not in ACCEPTED_TYPES:
            raise RequestError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                               "the body must be an image sent with Content-Type %s, got %s"
                               % (" or ".join(ACCEPTED_TYPES),
                                  repr(_loggable(content_type[:60])) if content_type else "none"))

    def _read_body(self) -> bytes:
        """The request body, checked against Content-Length and the limits."""
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            if self.headers.get("Transfer-Encoding"):
                raise RequestError(HTTPStatus.LENGTH_REQUIRED,
                                   "chunked uploads are not supported: send a Content-Length")
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required")
        values = {value.strip() for value in lengths}
        if len(values) != 1:
            raise RequestError(HTTPStatus.BAD_REQUEST, "conflicting Content-Length headers")
        text = values.pop()
        if not (text.isascii() and text.isdigit()):
            raise RequestError(HTTPStatus.BAD_REQUEST,
                               "Content-Length must be a whole number of bytes, got %r" % text[:40])
        # Leading zeros change nothing ("0005" is 5); more than 18 digits
        # after them cannot be under the limit, and need no int() at all.
        significant = text.lstrip("0")
        if len(significant) > 18 or int(significant or "0") > self.server.max_body_bytes:
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                               "the body has %s bytes; the limit is %d (MAX_BODY_BYTES)"
                               % (text[:40], self.server.max_body_bytes))
        length = int(text)
        if length == 0:
            raise RequestError(HTTPStatus.BAD_REQUEST, "the body is empty: send a PNG image")
        pieces, received = [], 0
        try:
            while received < length:
                piece = self.rfile.read1(min(65536, length - received))
                if not piece:
                    break
                pieces.append(piece)
                received += len(piece)
        except socket.timeout:
            self._timed_out = True
        except OSError:
            pass
        if received < length:
            # Part of the body is missing: the connection cannot be reused.
            self.close_connection = True
            if self._timed_out:
                raise RequestError(HTTPStatus.REQUEST_TIMEOUT,
                                   "the body stopped arriving after %d of its %d bytes" % (received, length))
            raise RequestError(HTTPStatus.BAD_REQUEST,
                               "the body ended after %d of its %d bytes" % (received, length))
        return b"".join(pieces)

    def _predict(self, body: bytes) -> dict:
        # The header's size chooses the queue; the limits are the decoders'
        # (a TooLargeError, raised from the header before decoding: 413).
        size = image_size(body)
        small = size is not None and size[0] * size[1] <= SMALL_IMAGE_PIXELS
        queue = self.server.small_queue if small else self.server.large_queue
        if not queue.acquire(timeout=self.server.queue_seconds):
            raise RequestError(HTTPStatus.SERVICE_UNAVAILABLE,
                               "the server is busy: %d %s being read; try again in a few seconds"
                               % ((self.server.recognitions, "drawings are") if small else
                                  (self.server.large_recognitions, "large images are")),
                               {"Retry-After": "%d" % max(1, round(self.server.queue_seconds))})
        start = time.perf_counter()
        try:
            answer = recognize(body, self.server.network, name="the uploaded image",
                               max_pixels=self.server.max_image_pixels)
        except TooLargeError as error:
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error)) from None
        except NrnnError as error:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(error)) from None
        finally:
            queue.release()
        result = answer.as_dict(with_input=True)
        result.update(_inside(self.server.network, answer))
        result["milliseconds"] = round((time.perf_counter() - start) * 1000.0, 1)
        return result

    # ------------------------------------------------------------ replies

    def _fail(self, status: HTTPStatus, message: str, allow: Optional[str] = None,
              extra: Optional[dict] = None):
        # The body of a refused request may be unread: never reuse the socket.
        self.close_connection = True
        extra = dict(extra or {})
        if allow:
            extra["Allow"] = allow
        self._send(status, "application/json",
                   json.dumps({"error": message}).encode("ascii"), extra)

    def _send(self, status: HTTPStatus, content_type: Optional[str], data: bytes,
              extra: Optional[dict] = None):
        """Reply; ``extra`` headers may replace the default Cache-Control
        (no-store); a 304 has no content type and no body."""
        self._stop_watchdog()
        self._replied = True
        extra = dict(extra or {})
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", extra.pop("Cache-Control", "no-store"))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(data)

    def send_error(self, code, message=None, explain=None):
        """Errors found by http.server itself (bad request line, too many
        headers...) get the same JSON body as ours."""
        try:
            status = HTTPStatus(code)
            text = message or status.phrase
        except ValueError:
            status, text = code, message or "error"
        self.close_connection = True
        if not getattr(self, "command", None):
            self.command = ""
        # Whatever the request line said, the reply is HTTP/1.0 (see
        # default_request_version): nobody speaks 0.9.
        self.request_version = "HTTP/1.0"
        if self._timed_out:  # a request cut short by the watchdog, not a bad one
            status, text = HTTPStatus.REQUEST_TIMEOUT, "the request did not arrive in time"
        try:
            self._fail(status, text)
        except OSError:
            pass

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        if not self.server.quiet:
            sys.stderr.write("%s %s %s\n" % (time.strftime("%H:%M:%S"), self.address_string(),
                                              _loggable(format % args)))

    def log_request(self, code="-", size="-"):
        if isinstance(code, HTTPStatus):
            code = code.value
        self.log_message('"%s" %s', self.requestline, code)


class DigitServer(ThreadingHTTPServer):
    """The drawing page's server: holds the network and the limits."""

    daemon_threads = True  # Ctrl-C does not wait for stuck clients
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG  # socketserver passes it to listen()

    def __init__(self, address, network: Network, quiet: bool = False, static_dir: str = STATIC_DIR,
                 max_body_bytes: int = MAX_BODY_BYTES, max_image_pixels: int = MAX_IMAGE_PIXELS,
                 socket_timeout: float = SOCKET_TIMEOUT, request_seconds: Optional[float] = None,
                 recognitions: int = RECOGNITIONS, large_recognitions: int = LARGE_RECOGNITIONS,
                 queue_seconds: float = QUEUE_SECONDS, max_connections: int = MAX_CONNECTIONS):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.allowed_hosts = allowed_hosts(address[0])
        self.recognitions = recognitions
        self.small_queue = threading.BoundedSemaphore(recognitions)
        self.large_recognitions = large_recognitions
        self.large_queue = threading.BoundedSemaphore(large_recognitions)
        self.queue_seconds = queue_seconds
        self.connections = threading.BoundedSemaphore(max_connections)
        self.network = network
        self.quiet = quiet
        self.static_dir = static_dir
        self.max_body_bytes = max_body_bytes
        self.max_image_pixels = max_image_pixels
        self.socket_timeout = socket_timeout
        self.request_seconds = request_seconds if request_seconds is not None else 3 * socket_timeout
        self._weight_pictures: dict[int, tuple[bytes, str]] = {}  # layer -> (PNG bytes, ETag), drawn on first request
        self._weight_lock = threading.Lock()
        super().__init__(address, DigitHandler)

    def weight_picture(self, layer: int) -> Optional[tuple[bytes, str]]:
        """(PNG, ETag) of layer ``layer``'s weight pictures, or None if the
        network has no such layer.  Drawn once (a 784-500-10 network's
        first layer takes a fraction of a second), then kept."""
        if not 0 <= layer < len(self.network.weights):
            return None
        with self._weight_lock:
            if layer not in self._weight_pictures:
                pictures = neuron_pictures(self.network, layer)
                data = sheet_png(pictures, "tile", zoom=1, labels=False, gap=0,
                                 columns=min(SPRITE_COLUMNS, len(pictures)))
                etag = '"%s"' % hashlib.sha256(data).hexdigest()[:20]
                self._weight_pictures[layer] = (data, etag)
            return self._weight_pictures[layer]

    def process_request(self, request, client_address):
        """Start a thread for the connection, unless MAX_CONNECTIONS are open."""
        if not self.connections.acquire(blocking=False):
            _refuse_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except RuntimeError:  # "can't start new thread": no thread will release it
            self.connections.release()
            raise
        # Not on any other exception: a Ctrl-C (KeyboardInterrupt) can land
        # here after the thread started, and the thread releases its slot
        # itself.  Releasing it twice raised ValueError, which serve_forever
        # swallows as a request error: the Ctrl-C was lost and the server
        # kept running.

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()

    def handle_error(self, request, client_address):
        """One line, not a traceback: a client that vanished is not news."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, socket.timeout)) or self.quiet:
            return
        sys.stderr.write("%s error: %s: %s\n" % (client_address[0], type(error).__name__,
                                                 _loggable(str(error))))

    def log_failure(self, handler: DigitHandler, error: BaseException) -> None:
        """A request that failed inside the server (answered 500): one line,
        with where it happened, always logged (``--quiet`` or not)."""
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = ("%s line %d" % (os.path.basename(frame.tb_frame.f_code.co_filename), frame.tb_lineno)
                 if frame is not None else "?")
        try:
            sys.stderr.write("%s %s error: %s at %s while answering %r: %s\n" % (
                time.strftime("%H:%M:%S"), handler.address_string(), type(error).__name__, where,
                _loggable(handler.requestline[:200]), _loggable(str(error)[:200])))
        except Exception:  # even the log line failed (MemoryError): nothing more to do
            pass


def _inside(network: Network, answer, places: int = 4) -> dict:
    """What the page's hidden-layer strip needs: every hidden layer's
    activations on the prepared input, and each last-hidden-layer neuron's
    contribution h_j w_kj to the answer k's z (nrnn/inside/explain.py)."""
    hidden = answer.hidden if answer.hidden is not None else layer_values(network, answer.inputs)[1][1:-1]
    # (A network without hidden layers has nothing inside to show.)
    contributions = [h * w for h, w in zip(hidden[-1], network.weights[-1][answer.digit])] if hidden else []
    return {"hidden": [[round(a, places) for a in layer] for layer in hidden],
            "contributions": [round(c, places) for c in contributions]}


_BUSY_BODY = b'{"error": "the server has too many connections open; try again in a few seconds"}'
_BUSY_REPLY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
               b"Retry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
               % (len(_BUSY_BODY), _BUSY_BODY))


def _refuse_busy(request) -> None:
    """Answer 503 without reading the request, never blocking the accept loop."""
    try:
        request.setblocking(False)
        request.send(_BUSY_REPLY)
    except OSError:
        pass


def make_server(network: Network, host: str = "127.0.0.1", port: int = 0, **options) -> DigitServer:
    """A server bound to host:port (0: any free port), not yet serving;
    call ``serve_forever()`` (e.g. in a thread) and ``shutdown()``."""
    return DigitServer((host, port), network, **options)


# ---------------------------------------------------------------- command line


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("port %r is not a whole number" % text) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("port %d is outside 0..65535" % value)
    return value


def _parser(prog: str = "python -m nrnn.serve") -> argparse.ArgumentParser:
    parser = OneLineParser(prog=prog,
                           description="Serve the drawing page: draw a digit, see what the network reads.",
                           epilog="Exit status: 0 stopped with Ctrl-C, 1 the model or the address "
                                  "failed (one 'error:' line), 2 bad command line.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: %(default)s, this machine only)")
    parser.add_argument("--port", type=_port, default=8000, help="port (default: %(default)s; 0: any free port)")
    parser.add_argument("--model", default=DEFAULT_MODEL, metavar="PATH",
                        help="model file (default: the shipped model.json.gz)")
    client_timeout = seconds_option(0.1, 3600)
    parser.add_argument("--client-timeout", type=client_timeout, default=SOCKET_TIMEOUT, metavar="SECONDS",
                        help="how long one read from a client may wait; a whole request gets "
                             "three times that (default: %(default)g)")
    # The old name, kept working but not shown.
    parser.add_argument("--timeout", type=client_timeout, dest="client_timeout", help=argparse.SUPPRESS)
    standard_flags(parser, "do not log requests on stderr")
    return parser


def _listen(host: str, port: int, network: Network, quiet: bool, timeout: float) -> DigitServer:
    try:
        return make_server(network, host, port, quiet=quiet, socket_timeout=timeout)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            why = "the port is already in use (stop the other server or choose another --port)"
        elif error.errno == errno.EACCES:
            why = "permission denied (ports under 1024 need privileges; choose another --port)"
        else:
            why = error.strerror or str(error)
        raise UsageError("cannot listen on %s:%d: %s" % (host, port, why)) from None


def _stop_on_sigterm(signum, frame):
    """SIGTERM (kill, a service manager) stops as cleanly as Ctrl-C."""
    raise KeyboardInterrupt


def main(argv=None, prog: str = "python -m nrnn.serve") -> int:
    options = _parser(prog).parse_args(argv)
    try:
        network = load_recognizer(options.model)
        server = _listen(options.host, options.port, network, options.quiet, options.client_timeout)
    except NrnnError as error:
        print_error(error)
        return EXIT_FAILED
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    host, port = server.server_address[:2]
    assert isinstance(host, str)  # an IP socket's address: (host text, port, ...)
    shown = "[%s]" % host if ":" in host else host
    print("nrnn: %s network from %s" % ("-".join(map(str, network.sizes)), options.model))
    print("nrnn: open http://%s:%d/ in a browser (Ctrl-C to stop)" % (shown, port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nnrnn: stopped", flush=True)
    finally:
        server.server_close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run_main(main))
