// Helpers shared by the type-inference files (infer_*.cpp).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"

namespace tgc::infer {

inline std::string input_path(const Node& n, size_t k) { return n.path + ".inputs[" + std::to_string(k) + "]"; }

// One output of this type (moving the shape: type inference runs for every
// node after every group, and an initializer list would copy it).
inline std::vector<Type> one_output(DType dt, Shape shape) {
  std::vector<Type> out;
  out.push_back(Type::tensor(dt, std::move(shape)));
  return out;
}

[[noreturn]] inline void fail(const Node& n, const std::string& what) {
  throw graph_error(n.path, std::string(op_name(n.op)) + ": " + what);
}
[[noreturn]] inline void fail_input(const Node& n, size_t k, const std::string& what) {
  throw graph_error(input_path(n, k), std::string(op_name(n.op)) + ": " + what);
}

// The tensor type of input k, or an error when it is sparse or a random state.
const Type& tensor_input(const Node& n, size_t k);
// Input k must be an integer (or bool when allowed) scalar tensor.
void require_int_scalar(const Node& n, size_t k);
// Input k must be an integer vector; returns its static length (-1 unknown).
int64_t int_vector_length(const Node& n, size_t k);
// The constant integer value of input k, when it is a constant scalar.
std::optional<int64_t> const_int(const Node& n, size_t k);
// The constant integer vector of input k, when it is a constant.
std::optional<std::vector<int64_t>> const_int_vector(const Node& n, size_t k);

// Theano's broadcasting of static shapes: ranks are aligned on the right,
// only a static 1 broadcasts, and two static sizes other than 1 must agree.
Shape broadcast_static(const Node& n, const Type* const* types, size_t count);
inline Shape broadcast_static(const Node& n, const std::vector<const Type*>& types) {
  return broadcast_static(n, types.data(), types.size());
}

// Normalizes a reduction / join axis against ndim (negative counts from the end).
int normalize_axis(const Node& n, int axis, int ndim);
// A composite's output type (infer.cpp); also the tensor a fused reduction reduces.
std::vector<Type> infer_composite(const Node& n);

}  // namespace tgc::infer
