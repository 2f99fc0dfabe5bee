"""The server's view of the inside of the network: the hidden activations
and contributions in ``POST /predict``'s answer, and ``GET /weights/L.png``
(the weight pictures, cacheable by ETag).  A server in a thread on
127.0.0.1, as in test_serve.py."""

import json
import math
import unittest

from nrnn.image.png import decode
from nrnn.inside.weights import neuron_pictures, weight_colour
from nrnn.net.network import Network
from nrnn.recognition import recognize
from tests.drawn_digits import demo_png
from tests.support import request
from tests.support import serve_in_thread as _serve_in_thread


class Inside(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Two hidden layers of sizes the page treats differently: 40 (> 32
        # tiles a row in the sprite) and 6.
        cls.network = Network([784, 40, 6, 10], seed=12)

    def setUp(self):
        self.port = _serve_in_thread(self, self.network)

    def test_predict_answers_the_hidden_activations_and_contributions(self):
        data = demo_png(5)
        status, _, body = request(self.port, "POST", "/predict", data, {"Content-Type": "image/png"})
        self.assertEqual(status, 200, body)
        answer = json.loads(body)
        direct = recognize(data, self.network)
        self.assertEqual([len(layer) for layer in answer["hidden"]], [40, 6])
        for got_layer, want_layer in zip(answer["hidden"], direct.hidden):
            for got, want in zip(got_layer, want_layer):
                self.assertAlmostEqual(got, want, places=4)
        # Contributions: the last hidden layer's h_j w_kj for the answer k;
        # with k's bias they add up to z_k = logit(first look's output k).
        k = answer["digit"]
        self.assertEqual(len(answer["contributions"]), 6)
        for j, contribution in enumerate(answer["contributions"]):
            self.assertAlmostEqual(contribution, direct.hidden[-1][j] * self.network.weights[-1][k][j], places=4)
        first = direct.looks[0][k]
        z = math.log(first / (1.0 - first))
        self.assertAlmostEqual(sum(answer["contributions"]) + self.network.biases[-1][k], z, places=3)

    def test_weight_pictures_are_one_cacheable_png(self):
        status, headers, body = request(self.port, "GET", "/weights/0.png")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "image/png")
        self.assertEqual(headers["Cache-Control"], "no-cache")
        etag = headers["ETag"]
        self.assertRegex(etag, r'^"[0-9a-f]{20}"$')
        image = decode(body)
        # 40 tiles, 32 a row: tile j at (28 (j % 32), 28 (j // 32)).
        self.assertEqual((image.width, image.height), (32 * 28, 2 * 28))
        pictures = neuron_pictures(self.network, 0)
        for j, (x, y) in ((0, (0, 0)), (33, (12, 20)), (39, (27, 27))):
            scale = max(abs(w) for w in pictures[j])
            left, top = 28 * (j % 32), 28 * (j // 32)
            offset = 4 * ((top + y) * image.width + left + x)
            self.assertEqual(tuple(image.rgba[offset:offset + 3]),
                             weight_colour(pictures[j][28 * y + x], scale), (j, x, y))
        # Asked again with its ETag: 304, no body; a stale ETag gets the picture.
        status, headers, body = request(self.port, "GET", "/weights/0.png", headers={"If-None-Match": etag})
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(headers["ETag"], etag)
        status, _, body = request(self.port, "GET", "/weights/0.png", headers={"If-None-Match": '"stale"'})
        self.assertEqual(status, 200)
        self.assertEqual(request(self.port, "HEAD", "/weights/0.png")[2], b"")

    def test_deeper_layers_and_wrong_requests(self):
        status, _, body = request(self.port, "GET", "/weights/2.png")  # the output layer
        self.assertEqual(status, 200)
        self.assertEqual((decode(body).width, decode(body).height), (10 * 28, 28))
        for path, expected in (("/weights/3.png", 404), ("/weights/-1.png", 404), ("/weights/0.jpg", 404),
                               ("/weights/999.png", 404), ("/weights/0.png/..", 404)):
            with self.subTest(path=path):
                status, headers, body = request(self.port, "GET", path)
                self.assertEqual(status, expected)
                self.assertEqual(headers["Cache-Control"], "no-store")
                self.assertIn("error", json.loads(body))
        status, _, body = request(self.port, "POST", "/weights/0.png", b"x", {"Content-Type": "image/png"})
        self.assertEqual(status, 405)
        self.assertIn("no weight layer 3 (it has 0-2)",
                      json.loads(request(self.port, "GET", "/weights/3.png")[2])["error"])


if __name__ == "__main__":
    unittest.main()
