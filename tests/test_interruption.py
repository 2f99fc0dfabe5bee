"""Interrupted training never loses the model: SIGKILL, SIGINT, a full disk.

``train.py`` runs as a subprocess on a tiny generated MNIST (a few dozen CSV
lines) with a tiny network (784-8-10), so an epoch and its checkpoint take
milliseconds and a run is over in about a second.

The child is started through a small driver that wraps
``nrnn.train.session.save_model`` to print ``saved EPOCH SAMPLES`` on stdout after
each save has returned (the file is then complete and replaced).  So after
the child dies the test knows the last checkpoint that certainly completed,
and checks that the file on disk is that one (or the next, when the kill
landed between the rename and the print), bit for bit against the
checkpoints of an uninterrupted reference run made in this process.

    SIGKILL at seeded random moments   the file loads and equals the last
                                       completed checkpoint; never lost
    SIGINT                             exit 130, one message, no traceback;
                                       --resume then ends bit-identical to
                                       an uninterrupted run
    full disk (a write over            exit 1, one "error:" line, the
    RLIMIT_FSIZE fails; fsync          previous model intact, no temporary
    fails with ENOSPC)                 file left

NRNN_KILL_TRIALS sets the number of SIGKILL trials (default 6; the campaign
in the README used 200).
"""

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from nrnn.mnist.mnist_csv import write_samples
from nrnn.net.model_file import load_model
from nrnn.net.prng import PCG32
from tests.support import ROOT

try:
    import resource
except ImportError:  # not on Windows
    resource = None

TRAIN = os.path.join(ROOT, "train.py")
HAVE_TRAINING = os.path.exists(TRAIN)
KILL_TRIALS = int(os.environ.get("NRNN_KILL_TRIALS", "6"))
LAYERS = "784,8,10"

DRIVER = r'''
import os, sys
sys.argv[0] = %(train)r
import nrnn.train.session as session
_save = session.save_model
def save_model(network, path, **options):
    _save(network, path, **options)
    state = network.metadata["training"]["state"]
    os.write(1, ("saved %%d %%d\n" %% (state["epoch"], state["samples_done"])).encode())
session.save_model = save_model
fail_at = int(os.environ.get("NRNN_TEST_FSYNC_FAILS_AT", "0"))
targets = [t for t in os.environ.get("NRNN_TEST_FSYNC_FILES", "").split(",") if t]
if fail_at:
    # Simulate a disk that fills up: the fail_at-th fsync of one of the
    # target files (and every one after it) reports ENOSPC, as a full disk
    # does when the data is flushed.  Files are told apart by the name of
    # the temporary file atomic_write flushes: "." + final name + ".*.tmp".
    import errno
    _fsync = os.fsync
    calls = [0]
    def is_target(fd):
        try:
            name = os.path.basename(os.readlink("/proc/self/fd/%%d" %% fd))
        except OSError:
            return True
        return not targets or any(name.startswith("." + t + ".") for t in targets)
    def fsync(fd):
        if is_target(fd):
            calls[0] += 1
            if calls[0] >= fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _fsync(fd)
    os.fsync = fsync
import train
sys.exit(train.main())
'''


def make_data(folder, train_count, test_count, seed=5):
    """Tiny MNIST-like CSVs in ``folder`` (random sparse pixels)."""
    rng = PCG32(seed)

    def samples(count):
        made = []
        for _ in range(count):
            label = rng.below(10)  # drawn before the pixels: the same data as ever
            made.append((bytes(rng.below(256) if rng.below(5) == 0 else 0 for _ in range(784)), label))
        return made

    write_samples(os.path.join(folder, "mnist_train.csv"), samples(train_count))
    write_samples(os.path.join(folder, "mnist_test.csv"), samples(test_count))


def state_of(network):
    state = network.metadata["training"]["state"]
    return state["epoch"], state["samples_done"]


def parameters(network):
    return (network.weights, network.biases if network.has_bias else None)


