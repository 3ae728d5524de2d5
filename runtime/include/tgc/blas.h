// BLAS wrappers for generated code: GEMM, GEMV, DOT and GER on strided
// views. Float types go to OpenBLAS's CBLAS; a view BLAS cannot describe
// (neither dimension of unit stride) is first copied to contiguous scratch.
// Integer types use plain loops (numpy's integer matmul wraps, as here).
#pragma once
#include <cblas.h>

#include "tgc/runtime.h"

namespace tgc::rt {

// How BLAS sees a matrix view: row-major with leading dimension `ld`,
// transposed or not.
struct MatLayout {
  bool trans;
  int64_t ld;
};

template <class T> inline bool blas_layout(const View<T, 2>& a, MatLayout& out) {
  int64_t r = a.n[0], c = a.n[1];
  int64_t s0 = r == 1 ? (c > 1 ? c : 1) : a.s[0], s1 = c == 1 ? 1 : a.s[1];
  if (s1 == 1 && s0 >= (c > 1 ? c : 1)) {
    out = {false, s0};
    return true;
  }
  s0 = r == 1 ? 1 : a.s[0];
  s1 = c == 1 ? (r > 1 ? r : 1) : a.s[1];
  if (s0 == 1 && s1 >= (r > 1 ? r : 1)) {
    out = {true, s1};
    return true;
  }
  return false;
}

// A BLAS-describable version of `a`: itself, or a contiguous copy in `tmp`.
template <class T> inline const T* blas_operand(const View<T, 2>& a, Buffer& tmp, MatLayout& lay) {
  if (blas_layout(a, lay)) return a.p;
  T* q = static_cast<T*>(tmp.ensure(size_t(numel(a)) * sizeof(T)));
  if (!q) return nullptr;
  copy_to_contiguous(a, q);
  lay = {false, a.n[1] > 1 ? a.n[1] : 1};
  return q;
}

inline void cblas_gemm(const MatLayout& la, const MatLayout& lb, int64_t m, int64_t n, int64_t k, float alpha,
                       const float* a, const float* b, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans, lb.trans ? CblasTrans : CblasNoTrans, int(m), int(n),
              int(k), alpha, a, int(la.ld), b, int(lb.ld), beta, c, int(ldc));
}
inline void cblas_gemm(const MatLayout& la, const MatLayout& lb, int64_t m, int64_t n, int64_t k, double alpha,
                       const double* a, const double* b, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans, lb.trans ? CblasTrans : CblasNoTrans, int(m), int(n),
              int(k), alpha, a, int(la.ld), b, int(lb.ld), beta, c, int(ldc));
}

// C (m, n, contiguous, leading dimension n) = alpha * A @ B + beta * C.
// With beta == 0 the old contents of C are ignored (NaN included).
// Returns false when scratch memory could not be allocated.
template <class T>
inline bool gemm(const View<T, 2>& A, const View<T, 2>& B, T alpha, T beta, T* C, Buffer& tmp_a, Buffer& tmp_b) {
  int64_t m = A.n[0], k = A.n[1], n = B.n[1];
  if (m == 0 || n == 0) return true;
  if constexpr (sc::is_float<T>) {
    if (k > 0) {
      MatLayout la, lb;
      const T* a = blas_operand(A, tmp_a, la);
      const T* b = blas_operand(B, tmp_b, lb);
      if (!a || !b) return false;
      cblas_gemm(la, lb, m, n, k, alpha, a, b, beta, C, n);
      return true;
    }
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T acc = T(0);
      for (int64_t q = 0; q < k; ++q) acc = sc::add(acc, sc::mul(A.p[i * A.s[0] + q * A.s[1]], B.p[q * B.s[0] + j * B.s[1]]));
      T prev = beta == T(0) ? T(0) : sc::mul(beta, C[i * n + j]);
      C[i * n + j] = sc::add(prev, sc::mul(alpha, acc));
    }
  return true;
}

// y (contiguous, length m) = alpha * A @ x + beta * y.
template <class T>
inline bool gemv(const View<T, 2>& A, const View<T, 1>& x, T alpha, T beta, T* y, Buffer& tmp_a, Buffer& tmp_x) {
  int64_t m = A.n[0], k = A.n[1];
  if (m == 0) return true;
  if constexpr (sc::is_float<T>) {
    if (k > 0) {
      MatLayout la;
      const T* a = blas_operand(A, tmp_a, la);
      const T* xp = x.p;
      int64_t incx = x.s[0];
      if (incx <= 0 && k > 1) {  // BLAS needs a positive increment
        T* q = static_cast<T*>(tmp_x.ensure(size_t(k) * sizeof(T)));
        if (!q) return false;
        copy_to_contiguous(x, q);
        xp = q;
        incx = 1;
      }
      if (!a) return false;
      if (incx <= 0) incx = 1;
      int rows = la.trans ? int(k) : int(m), cols = la.trans ? int(m) : int(k);
      if constexpr (sizeof(T) == 4)
        cblas_sgemv(CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans, rows, cols, alpha, a, int(la.ld), xp, int(incx),
                    beta, y, 1);
      else
        cblas_dgemv(CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans, rows, cols, alpha, a, int(la.ld), xp, int(incx),
                    beta, y, 1);
      return true;
    }
  }
  for (int64_t i = 0; i < m; ++i) {
    T acc = T(0);
    for (int64_t q = 0; q < k; ++q) acc = sc::add(acc, sc::mul(A.p[i * A.s[0] + q * A.s[1]], x.p[q * x.s[0]]));
    T prev = beta == T(0) ? T(0) : sc::mul(beta, y[i]);
    y[i] = sc::add(prev, sc::mul(alpha, acc));
  }
  return true;
}

// sum_i a[i] * b[i]; float types accumulate in double for accuracy.
template <class T> inline T dot(const View<T, 1>& a, const View<T, 1>& b) {
  int64_t k = a.n[0];
  if constexpr (sc::is_float<T>) {
    if (k > 0 && a.s[0] > 0 && b.s[0] > 0) {
      if constexpr (sizeof(T) == 4) return T(cblas_dsdot(int(k), a.p, int(a.s[0]), b.p, int(b.s[0])));
      else return cblas_ddot(int(k), a.p, int(a.s[0]), b.p, int(b.s[0]));
    }
    double acc = 0;
    for (int64_t i = 0; i < k; ++i) acc += double(a.p[i * a.s[0]]) * double(b.p[i * b.s[0]]);
    return T(acc);
  } else {
    T acc = T(0);
    for (int64_t i = 0; i < k; ++i) acc = sc::add(acc, sc::mul(a.p[i * a.s[0]], b.p[i * b.s[0]]));
    return acc;
  }
}

// A (m, n, contiguous) += alpha * outer(x, y).
template <class T> inline void ger(T* A, int64_t m, int64_t n, T alpha, const View<T, 1>& x, const View<T, 1>& y) {
  if constexpr (sc::is_float<T>) {
    if (m > 0 && n > 0 && x.s[0] > 0 && y.s[0] > 0) {
      if constexpr (sizeof(T) == 4)
        cblas_sger(CblasRowMajor, int(m), int(n), alpha, x.p, int(x.s[0]), y.p, int(y.s[0]), A, int(n));
      else
        cblas_dger(CblasRowMajor, int(m), int(n), alpha, x.p, int(x.s[0]), y.p, int(y.s[0]), A, int(n));
      return;
    }
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) A[i * n + j] = sc::add(A[i * n + j], sc::mul(alpha, sc::mul(x.p[i * x.s[0]], y.p[j * y.s[0]])));
}

}  // namespace tgc::rt
