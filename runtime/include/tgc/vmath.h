// Vectorizable exp, expm1, log, log1p, tanh, sigmoid and softplus for float
// and double.
//
// libm's functions are opaque calls, so GCC does not vectorize a loop over
// std::exp or std::tanh unless -ffast-math lets it call libmvec. The functions
// here are branch-free and inline: range reduction, a polynomial and the
// reconstruction of the result from its bits are all plain arithmetic, and
// special values are handled with selects (ternaries that GCC if-converts
// into blends), so a plain `for` loop over them vectorizes at -O3 (checked
// by tools/check_vmath_vectorizes.sh). They need no -ffast-math: NaN, the
// infinities, signed zeros, overflow, underflow and subnormal results are
// exact, and they hold with or without FMA contraction.
//
// Accuracy (tests/unit/test_vmath.cpp measures it against libm): within
// 1 to 2 ulp of glibc's functions for both types, correctly rounded results
// for most arguments.
//
// Methods:
//  - exp, expm1: x = n ln2 + r with n = round(x / ln2), |r| <= ln2 / 2;
//    Cody-Waite reduction (ln2 split into a high part with trailing zeros, so
//    n * ln2_hi and x - n * ln2_hi are exact, and a low part), with the
//    rounding error of r carried as r_lo. exp(r) - 1 - r = r^2 Q(r) with a
//    minimax polynomial Q. The leading terms are summed with an exact
//    Fast2Sum (A + r, where A = 1 for exp and A = 1 - 2^-n for expm1,
//    exp(x) - 1 = 2^n (exp(r) - 2^-n)). The result is scaled by 2^n as two
//    factors 2^n1 * 2^(n - n1), built by inserting the biased exponent into
//    the bits, so that subnormal results are rounded once and exp(x) near the
//    overflow threshold is finite.
//  - log, log1p: u = 2^k m with sqrt(1/2) <= m < sqrt(2) read from the bits
//    (subnormals are scaled by a power of two first), f = m - 1 (exact),
//    log(1 + f) = f - (f^2/2 - s (f^2/2 + z L(z))) with s = f / (2 + f),
//    z = s^2 (the atanh series log(1+f) = 2 atanh(s), arranged as in the
//    classic fdlibm-style reduction) and a minimax polynomial L.
//    log1p(x): u = 1 + x rounded, the rounding error c = (1 + x) - u is
//    recovered exactly with Fast2Sum and added as c / u.
//  - tanh: x + x^3 T(x^2) with a minimax polynomial T for |x| < 0.55, else
//    1 - 2 / (expm1(2|x|) + 2) with the rounding error of the sum corrected.
//  - sigmoid: e = exp(-|x|), (x >= 0 ? 1 : e) / (1 + e), with the rounding
//    error of 1 + e corrected; neither branch overflows.
//  - softplus: max(x, 0) + log1p(exp(-|x|)).
// The polynomial coefficients were computed for this file: a Remez exchange
// in multiple precision (mpmath, 60 digits) minimising the relative error of
// Q, L and T on their reduced intervals, then rounded to the target type;
// the degree is the lowest whose rounded error stays well below half an ulp.
//
// Reconstruction uses memcpy between equally sized integers and floats (valid
// C++17; GCC turns it into a plain register reinterpretation). Integer
// conversions are done with the "shifter" trick (adding 1.5 * 2^mant_bits puts
// a small integer in the low mantissa bits), so no float <-> int64 conversion
// is needed and the loops vectorize on AVX2 as well as on AVX-512.
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

  // exp(r) - 1 - r = r^2 Q(r) on |r| <= ln2/2: relative error of Q 2^-57.
  static TGC_VM_INLINE double q_exp(double r) {
    constexpr double c[] = {0x1.0000000000000p-1, 0x1.5555555555557p-3, 0x1.555555555554ep-5,
                            0x1.11111111100ebp-7, 0x1.6c16c16c1a07ep-10, 0x1.a01a01abe0cfap-13,
                            0x1.a01a01905fc42p-16, 0x1.71de02458480ap-19, 0x1.27e510dcd0267p-22,
                            0x1.af4dc49c35a78p-26, 0x1.1f19f65608e9fp-29};
    // Estrin's scheme: shorter dependency chains than Horner.
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double p01 = c[0] + c[1] * r, p23 = c[2] + c[3] * r, p45 = c[4] + c[5] * r;
    double p67 = c[6] + c[7] * r, p89 = c[8] + c[9] * r;
    double p03 = p01 + p23 * r2, p47 = p45 + p67 * r2, p8a = p89 + c[10] * r2;
    return (p03 + p47 * r4) + p8a * r8;
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

  // Relative error of Q 2^-26.5.
  static TGC_VM_INLINE float q_exp(float r) {
    constexpr float c[] = {0x1p-1f, 0x1.555556p-3f, 0x1.5554eap-5f, 0x1.11114cp-7f, 0x1.6d42dap-10f, 0x1.a072c4p-13f};
    float r2 = r * r;
    float p01 = c[0] + c[1] * r, p23 = c[2] + c[3] * r, p45 = c[4] + c[5] * r;
    return p01 + (p23 + p45 * r2) * r2;
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

// x = n ln2 + r + r_lo: kd = shifter + n, n as a float, and the reduced
// argument r + r_lo (|r| <= ln2 / 2 plus rounding).
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

// A + exp(r) - 1 for |A| >= |r| or A == 0, with one final rounding.
template <class T> TGC_VM_INLINE T exp_poly(T a, const reduced<T>& q) {
  using tr = traits<T>;
  T b = a + q.r;
  T b_err = (a - b) + q.r;  // Fast2Sum: exact
  T r2 = q.r * q.r;
  return b + (b_err + q.r_lo + r2 * tr::q_exp(q.r));
}

// Result of the logarithm reduction u = 2^k (1 + f).
template <class T> struct log_parts {
  T k, f;
  typename traits<T>::U ku;  // k + bias
};
// u positive and normal (or anything: non-positive and non-finite u give
// garbage the callers replace).
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

// k ln2 + log(1 + f) + c, c a small correction.
template <class T> TGC_VM_INLINE T log_poly(T k, T f, T c) {
  using tr = traits<T>;
  T s = f / (T(2) + f);
  T z = s * s;
  T hfsq = T(0.5) * f * f;
  T rz = z * tr::l_log(z);
  T lo = s * (hfsq + rz) + (k * tr::ln2_lo + c);
  return k * tr::ln2_hi + (f - (hfsq - lo));
}

template <class T> TGC_VM_INLINE T inf() { return std::numeric_limits<T>::infinity(); }
template <class T> TGC_VM_INLINE T nan() { return std::numeric_limits<T>::quiet_NaN(); }
template <class T> TGC_VM_INLINE T abs_bits(T x) {
  using U = typename traits<T>::U;
  return from_bits<T>(to_bits(x) & (~U(0) >> 1));
}
template <class T> TGC_VM_INLINE T copysign_bits(T mag, T sgn) {
  using U = typename traits<T>::U;
  constexpr U sign = ~(~U(0) >> 1);
  return from_bits<T>((to_bits(mag) & ~sign) | (to_bits(sgn) & sign));
}

template <class T> TGC_VM_INLINE T exp(T x) {
  using tr = traits<T>;
  T xc = x > tr::exp_hi ? tr::exp_hi : x;  // NaN passes through
  xc = xc < tr::exp_lo ? tr::exp_lo : xc;
  reduced<T> q = exp_reduce(xc);
  return scale2(exp_poly(T(1), q), q.kd);
}

template <class T> TGC_VM_INLINE T expm1(T x) {
  using tr = traits<T>;
  T xc = x > tr::exp_hi ? tr::exp_hi : x;
  xc = xc < tr::expm1_lo ? tr::expm1_lo : xc;
  reduced<T> q = exp_reduce(xc);
  // expm1(x) = 2^n (exp(r) - 2^-n); A = 1 - 2^-n is exact for the n where
  // it matters (2^-n is clamped to 2^-40: beyond, A rounds to 1 anyway).
  T nc = q.n > T(40) ? T(40) : q.n;
  T a = T(1) - pow2_from_shifted(tr::shifter - nc);
  T y = scale2(exp_poly(a, q), q.kd);
  return x == T(0) ? x : y;  // keeps the sign of zero
}

template <class T> TGC_VM_INLINE T log(T x) {
  using tr = traits<T>;
  bool sub = x < tr::min_normal;
  T xs = sub ? x * tr::subnormal_scale : x;
  log_parts<T> p = log_reduce(xs);
  T k = sub ? p.k - T(tr::mant_bits + 2) : p.k;
  T y = log_poly(k, p.f, T(0));
  y = x == T(0) ? -inf<T>() : y;
  y = x == inf<T>() ? x : y;
  return x >= T(0) ? y : nan<T>();  // negative or NaN
}

template <class T> TGC_VM_INLINE T log1p(T x) {
  using tr = traits<T>;
  using U = typename tr::U;
  T u = T(1) + x;
  // Rounding error of 1 + x (Fast2Sum with the larger operand first).
  T c = abs_bits(x) <= T(1) ? (T(1) - u) + x : (x - u) + T(1);
  log_parts<T> p = log_reduce(u);
  // log(u + c) = log(u) + c / u: c 2^-k / (1 + f), 2^-k from the bits
  // (k <= bias - 1 gives a normal number; beyond, c is negligible and 2^-k
  // becomes 0).
  T scale = from_bits<T>(U(U(2 * tr::bias) - p.ku) << tr::mant_bits);
  T c1 = (c * scale) / (T(1) + p.f);
  c1 = p.ku >= U(2 * tr::bias) ? T(0) : c1;
  T y = log_poly(p.k, p.f, c1);
  y = x == T(0) ? x : y;  // keeps the sign of zero
  y = x == T(-1) ? -inf<T>() : y;
  y = x == inf<T>() ? x : y;
  return x >= T(-1) ? y : nan<T>();  // below -1 or NaN
}

template <class T> TGC_VM_INLINE T tanh(T x) {
  using tr = traits<T>;
  T ax = abs_bits(x);
  // Small |x|: odd polynomial.
  T z = x * x;
  T small = x + x * (z * tr::t_tanh(z));
  // Large |x|: 1 - 2 / (expm1(2|x|) + 2), with e + 2 summed exactly.
  T a2 = ax > tr::tanh_big ? T(2) * tr::tanh_big : T(2) * ax;
  reduced<T> q = exp_reduce(a2);
  T nc = q.n > T(40) ? T(40) : q.n;
  T e = scale2(exp_poly(T(1) - pow2_from_shifted(tr::shifter - nc), q), q.kd);  // expm1(2|x|) >= 2
  T d = e + T(2);
  T d_err = (e - d) + T(2);
  T qd = T(2) / d;                                  // 2 / (d + d_err) = qd (1 - d_err / d)
  T big = T(1) - (qd - qd * (d_err * (T(0.5) * qd)));
  big = copysign_bits(big, x);
  return ax < tr::tanh_small ? small : big;
}

template <class T> TGC_VM_INLINE T sigmoid(T x) {
  T e = exp(-abs_bits(x));  // in (0, 1], or NaN
  T d = T(1) + e;
  T d_err = (T(1) - d) + e;  // Fast2Sum: exact
  T num = x < T(0) ? e : T(1);
  // num / (d + d_err) = num / d * (1 - d_err / d); 1 / d is approximated
  // linearly ((3 - d) / 2, within 12% on [1, 2]): the correction itself is
  // below half an ulp.
  T y = num / d;
  return y - y * (d_err * (T(1.5) - T(0.5) * d));
}

template <class T> TGC_VM_INLINE T softplus(T x) {
  T ax = abs_bits(x);
  return (x > T(0) ? x : T(0)) + log1p(exp(-ax));
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
