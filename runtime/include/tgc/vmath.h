// Vectorizable exp, expm1, log, log1p, tanh, sigmoid and softplus for float
// and double.
//
// libm's functions are opaque calls, so GCC does not vectorize a loop over
// std::exp or std::tanh unless -ffast-math lets it call libmvec. The functions
// here are branch-free and inline: range reduction, a polynomial and the
// reconstruction of the result from its bits are plain arithmetic, and
// special values are selected at the end, so a plain `for` loop over them
// vectorizes at -O3 -march=native -fno-math-errno, with AVX-512, AVX2 or SSE4
// (checked by tools/check_vmath_vectorizes.sh). No -ffast-math is needed:
// NaN, infinities, signed zeros, overflow and underflow (at libm's
// thresholds) and subnormal results (rounded once, not flushed) are exact,
// with or without FMA contraction.
//
// Accuracy (tests/unit/test_vmath.cpp measures it): under 0.85 ulp from the
// exact value for every function and both types, hence within 1 ulp of
// glibc for exp, expm1, log, log1p and softplus, and within 2 ulp for tanh
// and sigmoid (where glibc itself is off by up to 2.2 ulp).
//
// Methods:
//  - exp, expm1: x = n ln2 + r with n = round(x / ln2), |r| <= ln2 / 2;
//    Cody-Waite reduction (ln2 split into a high part with trailing zeros, so
//    n * ln2_hi and x - n * ln2_hi are exact, and a low part), the rounding
//    error of r carried as r_lo. exp(r) - 1 - r = r^2 (1/2 + r Q1(r)) with a
//    minimax polynomial Q1. A + r + r^2/2 is summed exactly (Fast2Sum, r^2
//    split exactly), where A = 1 for exp and A = 1 - 2^-n for expm1
//    (expm1(x) = 2^n (exp(r) - 2^-n)), then the small terms are added; the
//    result is a double-word hi + lo. It is scaled by 2^n as two factors
//    2^n1 * 2^(n - n1), built by inserting the biased exponent into the bits,
//    so that subnormal results are rounded once and exp(x) just below the
//    overflow threshold stays finite.
//  - log, log1p: u = 2^k m with sqrt(1/2) <= m < sqrt(2) read from the bits
//    (subnormals are scaled by 2^(mant_bits + 2) first), f = m - 1 (exact),
//    log(1 + f) = f - (f^2/2 - s (f^2/2 + z L(z))) with s = f / (2 + f),
//    z = s^2 (the series log(1 + f) = 2 atanh(s), arranged as in the classic
//    fdlibm-style reduction) and a minimax polynomial L; k ln2 + log(1 + f)
//    is summed as a double-word. log1p(x): for k == 0, f = x itself; else
//    the rounding error c of u = 1 + x is recovered with Fast2Sum and added
//    as c / u.
//  - tanh: |x| + |x|^3 T(x^2) with a minimax polynomial T for |x| < 0.55,
//    else 1 - 2 / (e + 2), e = expm1(2|x|) as a double-word, with the
//    rounding errors of e + 2, of the division (one Newton step) and of the
//    subtraction compensated; the sign is copied from x.
//  - sigmoid: e = exp(-|x|) as a double-word, (x >= 0 ? 1 : e) / (1 + e)
//    with one Newton step on the quotient; neither branch overflows.
//  - softplus: max(x, 0) + log1p(exp(-|x|)), exp's low part passed on to
//    log1p and the final sum compensated.
// The polynomial coefficients were computed for this file: a Remez exchange
// in multiple precision (mpmath, 60 digits) minimising the relative error of
// Q, L and T on their reduced intervals, then rounded to the target type;
// the degree is the lowest whose rounded error stays well below half an ulp.
// The division residuals use a fused multiply-add where the target has one
// (__FP_FAST_FMA), else Dekker's exact product: both give the same accuracy.
//
// Selects are bitwise blends of two computed values (sel below), not
// ternaries: GCC if-converts a ternary whose arms hold floating-point
// arithmetic only with AVX-512 masking. Reinterpretation between floats and
// integers uses memcpy (valid C++17, a register move after optimization).
// Integer conversions use the "shifter" trick (adding 1.5 * 2^mant_bits puts
// a small integer in the low mantissa bits), so no float <-> int64
// conversion (AVX-512 only) is needed.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__GNUC__)
#define TGC_VM_INLINE inline __attribute__((always_inline))
#else
#define TGC_VM_INLINE inline
#endif

