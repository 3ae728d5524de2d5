// Type inference of shape ops and indexing ops.
#include <algorithm>
#include <set>

#include "ir/infer_util.h"
#include "tgc/index.h"

namespace tgc::infer {

namespace {

std::vector<Type> dimshuffle(const Node& n) {
  const Type& t = tensor_input(n, 0);
  std::vector<bool> used(size_t(t.ndim()), false);
  Shape out;
  for (int p : n.attrs->pattern) {
    if (p < 0) {
      out.push_back(1);
      continue;
    }
    if (p >= t.ndim() || used[size_t(p)])
      fail(n, "pattern entry " + std::to_string(p) + " is out of range or repeated for " + t.str());
    used[size_t(p)] = true;
    out.push_back(t.shape[size_t(p)]);
  }
  for (int d = 0; d < t.ndim(); ++d)
    if (!used[size_t(d)] && !t.broadcastable(d))
      fail(n, "pattern drops dimension " + std::to_string(d) + ", which is not of static size 1, of " + t.str());
  return {Type::tensor(t.dtype, out)};
}

std::vector<Type> reshape(const Node& n) {
  const Type& t = tensor_input(n, 0);
  std::vector<int64_t> dims;
  if (n.inputs.size() == 2) {
    int64_t len = int_vector_length(n, 1);
    if (len < 0) fail_input(n, 1, "the shape vector must have a static length");
    if (auto c = const_int_vector(n, 1)) dims = *c;
    else dims.assign(size_t(len), -2);  // -2: unknown at compile time
  } else if (n.attrs->shape) {
    dims = *n.attrs->shape;
  } else {
    fail(n, "needs a shape input or a shape attribute");
  }
  int minus = 0;
  int64_t known = 1;
  for (int64_t d : dims) {
    if (d == -1) ++minus;
    else if (d >= 0) known *= d;
    else if (d != -2) fail(n, "negative size " + std::to_string(d) + " in shape");
  }
  if (minus > 1) fail(n, "-1 may appear only once in the shape");
  int64_t total = num_elements(t.shape);
  bool static_total = std::all_of(t.shape.begin(), t.shape.end(), [](int64_t d) { return d >= 0; });
  bool all_const = std::none_of(dims.begin(), dims.end(), [](int64_t d) { return d == -2; });
  Shape out;
  for (int64_t d : dims) {
    if (d == -1) {
      if (static_total && all_const && known > 0) out.push_back(total / known);
      else out.push_back(-1);
    } else {
      out.push_back(d == -2 ? -1 : d);
    }
  }
  if (static_total && all_const) {
    if ((minus == 0 && known != total) || (minus == 1 && (known == 0 || total % known != 0)))
      fail(n, "cannot reshape " + t.str() + " to " + shape_str(out));
  }
  return {Type::tensor(t.dtype, out)};
}

std::vector<Type> flatten(const Node& n) {
  const Type& t = tensor_input(n, 0);
  int nd = n.attrs->ndim;
  if (nd < 1 || nd > std::max(t.ndim(), 1)) fail(n, "ndim " + std::to_string(nd) + " is out of range for " + t.str());
  Shape out(t.shape.begin(), t.shape.begin() + (nd - 1));
  int64_t rest = 1;
  for (int d = nd - 1; d < t.ndim(); ++d) rest = (rest < 0 || t.shape[size_t(d)] < 0) ? -1 : rest * t.shape[size_t(d)];
  out.push_back(rest);
  return {Type::tensor(t.dtype, out)};
}

std::vector<Type> transpose(const Node& n) {
  const Type& t = tensor_input(n, 0);
  std::vector<int> axes = n.attrs->axes;
  if (axes.empty())
    for (int d = t.ndim() - 1; d >= 0; --d) axes.push_back(d);
  if (int(axes.size()) != t.ndim()) fail(n, "axes must list every dimension of " + t.str());
  std::set<int> seen;
  Shape out;
  for (int a : axes) {
    int d = normalize_axis(n, a, t.ndim());
    if (!seen.insert(d).second) fail(n, "axis " + std::to_string(a) + " is repeated");
    out.push_back(t.shape[size_t(d)]);
  }
  return {Type::tensor(t.dtype, out)};
}

std::vector<Type> alloc(const Node& n) {
  const Type& v = tensor_input(n, 0);
  size_t nd = n.inputs.size() - 1;
  if (size_t(v.ndim()) > nd) fail(n, "the value has more dimensions than the shape");
  Shape out;
  for (size_t k = 1; k < n.inputs.size(); ++k) {
    require_int_scalar(n, k);
    auto c = const_int(n, k);
    if (c && *c < 0) fail_input(n, k, "negative dimension " + std::to_string(*c));
    out.push_back(c ? *c : -1);
  }
  // The value must broadcast to the shape: its static sizes other than 1 must agree.
  for (int d = 0; d < v.ndim(); ++d) {
    int64_t vs = v.shape[size_t(d)], os = out[nd - size_t(v.ndim()) + size_t(d)];
    if (vs > 1 && os >= 0 && vs != os) fail(n, "the value " + v.str() + " does not broadcast to " + shape_str(out));
  }
  return {Type::tensor(v.dtype, out)};
}

std::vector<Type> arange(const Node& n) {
  for (size_t k = 0; k < 3; ++k) {
    const Type& t = tensor_input(n, k);
    if (t.ndim() != 0) fail_input(n, k, "expected a scalar, got " + t.str());
  }
  DType dt = n.attrs->dtype.value_or(DType::Int64);
  int64_t len = -1;
  const Tensor *a = n.inputs[0]->constant_tensor(), *b = n.inputs[1]->constant_tensor(),
               *c = n.inputs[2]->constant_tensor();
  if (a && b && c) {
    double start = a->get_f64(0), stop = b->get_f64(0), step = c->get_f64(0);
    if (step == 0) fail(n, "step must not be zero");
    double l = std::ceil((stop - start) / step);
    len = l > 0 ? int64_t(l) : 0;
  }
  return {Type::tensor(dt, {len})};
}

std::vector<Type> join_or_stack(const Node& n) {
  bool stack = n.op == Op::Stack;
  const Type& t0 = tensor_input(n, 0);
  int nd = t0.ndim();
  int raw = n.attrs->axes.empty() ? 0 : n.attrs->axes[0];
  int axis = normalize_axis(n, raw, stack ? nd + 1 : nd);
  if (!stack && nd == 0) fail(n, "cannot join scalars (use stack)");
  DType dt = t0.dtype;
  Shape out = t0.shape;
  int64_t total = 0;
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const Type& t = tensor_input(n, k);
    if (t.ndim() != nd) fail_input(n, k, "all inputs must have " + std::to_string(nd) + " dimensions, got " + t.str());
    dt = promote(dt, t.dtype);
    for (int d = 0; d < nd; ++d) {
      if (!stack && d == axis) continue;
      int64_t a = out[size_t(d)], b = t.shape[size_t(d)];
      if (a >= 0 && b >= 0 && a != b) fail_input(n, k, "dimension " + std::to_string(d) + " differs: " + t.str());
      if (a < 0) out[size_t(d)] = b;
    }
    if (!stack) {
      int64_t s = t.shape[size_t(axis)];
      total = (total < 0 || s < 0) ? -1 : total + s;
    }
  }
  if (stack) out.insert(out.begin() + axis, int64_t(n.inputs.size()));
  else out[size_t(axis)] = total;
  return {Type::tensor(dt, out)};
}

}  // namespace

