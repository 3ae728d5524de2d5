#!/usr/bin/env bash
# Builds everything and runs every test: unit tests, the sample host program,
# the conformance suite (both engines, all three modes), the examples, mutants
# of the example graphs (tools/fuzz_graphs.py), and a build of the compiler
# and of generated code under ASan+UBSan running the unit tests, malformed
# mutants and the conformance cases. Exits non-zero on any failure.
# Usage: tools/test.sh   (from anywhere; run tools/setup.sh first on a fresh machine)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="$(nproc 2>/dev/null || echo 2)"
conformance="${TGC_CONFORMANCE_DIR:-$root/../shared/conformance}"
export TGC_CACHE_DIR="${TGC_CACHE_DIR:-$root/build/cache}"

step() { printf '\n== %s\n' "$*"; }

step "build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build -j "$jobs"

step "unit tests and samples (ctest)"
(cd build && ctest --output-on-failure -j "$jobs")

if [ -x "$conformance/run" ]; then
  for engine in compiled reference; do
    for mode in FAST_RUN FAST_COMPILE DEBUG; do
      step "conformance: engine $engine, mode $mode"
      "$conformance/run" --tgc build/tgc --engine "$engine" --mode "$mode"
    done
  done
else
  step "conformance: skipped ($conformance/run not found; set TGC_CONFORMANCE_DIR)"
fi

step "examples: compiled against reference"
python3 tools/check_examples.py --tgc build/tgc

# Mutants of the example graphs (the project's own, so a run is the same
# wherever it happens), fixed seeds: the engines must agree on mostly-valid
# ones.
step "fuzzing: mutated graphs, compiled against reference"
python3 tools/fuzz_graphs.py --tgc build/tgc --differential --count 60 --seed 1 graphs

step "build under ASan+UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTGC_SANITIZE=ON >/dev/null
ninja -C build-asan -j "$jobs" tgc tgc_unit_tests
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
step "unit tests under ASan+UBSan"
build-asan/tests/tgc_unit_tests
# Malformed graphs: the sanitized compiler must reject each with an error
# line and exit 1 or 2, never crash.
step "fuzzing under ASan+UBSan: malformed graphs"
python3 tools/fuzz_graphs.py --tgc build-asan/tgc --count 400 --seed 1 graphs
if [ -x "$conformance/run" ]; then
  # Generated code is built with the same sanitizers and loaded into the
  # sanitized compiler.
  step "conformance under ASan+UBSan (compiled engine, generated code sanitized too)"
  TGC_CACHE_DIR="$root/build-asan/cache" \
  TGC_CXXFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1" \
    "$conformance/run" --tgc build-asan/tgc --engine compiled
  step "conformance under ASan+UBSan (reference engine)"
  "$conformance/run" --tgc build-asan/tgc --engine reference
fi

step "all tests passed"
