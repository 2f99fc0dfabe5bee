"""The parsed-model cache: the same network as the JSON, bit for bit, and
never trusted when the model changed or the cache is damaged."""

import json
import os
import shutil
import tempfile
import unittest
import zlib
from unittest import mock

from nrnn.net import model_cache, model_file
from nrnn.net.model_file import load_model, save_model
from nrnn.net.network import Network


def same(a, b):
    return (a.sizes == b.sizes and a.weights == b.weights and a.cost is b.cost
            and a.has_bias == b.has_bias and (not a.has_bias or a.biases == b.biases)
            and a.metadata == b.metadata)


class ModelCacheTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-cache-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        patcher = mock.patch.dict(os.environ, {"NRNN_CACHE_DIR": os.path.join(self.folder, "cache")})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.model = os.path.join(self.folder, "model.json.gz")
        network = Network([784, 7, 10], seed=3)
        network.metadata = {"epochs": 2, "note": "caf\u00e9"}
        save_model(network, self.model)

    def parse_count(self):
        """load_model_cached, counting how often the JSON was parsed."""
        with mock.patch.object(model_file, "model_from_bytes", wraps=model_file.model_from_bytes) as parse:
            network = model_cache.load_model_cached(self.model)
        return network, parse.call_count

    def test_the_second_load_skips_the_json_and_gives_the_same_network(self):
        first, parsed = self.parse_count()
        self.assertEqual(parsed, 1)
        second, parsed = self.parse_count()
        self.assertEqual(parsed, 0)
        self.assertTrue(same(first, load_model(self.model)))
        self.assertTrue(same(second, load_model(self.model)))

    def test_without_biases_and_with_the_quadratic_cost(self):
        save_model(Network([784, 3, 4, 10], bias=False, cost="quadratic", seed=5), self.model)
        self.parse_count()
        second, parsed = self.parse_count()
        self.assertEqual(parsed, 0)
        self.assertTrue(same(second, load_model(self.model)))

    def test_a_changed_model_is_parsed_again(self):
        self.parse_count()
        save_model(Network([784, 5, 10], seed=9), self.model)
        network, parsed = self.parse_count()
        self.assertEqual(parsed, 1)
        self.assertEqual(network.sizes, [784, 5, 10])
        self.assertEqual(os.listdir(os.path.join(self.folder, "cache")), [os.path.basename(
            model_cache.cache_path(self.model))])  # one copy per model path, replaced

    def test_copies_in_the_first_format_are_cleared_away(self):
        # Format 1 named its files after a SHA-256 of the model's path; they
        # go when a copy is written, anything else in the folder stays.
        folder = os.path.join(self.folder, "cache")
        os.makedirs(folder)
        old = os.path.join(folder, "model-%s.bin" % ("0123456789abcdef" * 2))
        others = ["model-notes.bin", "model-1234abcd.bin"]  # not ours; another path's copy
        for path in [old] + [os.path.join(folder, name) for name in others]:
            with open(path, "wb") as handle:
                handle.write(b"nrnn-model-cache 1\n{}\n")
        self.parse_count()
        self.assertEqual(sorted(os.listdir(folder)),
                         sorted([os.path.basename(model_cache.cache_path(self.model))] + others))

    def test_an_edit_that_keeps_the_length_is_noticed(self):
        # One weight's digit changed in place: the same number of bytes,
        # another model (the fingerprint is the length and the CRC-32).
        self.model = os.path.join(self.folder, "model.json")
        save_model(Network([784, 3, 10], seed=4), self.model)
        first, _ = self.parse_count()
        with open(self.model, "rb") as handle:
            text = handle.read()
        old = repr(first.weights[0][0][0]).encode()
        digit = text.index(old) + len(old) - 1  # the last digit of the first weight
        edited = text[:digit] + (b"1" if text[digit:digit + 1] != b"1" else b"2") + text[digit + 1:]
        with open(self.model, "wb") as handle:
            handle.write(edited)
        second, parsed = self.parse_count()
        self.assertEqual(parsed, 1)
        self.assertNotEqual(second.weights[0][0][0], first.weights[0][0][0])
        self.assertTrue(same(second, load_model(self.model)))

    def test_a_damaged_cache_is_ignored(self):
        self.parse_count()
        where = model_cache.cache_path(self.model)
        with open(where, "r+b") as handle:
            handle.seek(-3, os.SEEK_END)
            handle.write(b"\x7f\x7f\x7f")
        network, parsed = self.parse_count()
        self.assertEqual(parsed, 1)
        self.assertTrue(same(network, load_model(self.model)))
        with open(self.model, "rb") as handle:
            raw = handle.read()
        payload = b"\0" * 16
        strange = {"model": "%d:%08x" % (len(raw), zlib.crc32(raw)), "payload_crc32": zlib.crc32(payload),
                   "sizes": "784,7,10", "bias": True, "cost": "cross-entropy", "metadata": {}}
        checked_but_wrong = model_cache.MAGIC + json.dumps(strange).encode() + b"\n" + payload
        for garbage in (b"", model_cache.MAGIC + b"{not json\n", model_cache.MAGIC + b"[]\n", checked_but_wrong):
            with open(where, "wb") as handle:
                handle.write(garbage)
            self.assertTrue(same(self.parse_count()[0], load_model(self.model)))

    def test_an_unwritable_cache_folder_only_means_no_cache(self):
        blocker = os.path.join(self.folder, "a-file")
        open(blocker, "w").close()
        with mock.patch.dict(os.environ, {"NRNN_CACHE_DIR": os.path.join(blocker, "cache")}):
            for _ in range(2):
                network, parsed = self.parse_count()
                self.assertEqual(parsed, 1)
        self.assertTrue(same(network, load_model(self.model)))

    def test_an_empty_setting_switches_the_cache_off(self):
        with mock.patch.dict(os.environ, {"NRNN_CACHE_DIR": ""}):
            self.assertIsNone(model_cache.cache_path(self.model))
            self.assertEqual([self.parse_count()[1] for _ in range(2)], [1, 1])
        self.assertFalse(os.path.exists(os.path.join(self.folder, "cache")))

    def test_the_default_folder_follows_xdg(self):
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": "/somewhere"}):
            del os.environ["NRNN_CACHE_DIR"]
            self.assertEqual(model_cache.cache_folder(), os.path.join("/somewhere", "nrnn", "model-cache"))

    def test_the_shipped_model_comes_back_bit_for_bit(self):
        self.model = model_file.SHIPPED_MODEL
        first, _ = self.parse_count()
        second, parsed = self.parse_count()
        self.assertEqual(parsed, 0)
        self.assertTrue(same(second, first))

    def test_a_bad_model_is_still_one_model_file_error(self):
        with open(self.model, "wb") as handle:
            handle.write(b'{"format": "nrnn-model"')
        with self.assertRaises(model_file.ModelFileError):
            model_cache.load_model_cached(self.model)


if __name__ == "__main__":
    unittest.main()
