#include "ir/dtype.h"

#include <array>

namespace tgc {

namespace {
struct DTypeInfo {
  std::string_view name, npy, ctype;
  int size;
};
constexpr std::array<DTypeInfo, kNumDTypes> kInfo = {{
    {"bool", "b1", "bool", 1},
    {"int8", "i1", "int8_t", 1},
    {"int16", "i2", "int16_t", 2},
    {"int32", "i4", "int32_t", 4},
    {"int64", "i8", "int64_t", 8},
    {"uint8", "u1", "uint8_t", 1},
    {"uint16", "u2", "uint16_t", 2},
    {"uint32", "u4", "uint32_t", 4},
    {"uint64", "u8", "uint64_t", 8},
    {"float32", "f4", "float", 4},
    {"float64", "f8", "double", 8},
}};

// Bit width of an integer type; bool counts as 1.
int int_bits(DType t) { return t == DType::Bool ? 1 : dtype_size(t) * 8; }

DType signed_of_bits(int bits) {
  switch (bits) {
    case 8: return DType::Int8;
    case 16: return DType::Int16;
    case 32: return DType::Int32;
    default: return DType::Int64;
  }
}
DType unsigned_of_bits(int bits) {
  switch (bits) {
    case 8: return DType::UInt8;
    case 16: return DType::UInt16;
    case 32: return DType::UInt32;
    default: return DType::UInt64;
  }
}
}  // namespace

std::string_view dtype_name(DType t) { return kInfo[size_t(t)].name; }
std::string_view dtype_npy_code(DType t) { return kInfo[size_t(t)].npy; }
std::string_view dtype_ctype(DType t) { return kInfo[size_t(t)].ctype; }
int dtype_size(DType t) { return kInfo[size_t(t)].size; }

std::optional<DType> dtype_from_name(std::string_view s) {
  for (size_t i = 0; i < kInfo.size(); ++i)
    if (kInfo[i].name == s) return DType(i);
  return std::nullopt;
}
std::optional<DType> dtype_from_npy_code(std::string_view s) {
  for (size_t i = 0; i < kInfo.size(); ++i)
    if (kInfo[i].npy == s) return DType(i);
  return std::nullopt;
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_float(a) || is_float(b)) {
    if (is_float(a) && is_float(b)) return dtype_size(a) >= dtype_size(b) ? a : b;
    DType f = is_float(a) ? a : b, i = is_float(a) ? b : a;
    // An integer of at most 16 bits fits float32 exactly; wider ones need float64.
    if (f == DType::Float32 && dtype_size(i) <= 2) return DType::Float32;
    return DType::Float64;
  }
  bool sa = is_signed_int(a), sb = is_signed_int(b);
  if (sa == sb) return dtype_size(a) >= dtype_size(b) ? a : b;
  DType s = sa ? a : b, u = sa ? b : a;
  if (int_bits(s) > int_bits(u)) return s;
  if (int_bits(u) >= 64) return DType::Float64;
  return signed_of_bits(int_bits(u) * 2);
}

DType upcast_to_float(DType t) {
  if (is_float(t)) return t;
  if (is_bool(t) || dtype_size(t) <= 2) return DType::Float32;
  return DType::Float64;
}

DType true_div_type(DType t) { return is_float(t) ? t : DType::Float64; }

DType sum_accumulator(DType t) {
  if (is_bool(t)) return DType::Int64;
  if (is_signed_int(t)) return DType::Int64;
  if (is_unsigned_int(t)) return unsigned_of_bits(64);
  return t;
}

DType weak_meets(WeakKind w, DType t) {
  switch (w) {
    case WeakKind::Bool: return t;
    case WeakKind::Int: return is_bool(t) ? DType::Int64 : t;
    case WeakKind::Float: return is_float(t) ? t : DType::Float64;
    case WeakKind::None: break;
  }
  return t;
}

DType weak_default(WeakKind w) {
  switch (w) {
    case WeakKind::Bool: return DType::Bool;
    case WeakKind::Int: return DType::Int64;
    default: return DType::Float64;
  }
}

}  // namespace tgc
