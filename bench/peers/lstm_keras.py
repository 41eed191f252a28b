"""Keras 3 peer of bench/lstm.ts: the same LSTM model trained with model.fit, printing one JSON line.

    KERAS_BACKEND=jax /tmp/kenv/bin/python bench/peers/lstm_keras.py [rounds] [batches]

LSTM(128) over [64, 50, 32] -> Dense(10, softmax), Adam, categorical cross-entropy; each round
is one epoch of `batches` batches of 64 (the first fit, which compiles, is not timed).
"""

import json
import sys
import time

import keras
import numpy as np

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BATCHES = int(sys.argv[2]) if len(sys.argv) > 2 else 4
BATCH, TIME, FEATURES, UNITS, CLASSES = 64, 50, 32, 128, 10
N = BATCH * BATCHES

rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (N, TIME, FEATURES)).astype("float32")
y = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, N)]

keras.utils.set_random_seed(1)
model = keras.Sequential(
    [
        keras.Input((TIME, FEATURES)),
        keras.layers.LSTM(UNITS),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy")
# Warm-up on the full epoch: compiles the train step (the last batch has the same shape).
model.fit(x, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)

seconds = []
loss = float("nan")
for _ in range(ROUNDS):
    t0 = time.perf_counter()
    h = model.fit(x, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)
    seconds.append(time.perf_counter() - t0)
    loss = h.history["loss"][-1]

seconds.sort()
backend = keras.backend.backend()
print(
    json.dumps(
        {
            "name": f"Keras {keras.__version__} {backend}",
            "best": N / seconds[0],
            "median": N / seconds[len(seconds) // 2],
            "rounds": len(seconds),
            "loss": loss,
        }
    )
)
