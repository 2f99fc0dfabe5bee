import os
import stat
import tempfile
import unittest
from unittest import mock

from nrnn.atomic import atomic_write, write_bytes_atomic, write_text_atomic


class AtomicWriteTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = directory.name
        self.path = os.path.join(self.directory, "file.txt")

    def test_writes_and_replaces(self):
        write_text_atomic(self.path, "first")
        write_bytes_atomic(self.path, b"second")
        with open(self.path, "rb") as handle:
            self.assertEqual(handle.read(), b"second")
        self.assertEqual(os.listdir(self.directory), ["file.txt"])

    def test_failure_midway_keeps_the_old_file_and_leaves_no_temp_file(self):
        write_text_atomic(self.path, "good")
        with self.assertRaises(RuntimeError):
            with atomic_write(self.path) as handle:
                handle.write("half")
                raise RuntimeError("disk pulled out")
        with mock.patch("os.fsync", side_effect=OSError(28, "No space left on device")):
            with self.assertRaises(OSError):
                write_text_atomic(self.path, "never")
        with open(self.path) as handle:
            self.assertEqual(handle.read(), "good")
        self.assertEqual(os.listdir(self.directory), ["file.txt"])

    @unittest.skipUnless(hasattr(os, "fchmod"), "POSIX permissions only")
    def test_new_files_get_ordinary_permissions_not_owner_only(self):
        write_text_atomic(self.path, "x")
        mode = stat.S_IMODE(os.stat(self.path).st_mode)
        umask = os.umask(0)
        os.umask(umask)
        self.assertEqual(mode, 0o666 & ~umask)


if __name__ == "__main__":
    unittest.main()
