// Array helpers of the reference interpreter: strided views, Theano's
// broadcasting (decided from static types), and checked sizes.
#pragma once
#include <string>
#include <vector>

#include "interp/kernels.h"
#include "ir/error.h"

namespace tgc::interp::detail {

using Strides = std::vector<int64_t>;  // in elements, one per dimension

// The most elements one run-time value may have; larger shapes computed at
// run time (alloc, reshape, arange, random sizes) are run-time errors rather
// than overflowing or exhausting memory.
inline constexpr int64_t kMaxElements = int64_t(1) << 40;

// Input k of n as a dense tensor (an internal error when it is not one: type
// inference guarantees it).
const Tensor& tensor_in(const Node& n, const Inputs& in, size_t k);
// The static type of input k.
inline const Type& type_in(const Node& n, size_t k) { return n.inputs[k]->type; }
// The static dtype of output k.
inline DType out_dtype(const Node& n, size_t k = 0) { return n.outputs[k]->type.dtype; }

// "op: what", located at the node.
[[noreturn]] void fail(const Node& n, const std::string& what);

Strides c_strides(const Shape& s);
// Product of sizes computed at run time; a negative size or a product beyond
// kMaxElements is a run-time error.
int64_t checked_numel(const Node& n, const Shape& s);

// Theano's broadcasting of run-time shapes: ranks align on the right (missing
// leading dimensions have size 1 and broadcast); a dimension broadcasts only
// where the operand's static type has size 1; all other sizes must agree.
struct Operand {
  const Tensor* value;
  const Type* type;  // static type
};
Shape broadcast_shapes(const Node& n, const std::vector<Operand>& ops);
// Strides reading `op` as if it had shape `out` (0 along broadcast
// dimensions). A size that neither broadcasts nor matches is a run-time error
// naming `what`.
Strides broadcast_strides(const Node& n, const Operand& op, const Shape& out, const std::string& what);
// `op` materialized with shape `out` (same dtype).
Tensor broadcast_to(const Node& n, const Operand& op, const Shape& out, const std::string& what);

// The elements of a strided view of `src` (offset and strides in elements)
// copied into a new C-order tensor of shape `shape`. Offsets are only
// dereferenced for views with at least one element.
Tensor gather(const Tensor& src, const Shape& shape, const Strides& strides, int64_t offset);

// Walks the positions of a shape in C order, keeping one flat offset per
// operand (each with its own strides and base offset).
class MultiIndex {
 public:
  MultiIndex(const Shape& shape, std::vector<Strides> strides, std::vector<int64_t> base = {});
  int64_t operator[](size_t k) const { return off_[k]; }
  void next();

 private:
  Shape shape_;
  std::vector<Strides> strides_;
  std::vector<int64_t> off_;
  Shape idx_;
};

// Numpy's truth value of a one-element tensor: nonzero (NaN is true).
bool truthy(const Tensor& t);
// The value of an integer scalar tensor.
inline int64_t scalar_i64(const Tensor& t) { return t.get_i64(0); }
// An axis of `ndim` dimensions, negative counting from the end; out of range
// is an internal error (type inference checked it).
int normalize_axis(const Node& n, int axis, int ndim);

// Row `r` (index along axis 0) of t, as a tensor of shape t.shape[1:].
Tensor row_of(const Tensor& t, int64_t r);

}  // namespace tgc::interp::detail
