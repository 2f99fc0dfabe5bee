"""Regenerate the README's "Seeing inside the network" gallery.

    python -m docs.make_gallery            # after the shipped models change

Every picture and text in the gallery is made by the project's own
commands, run here one after another exactly as a user would type them
(``python -m nrnn.inside.weights``, ``python -m nrnn.inside.dream``, ``python predict.py
--explain``), into ``docs/``.  The ``--explain`` output is also copied into
README.md between the ``<!-- explain:start -->`` and ``<!-- explain:end -->``
markers, so the README always shows what the command prints today.

``--check`` runs the same commands into a temporary folder on a small
network instead (quick; tests/test_gallery.py uses it): they must all still
run.  ``--only NAME`` regenerates one item.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
README = os.path.join(ROOT, "README.md")
START, END = "<!-- explain:start -->", "<!-- explain:end -->"


def commands(model: str, small_model: str, out: str, steps=None) -> list:
    """(name, argv, stdout file or None) for each item of the gallery."""
    python = sys.executable
    quick = ["--steps", str(steps)] if steps else []
    return [
        ("weights-small", [python, "-m", "nrnn.inside.weights", "--model", small_model,
                           "--png", os.path.join(out, "weights-784-16-16-10.png")], None),
        ("outputs-small", [python, "-m", "nrnn.inside.weights", "--model", small_model, "--layer", "2",
                           "--png", os.path.join(out, "outputs-784-16-16-10.png")], None),
        ("weights", [python, "-m", "nrnn.inside.weights", "--model", model, "--zoom", "1",
                     "--png", os.path.join(out, "weights-784-500-10.png")], None),
        ("dreams", [python, "-m", "nrnn.inside.dream", "all", "--model", model,
                    "--png", os.path.join(out, "dreams.png")] + quick, None),
        ("dreams-smooth", [python, "-m", "nrnn.inside.dream", "all", "--smooth", "--model", model,
                           "--png", os.path.join(out, "dreams-smooth.png")] + quick, None),
        ("dream-from-3", [python, "-m", "nrnn.inside.dream", "8", "--model", model, "--steps", "5",
                          "--start", os.path.join(ROOT, "data", "handwriting.png"),
                          "--png", os.path.join(out, "dream-3-to-8.png")] + quick, None),
        ("backquery", [python, "-m", "nrnn.inside.dream", "all", "--backquery", "--model", model,
                       "--png", os.path.join(out, "backquery.png")], None),
        ("explain", [python, os.path.join(ROOT, "predict.py"), os.path.join(ROOT, "data", "handwriting.png"),
                     "--model", model, "--explain"], os.path.join(out, "explain.txt")),
    ]


def run(items, only=None) -> None:
    for name, argv, stdout_path in items:
        if only and name != only:
            continue
        shown = " ".join(os.path.relpath(a, ROOT) if a.startswith(ROOT + os.sep) else a
                         for a in argv[1:])
        print("python %s" % shown, flush=True)
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit("error: %s failed (%d): %s" % (name, result.returncode, result.stderr.strip()))
        if stdout_path:
            with open(stdout_path, "w", encoding="utf-8") as handle:
                handle.write("$ python predict.py data/handwriting.png --explain\n")
                handle.write(result.stdout.replace(ROOT + os.sep, ""))


def readme_with(explain_text: str, readme_text: str) -> str:
    """README text with the explain block replaced by ``explain_text``."""
    before, found, rest = readme_text.partition(START)
    if not found or END not in rest:
        raise SystemExit("error: README.md has no %s ... %s block" % (START, END))
    after = rest.split(END, 1)[1]
    return "%s%s\n```\n%s```\n%s%s" % (before, START, explain_text, END, after)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.make_gallery", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="run every command on a small network into a temporary folder")
    parser.add_argument("--only", help="regenerate one item (%s)" % ", ".join(
        name for name, _, _ in commands("m", "m", "d")))
    args = parser.parse_args(argv)
    if args.check:
        from nrnn.net.model_file import save_model
        from nrnn.net.network import Network

        folder = tempfile.mkdtemp(prefix="nrnn-gallery-")
        try:
            model = os.path.join(folder, "m.json")
            save_model(Network([784, 6, 5, 10], seed=1), model)
            run(commands(model, model, folder, steps=2))
            produced = sorted(os.listdir(folder))
        finally:
            shutil.rmtree(folder)
        print("all commands ran: %s" % ", ".join(produced))
        return 0
    model = os.path.join(ROOT, "data", "model.json.gz")
    small = os.path.join(ROOT, "data", "model-784-16-16-10.json")
    run(commands(model, small, DOCS), args.only)
    if not args.only or args.only == "explain":
        with open(os.path.join(DOCS, "explain.txt"), encoding="utf-8") as handle:
            explain_text = handle.read()
        with open(README, encoding="utf-8") as handle:
            readme = handle.read()
        with open(README, "w", encoding="utf-8") as handle:
            handle.write(readme_with(explain_text, readme))
        print("updated the --explain block in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