std::vector<Type> infer_shape_op(const Node& n) {
  switch (n.op) {
    case Op::Dimshuffle: return dimshuffle(n);
    case Op::Reshape: return reshape(n);
    case Op::Flatten: return flatten(n);
    case Op::Transpose: return transpose(n);
    case Op::ShapeOf: return {Type::tensor(DType::Int64, {tensor_input(n, 0).ndim()})};
    case Op::ShapeI: {
      const Type& t = tensor_input(n, 0);
      if (n.attrs->i < 0 || n.attrs->i >= t.ndim()) fail(n, "i is out of range for " + t.str());
      return {Type::tensor(DType::Int64, {})};
    }
    case Op::Alloc: return alloc(n);
    case Op::Fill: {
      const Type& m = tensor_input(n, 0);
      const Type& v = tensor_input(n, 1);
      Shape s = broadcast_static(n, {&m, &v});
      return {Type::tensor(v.dtype, s)};
    }
    case Op::ZerosLike:
    case Op::OnesLike: {
      const Type& t = tensor_input(n, 0);
      return {Type::tensor(n.attrs->dtype.value_or(t.dtype), t.shape)};
    }
    case Op::Arange: return arange(n);
    case Op::Join:
    case Op::Stack: return join_or_stack(n);
    default: break;
  }
  fail(n, "not a shape op");
}

