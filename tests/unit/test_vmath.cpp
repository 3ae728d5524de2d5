// tgc/vmath.h against libm: special values, and the maximum error over
// millions of arguments (random bit patterns, log-uniform magnitudes of both
// signs, each function's useful domain, and dense sweeps around overflow and
// underflow thresholds, zero, subnormals and the internal switch points).
//
// Two measures per function and dtype, both printed:
//  - ulps from libm: the distance in representable numbers to std::exp,
//    std::tanh, ... (for sigmoid and softplus, the libm-based formulas tgc
//    used before vmath.h); asserted <= 2;
//  - ulps from the exact value, computed in a wider type (double for
//    float32, long double for float64): asserted < 1 (libm itself is off by
//    up to 2.2 ulp for tanh and sigmoid).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tgc/vmath.h"

namespace {

template <class T> using ubits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;

template <class T> T from_u(ubits<T> u) {
  T x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// Position of x on the line of representable numbers (-0 and +0 coincide).
template <class T> int64_t ordinal(T x) {
  ubits<T> u;
  std::memcpy(&u, &x, sizeof u);
  constexpr ubits<T> sign = ubits<T>(1) << (8 * sizeof(T) - 1);
  return (u & sign) ? -int64_t(u & ~sign) : int64_t(u);
}

// Representable numbers between a and b; NaN matches only NaN.
template <class T> double ulps_between(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0.0 : 1e300;
  int64_t oa = ordinal(a), ob = ordinal(b);
  // Opposite signs may be 2^64 apart: the difference of halves cannot overflow.
  return std::fabs(double(oa / 2 - ob / 2) * 2 + double(oa % 2 - ob % 2));
}

// Error of y in ulps of T at the exact value ref (subnormal ulp below the
// normal range; overflow: 0 when y is the infinity ref rounds to).
template <class T> double ulps_from_exact(T y, long double ref) {
  if (std::isnan(y) || std::isnan(ref)) return std::isnan(y) && std::isnan(ref) ? 0.0 : 1e300;
  if (std::isinf(y) || std::fabs(ref) > (long double)std::numeric_limits<T>::max())
    return T(ref) == y ? 0.0 : ulps_between(y, T(ref));
  int e;
  std::frexp(ref, &e);
  int exp = std::max(e, std::numeric_limits<T>::min_exponent);
  long double ulp = std::ldexp(1.0L, exp - std::numeric_limits<T>::digits);
  return double(std::fabs((long double)y - ref) / ulp);
}

// The wider type that gives "exact" values: double for float, long double
// for double (where long double is wider; else the float64 measure is only
// against libm).
template <class T> using wide = std::conditional_t<sizeof(T) == 4, double, long double>;
template <class T> constexpr bool have_exact = std::numeric_limits<wide<T>>::digits > std::numeric_limits<T>::digits;

template <class W> W sigmoid_ref(W a) {
  if (a >= W(0)) return W(1) / (W(1) + std::exp(-a));
  W e = std::exp(a);
  return e / (W(1) + e);
}
template <class W> W softplus_ref(W a) { return (a > W(0) ? a : W(0)) + std::log1p(std::exp(-std::fabs(a))); }

template <class T> struct Fn {
  const char* name;
  T (*vm)(T);
  T (*libm)(T);
  wide<T> (*exact)(wide<T>);
  double lo, hi;                  // useful domain, sampled uniformly
  std::vector<double> boundaries;  // centres of the dense sweeps
};

template <class T> std::vector<Fn<T>> functions() {
  using W = wide<T>;
  constexpr bool f64 = sizeof(T) == 8;
  // Thresholds: exp overflows above log(max), underflows to 0 below
  // log(min subnormal / 2), leaves the normal range below log(min normal);
  // expm1 rounds to -1, tanh to 1 and sigmoid to 1 beyond the given points.
  const double ovf = std::log(double(std::numeric_limits<T>::max()));
  const double unf = std::log(double(std::numeric_limits<T>::denorm_min())) - std::log(2.0);
  const double sub = std::log(double(std::numeric_limits<T>::min()));
  const double h = std::log(2.0) / 2;
  const double tiny = double(std::numeric_limits<T>::denorm_min());
  const double mn = double(std::numeric_limits<T>::min());
  return {
      {"exp", [](T x) { return tgc::vm::exp(x); }, [](T x) { return std::exp(x); }, [](W x) { return std::exp(x); },
       -760, 720, {ovf, -ovf, unf, sub, 0.0, h, -h, 3 * h, -3 * h}},
      {"expm1", [](T x) { return tgc::vm::expm1(x); }, [](T x) { return std::expm1(x); },
       [](W x) { return std::expm1(x); }, -50, 720, {ovf, 0.0, h, -h, 3 * h, -3 * h, f64 ? -37.43 : -17.33, f64 ? 36.7 : 16.6}},
      {"log", [](T x) { return tgc::vm::log(x); }, [](T x) { return std::log(x); }, [](W x) { return std::log(x); },
       0, 100, {0.0, tiny, mn, 1.0, std::sqrt(2.0), std::sqrt(0.5), 2.0, double(std::numeric_limits<T>::max())}},
      {"log1p", [](T x) { return tgc::vm::log1p(x); }, [](T x) { return std::log1p(x); },
       [](W x) { return std::log1p(x); }, -1, 100,
       {-1.0, 0.0, tiny, std::sqrt(2.0) - 1, std::sqrt(0.5) - 1, 1.0, -0.5, 0x1p53, 0x1p24, double(std::numeric_limits<T>::max())}},
      {"tanh", [](T x) { return tgc::vm::tanh(x); }, [](T x) { return std::tanh(x); }, [](W x) { return std::tanh(x); },
       -25, 25, {0.0, tiny, 0.55, -0.55, f64 ? 19.06 : 9.01, f64 ? 22.0 : 10.0, 1.0}},
      {"sigmoid", [](T x) { return tgc::vm::sigmoid(x); }, [](T x) { return sigmoid_ref(x); },
       [](W x) { return sigmoid_ref(x); }, -760, 50, {0.0, unf, sub, -ovf, f64 ? 36.7 : 16.6, f64 ? -36.7 : -16.6}},
      {"softplus", [](T x) { return tgc::vm::softplus(x); }, [](T x) { return softplus_ref(x); },
       [](W x) { return softplus_ref(x); }, -760, 760, {0.0, unf, sub, f64 ? 36.7 : 16.6, f64 ? -36.7 : -16.6, ovf}},
  };
}

template <class T> struct MaxErr {
  double vs_libm = 0, vs_exact = 0;
  T at_libm = 0, at_exact = 0;
  long count = 0;
};

template <class T> void measure(const Fn<T>& f, T x, MaxErr<T>& m) {
  T y = f.vm(x);
  double dl = ulps_between(y, f.libm(x));
  if (dl > m.vs_libm) m.vs_libm = dl, m.at_libm = x;
  if constexpr (have_exact<T>) {
    double de = ulps_from_exact(y, f.exact(wide<T>(x)));
    if (de > m.vs_exact) m.vs_exact = de, m.at_exact = x;
  }
  ++m.count;
}

template <class T> void accuracy(const char* dtype) {
  constexpr int digits = std::numeric_limits<T>::digits;
  constexpr int min_exp = std::numeric_limits<T>::min_exponent - digits;  // exponent of the smallest subnormal
  constexpr int max_exp = std::numeric_limits<T>::max_exponent;
  for (const Fn<T>& f : functions<T>()) {
    MaxErr<T> m;
    std::mt19937_64 g(20240611);
    // Random bit patterns: every class of argument, NaN included.
    for (int i = 0; i < 200000; ++i) measure(f, from_u<T>(ubits<T>(g())), m);
    // Log-uniform magnitudes over the whole range, both signs.
    std::uniform_int_distribution<int> e(min_exp, max_exp - 1);
    std::uniform_real_distribution<double> mant(1.0, 2.0), dom(f.lo, f.hi);
    for (int i = 0; i < 1000000; ++i) {
      T x = T(std::ldexp(mant(g), e(g)));
      measure(f, (g() & 1) ? x : -x, m);
    }
    // The useful domain, uniformly.
    for (int i = 0; i < 500000; ++i) measure(f, T(dom(g)), m);
    // Dense sweeps: 4000 consecutive numbers on each side of every boundary.
    for (double c : f.boundaries) {
      T up = T(c), down = T(c);
      for (int i = 0; i < 4000; ++i) {
        measure(f, up, m);
        measure(f, down, m);
        up = std::nextafter(up, std::numeric_limits<T>::infinity());
        down = std::nextafter(down, -std::numeric_limits<T>::infinity());
      }
    }
    char line[256];
    std::snprintf(line, sizeof line, "vmath %-8s %s: max %g ulp from libm (x = %a), %.3f ulp from exact (x = %a); %ld arguments",
                  f.name, dtype, m.vs_libm, double(m.at_libm), m.vs_exact, double(m.at_exact), m.count);
    MESSAGE(line);
    CHECK_MESSAGE(m.vs_libm <= 2.0, line);
    if constexpr (have_exact<T>) CHECK_MESSAGE(m.vs_exact < 1.0, line);
  }
}

// Same value and, for zeros, the same sign; NaN matches NaN.
template <class T> bool same(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

template <class T> void special_values() {
  using tgc::vm::exp, tgc::vm::expm1, tgc::vm::log, tgc::vm::log1p, tgc::vm::tanh, tgc::vm::sigmoid, tgc::vm::softplus;
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const T big = std::numeric_limits<T>::max(), mn = std::numeric_limits<T>::min(),
          tiny = std::numeric_limits<T>::denorm_min();
  for (T x : {nan, -nan}) {
    CHECK(std::isnan(exp(x)));
    CHECK(std::isnan(expm1(x)));
    CHECK(std::isnan(log(x)));
    CHECK(std::isnan(log1p(x)));
    CHECK(std::isnan(tanh(x)));
    CHECK(std::isnan(sigmoid(x)));
    CHECK(std::isnan(softplus(x)));
  }
  CHECK(same(exp(inf), inf));
  CHECK(same(exp(-inf), T(0)));
  CHECK(same(exp(T(0)), T(1)));
  CHECK(same(exp(-T(0)), T(1)));
  CHECK(same(exp(big), inf));
  CHECK(same(exp(-big), T(0)));
  CHECK(same(expm1(inf), inf));
  CHECK(same(expm1(-inf), T(-1)));
  CHECK(same(expm1(T(0)), T(0)));
  CHECK(same(expm1(-T(0)), -T(0)));
  CHECK(same(expm1(tiny), tiny));
  CHECK(same(expm1(-tiny), -tiny));
  CHECK(same(expm1(big), inf));
  CHECK(same(expm1(-big), T(-1)));
  CHECK(same(log(T(0)), -inf));
  CHECK(same(log(-T(0)), -inf));
  CHECK(same(log(T(1)), T(0)));
  CHECK(same(log(inf), inf));
  CHECK(std::isnan(log(-inf)));
  CHECK(std::isnan(log(T(-1))));
  CHECK(std::isnan(log(-tiny)));
  CHECK(same(log(tiny), std::log(tiny)));
  CHECK(same(log(mn), std::log(mn)));
  CHECK(same(log1p(T(-1)), -inf));
  CHECK(same(log1p(T(0)), T(0)));
  CHECK(same(log1p(-T(0)), -T(0)));
  CHECK(same(log1p(inf), inf));
  CHECK(same(log1p(tiny), tiny));
  CHECK(same(log1p(-tiny), -tiny));
  CHECK(std::isnan(log1p(-inf)));
  CHECK(std::isnan(log1p(T(-1.5))));
  CHECK(std::isnan(log1p(std::nextafter(T(-1), T(-2)))));
  CHECK(same(log1p(big), std::log1p(big)));
  CHECK(same(tanh(inf), T(1)));
  CHECK(same(tanh(-inf), T(-1)));
  CHECK(same(tanh(T(0)), T(0)));
  CHECK(same(tanh(-T(0)), -T(0)));
  CHECK(same(tanh(tiny), tiny));
  CHECK(same(tanh(-tiny), -tiny));
  CHECK(same(tanh(big), T(1)));
  CHECK(same(tanh(-big), T(-1)));
  CHECK(same(sigmoid(inf), T(1)));
  CHECK(same(sigmoid(-inf), T(0)));
  CHECK(same(sigmoid(T(0)), T(0.5)));
  CHECK(same(sigmoid(-T(0)), T(0.5)));
  CHECK(same(sigmoid(big), T(1)));
  CHECK(same(sigmoid(-big), T(0)));
  CHECK(same(softplus(inf), inf));
  CHECK(same(softplus(-inf), T(0)));
  CHECK(same(softplus(big), big));
  CHECK(same(softplus(-big), T(0)));
  CHECK(same(softplus(T(0)), T(std::log(2.0))));
  // Tiny arguments: relative accuracy (the bounds of the task: 2 ulp).
  for (T x : {T(1e-10), T(-1e-10), T(1e-20), T(3e-8), mn, T(1e-30)}) {
    CHECK(ulps_between(expm1(x), std::expm1(x)) <= 1);
    CHECK(ulps_between(log1p(x), std::log1p(x)) <= 1);
    CHECK(ulps_between(tanh(x), std::tanh(x)) <= 1);
  }
  // Overflow and underflow at libm's thresholds: over 64 consecutive
  // arguments on each side, vmath overflows (underflows) exactly where libm
  // does, and gives subnormal results where libm does.
  for (T c : {T(std::log(double(big))), T(std::log(double(tiny)) - std::log(2.0)), T(std::log(double(mn)))}) {
    T x = c;
    for (int i = 0; i < 64; ++i) x = std::nextafter(x, -inf);
    for (int i = 0; i < 128; ++i, x = std::nextafter(x, inf)) {
      T a = exp(x), b = std::exp(x);
      CHECK(std::isinf(a) == std::isinf(b));
      CHECK((a == 0) == (b == 0));
      CHECK((a < mn) == (b < mn));
      CHECK(ulps_between(a, b) <= 1);
    }
  }
}

}  // namespace

TEST_CASE("vmath special values float32") { special_values<float>(); }
TEST_CASE("vmath special values float64") { special_values<double>(); }
TEST_CASE("vmath accuracy float32") { accuracy<float>("float32"); }
TEST_CASE("vmath accuracy float64") { accuracy<double>("float64"); }
