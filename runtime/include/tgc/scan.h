// Storage of scan outputs in generated loops. A scan output's steps are rows
// of `row` elements: either every step after `depth` initial steps (all of
// them are read later), or a ring of the last few steps (only x[-1] ... x[-k]
// and the taps are read), so memory does not grow with the number of steps.
#pragma once
#include "tgc/runtime.h"

namespace tgc::rt {

template <class T, int N> struct ScanStore {
  int64_t n[N > 0 ? N : 1] = {};  // shape of one step
  int64_t row = -1;               // elements per step; -1 until the first step is known
  int64_t cap = 0;                // rows allocated
  T* base = nullptr;

  T* at(int64_t r) const { return base + r * row; }

  // Records the step shape (first time) or checks it; false when a step's
  // shape differs from the first one.
  template <class V> bool shape(const V& v) {
    if (row < 0) {
      row = 1;
      for (int d = 0; d < N; ++d) {
        n[d] = v.n[d];
        row *= v.n[d];
      }
      return true;
    }
    for (int d = 0; d < N; ++d)
      if (n[d] != v.n[d]) return false;
    return true;
  }

  // At least `rows` rows, keeping the first `keep` rows (growth by doubling
  // when the count of steps is only known as the loop runs).
  bool reserve(Buffer& b, int64_t rows, int64_t keep) {
    if (rows <= cap && base) return true;
    int64_t want = rows > 2 * cap ? rows : 2 * cap;
    if (keep == 0 || !base) {
      T* p = alloc<T>(b, (want > 0 ? want : 1) * (row > 0 ? row : 1));
      if (!p) return false;
      base = p;
      cap = want;
      return true;
    }
    Buffer grown;
    T* p = alloc<T>(grown, (want > 0 ? want : 1) * (row > 0 ? row : 1));
    if (!p) return false;
    std::memcpy(p, base, size_t(keep * row) * sizeof(T));
    b.swap(grown);
    base = p;
    cap = want;
    return true;
  }

  // A view of step r (rank N).
  View<T, N> step(int64_t r) const {
    View<T, N> v;
    v.p = at(r);
    for (int d = 0; d < N; ++d) v.n[d] = n[d];
    set_contiguous_strides(v);
    return v;
  }

  // The stacked view of rows [first, first + count) (rank N + 1).
  View<T, N + 1> stacked(int64_t first, int64_t count) const {
    View<T, N + 1> v;
    v.p = row > 0 && base ? at(first) : base;
    v.n[0] = count;
    for (int d = 0; d < N; ++d) v.n[d + 1] = n[d];
    set_contiguous_strides(v);
    return v;
  }
};

// Row i of a view (dimension 0 dropped).
template <class T, int N> inline View<T, N - 1> row_of(const View<T, N>& v, int64_t i) {
  View<T, N - 1> r;
  r.p = v.p + i * v.s[0];
  for (int d = 1; d < N; ++d) {
    r.n[d - 1] = v.n[d];
    r.s[d - 1] = v.s[d];
  }
  return r;
}

// The view reversed along dimension 0 (go_backwards).
template <class T, int N> inline View<T, N> reversed(View<T, N> v) {
  if (v.n[0] > 0) v.p += (v.n[0] - 1) * v.s[0];
  v.s[0] = -v.s[0];
  return v;
}

}  // namespace tgc::rt
