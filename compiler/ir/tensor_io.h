// .npy files <-> Tensors.
#pragma once
#include <string>

#include "ir/error.h"
#include "ir/tensor.h"

namespace tgc {

// Reads `file`; on failure throws Error(code, where, reason).
Tensor read_npy_tensor(const std::string& file, ExitCode code, const std::string& where);
// Writes version 1.0, C order; throws a run-time error on failure.
void write_npy_tensor(const std::string& file, const Tensor& t);

}  // namespace tgc