namespace tgc::vm {
namespace detail {

template <class T> struct traits;

template <> struct traits<double> {
  using U = uint64_t;
  static constexpr int mant_bits = 52;
  static constexpr U bias = 1023;
  static constexpr double shifter = 0x1.8p52;  // 1.5 * 2^52
  static constexpr double two_mant = 0x1p52;
  static constexpr double inv_ln2 = 0x1.71547652b82fep+0;
  // ln2 = ln2_hi + ln2_lo; ln2_hi has 40 significant bits, so n * ln2_hi is
  // exact for |n| < 2^13.
  static constexpr double ln2_hi = 0x1.62e42fefa2000p-1;
  static constexpr double ln2_lo = 0x1.9ef35793c7673p-41;
  // exp: arguments are clamped here; the result still overflows or
  // underflows from the arithmetic (exp(709.79) = inf, exp(-745.14) = 0).
  static constexpr double exp_hi = 710.0, exp_lo = -746.0;
  // expm1(x) rounds to -1 below -37.43.
  static constexpr double expm1_lo = -40.0;
  // tanh(x) rounds to 1 above 19.06.
  static constexpr double tanh_big = 22.0;
  static constexpr double tanh_small = 0.55;
  static constexpr double min_normal = 0x1p-1022;
  static constexpr double subnormal_scale = 0x1p54;
  static constexpr U sqrt_half_bits = 0x3FE6A09E667F3BCDull;

  // exp(r) - 1 - r = r^2 (1/2 + r Q1(r)) on |r| <= ln2/2: relative error of
  // 1/2 + r Q1(r) 2^-57.
  static TGC_VM_INLINE double q1_exp(double r) {
    constexpr double c[] = {0x1.5555555555557p-3, 0x1.555555555554ep-5, 0x1.11111111100ebp-7,
                            0x1.6c16c16c1a07ep-10, 0x1.a01a01abe0cfap-13, 0x1.a01a01905fc42p-16,
                            0x1.71de02458480ap-19, 0x1.27e510dcd0267p-22, 0x1.af4dc49c35a78p-26,
                            0x1.1f19f65608e9fp-29};
    // Estrin's scheme: shorter dependency chains than Horner.
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double p01 = c[0] + c[1] * r, p23 = c[2] + c[3] * r, p45 = c[4] + c[5] * r;
    double p67 = c[6] + c[7] * r, p89 = c[8] + c[9] * r;
    return (p01 + p23 * r2) + (p45 + p67 * r2) * r4 + p89 * r8;
  }
  // 2 atanh(s) = 2 s + s z L(z), z = s^2 <= 0.0295: relative error of L 2^-50.9.
  static TGC_VM_INLINE double l_log(double z) {
    constexpr double c[] = {0x1.5555555555558p-1, 0x1.99999999951b9p-2, 0x1.2492492e11436p-2,
                            0x1.c71c62bd97133p-3, 0x1.7462bfd38e6d1p-3, 0x1.39fcf30a87954p-3,
                            0x1.2b69b4ff2f7b6p-3};
    double z2 = z * z, z4 = z2 * z2;
    double p01 = c[0] + c[1] * z, p23 = c[2] + c[3] * z, p45 = c[4] + c[5] * z;
    return (p01 + p23 * z2) + (p45 + c[6] * z2) * z4;
  }
  // tanh(x) = x + x z T(z), z = x^2 <= 0.3025: relative error of T 2^-54.
  static TGC_VM_INLINE double t_tanh(double z) {
    constexpr double c[] = {-0x1.5555555555555p-2, 0x1.1111111111032p-3, -0x1.ba1ba1b9fecc1p-5,
                            0x1.664f48771478cp-6,  -0x1.226e32f042bd1p-7, 0x1.d6d3393d970e1p-9,
                            -0x1.7d97d06c3d2dcp-10, 0x1.34c5ae47f49ecp-11, -0x1.ec10d049f8d01p-13,
                            0x1.64fe4ca891d04p-14,  -0x1.59aa38f3e7bc2p-16};
    double z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
    double p01 = c[0] + c[1] * z, p23 = c[2] + c[3] * z, p45 = c[4] + c[5] * z;
    double p67 = c[6] + c[7] * z, p89 = c[8] + c[9] * z;
    double p03 = p01 + p23 * z2, p47 = p45 + p67 * z2, p8a = p89 + c[10] * z2;
    return (p03 + p47 * z4) + p8a * z8;
  }
};

template <> struct traits<float> {
  using U = uint32_t;
  static constexpr int mant_bits = 23;
  static constexpr U bias = 127;
  static constexpr float shifter = 0x1.8p23f;
  static constexpr float two_mant = 0x1p23f;
  static constexpr float inv_ln2 = 0x1.715476p+0f;
  // ln2_hi has 15 significant bits: n * ln2_hi is exact for |n| < 2^9.
  static constexpr float ln2_hi = 0x1.62e4p-1f;
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;
  static constexpr float exp_hi = 89.0f, exp_lo = -104.0f;  // expf: inf above 88.7228, 0 below -103.9721
  static constexpr float expm1_lo = -18.0f;                 // expm1f(x) rounds to -1 below -17.33
  static constexpr float tanh_big = 10.0f;                  // tanhf(x) rounds to 1 above 9.01
  static constexpr float tanh_small = 0.55f;
  static constexpr float min_normal = 0x1p-126f;
  static constexpr float subnormal_scale = 0x1p25f;
  static constexpr U sqrt_half_bits = 0x3F3504F3u;

  // Relative error of 1/2 + r Q1(r) 2^-26.5.
  static TGC_VM_INLINE float q1_exp(float r) {
    constexpr float c[] = {0x1.555556p-3f, 0x1.5554eap-5f, 0x1.11114cp-7f, 0x1.6d42dap-10f, 0x1.a072c4p-13f};
    float r2 = r * r;
    return (c[0] + c[1] * r) + (c[2] + c[3] * r) * r2 + c[4] * (r2 * r2);
  }
  // Relative error of L 2^-21.7.
  static TGC_VM_INLINE float l_log(float z) {
    constexpr float c[] = {0x1.55555cp-1f, 0x1.997c04p-2f, 0x1.2eed56p-2f};
    return c[0] + (c[1] + c[2] * z) * z;
  }
  // Relative error of T 2^-24.
  static TGC_VM_INLINE float t_tanh(float z) {
    constexpr float c[] = {-0x1.555554p-2f, 0x1.110feap-3f, -0x1.b9a04ep-5f, 0x1.5d2270p-6f, -0x1.b137c0p-8f};
    float z2 = z * z;
    float p01 = c[0] + c[1] * z, p23 = c[2] + c[3] * z;
    return p01 + (p23 + c[4] * z2) * z2;
  }
};

template <class T> TGC_VM_INLINE typename traits<T>::U to_bits(T x) {
  typename traits<T>::U u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
template <class T> TGC_VM_INLINE T from_bits(typename traits<T>::U u) {
  T x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

template <class T> TGC_VM_INLINE T abs_bits(T x) {
  using U = typename traits<T>::U;
  return from_bits<T>(to_bits(x) & (~U(0) >> 1));
}
template <class T> TGC_VM_INLINE T copysign_bits(T mag, T sgn) {
  using U = typename traits<T>::U;
  constexpr U sign = ~(~U(0) >> 1);
  return from_bits<T>((to_bits(mag) & ~sign) | (to_bits(sgn) & sign));
}

// c ? a : b as a bitwise blend of two values that are both computed. A plain
// ternary whose arms hold arithmetic is if-converted by GCC only where the
// target has masked vector operations (AVX-512): elsewhere, under the default
// -ftrapping-math, it refuses to execute a floating-point operation the
// source made conditional, and the loop stays scalar. The blend has no
// conditional operation, so it vectorizes with SSE4 and AVX2 as well.
template <class T> TGC_VM_INLINE T sel(bool c, T a, T b) {
  using U = typename traits<T>::U;
  U m = U(0) - U(c);
  return from_bits<T>((to_bits(a) & m) | (to_bits(b) & ~m));
}

template <class T> TGC_VM_INLINE T inf() { return std::numeric_limits<T>::infinity(); }
template <class T> TGC_VM_INLINE T nan() { return std::numeric_limits<T>::quiet_NaN(); }

// 2^k where kd = shifter + k (k an integer, -bias < k <= bias): the low
// mantissa bits of kd hold k, so adding the bias and shifting it into the
// exponent field builds the power of two (the shifter's own bits fall off).
template <class T> TGC_VM_INLINE T pow2_from_shifted(T kd) {
  using tr = traits<T>;
  return from_bits<T>(typename tr::U(to_bits(kd) + tr::bias) << tr::mant_bits);
}

// x * 2^n where n = kd - shifter, in two steps so that a subnormal result is
// rounded once and 2^n itself never overflows (|n| <= 2 * bias).
template <class T> TGC_VM_INLINE T scale2(T x, T kd) {
  using tr = traits<T>;
  using U = typename tr::U;
  T n = kd - tr::shifter;
  T kd1 = n * T(0.5) + tr::shifter;  // n1 = round(n / 2)
  T s1 = pow2_from_shifted(kd1);
  T s2 = from_bits<T>(U(to_bits(kd) - to_bits(kd1) + tr::bias) << tr::mant_bits);  // 2^(n - n1)
  return x * s1 * s2;
}

// c - a * b with a single rounding: a fused multiply-add where the target
// has one, else Dekker's exact product (Veltkamp splitting). Used where
// c - a * b is small next to c, so that c - round(a * b) is exact.
template <class T> TGC_VM_INLINE T fms(T a, T b, T c) {
#if defined(__FP_FAST_FMA) && defined(__FP_FAST_FMAF)
  if constexpr (sizeof(T) == 8) return __builtin_fma(-a, b, c);
  else return __builtin_fmaf(-a, b, c);
#else
  constexpr T split = sizeof(T) == 8 ? T(134217729.0) : T(4097.0);  // 2^27 + 1, 2^12 + 1
  T p = a * b;
  T as = a * split, bs = b * split;
  T ah = as - (as - a), bh = bs - (bs - b);
  T al = a - ah, bl = b - bh;
  T err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;  // a * b = p + err
  return (c - p) - err;
#endif
}

// A double-word value hi + lo, |lo| <= ulp(hi) / 2 or so.
template <class T> struct dw {
  T hi, lo;
};

// x = n ln2 + r + r_lo: kd = shifter + n, n as a float, and the reduced
// argument r + r_lo (|r| <= ln2 / 2 plus rounding). Valid for
// |x| < 2 * bias * ln2; larger x give garbage the callers replace.
template <class T> struct reduced {
  T kd, n, r, r_lo;
};
template <class T> TGC_VM_INLINE reduced<T> exp_reduce(T x) {
  using tr = traits<T>;
  reduced<T> o;
  o.kd = x * tr::inv_ln2 + tr::shifter;
  o.n = o.kd - tr::shifter;
  T t = x - o.n * tr::ln2_hi;  // exact (Sterbenz, and n * ln2_hi is exact)
  T m = o.n * tr::ln2_lo;
  o.r = t - m;
  o.r_lo = (t - o.r) - m;
  return o;
}

// A + a_lo + exp(r + r_lo) - 1 as hi + lo (relative error about 2^-62 for
// double, 2^-30 for float), for |A| >= 1/2 or A == 0, a_lo tiny:
// A + r + r^2/2 summed exactly, then the small terms.
template <class T> TGC_VM_INLINE dw<T> exp_poly(T a, T a_lo, const reduced<T>& q) {
  using tr = traits<T>;
  T r = q.r;
  T b = a + r;
  T b_err = (a - b) + r;  // Fast2Sum: exact
  T r2 = r * r;
  T r2_lo = -fms(r, r, r2);  // r^2 = r2 + r2_lo exactly
  T h = T(0.5) * r2;
  T c = b + h;
  T c_err = (b - c) + h;  // Fast2Sum: |b| >= |h|
  T rest = ((b_err + a_lo) + (c_err + q.r_lo)) + (T(0.5) * r2_lo + (r2 * r) * tr::q1_exp(r));
  T hi = c + rest;
  return {hi, (c - hi) + rest};
}

// expm1(x) as hi + lo, for expm1_lo <= x <= exp_hi.
template <class T> TGC_VM_INLINE dw<T> expm1_dw(T x) {
  using tr = traits<T>;
  reduced<T> q = exp_reduce(x);
  // expm1(x) = 2^n (exp(r) - 2^-n) = 2^n (exp(r) - 1 + A + a_lo) with
  // A + a_lo = 1 - 2^-n (2^-n clamped to 2^-60: beyond, it is negligible).
  T nc = sel(q.n > T(60), T(60), q.n);
  T t = pow2_from_shifted(tr::shifter - nc);
  T a = T(1) - t;
  dw<T> p = exp_poly(a, (T(1) - a) - t, q);  // Fast2Sum error of 1 - t
  return {scale2(p.hi, q.kd), scale2(p.lo, q.kd)};
}

// exp(x) as hi + lo, for exp_lo <= x <= exp_hi (lo is flushed where hi is
// subnormal; where hi overflows, lo is garbage).
template <class T> TGC_VM_INLINE dw<T> exp_dw(T x) {
  reduced<T> q = exp_reduce(x);
  dw<T> p = exp_poly(T(1), T(-0.0), q);  // x + -0.0 == x: folded away
  return {scale2(p.hi, q.kd), scale2(p.lo, q.kd)};
}

// Result of the logarithm reduction u = 2^k (1 + f).
template <class T> struct log_parts {
  T k, f;
  typename traits<T>::U ku;  // k + bias
};
// u positive and normal (non-positive and non-finite u give garbage the
// callers replace).
template <class T> TGC_VM_INLINE log_parts<T> log_reduce(T u) {
  using tr = traits<T>;
  using U = typename tr::U;
  constexpr U off = (tr::bias << tr::mant_bits) - tr::sqrt_half_bits;
  constexpr U mant_mask = (U(1) << tr::mant_bits) - 1;
  U t = to_bits(u) + off;
  log_parts<T> o;
  o.ku = t >> tr::mant_bits;
  T m = from_bits<T>((t & mant_mask) + tr::sqrt_half_bits);  // sqrt(1/2) <= m < sqrt(2)
  o.f = m - T(1);                                             // exact
  // k = ku - bias as a float, without an integer conversion: 2^mant + ku.
  o.k = from_bits<T>(o.ku | to_bits(tr::two_mant)) - (tr::two_mant + T(tr::bias));
  return o;
}

// k ln2 + log(1 + f) + c as hi + lo, c a correction below ulp(1 + f) / 2
// (for k == 0 and tiny f, |lo| may reach |hi| / 2: the sum hi + lo is still
// rounded once).
template <class T> TGC_VM_INLINE dw<T> log_poly(T k, T f, T c) {
  using tr = traits<T>;
  T s = f / (T(2) + f);
  T z = s * s;
  T hfsq = T(0.5) * f * f;
  T rz = z * tr::l_log(z);
  T t1 = hfsq - (s * (hfsq + rz) + k * tr::ln2_lo);
  T s1 = f - t1;
  T e1 = (f - s1) - t1;  // Fast2Sum (|f| >= |t1| but where both are tiny)
  T kh = k * tr::ln2_hi;
  T s2 = kh + s1;
  T e2 = (kh - s2) + s1;  // Fast2Sum (k != 0: |k ln2| > |s1|; k == 0: exact)
  return {s2, (e1 + e2) + c};
}

// log(1 + x + xl) as hi + lo, xl a small addend (|xl| <= ulp(x)); garbage
// for 1 + x <= 0 and non-finite x.
template <class T> TGC_VM_INLINE dw<T> log1p_dw(T x, T xl) {
  using tr = traits<T>;
  using U = typename tr::U;
  T u = T(1) + x;
  log_parts<T> p = log_reduce(u);
  // k == 0 (sqrt(1/2) <= 1 + x < sqrt(2)): f = x exactly.
  bool k0 = p.ku == tr::bias;
  // Else log(u + c) = log(u) + c / u, c = (1 + x) - u the rounding error
  // (Fast2Sum with the larger operand first), c / u = c 2^-k / (1 + f) with
  // 2^-k built from the bits (for k >= bias, c / u is negligible: 0).
  T c = sel(abs_bits(x) <= T(1), (T(1) - u) + x, (x - u) + T(1));
  T f = sel(k0, x, p.f);
  c = sel(k0, T(0), c) + xl;
  T scale = from_bits<T>(U(U(2 * tr::bias) - p.ku) << tr::mant_bits);
  T w = (c * scale) / (T(1) + f);
  w = sel(p.ku >= U(2 * tr::bias), T(0), w);
  return log_poly(p.k, f, w);
}

template <class T> TGC_VM_INLINE T exp(T x) {
  using tr = traits<T>;
  T xc = sel(x > tr::exp_hi, tr::exp_hi, x);  // NaN passes through
  xc = sel(xc < tr::exp_lo, tr::exp_lo, xc);
  // Clamped arguments still overflow to inf or underflow to 0 in the
  // arithmetic, at libm's thresholds.
  reduced<T> q = exp_reduce(xc);
  dw<T> p = exp_poly(T(1), T(-0.0), q);  // x + -0.0 == x: folded away
  return scale2(p.hi, q.kd);
}

template <class T> TGC_VM_INLINE T expm1(T x) {
  using tr = traits<T>;
  T xc = sel(x > tr::exp_hi, tr::exp_hi, x);
  xc = sel(xc < tr::expm1_lo, tr::expm1_lo, xc);
  T y = expm1_dw(xc).hi;
  return sel(x == T(0), x, y);  // keeps the sign of zero
}

template <class T> TGC_VM_INLINE T log(T x) {
  using tr = traits<T>;
  bool sub = x < tr::min_normal;
  log_parts<T> p = log_reduce(sel(sub, x * tr::subnormal_scale, x));
  T k = sel(sub, p.k - T(tr::mant_bits + 2), p.k);
  dw<T> l = log_poly(k, p.f, T(0));
  T y = l.hi + l.lo;
  y = sel(x == T(0), -inf<T>(), y);
  y = sel(x == inf<T>(), x, y);
  return sel(x >= T(0), y, nan<T>());  // negative or NaN
}

template <class T> TGC_VM_INLINE T log1p(T x) {
  dw<T> l = log1p_dw(x, T(0));
  T y = l.hi + l.lo;
  y = sel(x == T(0), x, y);  // keeps the sign of zero
  y = sel(x == T(-1), -inf<T>(), y);
  y = sel(x == inf<T>(), x, y);
  return sel(x >= T(-1), y, nan<T>());  // below -1 or NaN
}

template <class T> TGC_VM_INLINE T tanh(T x) {
  using tr = traits<T>;
  // tanh is odd: computed for |x|, the sign copied at the end (also
  // tanh(-0) = -0).
  T ax = abs_bits(x);
  // Small |x|: odd polynomial.
  T z = ax * ax;
  T small = ax + ax * (z * tr::t_tanh(z));
  // Large |x|: 1 - 2 / (e + 2), e = expm1(2|x|) >= 2 carried as hi + lo.
  dw<T> e = expm1_dw(sel(ax > tr::tanh_big, T(2) * tr::tanh_big, T(2) * ax));
  T d = e.hi + T(2);
  T d_err = ((e.hi - d) + T(2)) + e.lo;  // Fast2Sum (e >= 2) plus the low part
  T q = T(2) / d;
  // 2 / (d + d_err) = q + (2 - q (d + d_err)) / d, and 1 / d = q / 2.
  T q_lo = (fms(q, d, T(2)) - q * d_err) * (T(0.5) * q);
  T s = T(1) - q;
  T s_err = (T(1) - s) - q;  // Fast2Sum: exact
  T big = s + (s_err - q_lo);
  return copysign_bits(sel(ax < tr::tanh_small, small, big), x);  // NaN: big is NaN
}

template <class T> TGC_VM_INLINE T sigmoid(T x) {
  using tr = traits<T>;
  // e = exp(-|x|) in (0, 1] as hi + lo; x >= 0: 1 / (1 + e), x < 0: e / (1 + e).
  T nax = -abs_bits(x);
  dw<T> e = exp_dw(sel(nax < tr::exp_lo, tr::exp_lo, nax));
  T d = T(1) + e.hi;
  T d_err = ((T(1) - d) + e.hi) + e.lo;  // Fast2Sum: exact
  T q = T(1) / d;
  bool neg = x < T(0);
  T num = sel(neg, e.hi, T(1));
  T num_lo = sel(neg, e.lo, T(0));
  // One Newton step on the quotient: y0 + (num - y0 (d + d_err)) / d.
  T y0 = num * q;
  T res = fms(y0, d, num) + (num_lo - y0 * d_err);
  return y0 + res * q;  // NaN: q is NaN
}

template <class T> TGC_VM_INLINE T softplus(T x) {
  using tr = traits<T>;
  // max(x, 0) + log1p(exp(-|x|)), the low part of exp passed on to log1p.
  T nax = -abs_bits(x);
  dw<T> e = exp_dw(sel(nax < tr::exp_lo, tr::exp_lo, nax));
  dw<T> l = log1p_dw(e.hi, e.lo);
  T m = sel(x > T(0), x, T(0));
  T y = m + l.hi;
  T y_err = sel(m >= l.hi, (m - y) + l.hi, (l.hi - y) + m);  // Fast2Sum, larger first
  y = y + (y_err + l.lo);
  return sel(x == x && x != inf<T>(), y, x);  // NaN, +inf
}

}  // namespace detail

// Public entry points: exactly float and double.
TGC_VM_INLINE float exp(float x) { return detail::exp(x); }
TGC_VM_INLINE double exp(double x) { return detail::exp(x); }
TGC_VM_INLINE float expm1(float x) { return detail::expm1(x); }
TGC_VM_INLINE double expm1(double x) { return detail::expm1(x); }
TGC_VM_INLINE float log(float x) { return detail::log(x); }
TGC_VM_INLINE double log(double x) { return detail::log(x); }
TGC_VM_INLINE float log1p(float x) { return detail::log1p(x); }
TGC_VM_INLINE double log1p(double x) { return detail::log1p(x); }
TGC_VM_INLINE float tanh(float x) { return detail::tanh(x); }
TGC_VM_INLINE double tanh(double x) { return detail::tanh(x); }
TGC_VM_INLINE float sigmoid(float x) { return detail::sigmoid(x); }
TGC_VM_INLINE double sigmoid(double x) { return detail::sigmoid(x); }
TGC_VM_INLINE float softplus(float x) { return detail::softplus(x); }
TGC_VM_INLINE double softplus(double x) { return detail::softplus(x); }

}  // namespace tgc::vm
