"""What a person sees while training, and the record left beside the model.

The training loop (training.py) calls a ``Reporter``; ``ConsoleReporter``
turns those calls into a live line per epoch on stderr::

    epoch 3/30  12,000 / 24,345 samples  49%  4,512/s  loss 0.0893  ETA 0:03

(redrawn in place on a terminal, a plain line every few seconds in a log;
see progress.py) and one summary line per epoch on stdout::

    epoch 3/30  test accuracy 97.12%  test loss 0.0934  training loss 0.0893  lr 0.0857  5.6 s

``TrainingLog`` keeps the history file, ``<model>.history.json``: the
per-epoch records of the model's metadata plus what must *not* be in the
model file because it differs from run to run (seconds, samples per second,
dates, the exact command lines and interpreters of every run that worked on
the model, and the final confusion matrix).  The SVG chart
``<model>.history.svg`` is drawn from it.
"""

import datetime
import json
import os
import platform
import sys
import time
from typing import Any, Callable, Optional, TextIO

from nrnn.atomic import write_text_atomic
from nrnn.errors import NrnnError
from nrnn.progress import Progress, format_count, is_terminal
from nrnn.train import chart
from nrnn.train.config import TrainingConfig, TrainingState
from nrnn.train.evaluate import Evaluation, format_confusion, format_per_class
from nrnn.train.training import Reporter

HISTORY_FORMAT = "nrnn-training-history"