def _interruptible():
    """Run in the child before exec: Ctrl+C interrupts it as at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@unittest.skipUnless(HAVE_TRAINING, "train.py is not in place yet")
class TrainingSubprocess(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-interrupt-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.driver = os.path.join(self.folder, "driver.py")
        with open(self.driver, "w") as handle:
            handle.write(DRIVER % {"train": TRAIN})  # nrnn comes from PYTHONPATH (start)

    def data_dir(self, train_count, test_count):
        folder = os.path.join(self.folder, "data-%d-%d" % (train_count, test_count))
        if not os.path.isdir(folder):
            os.mkdir(folder)
            make_data(folder, train_count, test_count)
        return folder

    def arguments(self, data_dir, model, epochs, *extra):
        return ["--data-dir", data_dir, "--layers", LAYERS, "--epochs", str(epochs),
                "--model", model, "-q"] + list(extra)

    def start(self, args, env=None, preexec_fn=None):
        environment = dict(os.environ, PYTHONPATH=ROOT)
        environment.update(env or {})
        return subprocess.Popen([sys.executable, self.driver] + args, cwd=self.folder,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=environment, preexec_fn=preexec_fn)

    def finish(self, process, timeout=60):
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            self.fail("train.py did not finish in %d s" % timeout)
        return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    @staticmethod
    def saves(out):
        return [tuple(map(int, line.split()[1:3])) for line in out.splitlines() if line.startswith("saved ")]

    def reference(self, args, model):
        """Run train.main(args) in this process; return {(epoch, samples): parameters}."""
        import nrnn.train.session as session
        import train

        checkpoints = {}
        original = session.save_model

        def recording(network, path, **options):
            original(network, path, **options)
            checkpoints[state_of(network)] = parameters(load_model(path))

        session.save_model = recording
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                status = train.main(args)
        finally:
            session.save_model = original
        self.assertEqual(status, 0)
        return checkpoints

    def assert_one_error_line(self, err, *fragments):
        lines = [line for line in err.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("error: "), err)
        self.assertNotIn("Traceback", err)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def leftover_temporary_files(self, model):
        folder, name = os.path.split(model)
        return [n for n in os.listdir(folder) if n.startswith("." + name + ".") and n.endswith(".tmp")]

    # ------------------------------------------------------------ SIGKILL

    def test_sigkill_at_random_moments_never_loses_the_model(self):
        data_dir = self.data_dir(20, 10)
        rng = PCG32(2718, 1)
        results = {"trials": 0, "lost": 0, "before_first_save": 0, "during_save": 0}
        observed = {}
        for trial in range(KILL_TRIALS):
            model = os.path.join(self.folder, "killed-%d.json" % trial)
            process = self.start(self.arguments(data_dir, model, 100000))
            # Spread the kills over start-up, the first save and training.
            time.sleep(0.05 + 0.9 * rng.uniform())
            process.send_signal(signal.SIGKILL)
            out, err = self.finish(process)
            self.assertEqual(process.returncode, -signal.SIGKILL, err)
            results["trials"] += 1
            saves = self.saves(out)
            if self.leftover_temporary_files(model):
                results["during_save"] += 1
            if not os.path.exists(model):
                # Killed before the first save finished: nothing to lose.
                self.assertEqual(saves, [], "a save completed but %s is missing" % model)
                results["before_first_save"] += 1
                continue
            try:
                network = load_model(model)
            except Exception as error:  # the one thing that must never happen
                results["lost"] += 1
                self.fail("trial %d: %s does not load after SIGKILL: %s" % (trial, model, error))
            observed[trial] = (state_of(network), parameters(network), saves)
        self.assertEqual(results["lost"], 0)

        # The reference: the same training, uninterrupted, every checkpoint kept.
        last_epoch = max([state[0] for state, _, _ in observed.values()] or [0])
        reference = self.reference(self.arguments(data_dir, os.path.join(self.folder, "reference.json"),
                                                  last_epoch + 1), None)
        order = sorted(reference)
        for trial, (state, params, saves) in observed.items():
            with self.subTest(trial=trial, state=state):
                self.assertIn(state, reference, "the file holds no checkpoint of the run")
                self.assertTrue(params == reference[state], "weights differ from checkpoint %r" % (state,))
                # The last completed save, or the one whose rename beat the print.
                if saves:
                    behind = order.index(state) - order.index(saves[-1])
                    self.assertIn(behind, (0, 1), "file %r, last completed save %r" % (state, saves[-1]))
        if "NRNN_KILL_TRIALS" in os.environ:  # the long campaign reports its figures
            sys.stderr.write("\n[SIGKILL] %(trials)d kills, %(lost)d models lost, %(before_first_save)d before "
                             "the first save, %(during_save)d during a save (temporary file left) "
                             % results)
        self.__class__.kill_results = results

    # ------------------------------------------------------------- SIGINT

    def test_sigint_saves_exits_130_and_resume_matches_an_uninterrupted_run(self):
        data_dir = self.data_dir(150, 20)
        epochs = 6
        # With a rotation and deskewing (augment.py draws a fixed number of
        # values per image, so the replayed epoch stays in step; test_training
        # checks every distortion, cheaper, in-process).
        distort = ["--augment", "2", "--augment-rotate", "10", "--deskew"]
        reference = self.reference(self.arguments(data_dir, os.path.join(self.folder, "ref.json"), epochs,
                                                  *distort), None)
        final = reference[(epochs, 0)]
        rng = PCG32(31415, 2)
        interrupted = 0
        for trial in range(3):
            with self.subTest(trial=trial):
                model = os.path.join(self.folder, "sigint-%d.json" % trial)
                # A shell starts background jobs with SIGINT ignored, and a
                # child inherits that: give this one the default a terminal has.
                process = self.start(self.arguments(data_dir, model, epochs, *distort),
                                     preexec_fn=_interruptible)
                # Wait for the first save (training then begins), then a while.
                line = process.stdout.readline()
                self.assertTrue(line.startswith(b"saved "), line)
                time.sleep(0.25 * rng.uniform())
                process.send_signal(signal.SIGINT)
                out, err = self.finish(process)
                out = line.decode() + out
                self.assertNotIn("Traceback", err)
                if "saved model:" in out and process.returncode in (0, -signal.SIGINT):
                    # Finished before the signal came (a signal landing in
                    # the interpreter's final shutdown kills it as -2, after
                    # the final save): nothing to test.
                    continue
                self.assertEqual(process.returncode, 130, err)
                interrupted += 1
                self.assertRegex(err, r"interrupted|error: interrupted")
                self.assertFalse(self.leftover_temporary_files(model))
                network = load_model(model)
                self.assertEqual(state_of(network), self.saves(out)[-1])
                # Resuming finishes the run exactly as if never interrupted.
                resumed = self.start(["--resume", model, "-q", "--data-dir", data_dir])
                _, err = self.finish(resumed)
                self.assertEqual(resumed.returncode, 0, err)
                self.assertTrue(parameters(load_model(model)) == final, "resumed run differs")
        self.assertGreaterEqual(interrupted, 2, "the runs ended before the signals came")

    # ---------------------------------------------------------- full disk

    def trained_model(self, data_dir, epochs=2):
        model = os.path.join(self.folder, "good.json")
        process = self.start(self.arguments(data_dir, model, epochs))
        _, err = self.finish(process)
        self.assertEqual(process.returncode, 0, err)
        with open(model, "rb") as handle:
            return model, handle.read()

    @unittest.skipIf(resource is None or not hasattr(signal, "SIGXFSZ"), "needs RLIMIT_FSIZE")
    def test_write_failing_for_lack_of_space_keeps_the_previous_model(self):
        # RLIMIT_FSIZE makes the kernel refuse writes past a size (EFBIG),
        # a real failing write() without filling a real disk.
        data_dir = self.data_dir(20, 10)
        model, before = self.trained_model(data_dir)
        limit = len(before) // 2

        def small_disk():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the signal kills the child
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        process = self.start(["--resume", model, "--epochs", "4", "-q", "--data-dir", data_dir],
                             preexec_fn=small_disk)
        out, err = self.finish(process)
        self.assertEqual(process.returncode, 1, err)
        self.assert_one_error_line(err, model, "cannot save the model", "too large")
        with open(model, "rb") as handle:
            self.assertEqual(handle.read(), before)
        self.assertEqual(self.leftover_temporary_files(model), [])

    def fsync_failures(self, which, attempts):
        """Train 5 epochs with the n-th fsync of ``which`` files failing, n in attempts."""
        data_dir = self.data_dir(20, 10)
        reference = self.reference(self.arguments(data_dir, os.path.join(self.folder, "ref.json"), 5), None)
        for fail_at in attempts:
            with self.subTest(files=which, fail_at=fail_at):
                name = "enospc-%s-%d" % (which, fail_at)
                model = os.path.join(self.folder, name + ".json")
                files = {"model": [name + ".json"],
                         "history": [name + ".history.json", name + ".history.svg"]}[which]
                process = self.start(self.arguments(data_dir, model, 5),
                                     env={"NRNN_TEST_FSYNC_FAILS_AT": str(fail_at),
                                          "NRNN_TEST_FSYNC_FILES": ",".join(files)})
                out, err = self.finish(process)
                self.assertNotIn("Traceback", err)
                self.assertEqual(process.returncode, 1, err)
                self.assert_one_error_line(err, "No space left on device")
                self.assertEqual(self.leftover_temporary_files(model), [])
                saves = self.saves(out)
                if not saves:
                    self.assertFalse(os.path.exists(model))
                    continue
                network = load_model(model)
                self.assertEqual(state_of(network), saves[-1])
                self.assertTrue(parameters(network) == reference[saves[-1]])

    def test_model_fsync_failing_with_enospc_keeps_the_last_checkpoint(self):
        # The 1st fsync of the model is the save before training starts;
        # the 2nd, 3rd and 4th are the checkpoints after epochs 1, 2 and 3.
        self.fsync_failures("model", (1, 2, 4))

    def test_history_fsync_failing_with_enospc_is_one_error_line(self):
        # The history JSON and chart are written after each checkpoint; a
        # full disk there must be reported like any other, not as a
        # traceback.  The model saved just before stays good.
        self.fsync_failures("history", (1, 2, 3))


if __name__ == "__main__":
    unittest.main()
