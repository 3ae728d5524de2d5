// Scalar semantics of every elementwise op, shared by generated code and the
// reference interpreter so that both follow numpy 2 exactly:
//   - integer overflow wraps (two's complement), never undefined behaviour;
//   - integer division and modulo floor, and by zero give 0;
//   - float -> integer casts of NaN or out-of-range values are defined;
//   - comparisons and isnan/isinf give bool.
// Each function is a small template the C++ compiler inlines and vectorizes.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tgc/vmath.h"

// Forced inline: a generated translation unit is large, and past GCC's unit
// growth limit plain `inline` functions stay calls, so loops over them (over
// tanh, say) would not vectorize.
#if defined(__GNUC__)
#define TGC_SC_INLINE inline __attribute__((always_inline))
#else
#define TGC_SC_INLINE inline
#endif

namespace tgc::sc {

template <class T> inline constexpr bool is_bool = std::is_same_v<T, bool>;
template <class T> inline constexpr bool is_int = std::is_integral_v<T> && !is_bool<T>;
template <class T> inline constexpr bool is_float = std::is_floating_point_v<T>;

// Arithmetic type that wraps modulo 2^bits for T: narrow types are promoted to
// unsigned int, so uint16*uint16 cannot overflow a signed int.
template <class T>
using wrap_t = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

// ---- conversion ---------------------------------------------------------
// numpy's cast: float -> int truncates toward zero; NaN and values beyond the
// int64 range give the most negative value (x86's cvttsd2si), then wrap to T.
template <class To, class From> TGC_SC_INLINE To cvt(From x) {
  if constexpr (is_bool<To>) {
    return x != From(0);
  } else if constexpr (is_float<From> && is_int<To>) {
    // numpy on x86: signed targets up to 32 bits and small unsigned ones
    // convert through a 32-bit cvttsd2si (out of range: INT32_MIN), then wrap;
    // wider ones through 64 bits.
    if constexpr ((std::is_signed_v<To> && sizeof(To) <= 4) || (!std::is_signed_v<To> && sizeof(To) <= 2)) {
      if (x >= -2147483648.0 && x < 2147483648.0) return To(int32_t(x));
      return To(std::numeric_limits<int32_t>::min());
    } else {
      if (x >= -9223372036854775808.0 && x < 9223372036854775808.0) return To(int64_t(x));
      if (x >= 0.0 && x < 18446744073709551616.0) return To(uint64_t(x));
      return To(std::numeric_limits<int64_t>::min());
    }
  } else {
    return To(x);
  }
}

// ---- n-ary arithmetic -------------------------------------------------------
template <class T> TGC_SC_INLINE T add(T a, T b) {
  if constexpr (is_bool<T>) return a || b;
  else if constexpr (is_int<T>) return T(wrap_t<T>(a) + wrap_t<T>(b));
  else return a + b;
}
template <class T> TGC_SC_INLINE T sub(T a, T b) {
  if constexpr (is_bool<T>) return a != b;
  else if constexpr (is_int<T>) return T(wrap_t<T>(a) - wrap_t<T>(b));
  else return a - b;
}
template <class T> TGC_SC_INLINE T mul(T a, T b) {
  if constexpr (is_bool<T>) return a && b;
  else if constexpr (is_int<T>) return T(wrap_t<T>(a) * wrap_t<T>(b));
  else return a * b;
}
template <class T> TGC_SC_INLINE T neg(T a) {
  if constexpr (is_int<T>) return T(wrap_t<T>(0) - wrap_t<T>(a));
  else return -a;
}

// true_div is always computed in a float type (integer inputs give float64).
template <class T> TGC_SC_INLINE T true_div(T a, T b) { return a / b; }

// numpy floor_divide. Integers: floor, x // 0 == 0, INT_MIN // -1 wraps.
template <class T> TGC_SC_INLINE T int_div(T a, T b) {
  if constexpr (is_bool<T>) {
    return b ? a : false;
  } else if constexpr (is_int<T>) {
    if (b == 0) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return neg(a);
      T q = T(a / b);
      if ((a % b != 0) && ((a < 0) != (b < 0))) q = T(q - 1);
      return q;
    } else {
      return T(a / b);
    }
  } else {
    if (b == T(0)) return a / b;
    T m = std::fmod(a, b);
    T d = (a - m) / b;
    if (m != T(0)) {
      if ((b < 0) != (m < 0)) d -= T(1);
    }
    if (d != T(0)) {
      T f = std::floor(d);
      if (d - f > T(0.5)) f += T(1);
      return f;
    }
    return std::copysign(T(0), a / b);
  }
}

