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
import signal
import threading
from collections.abc import Iterable
from typing import Callable, Optional

from nrnn.errors import UsageError
from nrnn.image.deskew import deskew
from nrnn.mnist.mnist_csv import inputs_of
from nrnn.net.network import Network
from nrnn.net.prng import PCG32
from nrnn.train.config import TrainingConfig, TrainingState
from nrnn.train.drawn_styles import draw_choice, maybe_replace
from nrnn.train.evaluate import Evaluation, evaluate
from nrnn.train.shuffle import shuffled_samples

# Weight decay is applied every this many steps (see the module docstring).
DECAY_INTERVAL = 16

# PCG32 streams: the network's initial weights use stream 54 (PCG32's
# default); epoch e shuffles with stream 1000 + 2e and distorts images with
# stream 1001 + 2e, so no two uses ever share a sequence.
_STREAM_BASE = 1000
SHUFFLE, AUGMENT = 0, 1
# Epoch e's drawn-style choices use stream 2**40 + e, far from the others.
_DRAWN_STREAM_BASE = 1 << 40

def epoch_rng(seed: int, epoch: int, purpose: int) -> PCG32:
    """The generator for one purpose (SHUFFLE or AUGMENT) in one epoch."""
    return PCG32(seed, _STREAM_BASE + 2 * epoch + purpose)


def drawn_styles_rng(seed: int, epoch: int) -> PCG32:
    """The generator of one epoch's drawn-style choices (drawn_styles.py)."""
    return PCG32(seed, _DRAWN_STREAM_BASE + epoch)


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

    train_samples: a re-iterable of (pixels, label) (e.g. a SampleReader):
        iterated once per epoch, in file order; the loop shuffles it.
        pixels: 784 floats, or compact (784 bytes, as
        ``read_samples(path, compact=True)`` gives them), which the shuffle
        buffer holds in an eighth of the memory; each is expanded to floats
        when it leaves the buffer.  Both give the same weights, to the bit.
    test_samples: a re-iterable of (pixels, label) evaluated after each epoch
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

    def run(self) -> list[dict]:
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
        for pixels, label in self.test_samples:
            self._check_interrupt()  # evaluating changes no weights: stop anywhere
            if self.config.deskew:
                pixels = deskew(inputs_of(pixels))  # compact bytes -> 784 floats (mnist_csv.py)
            # Compact samples go on as they are: evaluate feeds the network
            # their nonzero entries, its fastest path.
            yield pixels, label
            self.reporter.test_sample_done()

    def _train_epoch(self, epoch: int) -> None:
        """One pass over the training samples, resuming after state.samples_done."""
        state, config = self.state, self.config
        learning_rate = config.learning_rate_at(epoch)
        shrink = 1.0 - learning_rate * config.weight_decay / state.training_samples
        shuffle_rng = epoch_rng(config.seed, epoch, SHUFFLE)
        augment_rng = epoch_rng(config.seed, epoch, AUGMENT)
        samples = self.train_samples
        buffer_size = config.shuffle_buffer
        if config.limit is not None:
            samples = itertools.islice(samples, config.limit)
            # The buffer never holds more than the limit: a smaller block,
            # the very same order (a buffer that never fills never draws).
            buffer_size = min(buffer_size, config.limit)
        stream = shuffled_samples(samples, buffer_size, shuffle_rng)
        augmenter = config.augmenter()
        style_rng = drawn_styles_rng(config.seed, epoch)
        skip = state.samples_done
        batch = []
        for index, (pixels, label) in enumerate(stream):
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
                pixels = maybe_replace(pixels, label, choice, config.drawn_styles)
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
