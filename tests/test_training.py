"""Tests for nrnn/train/training.py: learning, weight decay, determinism, resume to the bit."""

import os
import shutil
import signal
import sys
import tempfile
import unittest
from unittest import mock

try:
    import tracemalloc
except ImportError:  # PyPy ships tracemalloc.py without its C half
    tracemalloc = None  # type: ignore[assignment]

from nrnn.errors import UsageError
from nrnn.mnist.mnist_csv import ReadOnce, read_samples
from nrnn.net.model_file import load_model, save_model
from nrnn.net.network import Network
from nrnn.train.checkpoint import describe, restore
from nrnn.train.config import TrainingConfig, TrainingState
from nrnn.train.training import AUGMENT, DECAY_INTERVAL, SHUFFLE, Reporter, Trainer, epoch_rng
from tests.synthetic_digits import as_floats, synthetic_samples, write_data_dir

TRAIN = as_floats(synthetic_samples(300))
TEST = as_floats(synthetic_samples(100, seed=1000))

# Every feature that carries state across steps: shuffling, shifts, L2
# decay (pending steps), a schedule, mini-batches with a partial last one.
FULL = dict(sizes=[784, 8, 10], learning_rate=0.5, learning_rate_decay=0.8, batch_size=7,
            weight_decay=2.0, augment=1, shuffle_buffer=50, epochs=3, seed=5)
# ...and every distortion and deskewing, which draw a fixed number of values
# per image (the elastic field: 1,568 of them); on 60 samples (9 steps an
# epoch), as these cost milliseconds an image on CPython.
DISTORTED = dict(FULL, limit=60, augment=2, augment_rotate=15.0, augment_scale=0.15, augment_shear=0.2,
                 augment_elastic=8.0, augment_elastic_sigma=1.0, augment_thickness=0.5, deskew=True,
                 drawn_styles=0.3)


def new_run(directory, name, **options):
    """(trainer, model path) for a fresh run that checkpoints to directory/name."""
    config = TrainingConfig(**options)
    network = Network(config.sizes, bias=config.bias, cost=config.cost, seed=config.seed)
    path = os.path.join(directory, name)
    samples = min(len(TRAIN), config.limit or len(TRAIN))
    return _trainer(network, config, TrainingState(samples), path), path


def resumed_run(path):
    network = load_model(path)
    config, state = restore(network)
    return _trainer(network, config, state, path)


def _trainer(network, config, state, path):
    def checkpoint(network, config, state):
        network.metadata = describe(network, config, state)
        save_model(network, path)
    return Trainer(network, config, state, TRAIN, TEST, checkpoint=checkpoint)


def interrupt_after(steps):
    """Patch Trainer.after_step to raise KeyboardInterrupt after ``steps`` steps."""
    count = [0]

    def after_step(trainer):
        count[0] += 1
        if count[0] == steps:
            raise KeyboardInterrupt
    return mock.patch.object(Trainer, "after_step", after_step)


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


