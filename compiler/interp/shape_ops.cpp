// Shape ops: views materialized as copies (dimshuffle, transpose, reshape,
// flatten), shape queries, constructors (alloc, fill, zeros_like, ones_like,
// arange) and concatenation (join, stack).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "interp/array_util.h"
#include "tgc/runtime.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

// dimshuffle(pattern): output dimension k is input axis pattern[k], or a new
// dimension of size 1 for "x" (-1). Dropped input axes have size 1.
Tensor dimshuffle(const Node& n, const Tensor& x) {
  Strides in_st = c_strides(x.shape());
  std::vector<bool> used(size_t(x.ndim()), false);
  Shape shape;
  Strides st;
  for (int p : n.attrs->pattern) {
    if (p < 0) {
      shape.push_back(1);
      st.push_back(0);
      continue;
    }
    if (p >= x.ndim()) throw internal_error(n.path + ": interp: dimshuffle pattern out of range");
    used[size_t(p)] = true;
    shape.push_back(x.shape()[size_t(p)]);
    st.push_back(in_st[size_t(p)]);
  }
  for (int d = 0; d < x.ndim(); ++d)
    if (!used[size_t(d)] && x.shape()[size_t(d)] != 1)
      fail(n, "cannot drop dimension " + std::to_string(d) + " of size " + std::to_string(x.shape()[size_t(d)]));
  return gather(x, shape, st, 0);
}

// reshape: the new shape may hold one -1, which takes whatever size makes the
// element counts agree (numpy refuses it when the other sizes multiply to 0).
Tensor reshape(const Node& n, const Inputs& in, const Tensor& x) {
  Shape dims;
  if (in.size() == 2) {
    const Tensor& s = tensor_in(n, in, 1);
    for (int64_t i = 0; i < s.size(); ++i) dims.push_back(s.get_i64(i));
  } else if (n.attrs->shape) {
    dims = *n.attrs->shape;
  } else {
    throw internal_error(n.path + ": interp: reshape without a shape");
  }
  int minus = -1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == -1 && minus < 0) minus = int(d);
    else if (dims[d] < 0) fail(n, "invalid shape " + shape_str(dims) + " (one -1 at most, no other negative size)");
  }
  Shape known = dims;
  if (minus >= 0) known[size_t(minus)] = 1;
  int64_t product = checked_numel(n, known);
  if (minus >= 0) {
    if (product == 0 || x.size() % product != 0)
      fail(n, "cannot reshape an array of shape " + shape_str(x.shape()) + " to " + shape_str(dims));
    dims[size_t(minus)] = x.size() / product;
  } else if (product != x.size()) {
    fail(n, "cannot reshape an array of shape " + shape_str(x.shape()) + " to " + shape_str(dims));
  }
  return x.reshaped(dims);
}

// flatten(ndim): keeps the first ndim-1 dimensions and merges the rest.
Tensor flatten(const Node& n, const Tensor& x) {
  size_t keep = size_t(n.attrs->ndim - 1);
  if (n.attrs->ndim < 1 || keep > size_t(std::max(x.ndim() - 1, 0)))
    throw internal_error(n.path + ": interp: flatten ndim out of range");
  Shape s(x.shape().begin(), x.shape().begin() + long(keep));
  int64_t rest = 1;
  for (size_t d = keep; d < size_t(x.ndim()); ++d) rest *= x.shape()[d];
  s.push_back(rest);
  return x.reshaped(s);
}

// transpose(axes): output dimension k is input axis axes[k] (default: reversed).
Tensor transpose(const Node& n, const Tensor& x) {
  std::vector<int> axes = n.attrs->axes;
  if (axes.empty())
    for (int d = x.ndim() - 1; d >= 0; --d) axes.push_back(d);
  if (int(axes.size()) != x.ndim()) throw internal_error(n.path + ": interp: transpose axes do not match");
  Strides in_st = c_strides(x.shape()), st;
  Shape shape;
  for (int a : axes) {
    int d = normalize_axis(n, a, x.ndim());
    shape.push_back(x.shape()[size_t(d)]);
    st.push_back(in_st[size_t(d)]);
  }
  return gather(x, shape, st, 0);
}

// alloc(value, d0, ..., dk): value broadcast to (d0, ..., dk).
Tensor alloc(const Node& n, const Inputs& in) {
  Shape shape;
  for (size_t k = 1; k < in.size(); ++k) {
    int64_t d = scalar_i64(tensor_in(n, in, k));
    if (d < 0) fail(n, "negative dimension " + std::to_string(d));
    shape.push_back(d);
  }
  checked_numel(n, shape);
  return broadcast_to(n, {&tensor_in(n, in, 0), &type_in(n, 0)}, shape, "the value");
}

// fill(model, value): value broadcast to the broadcast shape of both.
Tensor fill(const Node& n, const Inputs& in) {
  Operand model{&tensor_in(n, in, 0), &type_in(n, 0)}, value{&tensor_in(n, in, 1), &type_in(n, 1)};
  Shape shape = broadcast_shapes(n, {model, value});
  return broadcast_to(n, value, shape, "the value").astype(out_dtype(n));
}

Tensor filled_like(const Node& n, const Tensor& x, bool ones) {
  Tensor out(out_dtype(n), x.shape());
  if (ones)
    for (int64_t i = 0; i < out.size(); ++i) out.set_f64(i, 1.0);
  return out;
}

