"""Tests for nrnn/progress.py, with a fake clock and an in-memory stream."""

import doctest
import io
import unittest

from nrnn import progress
from nrnn.progress import Progress, format_bytes, format_duration


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(progress))
    return tests


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class FormatTest(unittest.TestCase):
    def test_bytes(self):
        self.assertEqual(format_bytes(0), "0 B")
        self.assertEqual(format_bytes(999), "999 B")
        self.assertEqual(format_bytes(28881), "28.9 kB")
        self.assertEqual(format_bytes(1648877), "1.6 MB")
        self.assertEqual(format_bytes(3.5e12), "3500.0 GB")

    def test_duration(self):
        self.assertEqual(format_duration(0), "0:00")
        self.assertEqual(format_duration(59.6), "1:00")
        self.assertEqual(format_duration(3600), "1:00:00")


class ProgressTest(unittest.TestCase):
    def make(self, tty, **options):
        self.clock = FakeClock()
        self.out = io.StringIO()
        return Progress(stream=self.out, tty=tty, clock=self.clock, **options)

    def test_line_rate_percentage_eta(self):
        bar = self.make(False, total=1000, unit="samples", label="epoch 1")
        self.clock.now += 2
        bar.update(250)
        # 250 in 2 s = 125/s; 750 left -> 6 s.
        self.assertEqual(bar.line(), "epoch 1  250 / 1,000 samples   25%  125/s  ETA 0:06")

    def test_bytes_with_resumed_initial_amount(self):
        bar = self.make(False, total=4000000, unit="bytes", label="f.gz", initial=1000000)
        self.clock.now += 2
        bar.update(1000000)
        # The rate counts only this run's 1 MB in 2 s; 2 MB left -> 4 s.
        self.assertEqual(bar.line(), "f.gz  2.0 MB / 4.0 MB   50%  500.0 kB/s  ETA 0:04")

    def test_unknown_total(self):
        bar = self.make(False, unit="bytes")
        self.clock.now += 1
        bar.update(2048)
        self.assertEqual(bar.line(), "2.0 kB  2.0 kB/s")

    def test_log_output_prints_periodic_plain_lines(self):
        bar = self.make(False, total=100)
        for _ in range(100):
            self.clock.now += 0.5
            bar.update()
        bar.close()
        lines = self.out.getvalue().splitlines()
        self.assertNotIn("\r", self.out.getvalue())
        # 50 s of work at one line per LOG_INTERVAL (10 s), plus the final one.
        self.assertEqual(len(lines), 5 + 1)
        self.assertEqual(lines[-1], "100 / 100 items  100%  2/s  in 0:50")

    def test_tty_redraws_in_place_and_pads(self):
        bar = self.make(True, total=10000)
        self.clock.now += 1
        bar.update(9999)
        self.clock.now += 100
        bar.update(1)
        bar.close("done")
        text = self.out.getvalue()
        draws = text.split("\r")[1:]
        self.assertEqual(len(draws), 3)
        self.assertTrue(text.endswith("\n"))
        self.assertEqual(text.count("\n"), 1)
        # Each redraw is at least as wide as the one before, so no stale
        # characters remain visible.
        self.assertGreaterEqual(len(draws[1]), len(draws[0]))
        self.assertIn("done", draws[-1])

    def test_quiet_prints_nothing_and_close_is_idempotent(self):
        bar = self.make(False, total=3, quiet=True)
        with bar:
            self.clock.now += 60
            bar.update(3)
        bar.close()
        self.assertEqual(self.out.getvalue(), "")
        bar = self.make(False, total=3)
        bar.close()
        bar.close()
        self.assertEqual(len(self.out.getvalue().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
