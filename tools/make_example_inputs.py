#!/usr/bin/env python3
"""Writes the .npy inputs of the example graphs in graphs/.

Run from anywhere: python3 tools/make_example_inputs.py
The outputs are deterministic (fixed seeds), small, and committed, so this
script only needs re-running when an example changes.
"""
from pathlib import Path

import numpy as np

GRAPHS = Path(__file__).resolve().parent.parent / "graphs"


def save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.ascontiguousarray(array))
    print(f"wrote {path.relative_to(GRAPHS.parent)} {array.dtype} {list(array.shape)}")


def main() -> None:
    rng = np.random.default_rng(20240601)

    # logreg_predict: 8 rows of 5 features.
    save(GRAPHS / "logreg_predict" / "inputs" / "x.npy",
         rng.normal(0.0, 1.0, size=(8, 5)).astype(np.float64))

    # mlp_forward: 6 rows of 8 features (float32).
    save(GRAPHS / "mlp_forward" / "inputs" / "x.npy",
         rng.normal(0.0, 1.0, size=(6, 8)).astype(np.float32))

    # softmax_loss: the weights of the classifier (a shared value read from
    # the graph's folder), then 10 rows of 6 features with labels in [0, 3).
    save(GRAPHS / "softmax_loss" / "W.npy",
         rng.normal(0.0, 0.5, size=(6, 3)).astype(np.float64))
    save(GRAPHS / "softmax_loss" / "inputs" / "x.npy",
         rng.normal(0.0, 1.0, size=(10, 6)).astype(np.float64))
    save(GRAPHS / "softmax_loss" / "inputs" / "y.npy",
         rng.integers(0, 3, size=(10,)).astype(np.int64))


if __name__ == "__main__":
    main()
