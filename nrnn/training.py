"""The training loop: epochs of stochastic gradient descent, resumable to the bit.

One epoch shows the network every training sample once:

    for each sample (x, y) in a fresh random order:
        maybe replace it by a drawn digit of the same label (drawn_styles.py)
        maybe deskew the image                              (deskew.py)
        maybe shift, turn, scale, shear, warp or re-ink it  (augment.py)
        W_l <- W_l - eta dC/dW_l,  b_l <- b_l - eta dC/db_l  (network.py)
        every so often shrink the weights: W <- (1 - eta lambda / n) W
    evaluate on the test set: accuracy, loss               (evaluate.py)
    save the model                                         (model_file.py)

with ``batch_size`` samples per step (1: per-sample SGD).  The learning rate
follows a schedule, eta_e = eta_0 * decay**e for epoch e = 0, 1, 2, ...: large
steps to make progress early, small ones to settle into a minimum late.

L2 weight decay.  Adding (lambda / 2n) sum w^2 to the cost (n = training
samples) penalises large weights; its gradient turns each step into
w <- (1 - eta lambda / n) w - eta dC/dw.  Weights that the data does not
keep pushing up drift towards zero, so the network cannot lean on a few
huge weights that fit the training set's quirks (overfitting).  Shrinking all
784 x n_hidden weights costs more than a whole sparse SGD step, so the
shrink is applied once every DECAY_INTERVAL steps as (1 - eta lambda / n)**k
for the k steps since the last one: the same total shrink, off by a
second-order amount (eta lambda / n is ~1e-6) in when it lands.

Reproducible and resumable.  Every random choice comes from our PCG32 with
a stream derived from (seed, epoch, purpose): the shuffle order of epoch e
and the distortions applied in it depend on nothing else.  So an interrupted
epoch can be replayed: resuming at sample k of epoch e re-reads the stream
with the same generators, draws (and discards) the randomness of the first
k samples, and continues with sample k+1 exactly as an uninterrupted run
would.  Everything the loop carries from step to step (epoch, samples done,
running loss, pending weight decay, history) is the ``TrainingState``, kept
in the model file's metadata, so the weights and the state are saved
together, atomically, and a resumed run ends bit-identical to an
uninterrupted one (on the same interpreter; see matrix.py for why CPython and
PyPy may differ in the last bit).

Ctrl-C.  A KeyboardInterrupt in the middle of a step would leave the weights
half-updated.  While training, SIGINT only raises a flag; the loop checks it
between steps and then raises KeyboardInterrupt itself, at a point where the
weights and the state agree, after saving them.  A second Ctrl-C interrupts
at once (and then, if a step was cut short, nothing is saved over the last
good checkpoint).

The loop knows nothing of files or screens: it reads samples from iterables,
reports through a ``Reporter`` and saves through a ``checkpoint`` callback.
"""

import contextlib
import itertools
import math
import signal
import threading
from typing import Callable, Iterable, List, Optional, Tuple

from .augment import Augmenter
from .deskew import deskew
from .drawn_styles import draw_choice, maybe_replace
from .errors import UsageError
from .evaluate import Evaluation, evaluate
from .mnist_csv import inputs_of
from .network import INITS, Network
from .prng import PCG32
from .shuffle import shuffled

# Weight decay is applied every this many steps (see the module docstring).
DECAY_INTERVAL = 16

# PCG32 streams: the network's initial weights use stream 54 (PCG32's
# default); epoch e shuffles with stream 1000 + 2e and distorts images with
# stream 1001 + 2e, so no two uses ever share a sequence.
_STREAM_BASE = 1000
SHUFFLE, AUGMENT = 0, 1
# Epoch e's drawn-style choices use stream 2**40 + e, far from the others.
_DRAWN_STREAM_BASE = 1 << 40

MNIST_INPUTS, MNIST_CLASSES = 784, 10
MAX_SEED = 2 ** 64 - 1


def epoch_rng(seed: int, epoch: int, purpose: int) -> PCG32:
    """The generator for one purpose (SHUFFLE or AUGMENT) in one epoch."""
    return PCG32(seed, _STREAM_BASE + 2 * epoch + purpose)


