// Host values: dense tensors (C order), CSR matrices and random states.
// Used for constants, shared initial values, .npy I/O and by the reference
// interpreter. Plain data, no views: every Tensor owns its bytes.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ir/dtype.h"
#include "tgc/philox.h"

namespace tgc {

using Shape = std::vector<int64_t>;

int64_t num_elements(const Shape& s);
std::string shape_str(const Shape& s);  // "(3, 4)", "()"

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dt, Shape shape);  // zero-filled

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return int(shape_.size()); }
  int64_t size() const { return num_elements(shape_); }
  int64_t nbytes() const { return int64_t(bytes_.size()); }

  template <class T> T* data() { return reinterpret_cast<T*>(bytes_.data()); }
  template <class T> const T* data() const { return reinterpret_cast<const T*>(bytes_.data()); }
  void* raw() { return bytes_.data(); }
  const void* raw() const { return bytes_.data(); }

  // Element i (flat, C order) converted to double / int64 (for shapes, indices, tests).
  double get_f64(int64_t i) const;
  int64_t get_i64(int64_t i) const;
  void set_f64(int64_t i, double v);  // converts with numpy's cast rules

  Tensor reshaped(Shape s) const;     // same bytes, new shape (sizes must agree)
  Tensor astype(DType dt) const;      // numpy astype
  bool same_bytes(const Tensor& o) const;

 private:
  DType dtype_ = DType::Float64;
  Shape shape_;
  std::vector<uint8_t> bytes_;
};

struct CsrMatrix {
  Tensor data;     // 1-d, the declared dtype
  Tensor indices;  // 1-d int32 or int64
  Tensor indptr;   // 1-d int32 or int64, rows + 1 entries
  int64_t rows = 0, cols = 0;
};

// A value of any variable type.
using Value = std::variant<Tensor, CsrMatrix, RngState>;

// Calls f with a value of the C++ type of dt (a null pointer of T*).
template <class F> decltype(auto) visit_dtype(DType dt, F&& f) {
  switch (dt) {
    case DType::Bool: return f((bool*)nullptr);
    case DType::Int8: return f((int8_t*)nullptr);
    case DType::Int16: return f((int16_t*)nullptr);
    case DType::Int32: return f((int32_t*)nullptr);
    case DType::Int64: return f((int64_t*)nullptr);
    case DType::UInt8: return f((uint8_t*)nullptr);
    case DType::UInt16: return f((uint16_t*)nullptr);
    case DType::UInt32: return f((uint32_t*)nullptr);
    case DType::UInt64: return f((uint64_t*)nullptr);
    case DType::Float32: return f((float*)nullptr);
    case DType::Float64: break;
  }
  return f((double*)nullptr);
}

}  // namespace tgc
