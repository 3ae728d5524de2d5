#!/usr/bin/env python3
"""Mutation fuzzing of tgc with the example and conformance graphs as seeds.

usage: python3 tools/fuzz_graphs.py [--tgc PATH] [--count N] [--seed S]
                                    [--differential] [--keep DIR] [SEED_DIR ...]

Each mutant is a seed graph with one to three random edits, written beside a
copy of the seed's .npy files.

- Default (malformed input): edits break the graph's structure (keys
  deleted, values of the wrong kind, names, ops and dtypes swapped, lists
  grown, shrunk or reversed). `tgc compile` must exit 0, 1 or 2, and a
  failure must print a line starting "error:": a crash, a sanitizer report,
  exit 3 or 4 or a timeout is a finding.
- --differential (valid input, both engines): edits keep the graph mostly
  valid (an elementwise op swapped for another of its arity, a literal
  changed), and `tgc run` runs the seed's function on the seed's inputs with
  --engine reference and --engine compiled, in a random mode. Both must exit
  alike; when both succeed, outputs and shared values must agree as
  tools/check_examples.py compares them.

Seed folders default to graphs/ and, when present, ../shared/conformance/cases
(or $TGC_CONFORMANCE_DIR/cases). A finding is kept under --keep (default: a
temporary folder) with the command that shows it; the exit status is 1 when
there is any. Runs are reproducible from --seed.
"""
import argparse
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_examples import ROOT, load_npy, differing  # noqa: E402

BINARY = ["add", "sub", "mul", "maximum", "minimum"]
UNARY = ["exp", "tanh", "neg", "abs", "sigmoid", "sqr", "sin", "cos", "log1p", "softplus", "sqrt", "log"]
DTYPES = ["float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool", "complex64", "float16", "x"]
ATTR_KEYS = ["axis", "axes", "dtype", "shape", "idx", "taps", "n_steps", "until", "pattern", "keepdims",
             "inplace", "wrt", "cost", "updates", "givens", "mode"]
TIMEOUT_S = 300


def seed_graphs(dirs):
    """(graph.json, function, inputs dir, calls) for every seed; function is
    None where the graph has no runnable function with inputs at hand."""
    seeds = []
    for d in dirs:
        for g in sorted(Path(d).glob("*/graph.json")):
            case = g.parent / "case.json"
            if case.exists():
                step = json.loads(case.read_text())["steps"][0]
                runnable = "expect_error" not in step and "shared_in" not in step
                inputs = g.parent / step.get("inputs", "in")
                seeds.append((g, step["function"] if runnable else None, inputs, step.get("calls", 1)))
                continue
            doc = json.loads(g.read_text())
            for f in doc.get("functions", []):
                if all((g.parent / "inputs" / f"{i}.npy").exists() for i in f.get("inputs", [])):
                    seeds.append((g, f["name"], g.parent / "inputs", 1))
            if not doc.get("functions"):
                seeds.append((g, None, None, 1))
    return seeds


def walk(x, path=()):
    """Every (path, value) of a JSON document."""
    yield path, x
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else []
    for k, v in items:
        yield from walk(v, path + (k,))


def at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


class Vocabulary:
    """Ops and names seen in the seeds, for swaps that still parse."""

    def __init__(self, docs):
        self.ops, self.names = set(), set()
        for doc in docs:
            for _, v in walk(doc):
                if isinstance(v, dict) and isinstance(v.get("op"), str):
                    self.ops.add(v["op"])
                    for key in ("inputs", "outputs"):
                        self.names.update(s for s in v.get(key, []) if isinstance(s, str))
        self.ops, self.names = sorted(self.ops), sorted(self.names)


