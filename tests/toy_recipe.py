"""Recipes that build in milliseconds, for testing the shelf's mechanics without training anything.

TOY stands alone; TOY_CHILD starts from TOY's model (as blip-retrieval starts from blip-captioning) and records
which base it was given. TOY_BUILD_MARK (if set) goes into the weights, so two builds can be told apart.
"""

import json
import os
import time

from course_utils.shelf.recipes import BuildContext, BuildResult, Recipe


def _train(context: BuildContext) -> BuildResult:
    delay = float(os.environ.get("TOY_BUILD_SECONDS", "0"))
    counter = os.environ.get("TOY_BUILD_COUNTER")
    if counter:
        with open(counter, "a") as fh:
            fh.write(f"{os.getpid()}\n")
    (context.out_dir / "config.json").write_text(json.dumps({"model_type": "toy", "seed": context.seed}))
    time.sleep(delay / 2)
    mark = os.environ.get("TOY_BUILD_MARK", "").encode()
    (context.out_dir / "weights.bin").write_bytes(bytes(range(256)) * 64 + mark)
    time.sleep(delay / 2)
    if os.environ.get("TOY_BUILD_FAIL"):
        raise OSError(int(os.environ["TOY_BUILD_FAIL"]), "simulated failure")
    return BuildResult(metrics={"accuracy": 1.0, "heldout_size": 4}, data_name="toy", data_sha256="0" * 64)


def _train_child(context: BuildContext) -> BuildResult:
    if os.environ.get("TOY_CHILD_FAIL"):
        raise RuntimeError("the child recipe failed on purpose")
    base = context.base("toy")
    (context.out_dir / "config.json").write_text(json.dumps({"model_type": "toy-child", "base": str(base)}))
    (context.out_dir / "weights.bin").write_bytes((base / "weights.bin").read_bytes()[::-1])
    return BuildResult(metrics={"accuracy": 0.5, "heldout_size": 2}, data_name="toy", data_sha256="1" * 64)


TOY = Recipe(name="toy", version=1, summary="a toy model for tests", base_model="none", seed=7,
             estimate_seconds=1, disk_mb=1, score_key="accuracy", train=_train)
TOY_CHILD = Recipe(name="toy-child", version=1, summary="a toy model built from the toy", base_model="the toy",
                   seed=7, estimate_seconds=1, disk_mb=1, score_key="accuracy", train=_train_child, starts_from="toy")
