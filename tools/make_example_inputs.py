#!/usr/bin/env python3
"""Writes the .npy inputs of the example graphs in graphs/, and the expected
outputs (graphs/<example>/expected/<output>.npy) of those whose answer is
known: the output the seed text prints, or the same computation in numpy.

Run from anywhere: python3 tools/make_example_inputs.py
The outputs are deterministic (fixed seeds), small, and committed, so this
script only needs re-running when an example changes.
"""
from pathlib import Path

import numpy as np

GRAPHS = Path(__file__).resolve().parent.parent / "graphs"


def save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.asarray(array, order="C"))  # keeps 0-d arrays 0-d
    print(f"wrote {path.relative_to(GRAPHS.parent)} {array.dtype} {list(array.shape)}")


def rnn_taps(u, x0, y0, W, W_in_1, W_in_2, W_feedback, W_out):
    """The seed's RNN with taps, in numpy: x(n) = tanh(x(n-1) W + u(n) W_in_1
    + u(n-4) W_in_2 + y(n-1) W_feedback), y(n) = x(n-3) W_out; u[0] is u(-4)
    and x0 holds x(-3), x(-2), x(-1)."""
    xs, ys = list(x0), [y0]
    for t in range(4, len(u)):
        x_t = np.tanh(xs[-1] @ W + u[t] @ W_in_1 + u[t - 4] @ W_in_2 + ys[-1] @ W_feedback)
        ys.append(xs[-3] @ W_out)
        xs.append(x_t)
    return np.asarray(xs[3:]), np.asarray(ys[1:])


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

    # --- seed examples (theano-scan-library, advanced-theano, scan-optimization) ---
    # Each writes its inputs and, where the answer is deterministic, the
    # expected outputs (expected/<output>.npy, one call) computed with numpy;
    # tools/check_examples.py compares the compiled engine against them.

    # scan_pow: power(range(10), 2) -> A**2.
    A = np.arange(10, dtype=np.float64)
    k = np.int32(2)
    save(GRAPHS / "scan_pow" / "inputs" / "A.npy", A)
    save(GRAPHS / "scan_pow" / "inputs" / "k.npy", np.array(k))
    save(GRAPHS / "scan_pow" / "expected" / "final_result.npy", A ** int(k))

    # scan_polynomial: coefficients [1, 0, 2] at x = 3 -> 19.0.
    coefficients = np.asarray([1, 0, 2], dtype=np.float64)
    x = np.float64(3)
    save(GRAPHS / "scan_polynomial" / "inputs" / "coefficients.npy", coefficients)
    save(GRAPHS / "scan_polynomial" / "inputs" / "x.npy", np.array(x))
    save(GRAPHS / "scan_polynomial" / "expected" / "polynomial.npy",
         np.array(sum(c * x ** p for p, c in enumerate(coefficients)), dtype=np.float64))

    # scan_triangular: up_to = 15 -> [n * (n + 1) // 2 for n in range(15)], int64.
    save(GRAPHS / "scan_triangular" / "inputs" / "up_to.npy", np.array(15, dtype=np.int32))
    save(GRAPHS / "scan_triangular" / "expected" / "scan_result.npy",
         np.asarray([n * (n + 1) // 2 for n in range(15)], dtype=np.int64))

    # scan_set_value_at_position: the seed's test values.
    location = np.asarray([[1, 1], [2, 3]], dtype=np.int32)
    values = np.asarray([42, 50], dtype=np.float32)
    output_model = np.zeros((5, 5), dtype=np.float32)
    save(GRAPHS / "scan_set_value_at_position" / "inputs" / "location.npy", location)
    save(GRAPHS / "scan_set_value_at_position" / "inputs" / "values.npy", values)
    save(GRAPHS / "scan_set_value_at_position" / "inputs" / "output_model.npy", output_model)
    result = np.zeros((2, 5, 5), dtype=np.float32)
    for step, ((r, c), v) in enumerate(zip(location, values)):
        result[step, r, c] = v
    save(GRAPHS / "scan_set_value_at_position" / "expected" / "result.npy", result)

    # gibbs_rbm_v1 / gibbs_rbm_v2: the same starting visible sample for both
    # (the draws are random: no expected output).
    rng = np.random.default_rng(7001)
    sample = rng.integers(0, 2, size=(2,)).astype(np.float64)
    for name in ("gibbs_rbm_v1", "gibbs_rbm_v2"):
        save(GRAPHS / name / "inputs" / "sample.npy", sample)

    # scan_shared_counter has no inputs; one call gives b = 2, c = 12.
    save(GRAPHS / "scan_shared_counter" / "expected" / "b.npy", np.array(2, dtype=np.int64))
    save(GRAPHS / "scan_shared_counter" / "expected" / "c.npy", np.array(12, dtype=np.int64))

    # scan_rnn_taps: u holds 12 steps of 2 inputs (the first 4 only feed
    # u[t-4]), so 8 steps run; x has 3 units, y 2.
    rng = np.random.default_rng(7002)
    n_in, n_x, n_y, n_u = 2, 3, 2, 12
    taps = {
        "u": rng.normal(0.0, 1.0, size=(n_u, n_in)),
        "x0": rng.normal(0.0, 0.5, size=(3, n_x)),
        "y0": rng.normal(0.0, 0.5, size=(n_y,)),
        "W": rng.normal(0.0, 0.5, size=(n_x, n_x)),
        "W_in_1": rng.normal(0.0, 0.5, size=(n_in, n_x)),
        "W_in_2": rng.normal(0.0, 0.5, size=(n_in, n_x)),
        "W_feedback": rng.normal(0.0, 0.5, size=(n_y, n_x)),
        "W_out": rng.normal(0.0, 0.5, size=(n_x, n_y)),
    }
    for name, value in taps.items():
        save(GRAPHS / "scan_rnn_taps" / "inputs" / f"{name}.npy", value.astype(np.float64))
    x_vals, y_vals = rnn_taps(**taps)
    save(GRAPHS / "scan_rnn_taps" / "expected" / "x_vals.npy", x_vals)
    save(GRAPHS / "scan_rnn_taps" / "expected" / "y_vals.npy", y_vals)

    # scan_until_power_of_2: max_value = 45 -> [2, 4, 8, 16, 32, 64].
    save(GRAPHS / "scan_until_power_of_2" / "inputs" / "max_value.npy", np.array(45.0, dtype=np.float64))
    save(GRAPHS / "scan_until_power_of_2" / "expected" / "values.npy",
         np.asarray([2.0, 4.0, 8.0, 16.0, 32.0, 64.0], dtype=np.float64))

    # ifelse_switch: the seed's val1 = 0, val2 = 1 (a < b: the first branch);
    # x is ones as in the seed, y twos so that the result shows the branch
    # taken (the seed's 10000 x 1000 matrices are cut to 100 x 50).
    save(GRAPHS / "ifelse_switch" / "inputs" / "a.npy", np.array(0.0, dtype=np.float64))
    save(GRAPHS / "ifelse_switch" / "inputs" / "b.npy", np.array(1.0, dtype=np.float64))
    save(GRAPHS / "ifelse_switch" / "inputs" / "x.npy", np.ones((100, 50), dtype=np.float64))
    save(GRAPHS / "ifelse_switch" / "inputs" / "y.npy", np.full((100, 50), 2.0, dtype=np.float64))
    save(GRAPHS / "ifelse_switch" / "expected" / "z_switch.npy", np.array(1.0, dtype=np.float64))
    save(GRAPHS / "ifelse_switch" / "expected" / "z_lazy.npy", np.array(1.0, dtype=np.float64))

    # --- training steps: 10 steps, batch 4, 8 inputs (float32); targets come
    # from a fixed random "teacher" so there is something to learn. ---
    steps, batch, n_in = 10, 4, 8

    # elman_rnn_train: a target of 3 values at every step.
    rng = np.random.default_rng(7003)
    x = rng.normal(0.0, 1.0, size=(steps, batch, n_in))
    teacher_in = rng.normal(0.0, 0.5, size=(n_in, 3))
    y = np.tanh(np.cumsum(x, axis=0) @ teacher_in / np.sqrt(np.arange(1, steps + 1))[:, None, None])
    save(GRAPHS / "elman_rnn_train" / "inputs" / "x.npy", x.astype(np.float32))
    save(GRAPHS / "elman_rnn_train" / "inputs" / "y.npy", y.astype(np.float32))

    # lstm_train: one class in [0, 3) per sequence.
    rng = np.random.default_rng(7004)
    x = rng.normal(0.0, 1.0, size=(steps, batch, n_in))
    teacher = rng.normal(0.0, 1.0, size=(n_in, 3))
    save(GRAPHS / "lstm_train" / "inputs" / "x.npy", x.astype(np.float32))
    save(GRAPHS / "lstm_train" / "inputs" / "y.npy", np.argmax(x.mean(axis=0) @ teacher, axis=1).astype(np.int64))

    # gated_rnn_train: 3 target values per sequence, read at the last step.
    rng = np.random.default_rng(7005)
    x = rng.normal(0.0, 1.0, size=(steps, batch, n_in))
    teacher = rng.normal(0.0, 0.5, size=(n_in, 3))
    save(GRAPHS / "gated_rnn_train" / "inputs" / "x.npy", x.astype(np.float32))
    save(GRAPHS / "gated_rnn_train" / "inputs" / "y.npy", np.tanh(x[-3:].sum(axis=0) @ teacher).astype(np.float32))


if __name__ == "__main__":
    main()
