// Shape rewrites, as Theano's: shape_promotion (local_shape_lift and the
// ShapeFeature: a size is read off the inputs of the node computing a value,
// so that node need not run just to know its shape), fill_cut (local_fill_cut
// and local_fill_sink) and reshape_chain (local_reshape_chain).
//
// Sizes are decided from static types the way broadcasting is (a static 1
// broadcasts, nothing else does), so in a run where the original graph does
// not fail, every non-broadcasting operand of an elementwise op has the
// output's size in that dimension. Like Theano's, these rules may drop a
// shape check the removed computation would have made (a graph that failed
// with mismatched sizes may then succeed); they never change a value.
#include <algorithm>

#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// Where a dimension of a value comes from: dimension `dim` of `var`.
struct DimRef {
  Var* var = nullptr;
  int dim = 0;
};

int norm_axis(int a, int ndim) { return a < 0 ? a + ndim : a; }

bool full_slice(const IdxEntry& e) {
  return e.is_slice && e.start.kind == IdxBound::None && e.stop.kind == IdxBound::None &&
         (e.step.kind == IdxBound::None || (e.step.kind == IdxBound::Const && e.step.value == 1));
}

// Elementwise broadcasting: dimension i of a rank-`rank` result is that of
// any operand that does not broadcast there (ranks aligned on the right).
std::optional<DimRef> broadcast_source(const std::vector<Var*>& ins, int rank, int i) {
  for (Var* v : ins) {
    if (!v->type.is_tensor()) continue;
    int j = i - (rank - v->type.ndim());
    if (j >= 0 && !v->type.broadcastable(j)) return DimRef{v, j};
  }
  return std::nullopt;
}

// Output dimension i of a reduction: the input dimension it keeps, or -1.
int reduction_source(const Node& n, int i) {
  const Type& t = n.inputs[0]->type;
  int out = 0;
  for (int d = 0; d < t.ndim(); ++d) {
    bool reduced = n.attrs->axis_all;
    for (int a : n.attrs->axes) reduced = reduced || norm_axis(a, t.ndim()) == d;
    if (reduced && !n.attrs->keepdims) continue;
    if (out++ == i) return reduced ? -1 : d;
  }
  return -1;
}

// Output dimension i of a subtensor: the dimension of x it keeps whole, or -1.
int subtensor_source(const Node& n, int i) {
  const auto& idx = n.attrs->idx;
  int out = 0;
  for (int d = 0; d < n.inputs[0]->type.ndim(); ++d) {
    bool indexed = size_t(d) < idx.size();
    if (indexed && !idx[size_t(d)].is_slice) continue;  // a point drops the dimension
    if (out++ == i) return indexed && !full_slice(idx[size_t(d)]) ? -1 : d;
  }
  return -1;
}

