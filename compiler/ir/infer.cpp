// Type inference entry point, shared helpers, and the elementwise rules.
#include <algorithm>
#include <array>

#include "ir/infer_util.h"

namespace tgc {

namespace infer {

const Type& tensor_input(const Node& n, size_t k) {
  if (k >= n.inputs.size()) fail(n, "missing input " + std::to_string(k));
  const Type& t = n.inputs[k]->type;
  if (t.kind == TypeKind::Csr) fail_input(n, k, "a sparse matrix is accepted only by sparse_dot and to_dense");
  if (t.kind == TypeKind::Rng) fail_input(n, k, "a random state is accepted only by random ops");
  return t;
}

void require_int_scalar(const Node& n, size_t k) {
  const Type& t = tensor_input(n, k);
  if (t.ndim() != 0 || !(is_integer(t.dtype) || is_bool(t.dtype)))
    fail_input(n, k, "expected an integer scalar, got " + t.str());
}

int64_t int_vector_length(const Node& n, size_t k) {
  const Type& t = tensor_input(n, k);
  if (t.ndim() != 1 || !is_integer(t.dtype)) fail_input(n, k, "expected an integer vector, got " + t.str());
  return t.shape[0];
}

std::optional<int64_t> const_int(const Node& n, size_t k) {
  const Tensor* c = n.inputs[k]->constant_tensor();
  if (!c || c->ndim() != 0 || is_float(c->dtype())) return std::nullopt;
  return c->get_i64(0);
}

std::optional<std::vector<int64_t>> const_int_vector(const Node& n, size_t k) {
  const Tensor* c = n.inputs[k]->constant_tensor();
  if (!c || c->ndim() != 1 || is_float(c->dtype())) return std::nullopt;
  std::vector<int64_t> v;
  for (int64_t i = 0; i < c->size(); ++i) v.push_back(c->get_i64(i));
  return v;
}

Shape broadcast_static(const Node& n, const Type* const* types, size_t count) {
  int nd = 0;
  for (size_t k = 0; k < count; ++k) nd = std::max(nd, types[k]->ndim());
  Shape out(size_t(nd), 1);
  for (int d = 0; d < nd; ++d) {
    int64_t size = 1;
    bool unknown = false;
    for (size_t k = 0; k < count; ++k) {
      const Type* t = types[k];
      int td = d - (nd - t->ndim());
      if (td < 0) continue;
      int64_t s = t->shape[size_t(td)];
      if (s == 1) continue;
      if (s < 0) {
        unknown = true;
        continue;
      }
      if (size != 1 && size != s)
        fail(n, "shapes do not broadcast: dimension " + std::to_string(d) + " has sizes " + std::to_string(size) +
                    " and " + std::to_string(s));
      size = s;
    }
    out[size_t(d)] = size != 1 ? size : (unknown ? -1 : 1);
  }
  return out;
}

int normalize_axis(const Node& n, int axis, int ndim) {
  int a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= std::max(ndim, 1) || (ndim == 0 && a != 0))
    fail(n, "axis " + std::to_string(axis) + " is out of range for " + std::to_string(ndim) + " dimensions");
  return a;
}

std::vector<Type> infer_elemwise(const Node& n) {
  const OpInfo& info = op_info(n.op);
  // The operands' types: on the stack for the usual few operands (this runs
  // for every node each time a function is retyped).
  constexpr size_t kOnStack = 8;
  std::array<const Type*, kOnStack> small{};
  std::vector<const Type*> large;
  const Type** types = small.data();
  if (n.inputs.size() > kOnStack) {
    large.resize(n.inputs.size());
    types = large.data();
  }
  size_t count = n.inputs.size();
  for (size_t k = 0; k < count; ++k) types[k] = &tensor_input(n, k);
  Shape shape = broadcast_static(n, types, count);
  size_t first = info.rule == ElemRule::Sel ? 1 : 0;
  DType dt = types[first]->dtype;
  for (size_t k = first + 1; k < count; ++k) dt = promote(dt, types[k]->dtype);
  switch (info.rule) {
    case ElemRule::Same:
    case ElemRule::Sel:
      if (is_bool(dt) && (n.op == Op::Neg || n.op == Op::Sub))
        fail(n, "not defined for bool (use xor or invert)");
      // numpy computes floor_divide, remainder and power of bools in int8.
      if (is_bool(dt) && (n.op == Op::IntDiv || n.op == Op::Mod || n.op == Op::Pow)) dt = DType::Int8;
      break;
    case ElemRule::Float: dt = upcast_to_float(dt); break;
    case ElemRule::Div: dt = true_div_type(dt); break;
    case ElemRule::Cmp: dt = DType::Bool; break;
    case ElemRule::Logic:
      if (is_float(dt)) fail(n, "needs integer or bool inputs, got " + std::string(dtype_name(dt)));
      break;
    case ElemRule::None: break;
  }
  return one_output(dt, std::move(shape));
}

// A composite's output: the broadcast of its inputs, the program's result type.
std::vector<Type> infer_composite(const Node& n) {
  if (!n.attrs->program || n.attrs->program->n_inputs != int(n.inputs.size())) fail(n, "malformed program");
  std::vector<const Type*> types;
  types.reserve(n.inputs.size());
  for (size_t k = 0; k < n.inputs.size(); ++k) types.push_back(&tensor_input(n, k));
  const ScalarProgram& p = *n.attrs->program;
  DType dt = p.output < p.n_inputs ? n.inputs[size_t(p.output)]->type.dtype : p.instrs[size_t(p.output - p.n_inputs)].dtype;
  return one_output(dt, broadcast_static(n, types));
}

std::vector<Type> infer_cast(const Node& n) {
  const Type& t = tensor_input(n, 0);
  if (!n.attrs->dtype) fail(n, "needs a dtype attribute");
  return one_output(*n.attrs->dtype, t.shape);
}

// Defined in infer_shape.cpp and infer_ops.cpp.
std::vector<Type> infer_shape_op(const Node& n);
std::vector<Type> infer_index_op(const Node& n);
std::vector<Type> infer_reduce(const Node& n);
std::vector<Type> infer_linalg(const Node& n);
std::vector<Type> infer_sparse(const Node& n);
std::vector<Type> infer_neural(const Node& n);
std::vector<Type> infer_random(const Node& n);
std::vector<Type> infer_control(const Node& n);

}  // namespace infer