// numpy remainder: the result has the sign of the divisor; x % 0 == 0 for ints.
template <class T> TGC_SC_INLINE T mod(T a, T b) {
  if constexpr (is_bool<T>) {
    return b ? false : false;
  } else if constexpr (is_int<T>) {
    if (b == 0) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return T(0);
      T r = T(a % b);
      if (r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
      return r;
    } else {
      return T(a % b);
    }
  } else {
    if (b == T(0)) return std::fmod(a, b);
    T m = std::fmod(a, b);
    if (m != T(0)) {
      if ((b < 0) != (m < 0)) m += b;
    } else {
      m = std::copysign(T(0), b);
    }
    return m;
  }
}

// Integer power by squaring with wrap-around; a negative exponent gives
// 1/a truncated (numpy refuses it; 1 and -1 are the only bases with a nonzero result).
template <class T> TGC_SC_INLINE T pow(T a, T b) {
  if constexpr (is_bool<T>) {
    return a || !b;
  } else if constexpr (is_int<T>) {
    if constexpr (std::is_signed_v<T>) {
      if (b < 0) {
        if (a == 1) return T(1);
        if (a == -1) return (b % 2 == 0) ? T(1) : T(-1);
        return T(0);
      }
    }
    wrap_t<T> r = 1, base = wrap_t<T>(a);
    auto e = std::make_unsigned_t<T>(b);
    while (e) {
      if (e & 1u) r = wrap_t<T>(r * base);
      base = wrap_t<T>(base * base);
      e >>= 1;
    }
    return T(r);
  } else {
    return std::pow(a, b);
  }
}

// numpy maximum/minimum propagate NaN.
template <class T> TGC_SC_INLINE T maximum(T a, T b) {
  if constexpr (is_float<T>) { if (a != a) return a; if (b != b) return b; }
  return a < b ? b : a;
}
template <class T> TGC_SC_INLINE T minimum(T a, T b) {
  if constexpr (is_float<T>) { if (a != a) return a; if (b != b) return b; }
  return b < a ? b : a;
}

// ---- comparisons and logic (bool results) ----------------------------------
template <class T> TGC_SC_INLINE bool lt(T a, T b) { return a < b; }
template <class T> TGC_SC_INLINE bool gt(T a, T b) { return a > b; }
template <class T> TGC_SC_INLINE bool le(T a, T b) { return a <= b; }
template <class T> TGC_SC_INLINE bool ge(T a, T b) { return a >= b; }
template <class T> TGC_SC_INLINE bool eq(T a, T b) { return a == b; }
template <class T> TGC_SC_INLINE bool neq(T a, T b) { return a != b; }
// and/or/xor: logical on bool, bitwise on integers (numpy's bitwise_and ...).
template <class T> TGC_SC_INLINE T and_(T a, T b) { if constexpr (is_bool<T>) return a && b; else return T(a & b); }
template <class T> TGC_SC_INLINE T or_(T a, T b) { if constexpr (is_bool<T>) return a || b; else return T(a | b); }
template <class T> TGC_SC_INLINE T xor_(T a, T b) { if constexpr (is_bool<T>) return a != b; else return T(a ^ b); }
template <class T> TGC_SC_INLINE T invert(T a) { if constexpr (is_bool<T>) return !a; else return T(~a); }

