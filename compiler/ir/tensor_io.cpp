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
