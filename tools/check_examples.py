#!/usr/bin/env python3
"""Runs every example in graphs/ with both engines and compares the outputs.

usage: python3 tools/check_examples.py [--tgc PATH] [GRAPH_DIR ...]

An example is a folder graphs/<name>/ holding graph.json and an inputs/
folder of .npy files; every function of the graph is run with
`tgc run --engine compiled` and `--engine reference`. Integer and bool
outputs must be equal; float outputs equal within a tolerance fit for their
dtype. Exits 1 when any example fails. Set TGC_CACHE_DIR to keep the
compiled builds between runs.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        rtol, atol = (1e-5, 1e-6) if a.dtype == np.float32 else (1e-12, 1e-12)
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(a, b))


def check(tgc: Path, example: Path) -> bool:
    graph = example / "graph.json"
    functions = [f["name"] for f in json.loads(graph.read_text())["functions"]]
    ok = True
    for fn in functions:
        with tempfile.TemporaryDirectory() as tmp:
            outs = {}
            for engine in ("compiled", "reference"):
                out = Path(tmp) / engine
                out.mkdir()
                cmd = [str(tgc), "run", str(graph), "--function", fn, "--inputs", str(example / "inputs"),
                       "--outputs", str(out), "--engine", engine]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"FAIL {example.name}:{fn} --engine {engine}: exit {r.returncode}: {r.stderr.strip()}")
                    ok = False
                    break
                outs[engine] = {p.name: np.load(p) for p in sorted(out.glob("*.npy"))}
            else:
                c, ref = outs["compiled"], outs["reference"]
                if c.keys() != ref.keys():
                    print(f"FAIL {example.name}:{fn}: outputs {sorted(c)} vs {sorted(ref)}")
                    ok = False
                    continue
                bad = [k for k in c if not close(c[k], ref[k])]
                if bad:
                    print(f"FAIL {example.name}:{fn}: compiled and reference differ in {bad}")
                    ok = False
                else:
                    print(f"ok   {example.name}:{fn} ({', '.join(c)})")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgc", default=str(ROOT / "build" / "tgc"), help="the tgc executable (default: build/tgc)")
    ap.add_argument("examples", nargs="*", help="example folders (default: every graphs/*/ with inputs/)")
    a = ap.parse_args()
    examples = [Path(e) for e in a.examples] or sorted(
        p.parent for p in (ROOT / "graphs").glob("*/graph.json") if (p.parent / "inputs").is_dir())
    results = [check(Path(a.tgc), e) for e in examples]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
