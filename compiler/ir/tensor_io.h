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

// Nested-bracket text of a tensor, as numpy prints it (long dimensions are
// elided in the middle, with "...").
std::string tensor_to_text(const Tensor& t, int64_t edge = 6);

}  // namespace tgc
