#!/usr/bin/env python3
"""Runs every example in graphs/ with both engines and compares the outputs.

usage: python3 tools/check_examples.py [--tgc PATH] [GRAPH_DIR ...]

An example is a folder graphs/<name>/ holding graph.json and an inputs/
folder of .npy files (no inputs/ folder when no function takes inputs);
every function of the graph is run once with `tgc run --engine compiled`
and `--engine reference`, and the outputs and the shared variables after
the call (--shared-out) are compared. Where the example has expected/<output>.npy
(a known answer, such as the seed's printed output), the compiled output is
compared with it too. Integer and bool values must be equal; float values
equal within a tolerance fit for their dtype. Exits 1 when any example
fails. Set TGC_CACHE_DIR to keep the compiled builds between runs.
"""
import argparse
import ast
import json
import math
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# .npy descr (without byte order) -> struct code; only the standard library
# is needed, so this check runs wherever the tests run.
CODES = {"b1": "?", "i1": "b", "i2": "h", "i4": "i", "i8": "q", "u1": "B", "u2": "H", "u4": "I", "u8": "Q",
         "f4": "f", "f8": "d"}


def load_npy(path: Path):
    """(descr, shape, values) of a C-order little-endian .npy file, as tgc writes them."""
    data = path.read_bytes()
    hlen = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + hlen].decode("latin1"))
    descr, shape = header["descr"][1:], tuple(header["shape"])
    n = math.prod(shape)
    code = CODES[descr]
    values = struct.unpack(f"<{n}{code}", data[10 + hlen:10 + hlen + n * struct.calcsize(code)])
    return descr, shape, values


def close_float(x: float, y: float, rtol: float, atol: float) -> bool:
    """NaN matches only NaN, an infinity only the same infinity, others within tolerance."""
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= atol + rtol * abs(y)


def close(a, b) -> bool:
    (da, sa, va), (db, sb, vb) = a, b
    if da != db or sa != sb:
        return False
    if da.startswith("f"):
        rtol, atol = (1e-5, 1e-6) if da == "f4" else (1e-12, 1e-12)
        return all(close_float(x, y, rtol, atol) for x, y in zip(va, vb))
    return va == vb


def differing(a: dict, b: dict) -> list:
    """Names whose values differ, or that only one side has."""
    return sorted(k for k in a.keys() | b.keys() if k not in a or k not in b or not close(a[k], b[k]))


def check(tgc: Path, example: Path) -> bool:
    graph = example / "graph.json"
    functions = [f["name"] for f in json.loads(graph.read_text())["functions"]]
    expected_dir = example / "expected"
    expected = {p.stem: load_npy(p) for p in sorted(expected_dir.glob("*.npy"))}
    ok = True
    for fn in functions:
        with tempfile.TemporaryDirectory() as tmp:
            outs, shared = {}, {}
            for engine in ("compiled", "reference"):
                out, sh = Path(tmp) / engine, Path(tmp) / (engine + "-shared")
                out.mkdir()
                cmd = [str(tgc), "run", str(graph), "--function", fn, "--inputs", str(example / "inputs"),
                       "--outputs", str(out), "--shared-out", str(sh), "--engine", engine]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"FAIL {example.name}:{fn} --engine {engine}: exit {r.returncode}: {r.stderr.strip()}")
                    ok = False
                    break
                outs[engine] = {p.stem: load_npy(p) for p in sorted(out.glob("*.npy"))}
                shared[engine] = {p.stem: load_npy(p) for p in sorted(sh.glob("*.npy"))}
            else:
                c, ref = outs["compiled"], outs["reference"]
                if c.keys() != ref.keys():
                    print(f"FAIL {example.name}:{fn}: outputs {sorted(c)} vs {sorted(ref)}")
                    ok = False
                    continue
                bad = differing(c, ref)
                bad_shared = differing(shared["compiled"], shared["reference"])
                bad_expected = [k for k in c if k in expected and not close(c[k], expected[k])]
                if bad or bad_shared or bad_expected:
                    if bad:
                        print(f"FAIL {example.name}:{fn}: compiled and reference differ in {bad}")
                    if bad_shared:
                        print(f"FAIL {example.name}:{fn}: compiled and reference differ in shared {bad_shared}")
                    if bad_expected:
                        print(f"FAIL {example.name}:{fn}: {bad_expected} differ from {expected_dir.name}/")
                    ok = False
                else:
                    known = [k for k in c if k in expected]
                    note = f"; {', '.join(known)} as expected" if known else ""
                    print(f"ok   {example.name}:{fn} ({', '.join(c)}{note})")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgc", default=str(ROOT / "build" / "tgc"), help="the tgc executable (default: build/tgc)")
    ap.add_argument("examples", nargs="*", help="example folders (default: every graphs/*/ with a graph.json)")
    a = ap.parse_args()
    examples = [Path(e) for e in a.examples] or sorted(p.parent for p in (ROOT / "graphs").glob("*/graph.json"))
    results = [check(Path(a.tgc), e) for e in examples]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
