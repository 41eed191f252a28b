"""Keras 3 peer of bench/train.ts: the MLP and the CNN trained with model.fit, one JSON line out.

    KERAS_BACKEND=jax /tmp/peers/bin/python bench/peers/train_keras.py ROUNDS MLP_STEPS CNN_STEPS [WARMUP]

Same models, batch sizes, optimizer (Adam, Keras defaults) and loss as bench/train.ts, random data.
Each round is one `fit` of one epoch over STEPS batches; the warm-up fit (which jit-compiles the
train step) is not timed. A STEPS of 0 skips that model. With --serve, rounds on request (see serve()).
"""

import time

import keras
import numpy as np
from harness import BATCH, STEPS, WARMUP, main

layers = keras.layers


def build(kind):
    if kind == "mlp":
        return keras.Sequential(
            [
                keras.Input((784,)),
                layers.Dense(512, activation="relu"),
                layers.Dense(512, activation="relu"),
                layers.Dense(10, activation="softmax"),
            ]
        )
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )


NAME = f"Keras {keras.__version__} {keras.backend.backend()}"


def setup(kind):
    """Builds, compiles and warms up (jit-compiles) one model; returns a timed round: (seconds, loss)."""
    batch, steps = BATCH[kind], STEPS[kind]
    n = batch * steps
    shape = (784,) if kind == "mlp" else (28, 28, 1)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (n, *shape)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    keras.utils.set_random_seed(1)
    model = build(kind)
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy")
    w = max(WARMUP, 1) * batch
    model.fit(np.resize(x, (w, *shape)), np.resize(y, (w, 10)), epochs=1, batch_size=batch, shuffle=False, verbose=0)

    def timed():
        t0 = time.perf_counter()
        h = model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
        return time.perf_counter() - t0, h.history["loss"][-1]

    return timed


main(NAME, setup)
