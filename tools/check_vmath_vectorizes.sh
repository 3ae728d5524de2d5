#!/usr/bin/env bash
# Checks that GCC vectorizes a plain loop over each function of
# runtime/include/tgc/vmath.h, for float and double, with the flags generated
# code is built with (-O3 -march=native -fno-math-errno, no -ffast-math).
# Each function is tried three ways: tgc::vm::f on __restrict arrays,
# tgc::sc::f (scalar.h, what generated code calls), and a loop shaped like
# a generated one (int64 index, pointers that may alias, so GCC versions it).
#
# Usage: tools/check_vmath_vectorizes.sh [MARCH...]   (default: native)
#   e.g. tools/check_vmath_vectorizes.sh native x86-64-v3 x86-64-v2
# Environment: CXX (default c++). Exit status 1 if any loop is not vectorized.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cxx="${CXX:-c++}"
marches=("$@")
[ ${#marches[@]} -eq 0 ] && marches=(native)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$cxx" --version | head -n 1
fail=0
for march in "${marches[@]}"; do
  echo "-march=$march:"
  for fn in exp expm1 log log1p tanh sigmoid softplus; do
    line="$(printf '  %-9s' "$fn")"
    for type in float double; do
      src="$tmp/${fn}_${type}.cpp"
      cat > "$src" <<EOF
#include <cstdint>
#include "tgc/scalar.h"
#include "tgc/vmath.h"
void vm_loop(const $type* __restrict x, $type* __restrict y, long n) {
  for (long i = 0; i < n; ++i) y[i] = tgc::vm::$fn(x[i]);
}
void sc_loop(const $type* __restrict x, $type* __restrict y, long n) {
  for (long i = 0; i < n; ++i) y[i] = tgc::sc::$fn(x[i]);
}
void generated_like(const $type* p0, const $type* p1, $type* po, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t row = i * cols;
    for (int64_t j = 0; j < cols; ++j) {
      const $type t0 = tgc::sc::add(p0[row + j], p1[j]);
      const $type t1 = tgc::sc::$fn(t0);
      po[row + j] = t1;
    }
  }
}
EOF
      report="$("$cxx" -std=c++17 -O3 -march="$march" -fno-math-errno -I"$root/runtime/include" \
                 -fopt-info-vec-optimized -c "$src" -o "$tmp/out.o" 2>&1 || true)"
      # One "loop vectorized" line (at least) per loop: lines 5, 8 and 13 of the source.
      ok=1
      for l in 5 8 13; do
        grep -q "${fn}_${type}.cpp:$l:[0-9]*: optimized: loop vectorized" <<<"$report" || ok=0
      done
      if [ $ok -eq 1 ]; then
        width="$(grep -o "loop vectorized using [0-9]* byte vectors" <<<"$report" | head -n 1 | grep -o "[0-9]*")"
        line+="$(printf ' %-6s vectorized (%s-byte vectors)' "$type" "$width")"
      else
        line+="$(printf ' %-6s NOT VECTORIZED' "$type")"
        fail=1
      fi
    done
    echo "$line"
  done
done
if [ $fail -ne 0 ]; then
  echo "some loops were not vectorized (rerun with -fopt-info-vec-missed to see why)"
  exit 1
fi
echo "all loops vectorized"
