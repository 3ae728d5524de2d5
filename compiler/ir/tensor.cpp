#include "ir/tensor.h"

#include <stdexcept>

#include "tgc/scalar.h"

namespace tgc {

// Saturates at INT64_MAX instead of overflowing (hostile static shapes).
int64_t num_elements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d <= 0) return d == 0 ? 0 : n;
    if (n > INT64_MAX / d) return INT64_MAX;
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ", ";
    r += s[i] < 0 ? std::string("?") : std::to_string(s[i]);
  }
  if (s.size() == 1) r += ",";
  return r + ")";
}

Tensor::Tensor(DType dt, Shape shape) : dtype_(dt), shape_(std::move(shape)) {
  bytes_.assign(size_t(num_elements(shape_) * dtype_size(dt)), 0);
}

double Tensor::get_f64(int64_t i) const {
  return visit_dtype(dtype_, [&](auto* p) -> double {
    using T = std::remove_pointer_t<decltype(p)>;
    return double(data<T>()[i]);
  });
}

int64_t Tensor::get_i64(int64_t i) const {
  return visit_dtype(dtype_, [&](auto* p) -> int64_t {
    using T = std::remove_pointer_t<decltype(p)>;
    return sc::cvt<int64_t>(data<T>()[i]);
  });
}

void Tensor::set_f64(int64_t i, double v) {
  visit_dtype(dtype_, [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    data<T>()[i] = sc::cvt<T>(v);
  });
}

Tensor Tensor::reshaped(Shape s) const {
  if (num_elements(s) != size()) throw std::logic_error("reshaped: size mismatch");
  Tensor t = *this;
  t.shape_ = std::move(s);
  return t;
}

Tensor Tensor::astype(DType dt) const {
  if (dt == dtype_) return *this;
  Tensor out(dt, shape_);
  int64_t n = size();
  visit_dtype(dtype_, [&](auto* ps) {
    using S = std::remove_pointer_t<decltype(ps)>;
    visit_dtype(dt, [&](auto* pd) {
      using D = std::remove_pointer_t<decltype(pd)>;
      const S* src = data<S>();
      D* dst = out.data<D>();
      for (int64_t i = 0; i < n; ++i) dst[i] = sc::cvt<D>(src[i]);
    });
  });
  return out;
}

bool Tensor::same_bytes(const Tensor& o) const {
  return dtype_ == o.dtype_ && shape_ == o.shape_ && bytes_ == o.bytes_;
}

}  // namespace tgc