def drawn_styles_rng(seed: int, epoch: int) -> PCG32:
    """The generator of one epoch's drawn-style choices (drawn_styles.py)."""
    return PCG32(seed, _DRAWN_STREAM_BASE + epoch)


class TrainingConfig:
    """Everything that decides the trained weights (and nothing that doesn't).

    sizes: neurons per layer, e.g. [784, 100, 10].
    bias, cost: as for ``Network``.
    learning_rate: eta_0, the step size of the first epoch.
    learning_rate_decay: eta is multiplied by this after every epoch (1: constant).
    batch_size: samples per gradient step (1: per-sample SGD).
    epochs: total epochs to train (a resumed run may raise it).
    seed: seeds the initial weights, the shuffles and the distortions.
    limit: train on the first ``limit`` samples only (None: all).
    shuffle_buffer: samples held by the shuffle buffer (see shuffle.py).
    weight_decay: lambda of L2 regularization (0: none).
    augment: largest random shift in pixels (0: no shifts).
    augment_rotate: largest random rotation in degrees (0: none).
    augment_scale: largest random size change, s in [1 - it, 1 + it] (0: none).
    augment_shear: largest random shear factor (0: none).
    augment_elastic: alpha of the elastic distortion (0: none);
    augment_elastic_sigma: its Gaussian's sigma in pixels.
    augment_thickness: largest random stroke thickening or thinning, as a
        fraction of a 3 x 3 dilation or erosion (0: none).
    deskew: deskew every image (training and test) before anything else;
        recorded in the model's metadata so recognition deskews too.
    drawn_styles: the fraction of training images replaced by a digit of the
        same label drawn in a style MNIST lacks (0: none).
    (See augment.py and deskew.py for what each does.)
    init: initial weights, "fan-in" N(0, 1/n_in) or "unit" N(0, 1) (see network.py).
    """

    DEFAULTS = {
        "sizes": [MNIST_INPUTS, 100, MNIST_CLASSES],
        "bias": True,
        "cost": "cross-entropy",
        "learning_rate": 0.1,
        "learning_rate_decay": 1.0,
        "batch_size": 1,
        "epochs": 1,
        "seed": 0,
        "limit": None,
        "shuffle_buffer": 10000,
        "weight_decay": 0.0,
        "augment": 0,
        "augment_rotate": 0.0,
        "augment_scale": 0.0,
        "augment_shear": 0.0,
        "augment_elastic": 0.0,
        "augment_elastic_sigma": 4.0,
        "augment_thickness": 0.0,
        "deskew": False,
        "drawn_styles": 0.0,
        "init": "fan-in",
    }

    # The options added after the first models were shipped: the command
    # line names them only when they differ from their defaults, so an old
    # run's command (and model file) stays exactly what it was.
    _LATER_OPTIONS = ("augment_rotate", "augment_scale", "augment_shear", "augment_elastic",
                      "augment_elastic_sigma", "augment_thickness", "drawn_styles")

    def __init__(self, **options):
        unknown = sorted(set(options) - set(self.DEFAULTS))
        if unknown:
            raise TypeError("unknown training option %r" % unknown[0])
        for name, default in self.DEFAULTS.items():
            value = options.get(name, default)
            setattr(self, name, list(value) if isinstance(value, list) else value)

    def __repr__(self):
        return "TrainingConfig(%s)" % ", ".join("%s=%r" % item for item in self.to_dict().items())

    def __eq__(self, other):
        return isinstance(other, TrainingConfig) and self.to_dict() == other.to_dict()

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.DEFAULTS}

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingConfig":
        if not isinstance(values, dict):
            raise UsageError("training configuration must be an object, found %r" % (values,))
        config = cls(**{k: v for k, v in values.items() if k in cls.DEFAULTS})
        config.check()
        return config

    def check(self) -> None:
        """Raise UsageError naming the first option that cannot work."""
        def number(name, value, low, high=math.inf, low_open=False):
            ok = (type(value) in (int, float) and math.isfinite(value)
                  and (value > low if low_open else value >= low) and value <= high)
            if not ok:
                bound = ("> %g" % low) if low_open else (">= %g" % low)
                if high != math.inf:
                    bound += " and <= %g" % high
                raise UsageError("%s must be a number %s, got %r" % (name, bound, value))

        def integer(name, value, low, high=None):
            if type(value) is not int or value < low or (high is not None and value > high):
                bound = ">= %d" % low if high is None else "in %d..%d" % (low, high)
                raise UsageError("%s must be an integer %s, got %r" % (name, bound, value))

        sizes = self.sizes
        if (not isinstance(sizes, list) or len(sizes) < 2
                or any(type(n) is not int or n < 1 for n in sizes)):
            raise UsageError("layers must be at least two positive integers, got %r" % (sizes,))
        if sizes[0] != MNIST_INPUTS or sizes[-1] != MNIST_CLASSES:
            raise UsageError("layers must start with %d (28x28 pixels) and end with %d (digits), got %s"
                             % (MNIST_INPUTS, MNIST_CLASSES, ",".join(map(str, sizes))))
        if type(self.bias) is not bool:
            raise UsageError("bias must be true or false, got %r" % (self.bias,))
        if self.cost not in ("cross-entropy", "quadratic"):
            raise UsageError("cost must be cross-entropy or quadratic, got %r" % (self.cost,))
        number("learning rate", self.learning_rate, 0.0, 1000.0, low_open=True)
        number("learning rate decay", self.learning_rate_decay, 0.0, 1.0, low_open=True)
        integer("batch size", self.batch_size, 1)
        integer("epochs", self.epochs, 1)
        integer("seed", self.seed, 0, MAX_SEED)
        if self.limit is not None:
            integer("limit", self.limit, 1)
        integer("shuffle buffer", self.shuffle_buffer, 0)
        number("weight decay", self.weight_decay, 0.0)
        integer("augment (largest shift in pixels)", self.augment, 0, 8)
        number("augment-rotate (degrees)", self.augment_rotate, 0.0, 90.0)
        number("augment-scale", self.augment_scale, 0.0, 0.5)
        number("augment-shear", self.augment_shear, 0.0, 1.0)
        number("augment-elastic (alpha)", self.augment_elastic, 0.0, 100.0)
        number("augment-elastic-sigma", self.augment_elastic_sigma, 0.0, 14.0, low_open=True)
        number("augment-thickness", self.augment_thickness, 0.0, 1.0)
        number("drawn-styles (fraction)", self.drawn_styles, 0.0, 0.5)
        if type(self.deskew) is not bool:
            raise UsageError("deskew must be true or false, got %r" % (self.deskew,))
        if self.init not in INITS:
            raise UsageError("init must be %s, got %r" % (" or ".join(INITS), self.init))

    def augmenter(self) -> Augmenter:
        """The Augmenter these options describe (it may do nothing: ``.active``)."""
        return Augmenter(shift=self.augment, rotate=self.augment_rotate, scale=self.augment_scale,
                         shear=self.augment_shear, elastic=self.augment_elastic,
                         sigma=self.augment_elastic_sigma, thickness=self.augment_thickness)

    def learning_rate_at(self, epoch: int) -> float:
        """eta for epoch ``epoch`` (0-based): eta_0 * decay**epoch."""
        return self.learning_rate * self.learning_rate_decay ** epoch

    def command(self, program: str = "python train.py") -> str:
        """A command line that trains this very network (all options spelled out)."""
        parts = [program, "--layers", ",".join(map(str, self.sizes))]
        if not self.bias:
            parts.append("--no-bias")
        parts += ["--cost", self.cost,
                  "--learning-rate", repr(self.learning_rate),
                  "--learning-rate-decay", repr(self.learning_rate_decay),
                  "--batch-size", str(self.batch_size),
                  "--weight-decay", repr(self.weight_decay),
                  "--augment", str(self.augment)]
        for name in self._LATER_OPTIONS:
            value = getattr(self, name)
            if value != self.DEFAULTS[name]:
                parts += ["--" + name.replace("_", "-"), repr(value)]
        if self.deskew:
            parts.append("--deskew")
        parts += ["--shuffle-buffer", str(self.shuffle_buffer)]
        if self.limit is not None:
            parts += ["--limit", str(self.limit)]
        if self.init != "fan-in":  # only when changed: older models' commands stay as they were
            parts += ["--init", self.init]
        parts += ["--epochs", str(self.epochs), "--seed", str(self.seed)]
        return " ".join(parts)