def wrong_value(rng, cur, vocab):
    """A value of another kind or range than `cur`."""
    choice = rng.randrange(15)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([-1, 0, 1, 2, 3, -3, 7, 2**31, 2**63, -2**63, 10**30])
    if choice == 2:
        return rng.choice([0.5, -0.0, 1e308, -1e308, 1e-320])
    if choice == 3:
        return rng.choice(["", "x", "float32", "nodes", "[", "null"])
    if choice == 4:
        return rng.choice([[], {}, True, False])
    if choice == 5:
        return rng.choice(vocab.ops)
    if choice == 6:
        return rng.choice(vocab.names)
    if choice == 7:
        return rng.choice(DTYPES)
    if choice == 8:
        return [rng.choice([None, -1, 0, 1, 2, 5, 10**12]) for _ in range(rng.randrange(6))]
    if choice == 9 and isinstance(cur, list) and cur:
        return cur + [copy.deepcopy(rng.choice(cur))]
    if choice == 10 and isinstance(cur, list) and cur:
        return cur[:-1]
    if choice == 11 and isinstance(cur, (int, float)) and not isinstance(cur, bool):
        return cur + rng.choice([-2, -1, 1, 2, 100])
    if choice == 12 and isinstance(cur, list):
        return list(reversed(cur))
    return {"value": rng.choice([0, 1.5, -2, [1, 2], [[1], [2]], True])}


def break_structure(rng, doc, vocab):
    """One to three edits anywhere in the document; returns what was done."""
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        path, value = rng.choice([p for p in walk(doc) if p[0]])
        parent, key = at(doc, path[:-1]), path[-1]
        r = rng.random()
        if isinstance(parent, dict) and r < 0.25:
            del parent[key]
            done.append(f"deleted {list(path)}")
        elif isinstance(parent, dict) and r < 0.3:
            extra = rng.choice(ATTR_KEYS)
            parent[extra] = wrong_value(rng, None, vocab)
            done.append(f"added {extra} at {list(path[:-1])}")
        else:
            parent[key] = wrong_value(rng, value, vocab)
            done.append(f"set {list(path)}")
    return done


def change_semantics(rng, doc):
    """One to three edits that keep the graph mostly valid."""
    nodes = [v for _, v in walk(doc) if isinstance(v, dict) and isinstance(v.get("op"), str)]
    done = []
    for _ in range(rng.choice([1, 2, 3])):
        n = rng.choice(nodes)
        op = n["op"]
        if op in BINARY or op in UNARY:
            n["op"] = rng.choice(BINARY if op in BINARY else UNARY)
            done.append(f"{op} -> {n['op']}")
            continue
        if "axis" in n and rng.random() < 0.5:
            n["axis"] = rng.choice([None, 0, 1, -1, [0, 1]])
            done.append(f"{op} axis -> {n['axis']}")
            continue
        if "keepdims" in n and rng.random() < 0.5:
            n["keepdims"] = not n["keepdims"]
            done.append(f"{op} keepdims -> {n['keepdims']}")
            continue
        if op == "cast":
            n["dtype"] = rng.choice(["float32", "float64", "int32", "int64", "int8", "uint8", "bool"])
            done.append(f"cast -> {n['dtype']}")
            continue
        for ref in n.get("inputs", []) if isinstance(n.get("inputs"), list) else []:
            v = ref.get("value") if isinstance(ref, dict) else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ref["value"] = rng.choice([0, 1, -1, 2, 3]) if isinstance(v, int) else rng.choice([0.0, 1.0, -1.0, 0.5, 2.0])
                done.append(f"literal {v} -> {ref['value']}")
                break
    return done


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        return p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", ""


def malformed_finding(tgc, graph, out, mode):
    rc, err = run([tgc, "compile", str(graph), "-o", str(out), "--mode", mode])
    bad = rc not in (0, 1, 2) or (rc != 0 and not err.startswith("error:")) or "Sanitizer" in err or "runtime error" in err
    return (f"compile --mode {mode}: exit {rc}: {err.strip()[:500]}" if bad else None), rc


def read_dir(d):
    return {p.name: load_npy(p) for p in sorted(Path(d).glob("*.npy"))}


