"""A training session: the data files, the model file and the loop, wired together.

``train.py`` parses the command line and calls ``run``; this module does the
rest, in the order a careful person would:

1. decide where the model goes, and refuse to overwrite an existing file
   (above all the shipped ``data/model.json.gz``) unless asked to (checked
   at once, and again atomically by the first save: a run started at the
   same moment with the same ``--model`` cannot slip in between);
2. build a fresh network, or load a checkpoint to resume (its metadata holds
   the configuration and the state, see checkpoint.py);
3. make sure MNIST is on disk as CSV (data.py fetches and converts it),
   as regular files: each is read once to count its samples, and the
   training file again every epoch, which a pipe cannot do (and every
   epoch is checked to have read as many samples as were counted); the
   test set is kept in memory, compact, after its first evaluation;
4. save the untrained network at once, so a bad path fails in the first
   second rather than after the first epoch;
5. run the loop, saving the model, the history file and the SVG chart after
   every epoch; on Ctrl-C save, say how to resume and return 130;
6. print the final report: accuracy, confusion matrix, per-digit accuracy,
   a text chart, where everything went, and the command that uses the new
   model.

A dry run (``--dry-run``) goes through the same steps on a few batches and
100 test images, and saves nothing.
"""

import itertools
import os
import stat
import sys
from collections.abc import Iterator
from typing import Optional, TextIO

from nrnn.cli import EXIT_INTERRUPTED
from nrnn.data import ensure_csv
from nrnn.errors import DataError, UsageError
from nrnn.inside import weights
from nrnn.mnist.mnist_csv import ReadOnce, count_samples, read_samples
from nrnn.net.model_file import SHIPPED_MODEL, load_model, save_model
from nrnn.net.network import Network
from nrnn.progress import format_count
from nrnn.train import report
from nrnn.train.checkpoint import describe, restore
from nrnn.train.config import TrainingConfig, TrainingState, flag, shown
from nrnn.train.training import Trainer

DEFAULT_MODEL = os.path.join("models", "model.json")
# A dry run: this many steps (of --batch-size samples), tested on this many
# test images.
DRY_RUN_BATCHES = 10
DRY_RUN_TEST_SAMPLES = 100


