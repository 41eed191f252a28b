"""What both Python peers of bench/train.ts share: their arguments, the --serve loop, one-shot runs.

    python bench/peers/train_<peer>.py ROUNDS MLP_STEPS CNN_STEPS [WARMUP] [extra...]
"""

import json
import sys

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROUNDS = int(ARGS[0]) if len(ARGS) > 0 else 5
STEPS = {"mlp": int(ARGS[1]) if len(ARGS) > 1 else 20, "cnn": int(ARGS[2]) if len(ARGS) > 2 else 4}
WARMUP = int(ARGS[3]) if len(ARGS) > 3 else 5
BATCH = {"mlp": 128, "cnn": 64}


def serve(name, setup):
    """--serve: build and warm up the models whose STEPS is not 0, print one JSON line of names, then
    time one round per line read ("mlp" or "cnn") and answer {"seconds", "loss"}: bench/train.ts
    interleaves these rounds with its own, so every framework sees the same load."""
    rounds = {k: setup(k) for k in ("mlp", "cnn") if STEPS[k] > 0}
    print(json.dumps({"name": name}), flush=True)
    for line in sys.stdin:
        seconds, loss = rounds[line.strip()]()
        print(json.dumps({"seconds": seconds, "loss": loss}), flush=True)


def run(name, setup, kind):
    timed = setup(kind)
    results = [timed() for _ in range(ROUNDS)]
    seconds = sorted(s for s, _ in results)
    n = BATCH[kind] * STEPS[kind]
    return {
        "name": name,
        "model": kind,
        "best": n / seconds[0],
        "median": n / seconds[len(seconds) // 2],
        "rounds": len(seconds),
        "loss": results[-1][1],
    }


def main(name, setup):
    """setup(kind) builds and warms up one model and returns a timed() -> (seconds, loss) round."""
    if "--serve" in sys.argv:
        serve(name, setup)
    else:
        print(json.dumps([run(name, setup, k) for k in ("mlp", "cnn") if STEPS[k] > 0]))
