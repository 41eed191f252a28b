"""PyTorch peer of bench/train.ts: the MLP and the CNN trained by a plain loop, one JSON line out.

    /tmp/peers/bin/python bench/peers/train_torch.py ROUNDS MLP_STEPS CNN_STEPS [WARMUP] [THREADS]

Same models, batch sizes and optimizer as bench/train.ts (Adam with Keras's defaults: lr 1e-3,
eps 1e-7), softmax cross-entropy as log_softmax + nll_loss, channels-first images (PyTorch's
layout), THREADS intra-op threads (default 2). Each round is STEPS training steps after WARMUP
untimed ones. A STEPS of 0 skips that model. With --serve, rounds on request (see serve()).
"""

import time

import torch
from harness import ARGS, BATCH, STEPS, WARMUP, main
from torch import nn

THREADS = int(ARGS[4]) if len(ARGS) > 4 else 2
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


main(NAME, setup)
