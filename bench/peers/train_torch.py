"""PyTorch peer of bench/train.ts: the MLP and the CNN trained by a plain loop, one JSON line out.

    /tmp/peers/bin/python bench/peers/train_torch.py ROUNDS MLP_STEPS CNN_STEPS [WARMUP] [THREADS]

Same models, batch sizes and optimizer as bench/train.ts (Adam with Keras's defaults: lr 1e-3,
eps 1e-7), softmax cross-entropy as log_softmax + nll_loss, channels-first images (PyTorch's
layout), THREADS intra-op threads (default 2). Each round is STEPS training steps after WARMUP
untimed ones. A STEPS of 0 skips that model. With --serve, rounds on request (see serve()).
"""

import json
import sys
import time

import torch
from torch import nn

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROUNDS = int(ARGS[0]) if len(ARGS) > 0 else 5
STEPS = {"mlp": int(ARGS[1]) if len(ARGS) > 1 else 20, "cnn": int(ARGS[2]) if len(ARGS) > 2 else 4}
WARMUP = int(ARGS[3]) if len(ARGS) > 3 else 5
THREADS = int(ARGS[4]) if len(ARGS) > 4 else 2
BATCH = {"mlp": 128, "cnn": 64}
torch.set_num_threads(THREADS)
# Subnormals flushed to zero, as TensorFlow/XLA (so Keras/JAX) and keras-ts run: otherwise, after a
# few hundred steps, Adam's momentum of dead units decays into the subnormal range and PyTorch's
# MLP step ran 2x slower (16,900 instead of ~30,000 samples/s after 1,000 warm-up steps).
torch.set_flush_denormal(True)


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(12 * 12 * 64, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


NAME = f"PyTorch {torch.__version__} ({THREADS} threads)"


def setup(kind):
    """Builds one model and its optimizer, runs the warm-up steps; returns a timed round: (seconds, loss)."""
    batch, steps = BATCH[kind], STEPS[kind]
    shape = (784,) if kind == "mlp" else (1, 28, 28)
    torch.manual_seed(0)
    xs = torch.rand(steps, batch, *shape)
    ys = torch.randint(0, 10, (steps, batch))
    model = build(kind)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.nll_loss(torch.log_softmax(model(x), dim=1), y)
        loss.backward()
        opt.step()
        return loss

    for i in range(WARMUP):
        step(xs[i % steps], ys[i % steps])

    def timed():
        t0 = time.perf_counter()
        for i in range(steps):
            loss = step(xs[i], ys[i])
        loss = float(loss.detach())
        return time.perf_counter() - t0, loss

    return timed


def serve():
    """--serve: build and warm up the models whose STEPS is not 0, print one JSON line of names, then time one round
    per line read ("mlp" or "cnn") and answer {"seconds", "loss"}: bench/train.ts interleaves these
    rounds with its own, so every framework sees the same load on a shared machine."""
    rounds = {k: setup(k) for k in ("mlp", "cnn") if STEPS[k] > 0}
    print(json.dumps({"name": NAME}), flush=True)
    for line in sys.stdin:
        seconds, loss = rounds[line.strip()]()
        print(json.dumps({"seconds": seconds, "loss": loss}), flush=True)


def run(kind):
    timed = setup(kind)
    results = [timed() for _ in range(ROUNDS)]
    seconds = sorted(s for s, _ in results)
    n = BATCH[kind] * STEPS[kind]
    return {
        "name": NAME,
        "model": kind,
        "best": n / seconds[0],
        "median": n / seconds[len(seconds) // 2],
        "rounds": len(seconds),
        "loss": results[-1][1],
    }


if "--serve" in sys.argv:
    serve()
else:
    print(json.dumps([run(k) for k in ("mlp", "cnn") if STEPS[k] > 0]))