std::vector<Type> infer_types(const Node& n) {
  const OpInfo& info = op_info(n.op);
  int arity = int(n.inputs.size());
  // A reduction fused with its elementwise input (reduce_fusion) reads the
  // program's inputs: its arity is the program's.
  bool fused_reduce = info.family == OpFamily::Reduce && n.attrs->program;
  if (n.op != Op::Scan && n.op != Op::IfElse && n.op != Op::Grad && !fused_reduce) {
    if (arity < info.min_arity || (info.max_arity >= 0 && arity > info.max_arity)) {
      std::string want = std::to_string(info.min_arity);
      if (info.max_arity != info.min_arity)
        want += info.max_arity < 0 ? " or more" : " to " + std::to_string(info.max_arity);
      infer::fail(n, "expects " + want + " inputs, got " + std::to_string(arity));
    }
  }
  for (size_t k = 0; k < n.inputs.size(); ++k)
    if (!n.inputs[k]) infer::fail(n, "input " + std::to_string(k) + " is missing");
  switch (info.family) {
    case OpFamily::Elemwise: return infer::infer_elemwise(n);
    case OpFamily::Cast: return infer::infer_cast(n);
    case OpFamily::Shape: return infer::infer_shape_op(n);
    case OpFamily::Index: return infer::infer_index_op(n);
    case OpFamily::Reduce: return infer::infer_reduce(n);
    case OpFamily::Linalg: return infer::infer_linalg(n);
    case OpFamily::Sparse: return infer::infer_sparse(n);
    case OpFamily::Neural: return infer::infer_neural(n);
    case OpFamily::Random: return infer::infer_random(n);
    case OpFamily::Check:
      for (size_t k = 1; k < n.inputs.size(); ++k) {
        const Type& c = infer::tensor_input(n, k);
        if (c.ndim() != 0) infer::fail_input(n, k, "a condition must be a scalar, got " + c.str());
      }
      return {infer::tensor_input(n, 0)};
    case OpFamily::Control:
    case OpFamily::Grad: return infer::infer_control(n);
    case OpFamily::Fused: return infer::infer_composite(n);
  }
  throw internal_error("infer_types: unknown op family");
}

}  // namespace tgc