def differential_finding(tgc, graph, function, inputs, calls, mode, work):
    results = {}
    for engine in ("reference", "compiled"):
        out, shared = work / f"out_{engine}", work / f"shared_{engine}"
        for d in (out, shared):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
        cmd = [tgc, "run", str(graph), "--function", function, "--outputs", str(out), "--shared-out", str(shared),
               "--calls", str(calls), "--mode", mode, "--engine", engine]
        if inputs is not None and inputs.exists():
            cmd += ["--inputs", str(inputs)]
        else:
            cmd += ["--inputs", str(work)]
        rc, err = run(cmd)
        results[engine] = (rc, err, out, shared)
    (ra, ea, oa, sa), (rb, eb, ob, sb) = results["reference"], results["compiled"]
    if ra != rb:
        return f"--mode {mode}: reference exits {ra}, compiled {rb}\n  reference: {ea.strip()[:300]}\n  compiled: {eb.strip()[:300]}", ra
    if ra not in (0, 2, 3):
        return f"--mode {mode}: both exit {ra}: {ea.strip()[:300]}", ra
    if ra == 0:
        diff = differing(read_dir(oa), read_dir(ob)) + differing(read_dir(sa), read_dir(sb))
        if diff:
            return f"--mode {mode}: the engines disagree on {', '.join(diff)}", ra
    return None, ra


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tgc", default=str(ROOT / "build" / "tgc"))
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--differential", action="store_true")
    ap.add_argument("--keep", default=None, help="folder for findings (default: a temporary one)")
    ap.add_argument("seed_dirs", nargs="*")
    args = ap.parse_args()
    dirs = args.seed_dirs
    if not dirs:
        conformance = Path(os.environ.get("TGC_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance")) / "cases"
        dirs = [ROOT / "graphs"] + ([conformance] if conformance.is_dir() else [])
    seeds = seed_graphs(dirs)
    if args.differential:
        seeds = [s for s in seeds if s[1] is not None]
    if not seeds:
        sys.exit("fuzz_graphs: no seed graphs found")
    docs = {g: json.loads(g.read_text()) for g, *_ in seeds}
    vocab = Vocabulary(docs.values())
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="tgc-fuzz-"))
    keep = Path(args.keep) if args.keep else work / "findings"
    exits, findings = {}, 0
    for i in range(args.count):
        graph, function, inputs, calls = rng.choice(seeds)
        doc = copy.deepcopy(docs[graph])
        edits = change_semantics(rng, doc) if args.differential else break_structure(rng, doc, vocab)
        case = work / "case"
        shutil.rmtree(case, ignore_errors=True)
        shutil.copytree(graph.parent, case,
                        ignore=shutil.ignore_patterns("in", "out", "shared", "inputs", "expected", "case.json"))
        (case / "graph.json").write_text(json.dumps(doc))
        if args.differential:
            mode = rng.choice(["FAST_RUN", "FAST_COMPILE", "DEBUG"])
            checks = [differential_finding(args.tgc, case / "graph.json", function, inputs, calls, mode, work)]
        else:
            # FAST_RUN, and one of the other modes (whose pipelines differ).
            modes = ("FAST_RUN", rng.choice(["FAST_COMPILE", "DEBUG"]))
            checks = [malformed_finding(args.tgc, case / "graph.json", work / "out", m) for m in modes]
        for _, rc in checks:
            exits[rc] = exits.get(rc, 0) + 1
        finding = next((f for f, _ in checks if f), None)
        if finding:
            findings += 1
            dest = keep / f"mutant_{args.seed}_{i}"
            shutil.copytree(case, dest)
            print(f"finding {findings}: mutant {i} of {graph} ({'; '.join(edits)}): {finding}\n  kept in {dest}", flush=True)
    shutil.rmtree(work / "case", ignore_errors=True)
    what = "runs" if args.differential else "compiles"
    print(f"fuzz_graphs: {args.count} mutants of {len(seeds)} seeds (seed {args.seed}), {findings} findings; "
          f"{what} by exit code: {dict(sorted(exits.items(), key=str))}")
    if not findings and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