class TrainingState:
    """Where training stands; saved in the model file so it can be resumed.

    epoch: epochs completed (also the 0-based index of the current one).
    samples_done: samples of the current epoch already trained on.
    loss_sum: sum of their costs (for the running mean loss).
    decay_steps_pending: steps whose weight decay is not yet applied.
    training_samples: n, samples per epoch (fixed when training starts).
    history: one record per completed epoch (see ``Trainer.run``).
    """

    def __init__(self, training_samples: int, epoch: int = 0, samples_done: int = 0,
                 loss_sum: float = 0.0, decay_steps_pending: int = 0, history: Optional[list] = None):
        self.training_samples = training_samples
        self.epoch = epoch
        self.samples_done = samples_done
        self.loss_sum = loss_sum
        self.decay_steps_pending = decay_steps_pending
        self.history = list(history or [])

    def __repr__(self):
        return "TrainingState(epoch=%d, samples_done=%d, training_samples=%d)" % (
            self.epoch, self.samples_done, self.training_samples)

    @property
    def samples_seen(self) -> int:
        """Training steps' samples so far, over all epochs."""
        return self.epoch * self.training_samples + self.samples_done

    def to_dict(self) -> dict:
        return {"epoch": self.epoch, "samples_done": self.samples_done,
                "loss_sum": self.loss_sum, "decay_steps_pending": self.decay_steps_pending,
                "training_samples": self.training_samples}

    @classmethod
    def from_dict(cls, values: dict, history: list) -> "TrainingState":
        try:
            state = cls(training_samples=values["training_samples"], epoch=values["epoch"],
                        samples_done=values["samples_done"], loss_sum=values["loss_sum"],
                        decay_steps_pending=values["decay_steps_pending"], history=history)
        except (KeyError, TypeError) as error:
            raise UsageError("training state is incomplete (%s)" % error)
        for name in ("training_samples", "epoch", "samples_done", "decay_steps_pending"):
            value = getattr(state, name)
            if type(value) is not int or value < 0:
                raise UsageError("training state field %r is %r" % (name, value))
        if type(state.loss_sum) not in (int, float):
            raise UsageError("training state field 'loss_sum' is %r" % (state.loss_sum,))
        if not isinstance(history, list) or len(history) != state.epoch:
            raise UsageError("training history has %s records for %d epochs"
                             % (len(history) if isinstance(history, list) else "no", state.epoch))
        return state