// Dimension i of y when it is exactly a dimension of an input of y's owner.
std::optional<DimRef> dim_source(const Var* y, int i) {
  const Node* n = y->owner;
  if (!n || y->index != 0) return std::nullopt;
  const auto& in = n->inputs;
  auto ref = [&](size_t k, int d) -> std::optional<DimRef> {
    if (k >= in.size() || !in[k]->type.is_tensor() || d < 0 || d >= in[k]->type.ndim()) return std::nullopt;
    return DimRef{in[k], d};
  };
  if (is_elemwise(n->op) || n->op == Op::Fill) return broadcast_source(in, y->type.ndim(), i);
  if (op_info(n->op).family == OpFamily::Reduce) return ref(0, reduction_source(*n, i));
  switch (n->op) {
    case Op::Cast:
    case Op::ZerosLike:
    case Op::OnesLike:
    case Op::Softmax:
    case Op::LogSoftmax:
    case Op::IncSubtensor:
    case Op::SetSubtensor:
    case Op::AdvIncSubtensor1:
    case Op::AdvSetSubtensor1: return ref(0, i);
    case Op::Dimshuffle: return ref(0, n->attrs->pattern[size_t(i)]);  // "x" (-1) has static size 1
    case Op::Transpose: {
      int nd = in[0]->type.ndim();
      return ref(0, n->attrs->axes.empty() ? nd - 1 - i : norm_axis(n->attrs->axes[size_t(i)], nd));
    }
    case Op::Dot:
    case Op::Dot22: {
      int ra = in[0]->type.ndim(), rb = in[1]->type.ndim();
      if (ra == 0) return ref(1, i);  // a scalar scales elementwise
      if (rb == 0) return ref(0, i);
      if (ra == 2 && i == 0) return ref(0, 0);
      return ref(1, 1);
    }
    case Op::Outer: return ref(size_t(i), 0);
    case Op::BatchedDot:
      if (i == 0) return ref(0, 0);
      if (i == 1 && in[0]->type.ndim() == 3) return ref(0, 1);
      return ref(1, 2);
    case Op::Gemm: return i == 0 ? ref(2, 0) : ref(3, 1);  // the shape of dot(x, y)
    case Op::Gemv: return ref(2, 0);
    case Op::Ger: return i == 0 ? ref(2, 0) : ref(3, 0);  // the shape of outer(x, y)
    case Op::CrossEntropy: return ref(0, 0);
    case Op::Subtensor: return ref(0, subtensor_source(*n, i));
    case Op::AdvSubtensor1: return i == 0 ? ref(1, 0) : ref(0, i);
    case Op::Join: {
      int axis = norm_axis(n->attrs->axes.empty() ? 0 : n->attrs->axes[0], y->type.ndim());
      if (i == axis) return std::nullopt;
      return ref(0, i);  // join's inputs agree exactly off the axis
    }
    case Op::Stack: {
      int axis = norm_axis(n->attrs->axes.empty() ? 0 : n->attrs->axes[0], y->type.ndim());
      if (i == axis) return std::nullopt;  // static: the number of inputs
      return ref(0, i < axis ? i : i - 1);
    }
    case Op::Flatten:
      if (i < n->attrs->ndim - 1 || in[0]->type.ndim() == n->attrs->ndim) return ref(0, i);
      return std::nullopt;
    default: break;
  }
  return std::nullopt;
}

// The size of dimension d of v as an int64 scalar: a constant when static.
Var* size_of(Builder& b, Var* v, int d) {
  int64_t s = v->type.shape[size_t(d)];
  return s >= 0 ? b.int64(s) : b.shape_i(v, d);
}

// op(terms..., c) over int64 scalars, with `unit` (0 for add, 1 for mul) left out.
Var* combine(Builder& b, Op op, std::vector<Var*> terms, int64_t c, int64_t unit) {
  if (c != unit || terms.empty()) terms.push_back(b.int64(c));
  return terms.size() == 1 ? terms[0] : b.op(op, terms);
}

// The product of dimensions [from, ndim) of x (constants folded).
Var* size_product(Builder& b, Var* x, int from) {
  std::vector<Var*> terms;
  int64_t c = 1;
  for (int d = from; d < x->type.ndim(); ++d) {
    int64_t s = x->type.shape[size_t(d)];
    if (s >= 0) c *= s;
    else terms.push_back(b.shape_i(x, d));
  }
  if (c == 0) return b.int64(0);
  return combine(b, Op::Mul, std::move(terms), c, 1);
}

// The constant target shape of a reshape (attribute or constant input).
std::optional<std::vector<int64_t>> reshape_target(const Node& n) {
  if (n.inputs.size() == 1) return n.attrs->shape;
  const Tensor* t = n.inputs[1]->constant_tensor();
  if (!t || t->ndim() != 1 || is_float(t->dtype())) return std::nullopt;
  std::vector<int64_t> v;
  for (int64_t k = 0; k < t->size(); ++k) v.push_back(t->get_i64(k));
  return v;
}