namespace {

// Static length of one indexed dimension (or -1), after checking the entry.
int64_t entry_length(const Node& n, const IdxEntry& e, int64_t dim) {
  auto bound = [&](const IdxBound& b, std::optional<int64_t>& v) -> bool {
    if (b.kind == IdxBound::None) return true;
    if (b.kind == IdxBound::Const) {
      v = b.value;
      return true;
    }
    if (b.input < int(n.attrs->n_tensor_inputs) || b.input >= int(n.inputs.size()))
      fail(n, "index refers to a missing input");
    require_int_scalar(n, size_t(b.input));
    if (auto c = const_int(n, size_t(b.input))) v = *c;
    return bool(const_int(n, size_t(b.input)));
  };
  if (!e.is_slice) {
    std::optional<int64_t> v;
    bound(e.point, v);
    return 0;
  }
  std::optional<int64_t> start, stop, step;
  bool ks = bound(e.start, start), ke = bound(e.stop, stop), kt = bound(e.step, step);
  if (step && *step == 0) fail(n, "slice step must not be zero");
  if (!(ks && ke && kt) || dim < 0) return -1;
  int64_t first = 0, len = 0;
  slice_indices(dim, start.has_value(), start.value_or(0), stop.has_value(), stop.value_or(0), step.value_or(1), &first,
                &len);
  return len;
}

// The static shape of x[idx].
Shape subtensor_shape(const Node& n, const Type& x) {
  const auto& idx = n.attrs->idx;
  if (int(idx.size()) > x.ndim())
    fail(n, "too many indices (" + std::to_string(idx.size()) + ") for " + x.str());
  Shape out;
  for (size_t d = 0; d < size_t(x.ndim()); ++d) {
    if (d >= idx.size()) {
      out.push_back(x.shape[d]);
      continue;
    }
    int64_t len = entry_length(n, idx[d], x.shape[d]);
    if (idx[d].is_slice) out.push_back(len);
  }
  return out;
}

// y must broadcast to `target` (Theano: y's rank at most target's, aligned right).
void check_broadcasts_to(const Node& n, size_t k, const Type& y, const Shape& target) {
  if (y.ndim() > int(target.size()))
    fail_input(n, k, "value " + y.str() + " has more dimensions than the indexed region " + shape_str(target));
  for (int d = 0; d < y.ndim(); ++d) {
    int64_t a = y.shape[size_t(d)], b = target[target.size() - size_t(y.ndim()) + size_t(d)];
    if (a > 1 && b >= 0 && a != b)
      fail_input(n, k, "value " + y.str() + " does not broadcast to the indexed region " + shape_str(target));
  }
}

}  // namespace

std::vector<Type> infer_index_op(const Node& n) {
  const Type& x = tensor_input(n, 0);
  switch (n.op) {
    case Op::Subtensor: return {Type::tensor(x.dtype, subtensor_shape(n, x))};
    case Op::IncSubtensor:
    case Op::SetSubtensor: {
      const Type& y = tensor_input(n, 1);
      check_broadcasts_to(n, 1, y, subtensor_shape(n, x));
      return {x};
    }
    case Op::AdvSubtensor1: {
      int64_t len = int_vector_length(n, 1);
      if (x.ndim() < 1) fail(n, "cannot index a scalar");
      Shape out = x.shape;
      out[0] = len;
      return {Type::tensor(x.dtype, out)};
    }
    case Op::AdvIncSubtensor1:
    case Op::AdvSetSubtensor1: {
      const Type& y = tensor_input(n, 1);
      int64_t len = int_vector_length(n, 2);
      if (x.ndim() < 1) fail(n, "cannot index a scalar");
      Shape region = x.shape;
      region[0] = len;
      check_broadcasts_to(n, 1, y, region);
      return {x};
    }
    default: break;
  }
  fail(n, "not an indexing op");
}

}  // namespace tgc::infer