def run(options: dict, epochs: Optional[int] = None, model_path: Optional[str] = None,
        resume: Optional[str] = None, overwrite: bool = False, data_dir: Optional[str] = None,
        source: Optional[str] = None, skip_bad: bool = False, quiet: bool = False,
        argv: Optional[list[str]] = None, stdout: Optional[TextIO] = None,
        stderr: Optional[TextIO] = None, dry_run: bool = False,
        program: Optional[str] = None) -> int:
    """Train (or resume) a model; return the exit status (0, or 130 if interrupted).

    options: training options given on the command line (TrainingConfig
        field names; None or absent = not given, use the default or, when
        resuming, the checkpoint's value).
    epochs: total epochs (None: the default, or the checkpoint's).
    data_dir: where MNIST is (None: nrnn.data.default_data_dir()).
    dry_run: train DRY_RUN_BATCHES steps, test on DRY_RUN_TEST_SAMPLES
        images, save nothing (the caller sets epochs to 1).
    program: the command that trains, for the lines that say how to resume
        and how to use the model, e.g. "nrnn train" (default: "python train.py").
    Raises NrnnError (UsageError, DataError, ModelFileError) for what the
    user can fix.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    program = program or os.path.basename(sys.executable) + " train.py"
    given = {name: value for name, value in options.items() if value is not None}
    if epochs is not None:
        given["epochs"] = epochs

    network, config, state, model_path = _open_model(given, model_path, resume)  # 1-2
    must_create = not overwrite and not _same_file(model_path, resume)
    if must_create and os.path.exists(model_path):
        raise _already_exists(model_path)
    data = _open_data(config, data_dir, source, skip_bad, quiet, dry_run)  # 3
    state = _check_state(state, data)
    if not dry_run:
        _make_folder(model_path)  # 4
    log = report.TrainingLog(model_path)
    if resume is not None:
        log.load_previous(resume)
    log.start_run(argv if argv is not None else sys.argv, state)
    reporter = report.ConsoleReporter(test_samples=data.test_samples, quiet=quiet,
                                      stream=stdout, progress_stream=stderr)
    saver = _Saver(model_path, must_create, data, log, reporter, dry_run)
    if not quiet:
        _banner(stdout, network, config, state, data)
    saver(network, config, state)  # at once: a bad path fails now, and the file can be resumed

    # The test set is kept in memory only if a later epoch will read it again.
    test_samples = ReadOnce(data.test_reader) if config.epochs - state.epoch > 1 else data.test_reader
    trainer = Trainer(network, config, state, _CountedSamples(data.train_reader, data.training_samples),
                      test_samples, reporter, saver)  # 5
    try:
        trainer.run()
    except KeyboardInterrupt:
        if not dry_run:
            log.update(config, state, reporter.timings, status="interrupted")
        stderr.write(_interrupted_message(trainer, config, state, model_path, program, dry_run))
        return EXIT_INTERRUPTED

    _final_report(stdout, stderr, trainer, reporter, network, state, data, log, model_path,  # 6
                  program, quiet, dry_run)
    return 0


def _open_model(given: dict, model_path: Optional[str], resume: Optional[str]):
    """Steps 1-2: (network, config, state or None, model path): a new
    network from the options, or the checkpoint to continue."""
    if resume is not None:
        network = load_model(resume)
        config, state = restore(network)
        _apply_resume_options(config, state, given, resume)
        return network, config, state, model_path or resume
    config = TrainingConfig(**given)
    config.check()
    network = Network(config.sizes, bias=config.bias, cost=config.cost, seed=config.seed, init=config.init)
    return network, config, None, model_path or DEFAULT_MODEL


class _Data:
    """The MNIST files of a run, their readers and their sample counts."""

    def __init__(self, train_csv: str, test_csv: str, train_reader, test_reader,
                 training_samples: int, test_samples: int):
        self.train_csv, self.test_csv = train_csv, test_csv
        self.train_reader, self.test_reader = train_reader, test_reader
        self.training_samples, self.test_samples = training_samples, test_samples
        # What the model file records about its data (no paths: see checkpoint.py).
        self.fields = {"training_data": os.path.basename(train_csv), "test_data": os.path.basename(test_csv)}


def _open_data(config: TrainingConfig, data_dir: Optional[str], source: Optional[str],
               skip_bad: bool, quiet: bool, dry_run: bool) -> _Data:
    """Step 3: MNIST on disk as CSV (fetched and converted if missing), as
    regular files, and how many samples an epoch trains on."""
    train_csv, test_csv = ensure_csv(data_dir, source, quiet=quiet)
    if dry_run:
        steps = DRY_RUN_BATCHES * config.batch_size
        config.limit = min(config.limit, steps) if config.limit else steps
    for path in (train_csv, test_csv):
        _check_regular_file(path)
    # Compact samples (784 bytes each, not 784 floats): the shuffle buffer
    # holds 10,000 of them and the test set is kept after its first reading.
    train_reader = read_samples(train_csv, skip_bad=skip_bad, compact=True)
    test_reader = read_samples(test_csv, skip_bad=skip_bad, compact=True,
                               limit=DRY_RUN_TEST_SAMPLES if dry_run else None)
    if skip_bad:  # only parsing tells which lines are good: one pass to count them
        available = sum(1 for _ in itertools.islice(train_reader, config.limit))
    else:  # counting lines is enough, and much cheaper
        available = count_samples(train_csv)
    training_samples = min(available, config.limit) if config.limit else available
    if training_samples == 0:
        raise UsageError("%s holds no samples to train on" % train_csv)
    test_samples = count_samples(test_csv)
    if dry_run:
        test_samples = min(test_samples, DRY_RUN_TEST_SAMPLES)
    return _Data(train_csv, test_csv, train_reader, test_reader, training_samples, test_samples)


def _check_state(state: Optional[TrainingState], data: _Data) -> TrainingState:
    """A new run's state, or the checkpoint's, checked against the data."""
    if state is None:
        return TrainingState(data.training_samples)
    if state.training_samples != data.training_samples:
        raise UsageError("the checkpoint was trained on %s samples an epoch but %s now has %s; "
                         "resume with the same data (--data-dir) to get the same result"
                         % (format_count(state.training_samples), data.train_csv,
                            format_count(data.training_samples)))
    return state


def _make_folder(model_path: str) -> None:
    directory = os.path.dirname(model_path)
    if directory:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as error:
            raise UsageError("cannot create the folder %s for the model: %s"
                             % (directory, error.strerror or error)) from None


class _Saver:
    """The loop's checkpoint callback: the model (with the run in its
    metadata) saved atomically, then the history file and chart."""

    def __init__(self, model_path: str, must_create: bool, data: _Data, log, reporter, dry_run: bool):
        self.model_path, self.must_create, self.data = model_path, must_create, data
        self.log, self.reporter, self.dry_run = log, reporter, dry_run

    def __call__(self, network: Network, config: TrainingConfig, state: TrainingState) -> None:
        if self.dry_run:
            return
        network.metadata = describe(network, config, state, self.data.fields)
        try:
            # The first save creates the file only if it still does not
            # exist: the check before training cannot see a run that
            # started at the same moment with the same --model.
            save_model(network, self.model_path, exclusive=self.must_create)
        except FileExistsError:
            raise _already_exists(self.model_path) from None
        self.must_create = False
        self.log.update(config, state, self.reporter.timings)


def _banner(stdout: TextIO, network: Network, config: TrainingConfig, state: TrainingState,
            data: _Data) -> None:
    stdout.write("training %r, %s parameters, on %s samples an epoch (%s)\n" % (
        network, format_count(network.parameter_count()), format_count(data.training_samples),
        data.train_csv))
    stdout.write("  %s\n" % config.command())
    if state.samples_seen:
        stdout.write("  resuming at epoch %d, sample %s\n" % (state.epoch + 1, format_count(state.samples_done)))
    stdout.flush()


def _interrupted_message(trainer: Trainer, config: TrainingConfig, state: TrainingState,
                         model_path: str, program: str, dry_run: bool) -> str:
    """What Ctrl-C leaves behind, and the command that resumes."""
    if dry_run:
        return "\ninterrupted; a dry run, nothing saved\n"
    resume = "resume with: %s --resume %s\n" % (program, model_path)
    if trainer.interrupted_cleanly:
        return "\ninterrupted in epoch %d/%d after %s of %s samples; saved %s\n%s" % (
            state.epoch + 1, config.epochs, format_count(state.samples_done),
            format_count(state.training_samples), model_path, resume)
    return "\ninterrupted in the middle of a step; %s holds the last checkpoint\n%s" % (model_path, resume)


def _final_report(stdout: TextIO, stderr: TextIO, trainer: Trainer, reporter: report.ConsoleReporter,
                  network: Network, state: TrainingState, data: _Data, log, model_path: str, program: str,
                  quiet: bool, dry_run: bool) -> None:
    """Step 6: accuracy, confusion matrix, chart, where everything went, and
    the command that uses the new model."""
    evaluation = trainer.last_evaluation
    assert evaluation is not None  # the run trained at least one epoch (the options make sure)
    if dry_run:
        stdout.write("dry run: %s samples trained, %s tested (accuracy %.2f%%); nothing saved\n"
                     % (format_count(data.training_samples), format_count(data.test_samples),
                        100 * evaluation.accuracy))
        return
    log.update(trainer.config, state, reporter.timings, evaluation=evaluation, status="finished")
    skipped = data.train_reader.skipped + data.test_reader.skipped
    if skipped:
        stderr.write("skipped %d malformed line%s in each epoch (first: %s)\n"
                     % (skipped, "" if skipped == 1 else "s",
                        data.train_reader.first_error or data.test_reader.first_error))
    # What the first hidden layer learned, one weight picture a neuron.
    weight_sheet = weights.weights_path(model_path)
    weights.write_sheet(network, weight_sheet)
    if not quiet:
        stdout.write("\n" + report.summary(evaluation, state.history) + "\n\n")
        stdout.write("history: %s\nchart:   %s\nweights: %s\n" % (log.path, log.svg_path, weight_sheet))
    stdout.write("saved model: %s (test accuracy %.2f%% after %d epoch%s)\n" % (
        model_path, 100 * evaluation.accuracy, state.epoch, "" if state.epoch == 1 else "s"))
    stdout.write("use it:      %s --model %s IMAGE\n" % (predict_command(program), model_path))


def predict_command(program: Optional[str]) -> str:
    """The predict command beside the train command ``program``.

    >>> predict_command("nrnn train"), predict_command("python -m nrnn train")
    ('nrnn predict', 'python -m nrnn predict')
    >>> predict_command("pypy3 train.py")
    'pypy3 predict.py'
    """
    program = program or os.path.basename(sys.executable) + " train.py"
    if program.endswith("train.py"):
        return program[:-len("train.py")] + "predict.py"
    if program.endswith(" train"):
        return program[:-len("train")] + "predict"
    return "nrnn predict"


def _already_exists(model_path: str) -> UsageError:
    hint = " (it is the model shipped with nrnn)" if _same_file(model_path, SHIPPED_MODEL) else ""
    return UsageError("%s already exists%s; resume it with --resume %s, choose another "
                      "file with --model, or replace it with --overwrite"
                      % (model_path, hint, model_path))


def _check_regular_file(path: str) -> None:
    """Refuse a CSV that cannot be read twice: a pipe, /dev/stdin, a device.

    Counting its samples would consume the stream, and the epochs would
    then train on nothing (and say so with a straight face).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise DataError("%s: cannot read: %s" % (path, error.strerror or error)) from None
    if not stat.S_ISREG(mode):
        raise UsageError("%s is not a regular file (a pipe or a device?): training reads it once "
                         "to count the samples and again every epoch; save it to a file first"
                         % path)


