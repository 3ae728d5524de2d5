// Type inference of reductions, linear algebra, sparse, neural, random and
// control ops.
#include <algorithm>

#include "ir/infer_util.h"

namespace tgc::infer {

namespace {

std::string dims_str(const Type& t) { return t.str(); }

// Two static sizes that must agree (unknown sizes are checked at run time).
void check_same(const Node& n, int64_t a, int64_t b, const std::string& what) {
  if (a >= 0 && b >= 0 && a != b)
    fail(n, what + " differ: " + std::to_string(a) + " and " + std::to_string(b));
}

int64_t join_dim(int64_t a, int64_t b) { return a >= 0 ? a : b; }

}  // namespace

std::vector<Type> infer_reduce(const Node& n) {
  // Fused (reduce_fusion): the reduced tensor is the program's result over the inputs.
  const Type t = n.attrs->program ? infer_composite(n)[0] : tensor_input(n, 0);
  std::vector<bool> reduced(size_t(t.ndim()), n.attrs->axis_all);
  if (!n.attrs->axis_all) {
    if ((n.op == Op::Argmax || n.op == Op::Argmin) && n.attrs->axes.size() != 1)
      fail(n, "axis must be null or a single integer");
    for (int a : n.attrs->axes) {
      int d = normalize_axis(n, a, t.ndim());
      if (t.ndim() == 0) continue;
      if (reduced[size_t(d)]) fail(n, "axis " + std::to_string(a) + " is repeated");
      reduced[size_t(d)] = true;
    }
  }
  Shape out;
  for (int d = 0; d < t.ndim(); ++d) {
    if (!reduced[size_t(d)]) out.push_back(t.shape[size_t(d)]);
    else if (n.attrs->keepdims) out.push_back(1);
  }
  DType dt = t.dtype;
  switch (n.op) {
    case Op::Sum:
    case Op::Prod: dt = n.attrs->dtype.value_or(sum_accumulator(t.dtype)); break;
    case Op::Mean: dt = n.attrs->dtype.value_or(true_div_type(t.dtype)); break;
    case Op::Argmax:
    case Op::Argmin: dt = DType::Int64; break;
    case Op::All:
    case Op::Any: dt = DType::Bool; break;
    default: break;
  }
  return {Type::tensor(dt, out)};
}

std::vector<Type> infer_linalg(const Node& n) {
  auto num = [&](size_t k) -> const Type& {
    const Type& t = tensor_input(n, k);
    if (is_bool(t.dtype)) fail_input(n, k, "bool operands are not supported");
    return t;
  };
  switch (n.op) {
    case Op::Dot:
    case Op::Dot22: {
      const Type &a = num(0), &b = num(1);
      DType dt = promote(a.dtype, b.dtype);
      if (n.op == Op::Dot22 && (a.ndim() != 2 || b.ndim() != 2)) fail(n, "needs two matrices");
      if (a.ndim() == 0 || b.ndim() == 0) {
        // Theano's dot with a scalar is elementwise multiplication.
        const Type& o = a.ndim() == 0 ? b : a;
        return {Type::tensor(dt, o.shape)};
      }
      if (a.ndim() > 2 || b.ndim() > 2)
        fail(n, "supports vectors and matrices only, got " + dims_str(a) + " and " + dims_str(b));
      check_same(n, a.shape.back(), b.shape[0], "inner dimensions");
      Shape out;
      if (a.ndim() == 2) out.push_back(a.shape[0]);
      if (b.ndim() == 2) out.push_back(b.shape[1]);
      return {Type::tensor(dt, out)};
    }
    case Op::Outer: {
      const Type &a = num(0), &b = num(1);
      if (a.ndim() != 1 || b.ndim() != 1) fail(n, "needs two vectors");
      return {Type::tensor(promote(a.dtype, b.dtype), {a.shape[0], b.shape[0]})};
    }
    case Op::BatchedDot: {
      const Type &a = num(0), &b = num(1);
      if (a.ndim() < 2 || a.ndim() > 3 || b.ndim() < 2 || b.ndim() > 3)
        fail(n, "needs batches of vectors or matrices (2 or 3 dimensions)");
      check_same(n, a.shape[0], b.shape[0], "batch sizes");
      check_same(n, a.shape.back(), b.shape[1], "inner dimensions");
      Shape out = {join_dim(a.shape[0], b.shape[0])};
      if (a.ndim() == 3) out.push_back(a.shape[1]);
      if (b.ndim() == 3) out.push_back(b.shape[2]);
      return {Type::tensor(promote(a.dtype, b.dtype), out)};
    }
    case Op::Gemm: {  // gemm(z, alpha, x, y, beta) = beta * z + alpha * dot(x, y)
      const Type &z = num(0), &al = num(1), &x = num(2), &y = num(3), &be = num(4);
      if (z.ndim() != 2 || x.ndim() != 2 || y.ndim() != 2) fail(n, "z, x and y must be matrices");
      if (al.ndim() != 0 || be.ndim() != 0) fail(n, "alpha and beta must be scalars");
      check_same(n, x.shape[1], y.shape[0], "inner dimensions");
      check_same(n, z.shape[0], x.shape[0], "rows of z and x");
      check_same(n, z.shape[1], y.shape[1], "columns of z and y");
      DType dt = promote(promote(z.dtype, x.dtype), y.dtype);
      if (!is_float(dt)) fail(n, "needs float operands");
      return {Type::tensor(dt, {join_dim(z.shape[0], x.shape[0]), join_dim(z.shape[1], y.shape[1])})};
    }
    case Op::Gemv: {  // gemv(z, alpha, A, x, beta) = beta * z + alpha * dot(A, x)
      const Type &z = num(0), &al = num(1), &a = num(2), &x = num(3), &be = num(4);
      if (z.ndim() != 1 || a.ndim() != 2 || x.ndim() != 1) fail(n, "z must be a vector, A a matrix, x a vector");
      if (al.ndim() != 0 || be.ndim() != 0) fail(n, "alpha and beta must be scalars");
      check_same(n, a.shape[1], x.shape[0], "inner dimensions");
      check_same(n, z.shape[0], a.shape[0], "rows of z and A");
      DType dt = promote(promote(z.dtype, a.dtype), x.dtype);
      if (!is_float(dt)) fail(n, "needs float operands");
      return {Type::tensor(dt, {join_dim(z.shape[0], a.shape[0])})};
    }
    case Op::Ger: {  // ger(A, alpha, x, y) = A + alpha * outer(x, y)
      const Type &a = num(0), &al = num(1), &x = num(2), &y = num(3);
      if (a.ndim() != 2 || x.ndim() != 1 || y.ndim() != 1) fail(n, "A must be a matrix, x and y vectors");
      if (al.ndim() != 0) fail(n, "alpha must be a scalar");
      check_same(n, a.shape[0], x.shape[0], "rows of A and x");
      check_same(n, a.shape[1], y.shape[0], "columns of A and y");
      DType dt = promote(promote(a.dtype, x.dtype), y.dtype);
      if (!is_float(dt)) fail(n, "needs float operands");
      return {Type::tensor(dt, {join_dim(a.shape[0], x.shape[0]), join_dim(a.shape[1], y.shape[0])})};
    }
    default: break;
  }
  fail(n, "not a linear-algebra op");
}

std::vector<Type> infer_sparse(const Node& n) {
  const Type& s = n.inputs[0]->type;
  if (s.kind != TypeKind::Csr) fail_input(n, 0, "expected a CSR sparse matrix, got " + s.str());
  if (n.op == Op::ToDense) return {Type::tensor(s.dtype, {-1, -1})};
  const Type& d = tensor_input(n, 1);
  if (d.ndim() != 2 && d.ndim() != 1) fail_input(n, 1, "expected a dense matrix or vector, got " + d.str());
  DType dt = promote(s.dtype, d.dtype);
  if (d.ndim() == 1) return {Type::tensor(dt, {-1})};
  return {Type::tensor(dt, {-1, d.shape[1]})};
}

std::vector<Type> infer_neural(const Node& n) {
  const Type& x = tensor_input(n, 0);
  if (n.op == Op::Softmax || n.op == Op::LogSoftmax) {
    if (x.ndim() < 1) fail(n, "needs at least one dimension");
    return {Type::tensor(upcast_to_float(x.dtype), x.shape)};
  }
  // categorical_crossentropy(p, t)
  const Type& t = tensor_input(n, 1);
  if (x.ndim() != 2) fail_input(n, 0, "p must be a matrix of probabilities, got " + x.str());
  if (t.ndim() == 1) {
    if (!is_integer(t.dtype)) fail_input(n, 1, "class indices must be integers, got " + t.str());
    check_same(n, x.shape[0], t.shape[0], "rows of p and t");
  } else if (t.ndim() == 2) {
    check_same(n, x.shape[0], t.shape[0], "rows of p and t");
    check_same(n, x.shape[1], t.shape[1], "columns of p and t");
  } else {
    fail_input(n, 1, "t must be a vector of class indices or a matrix like p, got " + t.str());
  }
  DType dt = upcast_to_float(t.ndim() == 2 ? promote(x.dtype, t.dtype) : x.dtype);
  return {Type::tensor(dt, {join_dim(x.shape[0], t.shape[0])})};
}

std::vector<Type> infer_random(const Node& n) {
  if (n.inputs[0]->type.kind != TypeKind::Rng) fail_input(n, 0, "expected a random state, got " + n.inputs[0]->type.str());
  bool size_attr = n.attrs->shape.has_value();
  size_t first_param = size_attr ? 1 : 2;
  if (n.inputs.size() != first_param + 2)
    fail(n, size_attr ? "expects (rng, param, param) with a size attribute" : "expects (rng, size, param, param)");
  Shape out;
  if (size_attr) {
    out = *n.attrs->shape;
  } else {
    int64_t len = int_vector_length(n, 1);
    if (len < 0) fail_input(n, 1, "the size vector must have a static length");
    if (auto c = const_int_vector(n, 1)) out = *c;
    else out.assign(size_t(len), -1);
  }
  for (int64_t d : out)
    if (d < -1) fail(n, "negative size");
  for (size_t k = first_param; k < n.inputs.size(); ++k) {
    const Type& p = tensor_input(n, k);
    if (p.ndim() > int(out.size())) fail_input(n, k, "parameter " + p.str() + " has more dimensions than the size");
  }
  DType dt = n.attrs->dtype.value_or(n.op == Op::RandomBinomial ? DType::Int64 : DType::Float64);
  if (n.op != Op::RandomBinomial && !is_float(dt)) fail(n, "dtype must be float32 or float64");
  return {Type::rng(), Type::tensor(dt, out)};
}

namespace {

std::vector<Type> ifelse(const Node& n) {
  const Type& c = tensor_input(n, 0);
  if (c.ndim() != 0) fail_input(n, 0, "the condition must be a scalar, got " + c.str());
  size_t m = size_t(n.attrs->n_branch);
  if (n.inputs.size() != 1 + 2 * m) fail(n, "then and else must have the same number of values");
  std::vector<Type> out;
  for (size_t k = 0; k < m; ++k) {
    const Type &a = n.inputs[1 + k]->type, &b = n.inputs[1 + m + k]->type;
    if (a.kind != b.kind || a.dtype != b.dtype || a.ndim() != b.ndim())
      fail(n, "then[" + std::to_string(k) + "] is " + a.str() + " but else[" + std::to_string(k) + "] is " + b.str());
    Type t = a;
    for (size_t d = 0; d < t.shape.size(); ++d)
      if (a.shape[d] != b.shape[d]) t.shape[d] = -1;
    out.push_back(t);
  }
  return out;
}

std::vector<Type> scan(const Node& n) {
  const ScanInfo& s = *n.scan;
  const Graph& body = *s.body;
  int64_t steps = -1;
  if (s.has_n_steps && !s.has_until)
    if (auto c = const_int(n, 0)) steps = *c;
  std::vector<Type> out;
  for (int k = 0; k < s.n_outs(); ++k) {
    const Type& t = body.outputs[size_t(k)]->type;
    Shape sh = t.shape;
    sh.insert(sh.begin(), s.kept(k) > 0 ? -1 : steps);  // a kept tail's length is min(steps, keep)
    out.push_back(Type::tensor(t.dtype, sh));
  }
  for (int k = 0; k < s.n_shared; ++k) out.push_back(n.inputs[size_t(s.shared_input(k))]->type);
  return out;
}

}  // namespace

std::vector<Type> infer_control(const Node& n) {
  switch (n.op) {
    case Op::IfElse: return ifelse(n);
    case Op::Scan: return scan(n);
    case Op::Grad: {
      const Type& c = tensor_input(n, 0);
      if (c.ndim() != 0) fail_input(n, 0, "the cost must be a scalar, got " + c.str());
      if (!is_float(c.dtype)) fail_input(n, 0, "the cost must be a float, got " + c.str());
      std::vector<Type> out;
      for (int k = 0; k < n.attrs->n_branch; ++k) out.push_back(n.inputs[1 + size_t(k)]->type);
      return out;
    }
    default: break;
  }
  fail(n, "not a control op");
}

}  // namespace tgc::infer
