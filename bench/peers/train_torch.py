"""PyTorch peer of bench/train.ts: the MLP and the CNN trained by a plain loop, one JSON line out.

    /tmp/peers/bin/python bench/peers/train_torch.py ROUNDS MLP_STEPS CNN_STEPS [WARMUP] [THREADS]

Same models, batch sizes and optimizer as bench/train.ts (Adam with Keras's defaults: lr 1e-3,
eps 1e-7), softmax cross-entropy as log_softmax + nll_loss, channels-first images (PyTorch's
layout), THREADS intra-op threads (default 2). Each round is STEPS training steps after WARMUP
untimed ones. A STEPS of 0 skips that model.
"""

import json
import sys
import time

import torch
from torch import nn

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
STEPS = {"mlp": int(sys.argv[2]) if len(sys.argv) > 2 else 20, "cnn": int(sys.argv[3]) if len(sys.argv) > 3 else 4}
WARMUP = int(sys.argv[4]) if len(sys.argv) > 4 else 5
THREADS = int(sys.argv[5]) if len(sys.argv) > 5 else 2
BATCH = {"mlp": 128, "cnn": 64}
torch.set_num_threads(THREADS)


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


def run(kind):
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
    seconds, loss = [], float("nan")
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for i in range(steps):
            loss = step(xs[i], ys[i])
        loss = float(loss.detach())
        seconds.append(time.perf_counter() - t0)
    seconds.sort()
    n = batch * steps
    return {
        "name": f"PyTorch {torch.__version__} ({THREADS} threads)",
        "model": kind,
        "best": n / seconds[0],
        "median": n / seconds[len(seconds) // 2],
        "rounds": len(seconds),
        "loss": loss,
    }


print(json.dumps([run(k) for k in ("mlp", "cnn") if STEPS[k] > 0]))