// Dimension i of y as an expression of the shapes of its owner's inputs,
// when it is not one input dimension: alloc's size input, join's sum along
// its axis, flatten's product of merged dimensions, reshape's -1 (the
// element count divided by the other sizes). Builds nothing when it gives null.
Var* dim_expression(Builder& b, Var* y, int i) {
  const Node* n = y->owner;
  if (!n || y->index != 0) return nullptr;
  const auto& in = n->inputs;
  switch (n->op) {
    case Op::Alloc: return b.cast(in[1 + size_t(i)], DType::Int64);
    case Op::Join: {
      int axis = norm_axis(n->attrs->axes.empty() ? 0 : n->attrs->axes[0], y->type.ndim());
      if (i != axis) return nullptr;
      std::vector<Var*> terms;
      int64_t c = 0;
      for (Var* t : in) {
        int64_t s = t->type.shape[size_t(i)];
        if (s >= 0) c += s;
        else terms.push_back(b.shape_i(t, i));
      }
      return combine(b, Op::Add, std::move(terms), c, 0);
    }
    case Op::Flatten:
      if (i != n->attrs->ndim - 1) return nullptr;
      return size_product(b, in[0], i);
    case Op::Reshape: {
      std::optional<std::vector<int64_t>> s = reshape_target(*n);
      if (!s || size_t(i) >= s->size() || (*s)[size_t(i)] != -1) return nullptr;
      int64_t known = 1;
      for (size_t k = 0; k < s->size(); ++k)
        if (k != size_t(i)) known *= (*s)[k];
      if (known <= 0) return nullptr;  // the reshape fails at run time; keep it
      Var* total = size_product(b, in[0], 0);
      return known == 1 ? total : b.op(Op::IntDiv, {total, b.int64(known)});
    }
    default: break;
  }
  return nullptr;
}

// Dimension i of y without computing y, or null (nothing built).
Var* lifted_dim(Builder& b, Var* y, int i) {
  if (y->type.shape[size_t(i)] >= 0) return b.int64(y->type.shape[size_t(i)]);
  if (std::optional<DimRef> r = dim_source(y, i)) return size_of(b, r->var, r->dim);
  return dim_expression(b, y, i);
}

// Right-aligned static broadcast pattern: true where a dimension does not broadcast.
using Pattern = std::vector<bool>;

void merge_pattern(Pattern& p, const Type& t) {
  if (size_t(t.ndim()) > p.size()) p.insert(p.begin(), size_t(t.ndim()) - p.size(), false);
  size_t off = p.size() - size_t(t.ndim());
  for (int d = 0; d < t.ndim(); ++d) p[off + size_t(d)] = p[off + size_t(d)] || !t.broadcastable(d);
}

// A weak (NEP 50) scalar as a constant of the dtype it already has, so that
// moving it into an elementwise op does not change what that op computes in.
Var* strong(Graph& g, Var* v) {
  if (v->weak == WeakKind::None || !v->constant_tensor()) return v;
  Var* c = g.new_constant(v->name, *v->constant_tensor());
  c->set_path(v->path());
  return c;
}

}  // namespace

// shape_i(f(x), i) -> shape_i(x, j) (or a constant); shape(f(x)) -> shape(x) or stack(...)
std::optional<std::vector<Var*>> shape_promotion(RewriteContext& ctx, Node& n) {
  if (n.op != Op::ShapeI && n.op != Op::ShapeOf) return std::nullopt;
  Var* y = n.inputs[0];
  if (!y->type.is_tensor()) return std::nullopt;
  Builder b = ctx.builder(n);
  if (n.op == Op::ShapeI) {
    Var* r = lifted_dim(b, y, n.attrs->i);
    if (!r) return std::nullopt;
    return std::vector<Var*>{r};
  }
  int rank = y->type.ndim();
  if (std::all_of(y->type.shape.begin(), y->type.shape.end(), [](int64_t s) { return s >= 0; }))
    return std::vector<Var*>{b.int64_vector(y->type.shape)};
  // Each dimension the same dimension of one input of y's rank: that input's shape.
  std::optional<DimRef> first = dim_source(y, 0);
  bool same = first && first->var->type.ndim() == rank;
  for (int d = 0; same && d < rank; ++d) {
    std::optional<DimRef> r = dim_source(y, d);
    same = r && r->var == first->var && r->dim == d;
  }
  if (same) return std::vector<Var*>{b.shape_of(first->var)};
  std::vector<Var*> dims;
  for (int d = 0; d < rank; ++d) dims.push_back(lifted_dim(b, y, d));
  if (std::none_of(dims.begin(), dims.end(), [](Var* v) { return v != nullptr; })) return std::nullopt;
  for (int d = 0; d < rank; ++d)
    if (!dims[size_t(d)]) dims[size_t(d)] = b.shape_i(y, d);
  return std::vector<Var*>{b.stack(0, dims)};
}