# --- Saving and restoring through the model's metadata ----------------------

def describe(network: Network, config: TrainingConfig, state: TrainingState,
             data: Optional[dict] = None) -> dict:
    """The metadata dict for a model trained so far.

    Only what follows from the configuration, the data and the seed goes in
    (no dates, no timings, no paths), so the same training gives the same
    file.  ``data`` adds descriptive fields (e.g. the CSV file names).
    """
    metadata = {
        "command": config.command(),
        "seed": config.seed,
        "learning_rate": config.learning_rate,
        "epochs": state.epoch,
        "samples_seen": state.samples_seen,
        "training_samples": state.training_samples,
        "finished": state.epoch >= config.epochs and state.samples_done == 0,
    }
    if config.deskew:
        # Read by model_file.deskews: recognition must prepare its inputs
        # the way the training images were prepared.
        metadata["deskew"] = True
    if state.history:
        last = state.history[-1]
        metadata["test_accuracy"] = last["test_accuracy"]
        metadata["test_loss"] = last["test_loss"]
        metadata["test_samples"] = last["test_samples"]
    metadata.update(data or {})
    metadata["training"] = {"config": config.to_dict(), "state": state.to_dict(),
                            "history": state.history}
    return metadata


def restore(network: Network) -> Tuple[TrainingConfig, TrainingState]:
    """Read the configuration and state that ``describe`` stored in a model."""
    training = network.metadata.get("training")
    if not isinstance(training, dict) or "config" not in training or "state" not in training:
        raise UsageError("the model has no training state to resume from "
                         "(it was not saved by train.py)")
    config = TrainingConfig.from_dict(training["config"])
    if config.sizes != network.sizes or config.bias != network.has_bias or config.cost != network.cost.name:
        raise UsageError("the model's training configuration does not match its own layers")
    state = TrainingState.from_dict(training["state"], training.get("history"))
    return config, state


