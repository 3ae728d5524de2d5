// The runtime of generated code: tensor views, grow-only buffers, status
// reporting and input/output binding. Header-only, so generated code needs
// only this include path (and OpenBLAS) to build.
#pragma once
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tgc/abi.h"
#include "tgc/index.h"
#include "tgc/philox.h"
#include "tgc/scalar.h"

namespace tgc::rt {

// A strided view of N dimensions; strides are in elements. Generated code
// keeps one per variable, so shapes and strides are plain locals the C++
// compiler can hoist out of loops.
template <class T, int N> struct View {
  T* p = nullptr;
  int64_t n[N > 0 ? N : 1] = {};
  int64_t s[N > 0 ? N : 1] = {};
};

template <class T, int N> inline int64_t numel(const View<T, N>& v) {
  int64_t k = 1;
  for (int d = 0; d < N; ++d) k *= v.n[d];
  return k;
}

template <class T, int N> inline void set_contiguous_strides(View<T, N>& v) {
  int64_t st = 1;
  for (int d = N - 1; d >= 0; --d) {
    v.s[d] = st;
    st *= v.n[d];
  }
}

// True when the view's elements are laid out densely in C order (sizes of 1
// may have any stride).
template <class T, int N> inline bool is_contiguous(const View<T, N>& v) {
  int64_t st = 1;
  for (int d = N - 1; d >= 0; --d) {
    if (v.n[d] != 1 && v.s[d] != st) return false;
    st *= v.n[d];
  }
  return true;
}

// Every dimension but the first is C-contiguous: each row (v[i]) is one
// dense block, whatever the stride between rows (a reversed or sliced
// sequence).
template <class T, int N> inline bool rows_contiguous(const View<T, N>& v) {
  int64_t st = 1;
  for (int d = N - 1; d >= 1; --d) {
    if (v.n[d] != 1 && v.s[d] != st) return false;
    st *= v.n[d];
  }
  return true;
}

// A heap block that only grows: a function called again with the same shapes
// allocates nothing.
struct Buffer {
  void* p = nullptr;
  size_t cap = 0;
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { std::free(p); }
  // Returns storage for at least `bytes` bytes (64-byte aligned), or null when out of memory.
  void* ensure(size_t bytes) {
    if (bytes <= cap && p) return p;
    size_t want = bytes < 64 ? 64 : (bytes + 63) / 64 * 64;
    void* q = std::aligned_alloc(64, want);
    if (!q) return nullptr;
    std::free(p);
    p = q;
    cap = want;
    return p;
  }
  void swap(Buffer& o) {
    void* tp = p;
    p = o.p;
    o.p = tp;
    size_t tc = cap;
    cap = o.cap;
    o.cap = tc;
  }
};

// Storage for `count` elements of T in buffer b (null when out of memory).
template <class T> inline T* alloc(Buffer& b, int64_t count) {
  if (count < 0) return nullptr;
  return static_cast<T*>(b.ensure(size_t(count) * sizeof(T)));
}

// A CSR matrix input: data in the declared dtype, indices and indptr
// normalized to int64 at entry, validated before use.
template <class T> struct Csr {
  View<T, 1> data;
  View<int64_t, 1> indices, indptr;
  int64_t rows = 0, cols = 0;
};

// Sets the status and returns its code, for `return fail(st, ...)`.
// Marked cold: GCC then predicts every check that leads here as not taken.
// Without it, the hundreds of checks of a large function (a scan body's
// shape checks, say) each cost a share of the estimated frequency, the code
// after them is estimated cold, and cold loops are not vectorized.
#if defined(__GNUC__)
__attribute__((cold, noinline))
#endif
inline int fail(tgc_status* st, int code, const char* fmt, ...) {
  if (st) {
    st->code = code;
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

inline const char* dtype_name(int dt) {
  static const char* const names[] = {"bool",   "int8",   "int16",  "int32",   "int64",  "uint8",
                                      "uint16", "uint32", "uint64", "float32", "float64"};
  return dt >= 0 && dt <= TGC_FLOAT64 ? names[dt] : "unknown";
}

// "(3, 4)" into buf.
inline const char* shape_text(char* buf, size_t len, int nd, const int64_t* shape) {
  size_t k = 0;
  k += size_t(std::snprintf(buf + k, len - k, "("));
  for (int d = 0; d < nd && k < len; ++d) {
    if (shape[d] < 0) k += size_t(std::snprintf(buf + k, len - k, d ? ", ?" : "?"));  // known only at run time
    else k += size_t(std::snprintf(buf + k, len - k, d ? ", %lld" : "%lld", (long long)shape[d]));
  }
  if (k < len) std::snprintf(buf + k, len - k, nd == 1 ? ",)" : ")");
  return buf;
}

// Checks an input tensor against its declared type (static sizes are >= 0,
// -1 accepts any size) and points `v` at it.
template <class T, int N>
inline int bind_input(tgc_status* st, const tgc_tensor& t, int dtype, const int64_t* declared, const char* name,
                      View<T, N>& v) {
  char a[160], b[160];
  if (t.dtype != dtype)
    return fail(st, TGC_RUNTIME, "input %s: expected dtype %s, got %s", name, dtype_name(dtype), dtype_name(t.dtype));
  if (t.ndim != N) return fail(st, TGC_RUNTIME, "input %s: expected %d dimensions, got %d", name, N, t.ndim);
  for (int d = 0; d < N; ++d) {
    if (t.shape[d] < 0 || (declared[d] >= 0 && t.shape[d] != declared[d]))
      return fail(st, TGC_RUNTIME, "input %s: expected shape %s, got %s", name, shape_text(a, sizeof a, N, declared),
                  shape_text(b, sizeof b, N, t.shape));
  }
  int64_t count = 1;
  for (int d = 0; d < N; ++d) count *= t.shape[d];
  if (!t.data && count > 0) return fail(st, TGC_RUNTIME, "input %s: no data", name);
  v.p = static_cast<T*>(t.data);
  for (int d = 0; d < N; ++d) v.n[d] = t.shape[d];
  set_contiguous_strides(v);
  return TGC_OK;
}

// Copies any view into contiguous storage at dst (C order).
template <class T, int N> inline void copy_to_contiguous(const View<T, N>& src, T* dst) {
  if (N == 0) {
    dst[0] = src.p[0];
    return;
  }
  if (is_contiguous(src)) {
    int64_t k = numel(src);
    if (k > 0 && dst != src.p) std::memmove(dst, src.p, size_t(k) * sizeof(T));
    return;
  }
  int64_t total = numel(src);
  if (total == 0) return;
  // The trailing dimensions that are contiguous in src form blocks copied
  // with memcpy (a view reversed or sliced in a leading dimension copies row
  // by row); otherwise the innermost dimension is a strided loop. An
  // odometer over the dimensions before the block walks the offsets.
  const int last = N > 0 ? N - 1 : 0;
  const bool unit = src.s[last] == 1;
  int inner = last;
  int64_t block = src.n[last];
  while (unit && inner > 0 && src.s[inner - 1] == block) block *= src.n[--inner];
  int64_t idx[N > 0 ? N : 1] = {};
  int64_t off = 0;
  for (int64_t done = 0; done < total; done += block) {
    if (unit) {
      std::memcpy(dst + done, src.p + off, size_t(block) * sizeof(T));
    } else {
      const int64_t s = src.s[last];
      for (int64_t j = 0; j < block; ++j) dst[done + j] = src.p[off + j * s];
    }
    for (int d = inner - 1; d >= 0; --d) {
      off += src.s[d];
      if (++idx[d] < src.n[d]) break;
      off -= src.s[d] * src.n[d];
      idx[d] = 0;
    }
  }
}

// dst[i] = f(dst[i], src[i]) over two views of the same shape, src converted
// to dst's element type first. Used for set/inc of regions and joins.
template <class D, class S, int N, class F> inline void update_view(const View<D, N>& dst, const View<S, N>& src, F f) {
  if (N == 0) {
    dst.p[0] = f(dst.p[0], sc::cvt<D>(src.p[0]));
    return;
  }
  int64_t total = 1;
  for (int d = 0; d < N; ++d) total *= dst.n[d];
  if (total == 0) return;
  int64_t idx[N > 0 ? N : 1] = {};
  int64_t od = 0, os = 0;
  const int64_t inner = dst.n[N - 1], dsi = dst.s[N - 1], ssi = src.s[N - 1];
  for (int64_t done = 0; done < total; done += inner) {
    if (dsi == 1 && ssi == 1)  // the common case, a loop that vectorizes
      for (int64_t j = 0; j < inner; ++j) dst.p[od + j] = f(dst.p[od + j], sc::cvt<D>(src.p[os + j]));
    else
      for (int64_t j = 0; j < inner; ++j) dst.p[od + j * dsi] = f(dst.p[od + j * dsi], sc::cvt<D>(src.p[os + j * ssi]));
    for (int d = N - 2; d >= 0; --d) {
      od += dst.s[d];
      os += src.s[d];
      if (++idx[d] < dst.n[d]) break;
      od -= dst.s[d] * dst.n[d];
      os -= src.s[d] * src.n[d];
      idx[d] = 0;
    }
  }
}

template <class D, class S, int N> inline void copy_cast(const View<D, N>& dst, const View<S, N>& src) {
  update_view(dst, src, [](D, D b) { return b; });
}

// Offset of the element at flat (C-order) index i of a view.
template <class T, int N> inline int64_t flat_offset(const View<T, N>& v, int64_t i) {
  int64_t off = 0;
  for (int d = N - 1; d >= 0; --d) {
    int64_t k = v.n[d] > 0 ? i % v.n[d] : 0;
    i = v.n[d] > 0 ? i / v.n[d] : 0;
    off += k * v.s[d];
  }
  return off;
}

// Length of arange(start, stop, step) for integers (step != 0), without overflow.
inline int64_t arange_length(int64_t start, int64_t stop, int64_t step) {
  __int128 a = start, b = stop, s = step;
  __int128 len = s > 0 ? (b > a ? (b - a + s - 1) / s : 0) : (a > b ? (a - b - s - 1) / (-s) : 0);
  return len > INT64_MAX ? INT64_MAX : int64_t(len);
}

// Points a C-ABI output at contiguous data owned by the model.
template <class T, int N> inline void set_output(tgc_tensor& out, int dtype, const View<T, N>& v) {
  out.dtype = dtype;
  out.ndim = N;
  for (int d = 0; d < N; ++d) out.shape[d] = v.n[d];
  out.data = const_cast<void*>(static_cast<const void*>(v.p));
}

// Storage of a shared variable: a contiguous tensor owned by the model.
struct SharedTensor {
  Buffer buf;
  int64_t n[TGC_MAX_RANK] = {};
};

// Reads a tensor into a shared variable after checking it against the
// declared type (the same rules as inputs).
inline int load_shared(tgc_status* st, SharedTensor& s, const tgc_tensor& t, int dtype, int nd, const int64_t* declared,
                       int elem_size, const char* name) {
  char a[160], b[160];
  if (t.dtype != dtype)
    return fail(st, TGC_RUNTIME, "shared %s: expected dtype %s, got %s", name, dtype_name(dtype), dtype_name(t.dtype));
  if (t.ndim != nd) return fail(st, TGC_RUNTIME, "shared %s: expected %d dimensions, got %d", name, nd, t.ndim);
  int64_t count = 1;
  for (int d = 0; d < nd; ++d) {
    if (t.shape[d] < 0 || (declared[d] >= 0 && t.shape[d] != declared[d]))
      return fail(st, TGC_RUNTIME, "shared %s: expected shape %s, got %s", name, shape_text(a, sizeof a, nd, declared),
                  shape_text(b, sizeof b, nd, t.shape));
    count *= t.shape[d];
  }
  void* p = s.buf.ensure(size_t(count) * size_t(elem_size));
  if (!p) return fail(st, TGC_RUNTIME, "shared %s: out of memory", name);
  if (count > 0) std::memcpy(p, t.data, size_t(count) * size_t(elem_size));
  for (int d = 0; d < nd; ++d) s.n[d] = t.shape[d];
  return TGC_OK;
}

template <class T, int N> inline View<T, N> shared_view(SharedTensor& s) {
  View<T, N> v;
  v.p = static_cast<T*>(s.buf.p);
  for (int d = 0; d < N; ++d) v.n[d] = s.n[d];
  set_contiguous_strides(v);
  return v;
}

// Integer vector element i of a C-ABI tensor of any integer dtype.
inline bool int_element(const tgc_tensor& t, int64_t i, int64_t* out) {
  switch (t.dtype) {
    case TGC_INT32: *out = static_cast<const int32_t*>(t.data)[i]; return true;
    case TGC_INT64: *out = static_cast<const int64_t*>(t.data)[i]; return true;
    default: return false;
  }
}

// Binds a CSR input given as four tensors (data, indices, indptr, shape):
// indices and indptr may be int32 or int64 and are widened to int64 in the
// two scratch buffers; the structure is validated so later loops cannot read
// out of bounds.
template <class T>
inline int bind_csr(tgc_status* st, const tgc_tensor* t, int dtype, const char* name, Csr<T>& out, Buffer& idx_buf,
                    Buffer& ptr_buf) {
  const tgc_tensor &data = t[0], &ind = t[1], &ptr = t[2], &shape = t[3];
  if (data.dtype != dtype)
    return fail(st, TGC_RUNTIME, "input %s: data must be %s, got %s", name, dtype_name(dtype), dtype_name(data.dtype));
  if (data.ndim != 1 || ind.ndim != 1 || ptr.ndim != 1 || shape.ndim != 1 || shape.shape[0] != 2)
    return fail(st, TGC_RUNTIME, "input %s: a CSR matrix is data, indices, indptr (vectors) and shape (2 values)", name);
  if ((ind.dtype != TGC_INT32 && ind.dtype != TGC_INT64) || (ptr.dtype != TGC_INT32 && ptr.dtype != TGC_INT64) ||
      shape.dtype != TGC_INT64)
    return fail(st, TGC_RUNTIME, "input %s: indices and indptr must be int32 or int64, shape int64", name);
  int64_t rows = static_cast<const int64_t*>(shape.data)[0], cols = static_cast<const int64_t*>(shape.data)[1];
  int64_t nnz = data.shape[0];
  if (rows < 0 || cols < 0 || ind.shape[0] != nnz || ptr.shape[0] != rows + 1)
    return fail(st, TGC_RUNTIME, "input %s: inconsistent CSR sizes (shape %lld x %lld, %lld values, %lld indices, %lld indptr)",
                name, (long long)rows, (long long)cols, (long long)nnz, (long long)ind.shape[0], (long long)ptr.shape[0]);
  int64_t* ip = alloc<int64_t>(ptr_buf, rows + 1);
  int64_t* ii = alloc<int64_t>(idx_buf, nnz > 0 ? nnz : 1);
  if (!ip || !ii) return fail(st, TGC_RUNTIME, "input %s: out of memory", name);
  for (int64_t r = 0; r <= rows; ++r) {
    int_element(ptr, r, &ip[r]);
    if ((r == 0 && ip[0] != 0) || (r > 0 && ip[r] < ip[r - 1]) || ip[r] > nnz)
      return fail(st, TGC_RUNTIME, "input %s: indptr must start at 0, never decrease and end at the number of values", name);
  }
  if (ip[rows] != nnz) return fail(st, TGC_RUNTIME, "input %s: indptr ends at %lld, not %lld", name, (long long)ip[rows], (long long)nnz);
  for (int64_t k = 0; k < nnz; ++k) {
    int_element(ind, k, &ii[k]);
    if (ii[k] < 0 || ii[k] >= cols)
      return fail(st, TGC_RUNTIME, "input %s: column index %lld out of range [0, %lld)", name, (long long)ii[k], (long long)cols);
  }
  out.data.p = static_cast<T*>(data.data);
  out.data.n[0] = nnz;
  out.data.s[0] = 1;
  out.indices.p = ii;
  out.indices.n[0] = nnz;
  out.indices.s[0] = 1;
  out.indptr.p = ip;
  out.indptr.n[0] = rows + 1;
  out.indptr.s[0] = 1;
  out.rows = rows;
  out.cols = cols;
  return TGC_OK;
}

// Commits a new value into a shared variable in two phases so that a call
// either applies all its updates or none: reserve() may fail (out of
// memory) and is done for every update first; assign() cannot fail.
inline bool reserve_shared(SharedTensor& s, int64_t bytes) { return s.buf.ensure(size_t(bytes)) != nullptr || bytes == 0; }
template <class T, int N> inline void assign_shared(SharedTensor& s, const View<T, N>& v) {
  copy_to_contiguous(v, static_cast<T*>(s.buf.p));
  for (int d = 0; d < N; ++d) s.n[d] = v.n[d];
}

}  // namespace tgc::rt
