"""A recipe that builds in milliseconds, for testing the shelf's mechanics without training anything."""

import json
import os
import time
from pathlib import Path

from course_utils.shelf.recipes import BuildResult, Recipe


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    delay = float(os.environ.get("TOY_BUILD_SECONDS", "0"))
    counter = os.environ.get("TOY_BUILD_COUNTER")
    if counter:
        with open(counter, "a") as fh:
            fh.write(f"{os.getpid()}\n")
    (out_dir / "config.json").write_text(json.dumps({"model_type": "toy", "seed": seed}))
    time.sleep(delay / 2)
    (out_dir / "weights.bin").write_bytes(bytes(range(256)) * 64)
    time.sleep(delay / 2)
    if os.environ.get("TOY_BUILD_FAIL"):
        raise OSError(int(os.environ["TOY_BUILD_FAIL"]), "simulated failure")
    return BuildResult(metrics={"accuracy": 1.0, "heldout_size": 4}, data_name="toy", data_sha256="0" * 64)


TOY = Recipe(name="toy", version=1, summary="a toy model for tests", base_model="none", seed=7,
             estimate_seconds=1, disk_mb=1, score_key="accuracy", train=_train)