// f(fill(a, b), c) -> f(b, c) when the other operands imply fill's shape;
// else f(fill(a, b), fill(c, d), e) -> fill(a, fill(c, f(b, d, e)))
std::optional<std::vector<Var*>> fill_cut(RewriteContext& ctx, Node& n) {
  if (!is_elemwise(n.op) && n.op != Op::Cast) return std::nullopt;
  if (std::none_of(n.inputs.begin(), n.inputs.end(), [](const Var* v) { return v->owner && v->owner->op == Op::Fill; }))
    return std::nullopt;
  const Var* out = n.outputs[0];
  std::vector<Var*> ins = n.inputs, models;
  for (Var*& v : ins) {
    Node* f = v->owner;
    if (!f || f->op != Op::Fill) continue;
    models.push_back(f->inputs[0]);
    v = strong(ctx.graph, f->inputs[1]);
  }
  if (models.empty()) return std::nullopt;
  // Keep only the models that give a dimension (or rank) nothing else gives.
  Pattern want, have;
  merge_pattern(want, out->type);
  for (const Var* v : ins) merge_pattern(have, v->type);
  std::vector<Var*> kept;
  for (Var* m : models) {
    if (have == want) break;
    Pattern with = have;
    merge_pattern(with, m->type);
    if (with == have) continue;
    kept.push_back(m);
    have = std::move(with);
  }
  Builder b = ctx.builder(n);
  Var* r = b.op(n.op, ins, n.attrs);
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) r = b.fill(*it, r);
  return std::vector<Var*>{r};
}

// reshape(reshape(x, s1), s2) -> reshape(x, s2); reshape(flatten(x), s2) -> reshape(x, s2);
// flatten(flatten(x, n1), n2) -> flatten(x, n2); flatten(reshape(x, s1), k) -> reshape(x, s1[:k-1] + [prod s1[k-1:]])
std::optional<std::vector<Var*>> reshape_chain(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Reshape && n.op != Op::Flatten) return std::nullopt;
  Node* inner = n.inputs[0]->owner;
  if (!inner || (inner->op != Op::Reshape && inner->op != Op::Flatten)) return std::nullopt;
  Var* x = inner->inputs[0];
  const Type& out = n.outputs[0]->type;
  Builder b = ctx.builder(n);
  if (n.op == Op::Reshape) {
    // Only the element count of x matters, and it is the inner result's.
    std::vector<Var*> ins = n.inputs;
    Attrs at = n.attrs;
    ins[0] = x;
    // A -1 whose size the old type knew is pinned, so x's type cannot make it
    // less (or more) static than before.
    if (std::optional<std::vector<int64_t>> s = reshape_target(n)) {
      std::vector<int64_t> pinned = *s;
      for (size_t k = 0; k < pinned.size(); ++k)
        if (pinned[k] == -1 && out.shape[k] >= 0) pinned[k] = out.shape[k];
      if (pinned != *s) {
        if (ins.size() == 1) at.shape = pinned;
        else ins[1] = b.int64_vector(pinned);
      }
    }
    return std::vector<Var*>{b.op(Op::Reshape, ins, at)};
  }
  int nd = n.attrs->ndim;
  if (nd == 1 || (inner->op == Op::Flatten && nd <= inner->attrs->ndim)) {
    Attrs at = n.attrs;
    return std::vector<Var*>{b.op(Op::Flatten, {x}, at)};
  }
  if (inner->op != Op::Reshape) return std::nullopt;
  std::optional<std::vector<int64_t>> s1 = reshape_target(*inner);
  if (!s1 || int(s1->size()) < nd) return std::nullopt;
  std::vector<int64_t> s(s1->begin(), s1->begin() + (nd - 1));
  if (std::any_of(s.begin(), s.end(), [](int64_t d) { return d < 0; })) return std::nullopt;
  int64_t rest = 1;
  for (size_t k = size_t(nd - 1); k < s1->size(); ++k) rest = (*s1)[k] < 0 || rest < 0 ? -1 : rest * (*s1)[k];
  s.push_back(rest);  // -1 where s1's own -1 was merged: same count / same known sizes
  Attrs at;
  at.shape = s;
  return std::vector<Var*>{b.op(Op::Reshape, {x}, at)};
}

}  // namespace tgc::rules