def history_paths(model_path: str) -> tuple:
    """(history JSON path, chart SVG path) beside ``model_path``.

    >>> history_paths("models/model.json")
    ('models/model.history.json', 'models/model.history.svg')
    >>> history_paths("data/model.json.gz")
    ('data/model.history.json', 'data/model.history.svg')
    """
    stem = model_path
    for suffix in (".gz", ".json"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem + ".history.json", stem + ".history.svg"


def interpreter() -> str:
    """E.g. 'CPython 3.11.7' or 'PyPy 3.9.18'."""
    return "%s %s" % (platform.python_implementation(), platform.python_version())


def _now() -> str:
    return datetime.datetime.now().astimezone().replace(microsecond=0).isoformat()


class _LossProgress(Progress):
    """A progress line that also shows the running mean loss."""

    loss: Optional[float] = None

    def extra_fields(self) -> list[str]:
        return [] if self.loss is None else ["loss %.4f" % self.loss]


class ConsoleReporter(Reporter):
    """Progress on ``progress_stream`` (stderr), epoch summaries on ``stream`` (stdout).

    test_samples: size of the test set, for the testing line's ETA.
    quiet: print nothing.
    Also measures each epoch's wall-clock time (``timings``: epoch -> dict).
    """

    def __init__(self, test_samples: Optional[int] = None, quiet: bool = False,
                 stream: Optional[TextIO] = None, progress_stream: Optional[TextIO] = None,
                 clock: Callable[[], float] = time.monotonic):
        self.test_samples = test_samples
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stdout
        self.progress_stream = progress_stream if progress_stream is not None else sys.stderr
        self.clock = clock
        self.timings: dict[int, dict] = {}
        self._bar: Optional[_LossProgress] = None
        self._test_bar: Optional[Progress] = None
        self._done = 0
        self._label = ""
        self._started = self._trained = 0.0
        self._first_sample = 0

    def epoch_started(self, epoch: int, config: TrainingConfig, state: TrainingState) -> None:
        self._label = "epoch %d/%d" % (epoch + 1, config.epochs)
        self._done = self._first_sample = state.samples_done
        self._started = self.clock()
        self._bar = _LossProgress(total=state.training_samples, unit="samples", label=self._label,
                                  stream=self.progress_stream, quiet=self.quiet,
                                  initial=state.samples_done, clock=self.clock)

    def step_done(self, state: TrainingState) -> None:
        bar = self._bar
        assert bar is not None  # epoch_started made it
        bar.loss = state.loss_sum / state.samples_done
        bar.update(state.samples_done - self._done)
        self._done = state.samples_done

    def evaluation_started(self, epoch: int) -> None:
        self._trained = self.clock()
        if self._bar is not None:
            self._bar.close()
        # The testing line is only drawn in place on a terminal and wiped
        # afterwards: in a log it would add a line per epoch for nothing.
        self._test_bar = Progress(total=self.test_samples, unit="test samples",
                                  label="%s testing" % self._label, stream=self.progress_stream,
                                  quiet=self.quiet or not is_terminal(self.progress_stream),
                                  clock=self.clock)

    def test_sample_done(self) -> None:
        assert self._test_bar is not None  # evaluation_started made it
        self._test_bar.update()

    def epoch_finished(self, record: dict, evaluation: Evaluation) -> None:
        now = self.clock()
        trained = self._done - self._first_sample
        train_seconds = max(self._trained - self._started, 1e-9)
        self.timings[record["epoch"]] = {
            "seconds": round(now - self._started, 3),
            "training_seconds": round(train_seconds, 3),
            "samples_trained_in_this_run": trained,
            "samples_per_second": round(trained / train_seconds, 1),
            "finished_at": _now(),
        }
        if self._test_bar is not None and not self._test_bar.quiet:
            self.progress_stream.write("\r" + " " * (len(self._test_bar.line()) + 8) + "\r")
            self.progress_stream.flush()
        if self.quiet:
            return
        self.stream.write("%s  test accuracy %.2f%%  test loss %.4f  training loss %.4f  lr %.4g  %.1f s\n" % (
            self._label, 100 * record["test_accuracy"], record["test_loss"],
            record["train_loss"], record["learning_rate"], now - self._started))
        self.stream.flush()


def summary(evaluation: Evaluation, history: list[dict]) -> str:
    """The text printed after training: accuracy, confusion, per digit, charts."""
    lines = ["test accuracy %.2f%% (%s of %s correct), test loss %.4f" % (
        100 * evaluation.accuracy, format_count(evaluation.correct),
        format_count(evaluation.count), evaluation.loss), "",
        "confusion matrix (rows: true digit, columns: the network's answer)",
        format_confusion(evaluation), "",
        "accuracy per digit",
        format_per_class(evaluation)]
    if len(history) >= 2:
        lines += ["", chart.text_chart("test accuracy (%) per epoch",
                                       [100 * r["test_accuracy"] for r in history]),
                  "", chart.text_chart("test loss per epoch", [r["test_loss"] for r in history])]
    return "\n".join(lines)


class TrainingLog:
    """The history file beside a model: every epoch and every run, with timings.

    When resuming, ``load_previous`` keeps the earlier runs and the timings
    of earlier epochs from the checkpoint's history file; a missing or
    unreadable file starts afresh (it is a record, not something training
    depends on: the model file holds the state).
    """

    def __init__(self, model_path: str):
        self.model_path = model_path
        self.path, self.svg_path = history_paths(model_path)
        self.data: dict[str, Any] = {"format": HISTORY_FORMAT, "model": os.path.basename(model_path),
                     "command": None, "runs": [], "epochs": [], "final_test": None}

    def load_previous(self, model_path: str) -> None:
        """Carry over the runs and epochs of the history beside ``model_path``."""
        try:
            with open(history_paths(model_path)[0], encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("format") == HISTORY_FORMAT:
            for key in ("runs", "epochs"):
                if isinstance(data.get(key), list):
                    self.data[key] = data[key]

    def start_run(self, argv: list[str], state: TrainingState) -> None:
        self.data["runs"].append({
            "command": " ".join([os.path.basename(sys.executable)] + list(argv)),
            "interpreter": interpreter(),
            "started": _now(),
            "started_at": {"epoch": state.epoch, "samples_done": state.samples_done},
            "status": "running",
        })

    def update(self, config: TrainingConfig, state: TrainingState, timings: dict,
               evaluation: Optional[Evaluation] = None, status: Optional[str] = None) -> None:
        """Merge the state's history and the new timings; write JSON and SVG."""
        self.data["command"] = config.command()
        self.data["config"] = config.to_dict()
        previous = {r.get("epoch"): r for r in self.data["epochs"] if isinstance(r, dict)}
        epochs = []
        for record in state.history:
            merged = dict(previous.get(record["epoch"], {}))
            merged.update(record)
            merged.update(timings.get(record["epoch"], {}))
            epochs.append(merged)
        self.data["epochs"] = epochs
        if evaluation is not None:
            self.data["final_test"] = evaluation.to_dict()
            self.data["final_test"]["per_digit_accuracy"] = evaluation.per_class_accuracy()
        run = self.data["runs"][-1] if self.data["runs"] else None
        if run is not None:
            run["ended_at"] = {"epoch": state.epoch, "samples_done": state.samples_done}
            run["ended"] = _now()
            if status:
                run["status"] = status
        self.save()

    def save(self) -> None:
        path = self.path
        try:
            write_text_atomic(path, json.dumps(self.data, indent=1, sort_keys=True) + "\n")
            if self.data["epochs"]:
                title = "nrnn %s: %s" % (
                    ",".join(map(str, self.data["config"]["sizes"])), self.data["model"])
                path = self.svg_path
                chart.write_svg(path, chart.training_chart(self.data["epochs"], title))
        except OSError as error:
            # A full disk here must read like one anywhere else: one line,
            # no traceback (the model itself was saved just before).
            raise NrnnError("%s: cannot write the training history: %s"
                            % (path, error.strerror or error)) from None


if __name__ == "__main__":
    import doctest
    doctest.testmod()
