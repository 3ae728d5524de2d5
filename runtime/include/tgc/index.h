// Python/numpy index arithmetic, shared by generated code, the reference
// interpreter and static shape inference.
#pragma once
#include <cstdint>
#include <type_traits>

namespace tgc {

// slice(start, stop, step).indices(n) followed by the slice's length:
// `first` is the first index visited, `len` how many elements are visited.
// step must be nonzero (checked by the caller).
inline void slice_indices(int64_t n, bool has_start, int64_t start, bool has_stop, int64_t stop, int64_t step,
                          int64_t* first, int64_t* len) {
  // A step longer than the dimension visits at most one element, as a step
  // of n + 1 does; clamping keeps the arithmetic below (step - 1, -step) from
  // overflowing for steps near the int64 limits.
  if (step > n) step = n + 1;
  if (step < -n) step = -n - 1;
  if (step > 0) {
    int64_t b = has_start ? (start < 0 ? start + n : start) : 0;
    int64_t e = has_stop ? (stop < 0 ? stop + n : stop) : n;
    b = b < 0 ? 0 : (b > n ? n : b);
    e = e < 0 ? 0 : (e > n ? n : e);
    *first = b;
    *len = e > b ? (e - b + step - 1) / step : 0;
  } else {
    int64_t b = has_start ? (start < 0 ? start + n : start) : n - 1;
    int64_t e = has_stop ? (stop < 0 ? stop + n : stop) : -1;
    b = b < -1 ? -1 : (b > n - 1 ? n - 1 : b);
    if (has_stop) e = e < -1 ? -1 : (e > n - 1 ? n - 1 : e);
    *first = b;
    *len = b > e ? (b - e - step - 1) / (-step) : 0;
  }
}

// An index value of any integer type as int64. numpy compares indices
// exactly, so an unsigned value beyond the int64 range must stay out of range
// (a point index) or clamp like any large bound (a slice): it saturates at
// INT64_MAX instead of wrapping to a negative index that counts from the end.
template <class T> inline int64_t index_value(T v) {
  if constexpr (std::is_same_v<T, uint64_t>) return v > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(v);
  else return int64_t(v);
}

// A single index i into a dimension of size n: negative counts from the end.
// Returns false when it is out of range.
inline bool wrap_index(int64_t i, int64_t n, int64_t* out) {
  int64_t j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) return false;
  *out = j;
  return true;
}

}  // namespace tgc
