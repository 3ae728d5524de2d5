#!/usr/bin/env bash
# Builds tgc, compiles an example graph to C++, builds and runs it, and
# prints its outputs. Usage: tools/demo.sh  (run tools/setup.sh first on a fresh machine)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export TGC_CACHE_DIR="${TGC_CACHE_DIR:-$root/build/cache}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build tgc >/dev/null
graph=graphs/mlp_forward/graph.json
out="$(mktemp -d)"
echo "== the graph (tgc print)"
build/tgc print "$graph"
echo
echo "== generated C++ (tgc compile -o $out/generated)"
build/tgc compile "$graph" -o "$out/generated"
wc -l "$out"/generated/*
echo
echo "== compiled, built and run (tgc run --print)"
build/tgc run "$graph" --function forward --inputs graphs/mlp_forward/inputs --outputs "$out/outputs" --print
echo
echo "outputs written to $out/outputs"
