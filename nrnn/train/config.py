"""What a training run is: its configuration and where it stands.

``TrainingConfig`` holds every option that decides the trained weights (and
nothing that does not: no file names, no screen settings), checks them, and
spells them back out as the ``train.py`` command that trains this very
network.  ``TrainingState`` is where training stands (epoch, samples done,
running loss, pending weight decay, history): the loop (training.py)
updates it step by step, and checkpoint.py saves both in the model file's
metadata, so an interrupted run resumes to the bit.
"""

import math
from dataclasses import dataclass, field, fields
from typing import ClassVar, Optional

from nrnn.errors import UsageError
from nrnn.mnist import DIGITS, PIXELS
from nrnn.net.network import INITS
from nrnn.train.augment import Augmenter

MNIST_INPUTS, MNIST_CLASSES = PIXELS, DIGITS  # 784, 10 (nrnn/mnist/__init__.py)
MAX_SEED = 2 ** 64 - 1


@dataclass
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
    augment_pen: the probability that an image is redrawn along its
        skeleton with a round pen of random width (0: never).
    deskew: deskew every image (training and test) before anything else;
        recorded in the model's metadata so recognition deskews too.
    drawn_styles: the fraction of training images replaced by a digit of the
        same label drawn in a style MNIST lacks (0: none).
    (See augment.py and deskew.py for what each does.)
    init: initial weights, "fan-in" N(0, 1/n_in) or "unit" N(0, 1) (see network.py).
    """

    sizes: list[int] = field(default_factory=lambda: [MNIST_INPUTS, 100, MNIST_CLASSES])
    bias: bool = True
    cost: str = "cross-entropy"
    learning_rate: float = 0.1
    learning_rate_decay: float = 1.0
    batch_size: int = 1
    epochs: int = 1
    seed: int = 0
    limit: Optional[int] = None
    shuffle_buffer: int = 10000
    weight_decay: float = 0.0
    augment: int = 0
    augment_rotate: float = 0.0
    augment_scale: float = 0.0
    augment_shear: float = 0.0
    augment_elastic: float = 0.0
    augment_elastic_sigma: float = 4.0
    augment_thickness: float = 0.0
    augment_pen: float = 0.0
    deskew: bool = False
    drawn_styles: float = 0.0
    init: str = "fan-in"

    # The options added after the first models were shipped: the command
    # line names them only when they differ from their defaults, so an old
    # run's command (and model file) stays exactly what it was.
    _LATER_OPTIONS: ClassVar[tuple[str, ...]] = (
        "augment_rotate", "augment_scale", "augment_shear", "augment_elastic",
        "augment_elastic_sigma", "augment_thickness", "drawn_styles", "augment_pen")

    def __post_init__(self):
        self.sizes = list(self.sizes)  # a copy: the caller's list stays theirs

    @classmethod
    def defaults(cls) -> dict:
        """Every option's default value, by name."""
        return cls().to_dict()

    def to_dict(self) -> dict:
        return {option.name: getattr(self, option.name) for option in fields(self)}

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingConfig":
        if not isinstance(values, dict):
            raise UsageError("training configuration must be an object, found %r" % (values,))
        names = {option.name for option in fields(cls)}
        config = cls(**{k: v for k, v in values.items() if k in names})
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
        number("augment-pen (probability)", self.augment_pen, 0.0, 1.0)
        number("drawn-styles (fraction)", self.drawn_styles, 0.0, 0.5)
        if type(self.deskew) is not bool:
            raise UsageError("deskew must be true or false, got %r" % (self.deskew,))
        if self.init not in INITS:
            raise UsageError("init must be %s, got %r" % (" or ".join(INITS), self.init))

    def augmenter(self) -> Augmenter:
        """The Augmenter these options describe (it may do nothing: ``.active``)."""
        return Augmenter(shift=self.augment, rotate=self.augment_rotate, scale=self.augment_scale,
                         shear=self.augment_shear, elastic=self.augment_elastic,
                         sigma=self.augment_elastic_sigma, thickness=self.augment_thickness,
                         pen=self.augment_pen)

    def learning_rate_at(self, epoch: int) -> float:
        """eta for epoch ``epoch`` (0-based): eta_0 * decay**epoch."""
        return self.learning_rate * self.learning_rate_decay ** epoch

    def command(self, program: str = "python train.py") -> str:
        """A command line that trains this very network (all options spelled out).

        The order is fixed, so that the same run always gives the same
        command (it is recorded in the model file).
        """
        parts = [program, flag("sizes"), shown(self.sizes)]
        if not self.bias:
            parts.append(flag("bias"))
        for name in ("cost", "learning_rate", "learning_rate_decay", "batch_size", "weight_decay", "augment"):
            parts += [flag(name), shown(getattr(self, name))]
        defaults = self.defaults()
        for name in self._LATER_OPTIONS:
            value = getattr(self, name)
            if value != defaults[name]:
                parts += [flag(name), shown(value)]
        if self.deskew:
            parts.append(flag("deskew"))
        parts += [flag("shuffle_buffer"), shown(self.shuffle_buffer)]
        if self.limit is not None:
            parts += [flag("limit"), shown(self.limit)]
        if self.init != "fan-in":  # only when changed: older models' commands stay as they were
            parts += [flag("init"), shown(self.init)]
        parts += [flag("epochs"), shown(self.epochs), flag("seed"), shown(self.seed)]
        return " ".join(parts)


def flag(name: str) -> str:
    """The train.py flag of the option ``name``: the one place that knows.

    >>> flag("learning_rate"), flag("sizes"), flag("bias")
    ('--learning-rate', '--layers', '--no-bias')
    """
    return _FLAGS.get(name, "--" + name.replace("_", "-"))


# The options whose flag is not simply their name with dashes (bias is on
# by default, so its flag turns it off).  A test checks that train.py's
# parser has a flag(name) for every option.
_FLAGS = {"sizes": "--layers", "bias": "--no-bias"}


def shown(value) -> str:
    """An option's value as train.py's command line takes it back.

    >>> shown([784, 30, 10]), shown(0.1), shown("quadratic"), shown(3)
    ('784,30,10', '0.1', 'quadratic', '3')
    """
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, str):
        return value
    return repr(value)


@dataclass
class TrainingState:
    """Where training stands; saved in the model file so it can be resumed.

    epoch: epochs completed (also the 0-based index of the current one).
    samples_done: samples of the current epoch already trained on.
    loss_sum: sum of their costs (for the running mean loss).
    decay_steps_pending: steps whose weight decay is not yet applied.
    training_samples: n, samples per epoch (fixed when training starts).
    history: one record per completed epoch (see ``Trainer.run``).
    """

    training_samples: int
    epoch: int = 0
    samples_done: int = 0
    loss_sum: float = 0.0
    decay_steps_pending: int = 0
    history: list = field(default_factory=list, repr=False)

    def __post_init__(self):
        self.history = list(self.history or [])

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
            raise UsageError("training state is incomplete (%s)" % error) from None
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


if __name__ == "__main__":
    import doctest
    doctest.testmod()
