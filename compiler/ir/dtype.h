// Element types and numpy 2's type promotion (numpy.result_type, NEP 50).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tgc {

// The order is the numeric code used in the C ABI (tgc_tensor.dtype).
enum class DType : uint8_t {
  Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float32, Float64
};
inline constexpr int kNumDTypes = 11;

std::string_view dtype_name(DType t);
std::optional<DType> dtype_from_name(std::string_view s);
// numpy .npy descr without byte order ("f8", "i4", "b1", ...).
std::string_view dtype_npy_code(DType t);
std::optional<DType> dtype_from_npy_code(std::string_view s);
// C++ type spelled in generated code ("double", "int32_t", "bool", ...).
std::string_view dtype_ctype(DType t);
int dtype_size(DType t);

inline bool is_bool(DType t) { return t == DType::Bool; }
inline bool is_float(DType t) { return t == DType::Float32 || t == DType::Float64; }
inline bool is_signed_int(DType t) { return t >= DType::Int8 && t <= DType::Int64; }
inline bool is_unsigned_int(DType t) { return t >= DType::UInt8 && t <= DType::UInt64; }
inline bool is_integer(DType t) { return is_signed_int(t) || is_unsigned_int(t); }

// numpy.result_type of two dtypes (uint64 with a signed int gives float64).
DType promote(DType a, DType b);

// The float type a "float" op (exp, true_div, mean, ...) computes in for an
// input of type t: floats keep their type; bool and 8/16-bit integers give
// float32 (numpy would give float16, which tgc does not have); wider integers
// give float64.
DType upcast_to_float(DType t);
// numpy's true_divide: integers and bool give float64.
DType true_div_type(DType t);

// Accumulator type of sum/prod: integers narrower than 64 bits widen to
// int64 (uint64 for unsigned), bool gives int64, floats keep their type.
DType sum_accumulator(DType t);

// A weak (Python) scalar in an expression under NEP 50.
enum class WeakKind : uint8_t { None, Bool, Int, Float };
// The dtype a weak scalar takes when it meets a tensor of type `t`.
DType weak_meets(WeakKind w, DType t);
// The dtype a weak scalar has on its own (numpy's default: int64, float64).
DType weak_default(WeakKind w);

}  // namespace tgc