class _CountedSamples:
    """The training samples, checked every epoch against the count made
    before training: a file that shrank (or changed) while training would
    otherwise give epochs of fewer samples than the schedule and the
    progress report assume, silently."""

    def __init__(self, reader, expected: int):
        self.reader = reader
        self.expected = expected

    def __iter__(self) -> Iterator:
        seen = 0
        for sample in self.reader:
            seen += 1
            yield sample
        # Only reached when the file ran out (with --limit the epoch stops
        # after ``expected`` samples without getting here).
        if seen < self.expected:
            raise DataError("%s: this epoch read %d samples, but %d were counted before training "
                            "began: the file changed while training" % (
                                getattr(self.reader, "path", "the training data"), seen, self.expected))


def _apply_resume_options(config: TrainingConfig, state: TrainingState, given: dict, path: str) -> None:
    """Check options given with --resume against the checkpoint's.

    Only --epochs may change (to train further); any other training option
    must equal the checkpoint's, because changing it would no longer
    continue the same run.
    """
    for name, value in given.items():
        if name != "epochs" and value != getattr(config, name):
            if name == "bias":
                was = "with biases" if config.bias else "without biases (--no-bias)"
            elif name == "deskew":
                was = "with --deskew" if config.deskew else "without --deskew"
            else:
                was = "with %s %s" % (flag(name), shown(getattr(config, name)))
            raise UsageError("%s was trained %s; that cannot change when resuming "
                             "(only --epochs can)" % (path, was))
    if "epochs" in given:
        config.epochs = given["epochs"]
        config.check()
    if state.epoch >= config.epochs:
        raise UsageError("%s has already completed %d epoch%s; to train it further give "
                         "--epochs N with N > %d" % (path, state.epoch, "" if state.epoch == 1 else "s",
                                                     state.epoch))




def _same_file(a: Optional[str], b: Optional[str]) -> bool:
    if a is None or b is None:
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
