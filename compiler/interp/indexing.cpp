// Indexing: basic indexing (integers and slices, numpy's rules) and Theano's
// advanced_*_subtensor1 (a list of row indices).
//   subtensor(x, idx)          x[idx], a copy
//   set_subtensor(x, y, idx)   copy of x with x[idx] = y
//   inc_subtensor(x, y, idx)   copy of x with x[idx] += y
// y is cast to x's dtype and broadcast to the indexed region (only where its
// static type has size 1). Out-of-range integer indices are run-time errors.
#include <cstring>

#include "interp/array_util.h"
#include "tgc/index.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

// Element i of an integer index tensor; an unsigned value beyond the int64
// range cannot be in range of any dimension.
int64_t read_index(const Node& n, const Tensor& t, int64_t i) {
  if (t.dtype() == DType::UInt64 && t.data<uint64_t>()[i] > uint64_t(INT64_MAX))
    fail(n, "index " + std::to_string(t.data<uint64_t>()[i]) + " is out of bounds");
  return t.get_i64(i);
}

int64_t wrapped(const Node& n, int64_t i, int64_t size, size_t dim) {
  int64_t j = 0;
  if (!wrap_index(i, size, &j))
    fail(n, "index " + std::to_string(i) + " is out of bounds for dimension " + std::to_string(dim) + " with size " +
                std::to_string(size));
  return j;
}

// The region x[idx] as a strided view of x: its shape, strides and offset.
struct Region {
  Shape shape;
  Strides strides;
  int64_t offset = 0;
};

Region index_region(const Node& n, const Inputs& in, const Tensor& x) {
  const auto& idx = n.attrs->idx;
  if (int(idx.size()) > x.ndim()) throw internal_error(n.path + ": interp: too many indices");
  auto value = [&](const IdxBound& b) -> int64_t {
    if (b.kind == IdxBound::Const) return b.value;
    return read_index(n, tensor_in(n, in, size_t(b.input)), 0);
  };
  // A slice bound (or step) beyond the int64 range clamps like any large
  // bound, as numpy's slice.indices does: saturate instead of failing.
  auto slice_value = [&](const IdxBound& b) -> int64_t {
    if (b.kind != IdxBound::Const) {
      const Tensor& t = tensor_in(n, in, size_t(b.input));
      if (t.dtype() == DType::UInt64) return index_value(t.data<uint64_t>()[0]);
    }
    return value(b);
  };
  Strides st = c_strides(x.shape());
  Region r;
  for (size_t d = 0; d < size_t(x.ndim()); ++d) {
    int64_t size = x.shape()[d];
    if (d >= idx.size()) {  // missing trailing entries: full slices
      r.shape.push_back(size);
      r.strides.push_back(st[d]);
      continue;
    }
    const IdxEntry& e = idx[d];
    if (!e.is_slice) {
      r.offset += wrapped(n, value(e.point), size, d) * st[d];
      continue;
    }
    bool has_start = e.start.kind != IdxBound::None, has_stop = e.stop.kind != IdxBound::None;
    int64_t start = has_start ? slice_value(e.start) : 0, stop = has_stop ? slice_value(e.stop) : 0;
    int64_t step = e.step.kind != IdxBound::None ? slice_value(e.step) : 1;
    if (step == 0) fail(n, "slice step cannot be zero");
    // A step longer than the dimension visits at most one element, as a step
    // of size + 1 does; clamping keeps slice_indices' arithmetic in range.
    if (step > size) step = size + 1;
    if (step < -size) step = -size - 1;
    int64_t first = 0, len = 0;
    slice_indices(size, has_start, start, has_stop, stop, step, &first, &len);
    r.shape.push_back(len);
    r.strides.push_back(len > 1 ? step * st[d] : 0);
    if (len > 0) r.offset += first * st[d];
  }
  return r;
}

// out[region] = y or out[region] += y, with y already broadcast to the region.
void write_region(Tensor& out, const Region& r, const Tensor& y, bool inc) {
  int64_t count = y.size();
  if (count == 0) return;
  visit_dtype(out.dtype(), [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    T* dst = out.data<T>();
    const T* src = y.data<T>();
    MultiIndex it(r.shape, {r.strides}, {r.offset});
    for (int64_t i = 0; i < count; ++i, it.next()) dst[it[0]] = inc ? sc::add(dst[it[0]], src[i]) : src[i];
  });
}

// advanced_subtensor1(x, ilist): x[ilist] along axis 0.
Tensor take_rows(const Node& n, const Tensor& x, const Tensor& ilist) {
  if (x.ndim() < 1) throw internal_error(n.path + ": interp: cannot index a scalar");
  Shape shape = x.shape();
  shape[0] = ilist.size();
  Tensor out(x.dtype(), shape);
  size_t row = x.shape()[0] ? size_t(x.nbytes() / x.shape()[0]) : 0;
  for (int64_t k = 0; k < ilist.size(); ++k) {
    int64_t j = wrapped(n, read_index(n, ilist, k), x.shape()[0], 0);
    if (row) std::memcpy(static_cast<uint8_t*>(out.raw()) + size_t(k) * row,
                         static_cast<const uint8_t*>(x.raw()) + size_t(j) * row, row);
  }
  return out;
}

// advanced_{set,inc}_subtensor1(x, y, ilist): row ilist[k] of a copy of x
// receives (set: the last write wins) or accumulates (inc: every repeat
// counts) row k of y broadcast to (len(ilist),) + x.shape[1:].
Tensor put_rows(const Node& n, const Inputs& in, bool inc) {
  const Tensor& x = tensor_in(n, in, 0);
  const Tensor& ilist = tensor_in(n, in, 2);
  if (x.ndim() < 1) throw internal_error(n.path + ": interp: cannot index a scalar");
  Shape region = x.shape();
  region[0] = ilist.size();
  Tensor y = tensor_in(n, in, 1).astype(x.dtype());
  Tensor yb = broadcast_to(n, {&y, &type_in(n, 1)}, region, "the value");
  Tensor out = x;
  int64_t row = x.shape()[0] ? x.size() / x.shape()[0] : 0;
  visit_dtype(x.dtype(), [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    T* dst = out.data<T>();
    const T* src = yb.data<T>();
    for (int64_t k = 0; k < ilist.size(); ++k) {
      int64_t j = wrapped(n, read_index(n, ilist, k), x.shape()[0], 0);
      for (int64_t e = 0; e < row; ++e) {
        T& d = dst[j * row + e];
        d = inc ? sc::add(d, src[k * row + e]) : src[k * row + e];
      }
    }
  });
  return out;
}

}  // namespace

Value eval_index_op(const Node& n, const Inputs& in) {
  const Tensor& x = tensor_in(n, in, 0);
  switch (n.op) {
    case Op::Subtensor: {
      Region r = index_region(n, in, x);
      return gather(x, r.shape, r.strides, r.offset);
    }
    case Op::SetSubtensor:
    case Op::IncSubtensor: {
      Region r = index_region(n, in, x);
      Tensor y = tensor_in(n, in, 1).astype(x.dtype());
      Tensor yb = broadcast_to(n, {&y, &type_in(n, 1)}, r.shape, "the value");
      Tensor out = x;
      write_region(out, r, yb, n.op == Op::IncSubtensor);
      return out;
    }
    case Op::AdvSubtensor1: return take_rows(n, x, tensor_in(n, in, 1));
    case Op::AdvSetSubtensor1: return put_rows(n, in, false);
    case Op::AdvIncSubtensor1: return put_rows(n, in, true);
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not an indexing op");
}

}  // namespace tgc::interp::detail