// ---- unary ------------------------------------------------------------------
template <class T> TGC_SC_INLINE T abs(T a) {
  if constexpr (is_bool<T> || std::is_unsigned_v<T>) return a;
  else if constexpr (is_int<T>) return a < 0 ? neg(a) : a;
  else return std::fabs(a);
}
template <class T> TGC_SC_INLINE T sgn(T a) {
  if constexpr (is_bool<T>) return a;
  else if constexpr (is_float<T>) return a != a ? a : T((a > 0) - (a < 0));
  else return T((T(0) < a) - (a < T(0)));
}
template <class T> TGC_SC_INLINE T sqr(T a) { return mul(a, a); }
template <class T> TGC_SC_INLINE T reciprocal(T a) {
  // Integers: C's 1 / a as numpy computes it; 1 / 0 gives 0.
  if constexpr (is_bool<T>) return a;
  else if constexpr (is_int<T>) return (a == T(1) || (std::is_signed_v<T> && a == T(-1))) ? a : T(0);
  else return T(1) / a;
}
template <class T> TGC_SC_INLINE T relu(T a) { return a > T(0) ? a : T(0); }
template <class T> TGC_SC_INLINE T floor(T a) { if constexpr (is_float<T>) return std::floor(a); else return a; }
template <class T> TGC_SC_INLINE T ceil(T a) { if constexpr (is_float<T>) return std::ceil(a); else return a; }
// Half to even under the default rounding mode, as numpy.round.
template <class T> TGC_SC_INLINE T round(T a) { if constexpr (is_float<T>) return std::nearbyint(a); else return a; }
template <class T> TGC_SC_INLINE bool isnan(T a) { if constexpr (is_float<T>) return a != a; else return false; }
template <class T> TGC_SC_INLINE bool isinf(T a) {
  if constexpr (is_float<T>) return a == std::numeric_limits<T>::infinity() || a == -std::numeric_limits<T>::infinity();
  else return false;
}

// Transcendentals are only instantiated for float32 and float64. exp, expm1,
// log, log1p, tanh, sigmoid and softplus come from tgc/vmath.h: branch-free
// and inline, so loops over them vectorize (libm calls do not), within 2 ulp
// of libm with exact special values.
template <class T> inline constexpr bool is_vmath = std::is_same_v<T, float> || std::is_same_v<T, double>;
template <class T> TGC_SC_INLINE T exp(T a) { if constexpr (is_vmath<T>) return vm::exp(a); else return std::exp(a); }
template <class T> TGC_SC_INLINE T exp2(T a) { return std::exp2(a); }
template <class T> TGC_SC_INLINE T expm1(T a) { if constexpr (is_vmath<T>) return vm::expm1(a); else return std::expm1(a); }
template <class T> TGC_SC_INLINE T log(T a) { if constexpr (is_vmath<T>) return vm::log(a); else return std::log(a); }
template <class T> TGC_SC_INLINE T log2(T a) { return std::log2(a); }
template <class T> TGC_SC_INLINE T log10(T a) { return std::log10(a); }
template <class T> TGC_SC_INLINE T log1p(T a) { if constexpr (is_vmath<T>) return vm::log1p(a); else return std::log1p(a); }
template <class T> TGC_SC_INLINE T sqrt(T a) { return std::sqrt(a); }
template <class T> TGC_SC_INLINE T sin(T a) { return std::sin(a); }
template <class T> TGC_SC_INLINE T cos(T a) { return std::cos(a); }
template <class T> TGC_SC_INLINE T tan(T a) { return std::tan(a); }
template <class T> TGC_SC_INLINE T tanh(T a) { if constexpr (is_vmath<T>) return vm::tanh(a); else return std::tanh(a); }
template <class T> TGC_SC_INLINE T erf(T a) { return std::erf(a); }
// 1 / (1 + exp(-x)) without overflow: with e = exp(-|x|) <= 1,
// 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0 (vm::sigmoid computes
// both branch-free).
template <class T> TGC_SC_INLINE T sigmoid(T a) {
  if constexpr (is_vmath<T>) {
    return vm::sigmoid(a);
  } else {
    if (a >= T(0)) return T(1) / (T(1) + std::exp(-a));
    T e = std::exp(a);
    return e / (T(1) + e);
  }
}
// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
template <class T> TGC_SC_INLINE T softplus(T a) {
  if constexpr (is_vmath<T>) return vm::softplus(a);
  else return (a > T(0) ? a : T(0)) + std::log1p(std::exp(-std::fabs(a)));
}

// switch(cond, a, b) and clip(x, lo, hi) (numpy: minimum(maximum(x, lo), hi)).
template <class T> TGC_SC_INLINE T select(bool c, T a, T b) { return c ? a : b; }
template <class T> TGC_SC_INLINE T clip(T x, T lo, T hi) { return minimum(maximum(x, lo), hi); }

}  // namespace tgc::sc
