#include "ir/tensor_io.h"

#include <cstring>

#include "tgc/npy.h"

namespace tgc {

Tensor read_npy_tensor(const std::string& file, ExitCode code, const std::string& where) {
  npy::Array a;
  std::string err;
  if (!npy::read(file, a, err)) throw Error(code, where, err);
  auto dt = dtype_from_npy_code(a.descr);
  if (!dt) throw Error(code, where, file + ": unsupported dtype " + a.descr);
  Tensor t(*dt, a.shape);
  if (size_t(t.nbytes()) != a.bytes.size()) throw Error(code, where, file + ": size does not match its shape");
  if (!a.bytes.empty()) std::memcpy(t.raw(), a.bytes.data(), a.bytes.size());
  return t;
}

namespace {

std::string element_text(const Tensor& t, int64_t i) {
  char buf[40];
  if (t.dtype() == DType::Bool) return t.get_i64(i) ? "True" : "False";
  if (is_float(t.dtype())) {
    std::snprintf(buf, sizeof buf, t.dtype() == DType::Float32 ? "%.7g" : "%.10g", t.get_f64(i));
    return buf;
  }
  if (t.dtype() == DType::UInt64) return std::to_string(t.data<uint64_t>()[i]);
  return std::to_string(t.get_i64(i));
}

void append_text(const Tensor& t, int d, int64_t offset, int64_t edge, std::string& out) {
  if (d == t.ndim()) {
    out += element_text(t, offset);
    return;
  }
  int64_t n = t.shape()[size_t(d)], stride = 1;
  for (int k = d + 1; k < t.ndim(); ++k) stride *= t.shape()[size_t(k)];
  out += "[";
  for (int64_t i = 0; i < n; ++i) {
    if (n > 2 * edge && i == edge) {
      out += "..., ";
      i = n - edge;
    }
    append_text(t, d + 1, offset + i * stride, edge, out);
    if (i + 1 < n) out += d + 1 < t.ndim() ? ",\n" + std::string(size_t(d + 1), ' ') : ", ";
  }
  out += "]";
}

}  // namespace

std::string tensor_to_text(const Tensor& t, int64_t edge) {
  std::string s;
  append_text(t, 0, 0, edge, s);
  return s;
}

void write_npy_tensor(const std::string& file, const Tensor& t) {
  npy::Array a;
  a.descr = std::string(dtype_npy_code(t.dtype()));
  a.shape = t.shape();
  const auto* p = static_cast<const uint8_t*>(t.raw());
  a.bytes.assign(p, p + t.nbytes());
  std::string err;
  if (!npy::write(file, a, err)) throw run_error("", err);
}

}  // namespace tgc