// arange(start, stop, step): length ceil((stop - start) / step) clamped at 0;
// element i is start + i * step, then cast. With integer (or bool) arguments
// numpy computes in int64: float64 would lose exactness beyond 2**53 (the
// length and the elements), so that case is integer arithmetic, wrapping as
// the generated code does (tgc/runtime.h's arange_length).
Tensor arange(const Node& n, const Inputs& in) {
  bool ints = true;
  for (size_t k = 0; k < 3; ++k) ints = ints && !is_float(tensor_in(n, in, k).dtype());
  if (ints) {
    int64_t a = scalar_i64(tensor_in(n, in, 0)), b = scalar_i64(tensor_in(n, in, 1)), s = scalar_i64(tensor_in(n, in, 2));
    if (s == 0) fail(n, "step must not be zero");
    int64_t len = rt::arange_length(a, b, s);
    if (len >= kMaxElements) fail(n, "the range has too many elements");
    Tensor out(out_dtype(n), {len});
    visit_dtype(out.dtype(), [&](auto* p) {
      using T = std::remove_pointer_t<decltype(p)>;
      for (int64_t i = 0; i < len; ++i) out.data<T>()[i] = sc::cvt<T>(int64_t(uint64_t(a) + uint64_t(i) * uint64_t(s)));
    });
    return out;
  }
  double start = tensor_in(n, in, 0).get_f64(0), stop = tensor_in(n, in, 1).get_f64(0),
         step = tensor_in(n, in, 2).get_f64(0);
  if (step == 0) fail(n, "step must not be zero");
  double l = std::ceil((stop - start) / step);
  if (l >= double(kMaxElements)) fail(n, "the range has too many elements");
  int64_t len = l > 0 ? int64_t(l) : 0;  // NaN compares false: length 0
  Tensor out(out_dtype(n), {len});
  for (int64_t i = 0; i < len; ++i) out.set_f64(i, start + double(i) * step);
  return out;
}

// join(axis): concatenation; stack(axis): every input gets a new dimension of
// size 1 at `axis`, then they are joined along it. Inputs are cast to the
// output dtype.
Tensor join(const Node& n, const Inputs& in, bool stack) {
  if (in.empty()) throw internal_error(n.path + ": interp: join without inputs");
  int raw = n.attrs->axes.empty() ? 0 : n.attrs->axes[0];
  int nd = tensor_in(n, in, 0).ndim() + (stack ? 1 : 0);
  int axis = normalize_axis(n, raw, nd);
  DType dt = out_dtype(n);
  std::vector<Tensor> parts;
  for (size_t k = 0; k < in.size(); ++k) {
    Tensor t = tensor_in(n, in, k).astype(dt);
    if (stack) {
      if (t.shape() != tensor_in(n, in, 0).shape())
        fail(n, "input " + std::to_string(k) + " has shape " + shape_str(t.shape()) + ", input 0 has " +
                    shape_str(tensor_in(n, in, 0).shape()));
      Shape s = t.shape();
      s.insert(s.begin() + axis, 1);
      t = t.reshaped(s);
    }
    if (t.ndim() != nd) throw internal_error(n.path + ": interp: join inputs differ in rank");
    for (int d = 0; d < nd && !parts.empty(); ++d)
      if (d != axis && t.shape()[size_t(d)] != parts[0].shape()[size_t(d)])
        fail(n, "input " + std::to_string(k) + " has shape " + shape_str(t.shape()) + ", which differs from " +
                    shape_str(parts[0].shape()) + " outside axis " + std::to_string(axis));
    parts.push_back(std::move(t));
  }
  Shape shape = parts[0].shape();
  shape[size_t(axis)] = 0;
  for (const Tensor& t : parts) shape[size_t(axis)] += t.shape()[size_t(axis)];
  Tensor out(dt, shape);
  // Each input is `outer` blocks of `inner` contiguous elements; output block
  // o holds every input's block o, one after the other.
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  size_t es = size_t(dtype_size(dt));
  int64_t out_inner = outer ? out.size() / outer : 0;
  uint8_t* dst = static_cast<uint8_t*>(out.raw());
  int64_t pos = 0;
  for (const Tensor& t : parts) {
    int64_t inner = outer ? t.size() / outer : 0;
    const uint8_t* src = static_cast<const uint8_t*>(t.raw());
    for (int64_t o = 0; o < outer && inner > 0; ++o)
      std::memcpy(dst + size_t(o * out_inner + pos) * es, src + size_t(o * inner) * es, size_t(inner) * es);
    pos += inner;
  }
  return out;
}

}  // namespace

Value eval_shape_op(const Node& n, const Inputs& in) {
  const Tensor& x = tensor_in(n, in, 0);
  switch (n.op) {
    case Op::Dimshuffle: return dimshuffle(n, x);
    case Op::Reshape: return reshape(n, in, x);
    case Op::Flatten: return flatten(n, x);
    case Op::Transpose: return transpose(n, x);
    case Op::ShapeOf: {
      Tensor out(DType::Int64, {int64_t(x.ndim())});
      for (int d = 0; d < x.ndim(); ++d) out.data<int64_t>()[d] = x.shape()[size_t(d)];
      return out;
    }
    case Op::ShapeI: {
      if (n.attrs->i < 0 || n.attrs->i >= x.ndim()) throw internal_error(n.path + ": interp: shape_i out of range");
      Tensor out(DType::Int64, {});
      out.data<int64_t>()[0] = x.shape()[size_t(n.attrs->i)];
      return out;
    }
    case Op::Alloc: return alloc(n, in);
    case Op::Fill: return fill(n, in);
    case Op::ZerosLike: return filled_like(n, x, false);
    case Op::OnesLike: return filled_like(n, x, true);
    case Op::Arange: return arange(n, in);
    case Op::Join: return join(n, in, false);
    case Op::Stack: return join(n, in, true);
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not a shape op");
}

}  // namespace tgc::interp::detail