# --- Reporting --------------------------------------------------------------

class Reporter:
    """What the loop tells the outside world.  This base class stays silent.

    A subclass (report.py prints progress lines) overrides what it needs.
    """

    def epoch_started(self, epoch: int, config: TrainingConfig, state: TrainingState) -> None:
        """Epoch ``epoch`` (0-based) begins; state.samples_done may be > 0 after a resume."""

    def step_done(self, state: TrainingState) -> None:
        """One gradient step finished (state.samples_done, state.loss_sum updated)."""

    def evaluation_started(self, epoch: int) -> None:
        """The epoch's samples are done; the test set is being evaluated."""

    def test_sample_done(self) -> None:
        """One test sample evaluated."""

    def epoch_finished(self, record: dict, evaluation: Evaluation) -> None:
        """The epoch is complete: its history record and the full evaluation."""


class _Interrupts:
    """Turns SIGINT into a flag the loop checks between steps.

    Only in the main thread (signal handlers cannot be installed elsewhere);
    in other threads Ctrl-C behaves as usual.
    """

    def __init__(self):
        self.requested = False

    def _handler(self, signum, frame):
        if self.requested:  # second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.requested = True

    @contextlib.contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(signal.SIGINT, self._handler)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


class Trainer:
    """Trains ``network`` as ``config`` says, from ``state`` on.

    train_samples: a re-iterable of (label, pixels) (e.g. a SampleReader):
        iterated once per epoch, in file order; the loop shuffles it.
        pixels: 784 floats, or compact (784 bytes, as
        ``read_samples(path, compact=True)`` gives them), which the shuffle
        buffer holds in an eighth of the memory; each is expanded to floats
        when it leaves the buffer.  Both give the same weights, to the bit.
    test_samples: a re-iterable of (label, pixels) evaluated after each epoch
        (e.g. a ``ReadOnce`` of a compact reader: parsed once, not every epoch).
    checkpoint: called as checkpoint(network, config, state) after every
        epoch and when interrupted; it should save the model (atomically).
    """

    def __init__(self, network: Network, config: TrainingConfig, state: TrainingState,
                 train_samples: Iterable, test_samples: Iterable,
                 reporter: Optional[Reporter] = None,
                 checkpoint: Optional[Callable[[Network, TrainingConfig, TrainingState], None]] = None):
        config.check()
        if state.training_samples < 1:
            raise UsageError("there are no training samples")
        self.network = network
        self.config = config
        self.state = state
        self.train_samples = train_samples
        self.test_samples = test_samples
        self.reporter = reporter or Reporter()
        self.checkpoint = checkpoint
        self.last_evaluation: Optional[Evaluation] = None
        self._interrupts = _Interrupts()
        self._weights_consistent = True

    def __repr__(self):
        return "Trainer(%r, %r)" % (self.network, self.state)

    def after_step(self) -> None:
        """Called after every gradient step; does nothing.

        A hook for tests (which raise KeyboardInterrupt from it to simulate
        Ctrl-C at an exact sample) and for subclasses.
        """

    def run(self) -> List[dict]:
        """Train until ``config.epochs`` epochs are complete; return the history.

        Each history record: epoch (1-based), learning_rate, train_loss (mean
        cost over the epoch's steps, measured before each step's update),
        test_loss, test_accuracy, test_samples.
        Raises KeyboardInterrupt after saving the last consistent weights.
        """
        with self._interrupts.installed():
            try:
                while self.state.epoch < self.config.epochs:
                    self._run_epoch()
            except KeyboardInterrupt:
                if self._weights_consistent:
                    self._save()
                raise
        return self.state.history

    @property
    def interrupted_cleanly(self) -> bool:
        """After a KeyboardInterrupt: were the saved weights a consistent state?"""
        return self._weights_consistent

    def _save(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint(self.network, self.config, self.state)

    def _check_interrupt(self) -> None:
        if self._interrupts.requested:
            raise KeyboardInterrupt

    def _run_epoch(self) -> None:
        state, config = self.state, self.config
        epoch = state.epoch
        self.reporter.epoch_started(epoch, config, state)
        self._train_epoch(epoch)
        self.reporter.evaluation_started(epoch)
        evaluation = evaluate(self.network, self._test_stream())
        if evaluation.count == 0:
            raise UsageError("the test set is empty")
        record = {
            "epoch": epoch + 1,
            "learning_rate": config.learning_rate_at(epoch),
            "train_loss": state.loss_sum / max(1, state.samples_done),
            "test_loss": evaluation.loss,
            "test_accuracy": evaluation.accuracy,
            "test_samples": evaluation.count,
        }
        state.history.append(record)
        state.epoch += 1
        state.samples_done = 0
        state.loss_sum = 0.0
        self.last_evaluation = evaluation
        self._save()
        self.reporter.epoch_finished(record, evaluation)

    def _test_stream(self):
        for label, pixels in self.test_samples:
            self._check_interrupt()  # evaluating changes no weights: stop anywhere
            if self.config.deskew:
                pixels = deskew(inputs_of(pixels))  # compact bytes -> 784 floats (mnist_csv.py)
            # Compact samples go on as they are: evaluate feeds the network
            # their nonzero entries, its fastest path.
            yield label, pixels
            self.reporter.test_sample_done()

    def _train_epoch(self, epoch: int) -> None:
        """One pass over the training samples, resuming after state.samples_done."""
        state, config, network = self.state, self.config, self.network
        learning_rate = config.learning_rate_at(epoch)
        shrink = 1.0 - learning_rate * config.weight_decay / state.training_samples
        shuffle_rng = epoch_rng(config.seed, epoch, SHUFFLE)
        augment_rng = epoch_rng(config.seed, epoch, AUGMENT)
        samples = self.train_samples
        if config.limit is not None:
            samples = itertools.islice(samples, config.limit)
        stream = shuffled(samples, config.shuffle_buffer, shuffle_rng)
        augmenter = config.augmenter()
        style_rng = drawn_styles_rng(config.seed, epoch)
        skip = state.samples_done
        batch = []
        for index, (label, pixels) in enumerate(stream):
            # Drawn for every sample, skipped or not, to replay the stream:
            # always the same number of draws (augment.py, drawn_styles.py).
            if augmenter.active:
                distortion = augmenter.draw(augment_rng)
            if config.drawn_styles:
                choice = draw_choice(style_rng)
            if index < skip:
                continue
            # The buffer may hold compact samples (784 bytes, not 784 floats:
            # mnist_csv.py): a sample becomes the input vector x only now.
            pixels = inputs_of(pixels)
            if config.drawn_styles:
                pixels = maybe_replace(label, pixels, choice, config.drawn_styles)
            if config.deskew:
                pixels = deskew(pixels)
            if augmenter.active:
                pixels = augmenter.apply(pixels, distortion)
            batch.append((pixels, label))
            if len(batch) == config.batch_size:
                self._step(batch, learning_rate, shrink)
                batch = []
        if batch:  # the last, smaller batch of the epoch
            self._step(batch, learning_rate, shrink)
        if state.decay_steps_pending:
            self._weights_consistent = False
            self.network.decay_weights(shrink ** state.decay_steps_pending)
            state.decay_steps_pending = 0
            self._weights_consistent = True

    def _step(self, batch: list, learning_rate: float, shrink: float) -> None:
        """One SGD step on ``batch``; keeps the state in step with the weights."""
        state = self.state
        self._weights_consistent = False
        if len(batch) == 1:
            pixels, label = batch[0]
            loss_sum = self.network.train_sample(pixels, label, learning_rate)
        else:
            loss_sum = self.network.train_batch(batch, learning_rate) * len(batch)
        if self.config.weight_decay:
            state.decay_steps_pending += 1
            if state.decay_steps_pending == DECAY_INTERVAL:
                self.network.decay_weights(shrink ** DECAY_INTERVAL)
                state.decay_steps_pending = 0
        state.samples_done += len(batch)
        state.loss_sum += loss_sum
        self._weights_consistent = True
        self.reporter.step_done(state)
        self.after_step()
        self._check_interrupt()
