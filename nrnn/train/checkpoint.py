"""Saving a training run in its model file, and reading it back to resume.

A checkpoint is an ordinary model file (model_file.py) whose metadata also
holds the run: the ``TrainingConfig``, the ``TrainingState`` and the history
of every epoch (config.py).  Weights and state are saved together, in one
atomic write, so they always agree; ``restore`` reads them back and checks
that the configuration matches the network's own layers.
"""

from typing import Optional

from nrnn.errors import UsageError
from nrnn.net.network import Network
from nrnn.train.config import TrainingConfig, TrainingState


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


def restore(network: Network) -> tuple[TrainingConfig, TrainingState]:
    """Read the configuration and state that ``describe`` stored in a model."""
    training = network.metadata.get("training")
    if not isinstance(training, dict) or "config" not in training or "state" not in training:
        raise UsageError("the model has no training state to resume from "
                         "(it was not saved by train.py)")
    config = TrainingConfig.from_dict(training["config"])
    if config.sizes != network.sizes or config.bias != network.has_bias or config.cost != network.cost.name:
        raise UsageError("the model's training configuration does not match its own layers")
    state = TrainingState.from_dict(training["state"], training.get("history") or [])
    return config, state