class LearningTest(unittest.TestCase):
    def test_loss_falls_and_the_network_learns(self):
        config = TrainingConfig(sizes=[784, 10, 10], learning_rate=0.5, epochs=3, seed=1)
        network = Network(config.sizes, seed=1)
        history = Trainer(network, config, TrainingState(len(TRAIN)), TRAIN, TEST).run()
        self.assertEqual([r["epoch"] for r in history], [1, 2, 3])
        self.assertGreater(history[0]["train_loss"], history[-1]["train_loss"])
        self.assertGreater(history[0]["test_loss"], history[-1]["test_loss"])
        self.assertGreaterEqual(history[-1]["test_accuracy"], 0.9)
        self.assertEqual(history[-1]["test_samples"], len(TEST))
        correct = sum(network.classify(pixels) == label for pixels, label in TEST)
        self.assertEqual(correct / len(TEST), history[-1]["test_accuracy"])

    def test_per_sample_sgd_is_exactly_network_train_sample_in_shuffled_order(self):
        # With no shuffling, shifts or decay the loop must be plain SGD.
        config = TrainingConfig(sizes=[784, 5, 10], learning_rate=0.3, shuffle_buffer=0, seed=2)
        trained = Network(config.sizes, seed=2)
        Trainer(trained, config, TrainingState(len(TRAIN)), TRAIN, TEST).run()
        by_hand = Network(config.sizes, seed=2)
        for pixels, label in TRAIN:
            by_hand.train_sample(pixels, label, 0.3)
        self.assertEqual(trained.weights, by_hand.weights)
        self.assertEqual(trained.biases, by_hand.biases)

    def test_learning_rate_schedule(self):
        config = TrainingConfig(learning_rate=0.5, learning_rate_decay=0.5)
        self.assertEqual([config.learning_rate_at(e) for e in range(3)], [0.5, 0.25, 0.125])

    def test_limit_trains_on_the_first_samples_only(self):
        seen = []

        class Count(Reporter):
            def step_done(self, state):
                seen.append(state.samples_done)
        config = TrainingConfig(sizes=[784, 4, 10], limit=30, shuffle_buffer=0)
        Trainer(Network(config.sizes), config, TrainingState(30), TRAIN, TEST, Count()).run()
        self.assertEqual(seen, list(range(1, 31)))

    def test_weight_decay_shrinks_by_the_exact_total(self):
        # Blank images and no biases: the gradient of W is delta x^T = 0, so
        # only the decay moves the weights: W_end = (1 - eta lambda / n)**n W.
        blank = [([0.0] * 784, k % 10) for k in range(37)]   # 37 = 2 * 16 + 5 steps
        config = TrainingConfig(sizes=[784, 10], bias=False, learning_rate=0.2, weight_decay=3.0)
        network = Network(config.sizes, bias=False, seed=3)
        before = [row[:] for row in network.weights[0]]
        Trainer(network, config, TrainingState(37), blank, blank[:5]).run()
        shrink = (1 - 0.2 * 3.0 / 37) ** 37
        for row_before, row_after in zip(before, network.weights[0]):
            for w0, w1 in zip(row_before, row_after):
                self.assertAlmostEqual(w1, w0 * shrink, delta=1e-12 * abs(w0) + 1e-300)
        self.assertEqual(DECAY_INTERVAL, 16)

    def test_epoch_generators_are_distinct(self):
        draws = {(e, p): epoch_rng(7, e, p).next_u32() for e in range(4) for p in (SHUFFLE, AUGMENT)}
        self.assertEqual(len(set(draws.values())), 8)
        self.assertEqual(epoch_rng(7, 2, SHUFFLE).next_u32(), draws[2, SHUFFLE])


class ReproducibleTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.dir = self.directory.name

    def test_same_seed_same_file_other_seed_other_file(self):
        first, a = new_run(self.dir, "a.json", **FULL)
        first.run()
        second, b = new_run(self.dir, "b.json", **FULL)
        second.run()
        self.assertEqual(read(a), read(b))
        third, c = new_run(self.dir, "c.json", **dict(FULL, seed=6))
        third.run()
        self.assertNotEqual(read(a), read(c))

    def test_resume_after_interrupt_equals_an_uninterrupted_run(self):
        self.check_resume(FULL)

    def test_resume_with_every_distortion_and_deskewing(self):
        self.check_resume(DISTORTED, stops=(5, 9 + 3, 3 * 9 - 1))

    def test_distortions_change_the_result(self):
        # The options really reach the loop: each one alone gives another model.
        base = dict(FULL, epochs=1, limit=60)
        first, reference = new_run(self.dir, "base.json", **base)
        first.run()
        for name, value in (("augment_rotate", 10.0), ("augment_scale", 0.1), ("augment_shear", 0.1),
                            ("augment_elastic", 5.0), ("augment_thickness", 0.3), ("deskew", True),
                            ("drawn_styles", 0.3)):
            with self.subTest(option=name):
                trainer, path = new_run(self.dir, name + ".json", **dict(base, **{name: value}))
                trainer.run()
                self.assertNotEqual(load_model(path).weights, load_model(reference).weights)

    def check_resume(self, options, stops=None):
        whole, reference = new_run(self.dir, "whole.json", **options)
        whole.run()
        samples = min(len(TRAIN), options.get("limit") or len(TRAIN))
        steps_per_epoch = -(-samples // options["batch_size"])  # FULL: 43, 42 full batches and 1 of 6
        # Mid-epoch, just before an epoch's last step, at its very last step
        # (evaluation pending), in the last epoch.
        for stop_at in stops or (5, steps_per_epoch - 1, steps_per_epoch, steps_per_epoch + 17,
                                 3 * steps_per_epoch - 2):
            with self.subTest(stop_at=stop_at):
                trainer, path = new_run(self.dir, "cut%d.json" % stop_at, **options)
                with interrupt_after(stop_at):
                    with self.assertRaises(KeyboardInterrupt):
                        trainer.run()
                self.assertTrue(trainer.interrupted_cleanly)
                saved = load_model(path)
                self.assertFalse(saved.metadata["finished"])
                _, state = restore(saved)
                # The checkpoint holds exactly the steps taken, no more, no fewer.
                self.assertEqual(state.epoch * steps_per_epoch
                                 + -(-state.samples_done // options["batch_size"]), stop_at)
                resumed_run(path).run()
                self.assertEqual(read(path), read(reference))

    def test_interrupted_twice(self):
        whole, reference = new_run(self.dir, "whole.json", **FULL)
        whole.run()
        trainer, path = new_run(self.dir, "twice.json", **FULL)
        with interrupt_after(20), self.assertRaises(KeyboardInterrupt):
            trainer.run()
        with interrupt_after(50), self.assertRaises(KeyboardInterrupt):
            resumed_run(path).run()
        resumed_run(path).run()
        self.assertEqual(read(path), read(reference))

    def test_interrupt_during_evaluation(self):
        whole, reference = new_run(self.dir, "whole.json", **FULL)
        whole.run()
        trainer, path = new_run(self.dir, "eval.json", **FULL)
        calls = [0]

        class StopInTesting(Reporter):
            def test_sample_done(self):
                calls[0] += 1
                if calls[0] == 150:  # epoch 2, 50 test samples in
                    raise KeyboardInterrupt
        trainer.reporter = StopInTesting()
        with self.assertRaises(KeyboardInterrupt):
            trainer.run()
        _, state = restore(load_model(path))
        self.assertEqual((state.epoch, state.samples_done), (1, len(TRAIN)))
        resumed_run(path).run()
        self.assertEqual(read(path), read(reference))

    def test_ctrl_c_is_deferred_to_the_end_of_the_step(self):
        # As at a terminal, even when the suite runs as a background job
        # (which starts with SIGINT ignored).
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        whole, reference = new_run(self.dir, "whole.json", **FULL)
        whole.run()
        trainer, path = new_run(self.dir, "sigint.json", **FULL)
        count = [0]

        def after_step(self):
            count[0] += 1
            if count[0] == 30:
                # A real SIGINT: the handler only raises a flag, and the loop
                # stops after this step, with consistent weights.
                os.kill(os.getpid(), signal.SIGINT)
        with mock.patch.object(Trainer, "after_step", after_step), self.assertRaises(KeyboardInterrupt):
            trainer.run()
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        _, state = restore(load_model(path))
        self.assertEqual(state.samples_done, 30 * FULL["batch_size"])
        resumed_run(path).run()
        self.assertEqual(read(path), read(reference))

    def test_interrupt_inside_a_step_saves_nothing(self):
        trainer, path = new_run(self.dir, "torn.json", **FULL)
        saves = []
        trainer.checkpoint = lambda *args: saves.append(args[2].samples_done)
        real = Network.train_batch

        def torn(network, batch, learning_rate):
            if len(saves) == 0 and torn.calls == 3:
                raise KeyboardInterrupt  # as if Ctrl-C came halfway through
            torn.calls += 1
            return real(network, batch, learning_rate)
        torn.calls = 0
        with mock.patch.object(Network, "train_batch", torn), self.assertRaises(KeyboardInterrupt):
            trainer.run()
        self.assertFalse(trainer.interrupted_cleanly)
        self.assertEqual(saves, [])

    def test_resuming_may_extend_the_epochs(self):
        options = dict(FULL, epochs=1)
        short, path = new_run(self.dir, "short.json", **options)
        short.run()
        network = load_model(path)
        config, state = restore(network)
        config.epochs = 3
        _trainer(network, config, state, path).run()
        whole, reference = new_run(self.dir, "whole.json", **FULL)
        whole.run()
        self.assertEqual(read(path), read(reference))


class CompactSamplesTest(unittest.TestCase):
    """Samples read compact (784 bytes, expanded as they leave the shuffle
    buffer; the test set read once) train the very weights that samples
    given as floats do: the float lists are the path before compact samples."""

    def train(self, options, train, test):
        config = TrainingConfig(**options)
        network = Network(config.sizes, bias=config.bias, cost=config.cost, seed=config.seed)
        state = TrainingState(min(300, config.limit or 300))
        history = Trainer(network, config, state, train, test).run()
        return network.weights, network.biases, history

    def test_same_weights_and_history_to_the_bit(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        train_csv, test_csv = write_data_dir(directory, train=300, test=100)
        for options in (FULL, DISTORTED, dict(FULL, batch_size=1, weight_decay=0.0)):
            compact = self.train(options, read_samples(train_csv, compact=True),
                                 ReadOnce(read_samples(test_csv, compact=True)))
            self.assertEqual(compact, self.train(options, TRAIN, TEST))

    def test_a_limit_below_the_buffer_size_sizes_the_block_and_keeps_the_order(self):
        # The buffer never holds more than --limit samples, so a buffer of
        # the limit's size gives the same order (it never fills, never draws)
        # and its block takes 40 records, not 10,000 (7.9 MB).
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        train_csv, test_csv = write_data_dir(directory, train=100, test=10)
        options = dict(sizes=[784, 4, 10], limit=40, seed=3)
        results = [self.train(dict(options, shuffle_buffer=size), read_samples(train_csv, compact=True),
                              read_samples(test_csv, compact=True)) for size in (10000, 40)]
        self.assertEqual(results[0], results[1])
        self.assertNotEqual(results[0], self.train(dict(options, shuffle_buffer=0),  # (shuffled at all)
                                                   read_samples(train_csv, compact=True),
                                                   read_samples(test_csv, compact=True)))
        if tracemalloc is not None and sys.implementation.name == "cpython":  # (PyPy: no tracemalloc)
            tracemalloc.start()
            try:
                self.train(dict(options, shuffle_buffer=10000), read_samples(train_csv, compact=True),
                           read_samples(test_csv, compact=True))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            self.assertLess(peak, 1 << 20, peak)


class ConfigTest(unittest.TestCase):
    def test_round_trip_through_the_model_file(self):
        config = TrainingConfig(**FULL)
        state = TrainingState(300, epoch=1, samples_done=42, loss_sum=12.5, decay_steps_pending=3,
                              history=[{"epoch": 1, "learning_rate": 0.5, "train_loss": 1.0,
                                               "test_loss": 0.9, "test_accuracy": 0.5, "test_samples": 100}])
        network = Network(config.sizes, seed=5)
        network.metadata = describe(network, config, state, {"training_data": "x.csv"})
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "m.json")
            save_model(network, path)
            loaded = load_model(path)
        config2, state2 = restore(loaded)
        self.assertEqual(config2, config)
        self.assertEqual(state2.to_dict(), state.to_dict())
        self.assertEqual(state2.history, state.history)
        self.assertEqual(loaded.metadata["command"], config.command())
        self.assertEqual(loaded.metadata["samples_seen"], 342)
        self.assertEqual(loaded.metadata["training_data"], "x.csv")

    def test_command_reproduces_the_config(self):
        command = TrainingConfig(**FULL).command()
        self.assertTrue(command.startswith("python train.py --layers 784,8,10 "))
        for flag in ("--learning-rate 0.5", "--learning-rate-decay 0.8", "--batch-size 7",
                     "--weight-decay 2.0", "--augment 1", "--shuffle-buffer 50", "--epochs 3", "--seed 5"):
            self.assertIn(flag, command)
        self.assertIn("--no-bias", TrainingConfig(bias=False).command())
        # Options added later appear only when used, so older commands stay as they were.
        self.assertNotIn("rotate", command)
        self.assertNotIn("deskew", command)
        command = TrainingConfig(**DISTORTED).command()
        for flag in ("--augment 2", "--augment-rotate 15.0", "--augment-scale 0.15", "--augment-shear 0.2",
                     "--augment-elastic 8.0", "--augment-elastic-sigma 1.0", "--augment-thickness 0.5",
                     "--deskew", "--drawn-styles 0.3"):
            self.assertIn(flag, command)

    def test_deskew_is_in_the_metadata_for_recognition(self):
        from nrnn.net.model_file import deskews
        network = Network([784, 3, 10])
        network.metadata = describe(network, TrainingConfig(sizes=[784, 3, 10], deskew=True), TrainingState(10))
        self.assertIs(network.metadata["deskew"], True)
        self.assertTrue(deskews(network))
        network.metadata = describe(network, TrainingConfig(sizes=[784, 3, 10]), TrainingState(10))
        self.assertNotIn("deskew", network.metadata)
        self.assertFalse(deskews(network))

    def test_distorted_config_round_trips(self):
        config = TrainingConfig(**DISTORTED)
        network = Network(config.sizes, seed=5)
        network.metadata = describe(network, config, TrainingState(300))
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "m.json")
            save_model(network, path)
            self.assertEqual(restore(load_model(path))[0], config)
        # A model saved before these options existed reads with their defaults.
        old = dict(config.to_dict())
        for name in ("augment_rotate", "augment_scale", "augment_shear", "augment_elastic",
                     "augment_elastic_sigma", "augment_thickness", "deskew", "drawn_styles"):
            del old[name]
        self.assertEqual(TrainingConfig.from_dict(old), TrainingConfig(**dict(FULL, augment=2, limit=60)))

    def test_bad_values_are_named(self):
        cases = [
            (dict(sizes=[100, 10]), "layers must start with 784"),
            (dict(sizes=[784, 0, 10]), "layers must be at least two positive"),
            (dict(sizes=[784]), "layers must be at least two"),
            (dict(cost="hinge"), "cost must be"),
            (dict(learning_rate=0.0), "learning rate must be a number > 0"),
            (dict(learning_rate=float("nan")), "learning rate"),
            (dict(learning_rate_decay=1.5), "learning rate decay"),
            (dict(batch_size=0), "batch size must be an integer >= 1"),
            (dict(epochs=0), "epochs"),
            (dict(seed=-1), "seed"),
            (dict(seed=2 ** 64), "seed"),
            (dict(limit=0), "limit"),
            (dict(shuffle_buffer=-2), "shuffle buffer"),
            (dict(weight_decay=-1.0), "weight decay"),
            (dict(augment=9), "augment"),
            (dict(augment_rotate=91.0), "augment-rotate"),
            (dict(augment_rotate=-1.0), "augment-rotate"),
            (dict(augment_scale=0.6), "augment-scale"),
            (dict(augment_shear=float("inf")), "augment-shear"),
            (dict(augment_elastic=-1.0), "augment-elastic"),
            (dict(augment_elastic_sigma=0.0), "augment-elastic-sigma"),
            (dict(augment_thickness=1.5), "augment-thickness"),
            (dict(augment_thickness="0.5"), "augment-thickness"),
            (dict(deskew=1), "deskew"),
            (dict(drawn_styles=0.6), "drawn-styles"),
            (dict(bias="yes"), "bias"),
        ]
        for options, message in cases:
            with self.subTest(options=options), self.assertRaisesRegex(UsageError, message):
                TrainingConfig(**options).check()
        with self.assertRaises(TypeError):
            TrainingConfig(learning_rat=0.1)

    def test_restore_refuses_a_model_without_training_state(self):
        with self.assertRaisesRegex(UsageError, "no training state"):
            restore(Network([784, 3, 10]))
        network = Network([784, 3, 10])
        network.metadata = describe(network, TrainingConfig(sizes=[784, 3, 10]), TrainingState(10))
        network.metadata["training"]["state"]["epoch"] = 2   # but no history for it
        with self.assertRaisesRegex(UsageError, "history"):
            restore(network)
        network.metadata["training"]["config"]["sizes"] = [784, 4, 10]
        with self.assertRaisesRegex(UsageError, "does not match"):
            restore(network)


if __name__ == "__main__":
    unittest.main()
