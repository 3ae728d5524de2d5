#include "ir/builder.h"

#include <algorithm>

#include "ir/error.h"

namespace tgc {

Var* Builder::op(Op o, std::vector<Var*> inputs, NodeAttrs attrs) {
  Node* n = g_.add_node(o, std::move(inputs), std::move(attrs), path_);
  return n->outputs[0];
}

std::vector<Var*> Builder::op_n(Op o, std::vector<Var*> inputs, NodeAttrs attrs) {
  return g_.add_node(o, std::move(inputs), std::move(attrs), path_)->outputs;
}

Var* Builder::scalar(double v, DType dt) {
  Tensor t(dt, {});
  t.set_f64(0, v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return g_.new_constant(buf, std::move(t));
}

Var* Builder::int64(int64_t v) {
  Tensor t(DType::Int64, {});
  t.data<int64_t>()[0] = v;
  return g_.new_constant(std::to_string(v), std::move(t));
}

Var* Builder::int64_vector(const std::vector<int64_t>& v) {
  Tensor t(DType::Int64, {int64_t(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<int64_t>()[i] = v[i];
  return g_.new_constant("constant", std::move(t));
}

Var* Builder::cast(Var* a, DType dt) {
  if (a->type.dtype == dt) return a;
  Attrs at;
  at.dtype = dt;
  return op(Op::Cast, {a}, at);
}

Var* Builder::dimshuffle(Var* x, std::vector<int> pattern) {
  bool identity = int(pattern.size()) == x->type.ndim();
  for (size_t k = 0; identity && k < pattern.size(); ++k) identity = pattern[k] == int(k);
  if (identity) return x;
  Attrs a;
  a.pattern = std::move(pattern);
  return op(Op::Dimshuffle, {x}, a);
}

Var* Builder::transpose(Var* x, std::vector<int> axes) {
  Attrs a;
  a.axes = std::move(axes);
  return op(Op::Transpose, {x}, a);
}

Var* Builder::reshape(Var* x, Var* shape) { return op(Op::Reshape, {x, shape}); }

Var* Builder::shape_i(Var* x, int i) {
  Attrs a;
  a.i = i;
  return op(Op::ShapeI, {x}, a);
}

Var* Builder::zeros_like(Var* x, std::optional<DType> dt) {
  Attrs a;
  a.dtype = dt;
  return op(Op::ZerosLike, {x}, a);
}

Var* Builder::ones_like(Var* x, std::optional<DType> dt) {
  Attrs a;
  a.dtype = dt;
  return op(Op::OnesLike, {x}, a);
}

Var* Builder::alloc(Var* value, std::vector<Var*> dims) {
  dims.insert(dims.begin(), value);
  return op(Op::Alloc, dims);
}

Var* Builder::join(int axis, std::vector<Var*> xs) {
  if (xs.size() == 1) return xs[0];
  Attrs a;
  a.axes = {axis};
  return op(Op::Join, std::move(xs), a);
}

Var* Builder::stack(int axis, std::vector<Var*> xs) {
  Attrs a;
  a.axes = {axis};
  return op(Op::Stack, std::move(xs), a);
}

Var* Builder::sum(Var* x, std::vector<int> axes, bool keepdims) {
  Attrs a;
  a.axis_all = axes.empty();
  std::sort(axes.begin(), axes.end());
  a.axes = axes;
  a.keepdims = keepdims;
  // Keep the input's dtype (the accumulator of a float sum is its own type).
  if (is_float(x->type.dtype)) a.dtype = x->type.dtype;
  return op(Op::Sum, {x}, a);
}

Var* Builder::subtensor(Var* x, std::vector<IdxEntry> idx, std::vector<Var*> index_inputs) {
  Attrs a;
  a.idx = std::move(idx);
  a.n_tensor_inputs = 1;
  std::vector<Var*> ins = {x};
  ins.insert(ins.end(), index_inputs.begin(), index_inputs.end());
  return op(Op::Subtensor, ins, a);
}

Var* Builder::inc_subtensor(Var* x, Var* y, std::vector<IdxEntry> idx, std::vector<Var*> index_inputs, bool set) {
  Attrs a;
  a.idx = std::move(idx);
  a.n_tensor_inputs = 2;
  std::vector<Var*> ins = {x, y};
  ins.insert(ins.end(), index_inputs.begin(), index_inputs.end());
  return op(set ? Op::SetSubtensor : Op::IncSubtensor, ins, a);
}

Var* Builder::index(Var* x, int64_t i) { return subtensor(x, {point(i)}); }

Var* Builder::unbroadcast(Var* g, const Var* like) {
  int gr = g->type.ndim(), lr = like->type.ndim();
  if (gr < lr) throw internal_error("unbroadcast: gradient has fewer dimensions than its variable at " + path_);
  std::vector<int> axes;
  for (int d = 0; d < gr; ++d) {
    int k = d - (gr - lr);
    bool bcast = k < 0 || like->type.broadcastable(k);
    if (bcast && g->type.shape[size_t(d)] != 1) axes.push_back(d);
  }
  Var* r = g;
  if (!axes.empty()) r = sum(g, axes, true);
  if (gr > lr) {
    // Drop the leading dimensions (all of size 1 now).
    std::vector<int> pattern;
    for (int k = 0; k < lr; ++k) pattern.push_back(k + (gr - lr));
    r = dimshuffle(r, pattern);
  }
  return cast_like(r, like);
}

IdxEntry Builder::point(int64_t i) {
  IdxEntry e;
  e.point.kind = IdxBound::Const;
  e.point.value = i;
  return e;
}

IdxEntry Builder::point_input(int input) {
  IdxEntry e;
  e.point.kind = IdxBound::Input;
  e.point.input = input;
  return e;
}

IdxEntry Builder::slice(std::optional<int64_t> start, std::optional<int64_t> stop, std::optional<int64_t> step) {
  IdxEntry e;
  e.is_slice = true;
  auto set = [](IdxBound& b, std::optional<int64_t> v) {
    if (v) {
      b.kind = IdxBound::Const;
      b.value = *v;
    }
  };
  set(e.start, start);
  set(e.stop, stop);
  set(e.step, step);
  return e;
}

void replace_uses(Graph& g, Var* from, Var* to) {
  for (auto& n : g.nodes())
    for (Var*& in : n->inputs)
      if (in == from) in = to;
  for (Var*& o : g.outputs)
    if (o == from) o = to;
}

}  // namespace tgc
