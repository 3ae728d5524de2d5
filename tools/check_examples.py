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


def close(a, b) -> bool:
    (da, sa, va), (db, sb, vb) = a, b
    if da != db or sa != sb:
        return False
    if da.startswith("f"):
        rtol, atol = (1e-5, 1e-6) if da == "f4" else (1e-12, 1e-12)
        return all((math.isnan(x) and math.isnan(y)) or abs(x - y) <= atol + rtol * abs(y) for x, y in zip(va, vb))
    return va == vb


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
                outs[engine] = {p.name: load_npy(p) for p in sorted(out.glob("*.npy"))}
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
