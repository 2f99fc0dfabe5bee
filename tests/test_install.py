"""Packaging: the wheel tools/nrnn_build.py builds, and nrnn installed from it.

The first tests build a wheel and a source archive into a temporary folder
and check what a installer checks (every file's SHA-256 and size in RECORD,
the metadata, the ``nrnn`` command) and what nrnn needs (the shipped model
travels with the package).  The last one does what a user does: ``pip
install --no-index`` this clone into a fresh virtual environment, offline,
then runs the installed commands from another folder.  It is skipped, with
a message, where the interpreter cannot make a virtual environment with pip
(``venv`` or ``ensurepip`` missing, as on some PyPy builds).
"""

import base64
import hashlib
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

import nrnn
from tests.support import ROOT, request
from tests.synthetic_digits import write_data_dir


def _load_backend():
    """tools/nrnn_build.py, the build backend (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("nrnn_build", os.path.join(ROOT, "tools", "nrnn_build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nrnn_build = _load_backend()

HANDWRITING = os.path.join(ROOT, "data", "handwriting.png")
DIST_INFO = "nrnn-%s.dist-info/" % nrnn.__version__


class BuildTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.wheel = os.path.join(cls.folder.name, nrnn_build.build_wheel(cls.folder.name))
        cls.sdist = os.path.join(cls.folder.name, nrnn_build.build_sdist(cls.folder.name))

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def test_wheel_name_and_version_come_from_nrnn(self):
        self.assertEqual(os.path.basename(self.wheel), "nrnn-%s-py3-none-any.whl" % nrnn.__version__)
        with zipfile.ZipFile(self.wheel) as wheel:
            meta = wheel.read(DIST_INFO + "METADATA").decode("utf-8")
            entry_points = wheel.read(DIST_INFO + "entry_points.txt").decode("utf-8")
        self.assertIn("\nVersion: %s\n" % nrnn.__version__, meta)
        self.assertIn("\nRequires-Python: >=3.9\n", meta)
        self.assertIn("\nLicense: MIT\n", meta)
        self.assertIn("[console_scripts]\nnrnn = nrnn.__main__:console_main\n", entry_points)

    def test_record_lists_every_file_with_its_hash(self):
        with zipfile.ZipFile(self.wheel) as wheel:
            names = set(wheel.namelist())
            record = wheel.read(DIST_INFO + "RECORD").decode("utf-8").splitlines()
            listed = set()
            for line in record:
                name, digest, size = line.rsplit(",", 2)
                listed.add(name)
                if name == DIST_INFO + "RECORD":
                    self.assertEqual((digest, size), ("", ""))
                    continue
                data = wheel.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                self.assertEqual(digest, "sha256=" + expected, name)
                self.assertEqual(int(size), len(data), name)
        self.assertEqual(listed, names)

    def test_wheel_holds_the_package_and_the_shipped_model(self):
        with zipfile.ZipFile(self.wheel) as wheel:
            names = wheel.namelist()
            model = wheel.read("nrnn/models/model.json.gz")
        for module in ("nrnn/__init__.py", "nrnn/__main__.py", "nrnn/predict.py", "nrnn/net/network.py",
                       "nrnn/static/index.html", "nrnn/static/strokes.json"):
            self.assertIn(module, names)
        self.assertFalse([name for name in names if "__pycache__" in name or name.endswith(".pyc")])
        with open(os.path.join(ROOT, "data", "model.json.gz"), "rb") as handle:
            self.assertEqual(model, handle.read())

    def test_the_same_tree_builds_the_same_wheel(self):
        with tempfile.TemporaryDirectory() as other:
            again = os.path.join(other, nrnn_build.build_wheel(other))
            with open(self.wheel, "rb") as first, open(again, "rb") as second:
                self.assertEqual(first.read(), second.read())

    def test_sdist_holds_what_builds_the_wheel(self):
        with tarfile.open(self.sdist) as archive:
            names = archive.getnames()
        top = "nrnn-%s/" % nrnn.__version__
        for name in ("PKG-INFO", "pyproject.toml", "LICENSE", "README.md", "tools/nrnn_build.py",
                     "nrnn/__init__.py", "data/model.json.gz", "predict.py", "train.py"):
            self.assertIn(top + name, names)

    def test_toml_subset_reads_pyproject_as_tomllib_does(self):
        with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as handle:
            text = handle.read()
        mine = nrnn_build.read_toml_subset(text)
        self.assertEqual(mine["project"]["scripts"], {"nrnn": "nrnn.__main__:console_main"})
        self.assertEqual(mine["build-system"]["backend-path"], ["tools"])
        try:
            import tomllib
        except ImportError:
            self.skipTest("tomllib needs Python 3.11+; the subset reader was checked alone")
        self.assertEqual(mine, tomllib.loads(text))


def _venv_with_pip() -> str:
    """Why a virtual environment with pip cannot be made here, or ''."""
    for module in ("venv", "ensurepip"):
        if importlib.util.find_spec(module) is None:
            return "this interpreter has no %s module" % module
    return ""


@unittest.skipIf(_venv_with_pip(), "cannot test the installed commands: %s" % _venv_with_pip())
class InstalledCommandsTest(unittest.TestCase):
    """pip install --no-index <clone> into a fresh venv, then run the commands from elsewhere."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.venv = os.path.join(cls.folder.name, "venv")
        cls.elsewhere = os.path.join(cls.folder.name, "elsewhere")
        os.mkdir(cls.elsewhere)
        # No PYTHONPATH (the clone must not leak in), no index, a cache of our own.
        cls.env = {name: value for name, value in os.environ.items()
                   if name not in ("PYTHONPATH", "NRNN_DATA_DIR", "PYTHONHOME")}
        cls.env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1",
                       XDG_CACHE_HOME=os.path.join(cls.folder.name, "cache"))
        made = subprocess.run([sys.executable, "-m", "venv", cls.venv], capture_output=True, text=True,
                              env=cls.env)
        if made.returncode != 0:
            cls.folder.cleanup()
            raise unittest.SkipTest("cannot make a virtual environment: %s" % made.stderr.strip()[-300:])
        bin_dir = os.path.join(cls.venv, "Scripts" if os.name == "nt" else "bin")
        cls.python = os.path.join(bin_dir, "python")
        cls.nrnn = os.path.join(bin_dir, "nrnn")
        installed = subprocess.run([cls.python, "-m", "pip", "install", "--no-index", "--quiet", ROOT],
                                   capture_output=True, text=True, env=cls.env, cwd=cls.elsewhere)
        if installed.returncode != 0:
            cls.folder.cleanup()
            raise AssertionError("pip install --no-index failed:\n%s%s" % (installed.stdout, installed.stderr))

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def run_installed(self, *argv):
        return subprocess.run(list(argv), capture_output=True, text=True, env=self.env, cwd=self.elsewhere)

    def test_imports_the_installed_copy_not_the_clone(self):
        result = self.run_installed(self.python, "-c", "import nrnn; print(nrnn.__file__)")
        self.assertTrue(result.stdout.startswith(self.venv), result.stdout + result.stderr)

    def test_version(self):
        for command in ([self.nrnn, "--version"], [self.python, "-m", "nrnn", "--version"],
                        [self.nrnn, "predict", "--version"], [self.nrnn, "serve", "--version"]):
            result = self.run_installed(*command)
            self.assertEqual((result.returncode, result.stdout), (0, "nrnn %s\n" % nrnn.__version__), command)

    def test_help_lists_the_commands(self):
        result = self.run_installed(self.python, "-m", "nrnn", "--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        for command in ("predict", "train", "serve", "data"):
            self.assertIn("\n  %s " % command, result.stdout)

    def test_predict_with_the_model_that_travelled_with_the_package(self):
        result = self.run_installed(self.nrnn, "predict", HANDWRITING)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith(HANDWRITING + ": 3 ("), result.stdout)

    def test_data_folder_is_the_user_cache(self):
        script = "from nrnn.data import default_data_dir; print(default_data_dir())"
        result = self.run_installed(self.python, "-c", script)
        self.assertEqual(result.stdout.strip(), os.path.join(self.env["XDG_CACHE_HOME"], "nrnn"))

    def test_train_dry_run(self):
        data = os.path.join(self.folder.name, "synthetic")
        write_data_dir(data, train=50, test=20)
        result = self.run_installed(self.nrnn, "train", "--dry-run", "--layers", "784,4,10",
                                    "--data-dir", data, "-q")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("dry run: 10 samples trained, 20 tested", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.elsewhere, "models")))

    def test_serve_on_any_free_port(self):
        server = subprocess.Popen([self.nrnn, "serve", "--port", "0", "-q"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=self.env, cwd=self.elsewhere)
        try:
            lines = [server.stdout.readline(), server.stdout.readline()]
            self.assertIn("open http://127.0.0.1:", lines[1], "".join(lines))
            port = int(lines[1].split("127.0.0.1:")[1].split("/")[0])
            with open(HANDWRITING, "rb") as handle:
                status, _, body = request(port, "POST", "/predict", handle.read(),
                                          {"Content-Type": "image/png"})
            self.assertEqual(status, 200)
            self.assertIn(b'"digit": 3', body)
        finally:
            server.terminate()
            server.wait()
            server.stdout.close()
            server.stderr.close()


if __name__ == "__main__":
    unittest.main()
