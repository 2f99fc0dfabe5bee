import gzip
import json
import os
import sys
import tempfile
import unittest
from unittest import mock

try:
    import tracemalloc
except ImportError:  # PyPy
    tracemalloc = None

from nrnn.errors import ModelFileError, NrnnError
from nrnn.net.model_file import MAX_JSON_BYTES, MAX_PARAMETERS, JsonBudget, load_model, model_from_json, save_model
from nrnn.net.network import Network


class ModelFileTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.path = os.path.join(self.directory.name, "model.json")

    def saved_document(self, **network_options):
        network = Network([4, 3, 2], seed=1, **network_options)
        save_model(network, self.path)
        with open(self.path) as handle:
            return json.load(handle)

    def assert_rejected(self, document, *fragments):
        text = document if isinstance(document, str) else json.dumps(document)
        with open(self.path, "w") as handle:
            handle.write(text)
        with self.assertRaises(ModelFileError) as caught:
            load_model(self.path)
        message = str(caught.exception)
        self.assertIn(self.path, message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertNotIn("\n", message)

    def test_round_trip_is_exact(self):
        for bias in (True, False):
            network = Network([6, 5, 3], bias=bias, cost="quadratic", seed=3)
            for _ in range(20):  # trained floats, not just initial ones
                network.train_sample([0.0, 0.3, 0.1, 0.0, 1.0, 0.7], 2, 0.9)
            network.metadata = {"seed": 3, "epochs": 1, "test_accuracy": 0.5}
            save_model(network, self.path)
            loaded = load_model(self.path)
            self.assertEqual(loaded.weights, network.weights)
            self.assertEqual(loaded.biases, network.biases)
            self.assertEqual(loaded.sizes, network.sizes)
            self.assertEqual(loaded.cost.name, "quadratic")
            self.assertEqual(loaded.metadata, network.metadata)
            x = [0.2, 0.0, 0.4, 0.9, 0.0, 0.1]
            self.assertEqual(loaded.feedforward(x), network.feedforward(x))

    def test_gzip_round_trip_is_exact_and_deterministic(self):
        network = Network([6, 5, 3], seed=3)
        network.metadata = {"seed": 3}
        path = self.path + ".gz"
        save_model(network, path)
        with open(path, "rb") as handle:
            first = handle.read()
        self.assertEqual(first[:2], b"\x1f\x8b")
        loaded = load_model(path)
        self.assertEqual(loaded.weights, network.weights)
        self.assertEqual(loaded.metadata, {"seed": 3})
        save_model(network, path)
        with open(path, "rb") as handle:
            self.assertEqual(handle.read(), first)  # no timestamp inside

    def test_saving_the_shipped_model_gives_back_its_file(self):
        # Golden bytes: the same network gives the same file on every
        # interpreter (no date, no file name in the gzip header).
        from nrnn.net.model_file import SHIPPED_MODEL
        path = self.path + ".gz"
        save_model(load_model(SHIPPED_MODEL), path)
        with open(path, "rb") as saved, open(SHIPPED_MODEL, "rb") as shipped:
            self.assertEqual(saved.read(), shipped.read())

    @unittest.skipIf(tracemalloc is None or hasattr(sys, "pypy_version_info"), "needs tracemalloc (CPython)")
    def test_saving_holds_a_row_at_a_time_not_the_whole_text(self):
        network = Network([784, 100, 10], seed=1)
        for path in (self.path, self.path + ".gz"):
            tracemalloc.start()
            try:
                save_model(network, path)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            # The text is ~1.6 MB, one row of it ~16 kB, and zlib's own
            # state at level 9 about 300 kB.
            self.assertGreater(os.path.getsize(self.path), 1_000_000)
            self.assertLess(peak, 600_000, path)

    def test_damaged_and_bomb_gzip_models_are_refused(self):
        import gzip
        network = Network([6, 5, 3], seed=3)
        path = self.path + ".gz"
        save_model(network, path)
        with open(path, "rb") as handle:
            data = handle.read()
        cases = {
            "truncated": data[: len(data) // 2],
            "damaged gzip": data[:10] + bytes(b ^ 0xFF for b in data[10:40]) + data[40:],
        }
        for name, broken in cases.items():
            with self.subTest(name):
                with open(path, "wb") as handle:
                    handle.write(broken)
                with self.assertRaises(ModelFileError) as caught:
                    load_model(path)
                self.assertIn(path, str(caught.exception))
        with mock.patch("nrnn.net.model_file.MAX_FILE_BYTES", 10000):
            with open(path, "wb") as handle:
                handle.write(gzip.compress(b" " * 100000))
            with self.assertRaises(ModelFileError) as caught:
                load_model(path)
            self.assertIn("inflates to more than", str(caught.exception))

    def test_file_is_plain_json_with_a_format_name_and_version(self):
        document = self.saved_document()
        self.assertEqual(document["format"], "nrnn-model")
        self.assertEqual(document["version"], 1)
        self.assertEqual(document["sizes"], [4, 3, 2])
        self.assertEqual(document["activation"], "sigmoid")

    def test_malformed_files_name_the_problem(self):
        good = self.saved_document()
        self.assert_rejected(json.dumps(good)[:-40], "not valid JSON")
        self.assert_rejected("[1, 2]", "JSON object")
        self.assert_rejected(dict(good, format="keras"), "format")
        self.assert_rejected(dict(good, version=99), "version", "99")
        broken = dict(good)
        del broken["weights"]
        self.assert_rejected(broken, "missing field 'weights'")
        self.assert_rejected(dict(good, sizes=[4, 3]), "weights")
        self.assert_rejected(dict(good, sizes=[4, "3", 2]), "sizes")
        self.assert_rejected(dict(good, cost="hinge"), "cost", "hinge")
        self.assert_rejected(dict(good, activation="relu"), "activation")
        self.assert_rejected(dict(good, surprise=1), "unknown field 'surprise'")

        short_row = json.loads(json.dumps(good))
        short_row["weights"][1][0].pop()
        self.assert_rejected(short_row, "weights[1][0]", "2 entries, expected 3")
        extra_layer = json.loads(json.dumps(good))
        extra_layer["weights"].append([[0.0, 0.0]])
        self.assert_rejected(extra_layer, "'weights'", "3 entries, expected 2")
        not_number = json.loads(json.dumps(good))
        not_number["weights"][0][2][1] = "0.5"
        self.assert_rejected(not_number, "weights[0][2][1]", "number")
        boolean = json.loads(json.dumps(good))
        boolean["biases"][0][0] = True
        self.assert_rejected(boolean, "biases[0][0]")
        text = json.dumps(good).replace(str(good["weights"][0][1][3]), "NaN", 1)
        self.assert_rejected(text, "weights[0][1][3]", "finite")
        no_biases = dict(good)
        del no_biases["biases"]
        self.assert_rejected(no_biases, "missing field 'biases'")

    def test_the_quick_row_check_lets_nothing_through(self):
        # model_file._vector accepts a row at once when it holds floats only
        # and their sum is finite; everything else is checked number by number.
        good = self.saved_document()
        for bad, fragment in (("Infinity", "finite"), ("-Infinity", "finite"), ("NaN", "finite"),
                              ("1" + "0" * 400, "finite"), ("null", "number"), ("[]", "number")):
            for field, key, path in (("weights[1][0][2]", "weights", (1, 0, 2)),
                                     ("biases[0][1]", "biases", (0, 1))):
                document = json.loads(json.dumps(good))
                row = document[key]
                for index in path[:-1]:
                    row = row[index]
                row[path[-1]] = "BAD"
                self.assert_rejected(json.dumps(document).replace('"BAD"', bad), field, fragment)
        # Infinity and -Infinity together sum to NaN; two huge finite floats
        # sum to infinity yet are fine weights.
        both = json.dumps(good).replace(str(good["weights"][0][0][0]), "Infinity", 1)
        both = both.replace(str(good["weights"][0][0][1]), "-Infinity", 1)
        self.assert_rejected(both, "weights[0][0][0]", "finite")
        huge = json.loads(json.dumps(good))
        huge["weights"][0][0][:2] = [1.5e308, 1.5e308]
        huge["biases"][1] = [3, -2]  # integers are numbers too, read as floats
        with open(self.path, "w") as handle:
            json.dump(huge, handle)
        loaded = load_model(self.path)
        self.assertEqual(loaded.weights[0][0][:2], [1.5e308, 1.5e308])
        self.assertEqual(loaded.biases[1], [3.0, -2.0])
        self.assertIs(type(loaded.biases[1][0]), float)

    def test_bias_list_in_a_bias_free_model_is_rejected(self):
        document = self.saved_document(bias=False)
        self.assertNotIn("biases", document)
        document["biases"] = [[0.0] * 3, [0.0] * 2]
        self.assert_rejected(document, "'biases' is present", "bias: false")

    def test_missing_and_binary_files(self):
        with self.assertRaises(ModelFileError) as caught:
            load_model(os.path.join(self.directory.name, "nope.json"))
        self.assertIn("nope.json", str(caught.exception))
        with open(self.path, "wb") as handle:
            handle.write(b"\x89PNG\r\n\x1a\n\xff\xfe")
        with self.assertRaises(ModelFileError):
            load_model(self.path)
        self.assertTrue(issubclass(ModelFileError, NrnnError))

    def test_huge_declared_network_is_refused_before_reading_weights(self):
        document = {"format": "nrnn-model", "version": 1, "sizes": [100000, 100000, 10],
                    "activation": "sigmoid", "cost": "quadratic", "bias": False, "weights": []}
        with self.assertRaises(ModelFileError) as caught:
            model_from_json(json.dumps(document), "big.json")
        self.assertIn("more than the limit", str(caught.exception))

    def test_interrupted_save_leaves_previous_file_intact(self):
        first = Network([4, 3, 2], seed=1)
        save_model(first, self.path)
        with open(self.path, "rb") as handle:
            before = handle.read()
        second = Network([4, 3, 2], seed=2)
        with mock.patch("os.replace", side_effect=KeyboardInterrupt):
            with self.assertRaises(KeyboardInterrupt):
                save_model(second, self.path)
        with open(self.path, "rb") as handle:
            self.assertEqual(handle.read(), before)
        self.assertEqual(os.listdir(self.directory.name), ["model.json"])  # no temp file left
        with mock.patch("os.fsync", side_effect=OSError(28, "No space left on device")):
            with self.assertRaises(ModelFileError) as caught:
                save_model(second, self.path)
        self.assertIn("No space left", str(caught.exception))
        self.assertEqual(load_model(self.path).weights, first.weights)

    def test_diverged_network_is_not_saved(self):
        network = Network([2, 2], seed=1)
        network.weights[0][0][0] = float("nan")
        with self.assertRaises(ModelFileError) as caught:
            save_model(network, self.path)
        self.assertIn("NaN", str(caught.exception))
        self.assertFalse(os.path.exists(self.path))


class GzipMembersTest(unittest.TestCase):
    """A .json.gz is read as ``gzip -dc`` reads it: every member, nothing after."""

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.network = Network([5, 4, 3], seed=7)
        plain = os.path.join(self.directory.name, "plain.json")
        save_model(self.network, plain)
        with open(plain, "rb") as handle:
            self.text = handle.read()
        self.path = os.path.join(self.directory.name, "model.json.gz")

    def load(self, data):
        with open(self.path, "wb") as handle:
            handle.write(data)
        return load_model(self.path)

    def test_a_model_in_several_members_loads_whole(self):
        # What `cat a.gz b.gz > model.json.gz` or a streaming writer makes.
        cut = len(self.text) // 3
        data = b"".join(gzip.compress(piece, mtime=0) for piece in
                        (self.text[:cut], self.text[cut:2 * cut], b"", self.text[2 * cut:]))
        self.assertEqual(self.load(data).weights, self.network.weights)

    def test_garbage_after_a_valid_member_is_refused(self):
        for trailer in (b"garbage", b"\0" * 16, b"\x1f"):
            with self.subTest(trailer=trailer):
                with self.assertRaises(ModelFileError) as caught:
                    self.load(gzip.compress(self.text, mtime=0) + trailer)
                self.assertIn("after the end of the gzip data", str(caught.exception))
                self.assertIn(self.path, str(caught.exception))

    def test_a_truncated_second_member_is_refused(self):
        second = gzip.compress(self.text[100:], mtime=0)
        with self.assertRaises(ModelFileError) as caught:
            self.load(gzip.compress(self.text[:100], mtime=0) + second[:len(second) // 2])
        self.assertIn("truncated", str(caught.exception))

    def test_a_member_inflating_in_many_chunks(self):
        # Larger than one inflate chunk: the budget is counted piece by piece.
        with mock.patch("nrnn.net.model_file._INFLATE_CHUNK", 64):
            self.assertEqual(self.load(gzip.compress(self.text, mtime=0)).weights, self.network.weights)


@unittest.skipIf(tracemalloc is None or hasattr(sys, "pypy_version_info"), "needs tracemalloc (CPython)")
class JsonBudgetTest(unittest.TestCase):
    """The budget's estimate bounds what json.loads really allocates, for
    every kind of JSON value (measured here with tracemalloc)."""

    SHAPES = {
        "floats (a model's weights)": lambda n: json.dumps([[0.1234567890123 * i for i in range(100)]
                                                            for _ in range(n // 100)]),
        "small integers": lambda n: json.dumps([0] * n),
        "large integers": lambda n: json.dumps([10 ** 15 + i for i in range(n)]),
        "empty lists": lambda n: "[" + ",".join(["[]"] * n) + "]",
        "empty objects": lambda n: "[" + ",".join(["{}"] * n) + "]",
        "one-key objects": lambda n: "[" + ",".join(['{"a":1}'] * n) + "]",
        "one object, distinct keys": lambda n: json.dumps({"k%d" % i: i for i in range(n)}),
        "short strings": lambda n: json.dumps(["ab%d" % (i % 10) for i in range(n)]),
        "one long string": lambda n: json.dumps("x" * (20 * n)),
        "non-ASCII string": lambda n: json.dumps("\u20ac" * (5 * n), ensure_ascii=False),
        "true/false/null": lambda n: json.dumps([True, False, None] * (n // 3)),
    }

    def test_the_estimate_bounds_the_real_peak(self):
        for name, make in self.SHAPES.items():
            with self.subTest(shape=name):
                raw = make(100000).encode("utf-8")
                budget = JsonBudget("x", limit=1 << 40)
                budget.add(raw)
                tracemalloc.start()
                try:
                    document = json.loads(raw.decode("utf-8"))
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                del document
                # The raw bytes (held by the caller) are not in the peak.
                self.assertLessEqual(peak + len(raw), budget.estimate, name)

    def test_a_real_model_costs_about_a_hundred_bytes_a_weight(self):
        network = Network([784, 30, 10], seed=1)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "m.json")
            save_model(network, path)
            with open(path, "rb") as handle:
                budget = JsonBudget(path)
                budget.add(handle.read())
        per_weight = budget.estimate / network.parameter_count()
        self.assertLess(per_weight, 120)
        # So the largest network allowed fits the budget.
        self.assertLess(MAX_PARAMETERS * per_weight, MAX_JSON_BYTES)

    def test_over_the_budget_is_refused_before_parsing(self):
        with mock.patch("nrnn.net.model_file.MAX_JSON_BYTES", 10000):
            with mock.patch("json.loads", side_effect=AssertionError("parsed")):
                with self.assertRaises(ModelFileError) as caught:
                    model_from_json("[" + "[]," * 1000 + "[]]", "m.json")
        self.assertIn("m.json: too big to load", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
