"""nrnn's build backend: wheels and source archives with the standard library only.

``pip install .`` asks the build backend named in pyproject.toml to turn the
source tree into a *wheel*, a zip archive that pip unpacks into
site-packages.  This file is that backend (PEP 517), so installing nrnn
needs nothing from the network: not setuptools, not even the index
(``pip install --no-index .`` works offline).  It is a build tool only;
nrnn never imports it.

A wheel ``nrnn-VERSION-py3-none-any.whl`` (PEP 427) holds:

* the package: every file under ``nrnn/`` but ``__pycache__``;
* the shipped model: ``data/model.json.gz`` becomes
  ``nrnn/models/model.json.gz``, where ``nrnn.net.model_file`` looks first;
* ``nrnn-VERSION.dist-info/``: ``METADATA`` (name, version, summary,
  classifiers, README: the core metadata, from pyproject.toml's
  ``[project]``), ``WHEEL`` (the wheel format's own header),
  ``entry_points.txt`` (the ``nrnn`` command), ``LICENSE`` and ``RECORD``
  (every file's SHA-256 and size, which pip checks).

Entries carry a fixed date, so the same tree builds the same bytes.  The
hooks: ``build_wheel``, ``build_sdist`` (``nrnn-VERSION.tar.gz``: what a
wheel is built from, plus the README's commands) and ``build_editable``
(``pip install -e .``: a wheel whose ``.pth`` file points at this tree).
"""

import ast
import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED_MODEL = ("data/model.json.gz", "nrnn/models/model.json.gz")  # in the tree, in the wheel
# The source archive: what builds a wheel, and what the README's first
# commands need (python predict.py data/handwriting.png).
SDIST_FILES = ("pyproject.toml", "LICENSE", "README.md", "tools/nrnn_build.py", "train.py",
               "predict.py", "data/model.json.gz", "data/handwriting.png")
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


def read_toml_subset(text: str) -> dict:
    """Read the TOML that pyproject.toml uses: ``[tables]``, whole-line
    comments, and ``key = value`` where the value is a string or a list of
    strings (possibly over several lines), which Python's own literal
    syntax reads the same way, or a number, or true / false.  (Python 3.11+ has ``tomllib``; 3.9 and 3.10
    do not.)

    >>> text = '[project]\\nname = "nrnn"\\ntags = [\\n  "a",\\n  "b",\\n]\\n'
    >>> read_toml_subset(text + '[project.scripts]\\nx = "m:f"\\n')
    {'project': {'name': 'nrnn', 'tags': ['a', 'b'], 'scripts': {'x': 'm:f'}}}
    """
    data, table, key, value = {}, {}, None, ""
    for line in text.splitlines():
        if key is None:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):
                table = data
                for part in stripped.strip("[]").split("."):
                    table = table.setdefault(part.strip(), {})
                continue
            key, _, value = stripped.partition("=")
            key = key.strip().strip('"')  # "nrnn/net/*.py" = [...]: a quoted key
        else:
            value += "\n" + line
        try:
            text_value = value.strip()
            if text_value in ("true", "false"):
                table[key] = text_value == "true"
            else:
                table[key] = ast.literal_eval(text_value)
        except SyntaxError:
            continue  # a list that goes on over the next lines
        key, value = None, ""
    return data


def project() -> dict:
    """pyproject.toml's ``[project]`` table, with the version filled in from
    ``nrnn/__init__.py`` (the one place it is written)."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as handle:
        text = handle.read()
    try:
        import tomllib
        table = tomllib.loads(text)["project"]
    except ImportError:
        table = read_toml_subset(text)["project"]
    with open(os.path.join(ROOT, "nrnn", "__init__.py"), encoding="utf-8") as handle:
        table["version"] = re.search(r'^__version__ = "([^"]+)"', handle.read(), re.M).group(1)
    return table


def metadata(info: dict) -> str:
    """The core metadata (``METADATA`` in a wheel, ``PKG-INFO`` in an sdist)."""
    lines = ["Metadata-Version: 2.1", "Name: %s" % info["name"], "Version: %s" % info["version"],
             "Summary: %s" % info["description"], "License: %s" % info["license"],
             "Requires-Python: %s" % info["requires-python"],
             "Keywords: %s" % ",".join(info.get("keywords", []))]
    lines += ["Classifier: %s" % classifier for classifier in info.get("classifiers", [])]
    lines.append("Description-Content-Type: text/markdown")
    with open(os.path.join(ROOT, info["readme"]), encoding="utf-8") as handle:
        readme = handle.read()
    return "\n".join(lines) + "\n\n" + readme


def package_files() -> list:
    """(name in the wheel, path on disk) for every file of the package."""
    files = []
    for directory, folders, names in os.walk(os.path.join(ROOT, "nrnn")):
        folders[:] = sorted(folder for folder in folders if folder != "__pycache__")
        for name in sorted(names):
            path = os.path.join(directory, name)
            files.append((os.path.relpath(path, ROOT).replace(os.sep, "/"), path))
    files.append((SHIPPED_MODEL[1], os.path.join(ROOT, SHIPPED_MODEL[0])))
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _write_wheel(wheel_directory: str, contents: list) -> str:
    """Write ``contents`` [(name, bytes)] and the dist-info files as a wheel;
    return the wheel's file name."""
    info = project()
    tag = "%s-%s" % (info["name"], info["version"])
    dist_info = tag + ".dist-info"
    scripts = "".join("%s = %s\n" % item for item in info.get("scripts", {}).items())
    with open(os.path.join(ROOT, "LICENSE"), "rb") as handle:
        license_text = handle.read()
    contents = contents + [
        (dist_info + "/METADATA", metadata(info).encode("utf-8")),
        (dist_info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: nrnn_build\n"
                               b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
        (dist_info + "/entry_points.txt", ("[console_scripts]\n" + scripts).encode("utf-8")),
        (dist_info + "/LICENSE", license_text),
    ]
    record = "".join(_record_line(name, data) + "\n" for name, data in contents)
    contents.append((dist_info + "/RECORD", (record + dist_info + "/RECORD,,\n").encode("utf-8")))
    filename = tag + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in contents:
            entry = zipfile.ZipInfo(name, FIXED_DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return filename


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None) -> str:
    """PEP 517: build the wheel into ``wheel_directory``; return its file name."""
    return _write_wheel(wheel_directory, [(name, _read(path)) for name, path in package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None) -> str:
    """PEP 660: a wheel that puts this tree on ``sys.path`` instead of copying it."""
    return _write_wheel(wheel_directory, [("nrnn.pth", (ROOT + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None) -> str:
    """PEP 517: build ``nrnn-VERSION.tar.gz`` into ``sdist_directory``; return its name."""
    info = project()
    tag = "%s-%s" % (info["name"], info["version"])
    names = list(SDIST_FILES) + [name for name, _ in package_files() if name != SHIPPED_MODEL[1]]
    filename = tag + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        pkg_info = metadata(info).encode("utf-8")
        for name, data in [("PKG-INFO", pkg_info)] + [(name, _read(os.path.join(ROOT, name))) for name in names]:
            entry = tarfile.TarInfo("%s/%s" % (tag, name))
            entry.size, entry.mode, entry.mtime = len(data), 0o644, 315532800  # 1980-01-01
            archive.addfile(entry, io.BytesIO(data))
    return filename


if __name__ == "__main__":
    import doctest
    doctest.testmod()
