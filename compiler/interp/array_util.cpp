#include "interp/array_util.h"

#include <algorithm>
#include <cstring>

namespace tgc::interp::detail {

const Tensor& tensor_in(const Node& n, const Inputs& in, size_t k) {
  if (k >= in.size()) throw internal_error(n.path + ": interp: missing input " + std::to_string(k));
  const Tensor* t = std::get_if<Tensor>(in[k]);
  if (!t) throw internal_error(n.path + ": interp: input " + std::to_string(k) + " of " +
                               std::string(op_name(n.op)) + " is not a dense tensor");
  return *t;
}

void fail(const Node& n, const std::string& what) { throw run_error(n.path, std::string(op_name(n.op)) + ": " + what); }

Strides c_strides(const Shape& s) {
  Strides st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

int64_t checked_numel(const Node& n, const Shape& s) {
  for (int64_t d : s)
    if (d < 0) fail(n, "negative size " + std::to_string(d) + " in shape " + shape_str(s));
  // A zero size makes the product 0, however large the other sizes are.
  if (std::find(s.begin(), s.end(), 0) != s.end()) return 0;
  int64_t total = 1;
  for (int64_t d : s) {
    if (d > kMaxElements || total > kMaxElements / d) fail(n, "shape " + shape_str(s) + " has too many elements");
    total *= d;
  }
  return total;
}

namespace {
std::string size_mismatch(size_t d, int64_t a, int64_t b) {
  return "shapes do not broadcast: dimension " + std::to_string(d) + " has sizes " + std::to_string(a) + " and " +
         std::to_string(b) + " (only a dimension of static size 1 broadcasts)";
}
}  // namespace

Shape broadcast_shapes(const Node& n, const std::vector<Operand>& ops) {
  size_t nd = 0;
  for (const Operand& o : ops) nd = std::max(nd, size_t(o.value->ndim()));
  Shape out(nd, 1);
  std::vector<bool> set(nd, false);
  for (const Operand& o : ops) {
    size_t lead = nd - size_t(o.value->ndim());
    for (size_t td = 0; td < size_t(o.value->ndim()); ++td) {
      if (int(td) < o.type->ndim() && o.type->broadcastable(int(td))) continue;
      size_t d = lead + td;
      int64_t s = o.value->shape()[td];
      if (set[d] && out[d] != s) fail(n, size_mismatch(d, out[d], s));
      out[d] = s;
      set[d] = true;
    }
  }
  return out;
}

Strides broadcast_strides(const Node& n, const Operand& op, const Shape& out, const std::string& what) {
  const Tensor& t = *op.value;
  if (t.ndim() > int(out.size()))
    fail(n, what + " of shape " + shape_str(t.shape()) + " has more dimensions than " + shape_str(out));
  Strides own = c_strides(t.shape());
  Strides st(out.size(), 0);
  size_t lead = out.size() - size_t(t.ndim());
  for (size_t td = 0; td < size_t(t.ndim()); ++td) {
    int64_t s = t.shape()[td], want = out[lead + td];
    bool bcast = int(td) < op.type->ndim() && op.type->broadcastable(int(td));
    if (bcast) {
      if (s != 1) fail(n, what + " has size " + std::to_string(s) + " in dimension " + std::to_string(td) +
                              " where its static type says 1");
      continue;  // stride 0: the single element is read for every position
    }
    if (s != want)
      fail(n, what + " of shape " + shape_str(t.shape()) + " does not broadcast to " + shape_str(out) +
                  " (only a dimension of static size 1 broadcasts)");
    st[lead + td] = own[td];
  }
  return st;
}

Tensor broadcast_to(const Node& n, const Operand& op, const Shape& out, const std::string& what) {
  Strides st = broadcast_strides(n, op, out, what);
  return gather(*op.value, out, st, 0);
}

MultiIndex::MultiIndex(const Shape& shape, std::vector<Strides> strides, std::vector<int64_t> base)
    : shape_(shape), strides_(std::move(strides)), idx_(shape.size(), 0) {
  off_ = base.empty() ? std::vector<int64_t>(strides_.size(), 0) : std::move(base);
}

void MultiIndex::next() {
  for (size_t d = shape_.size(); d-- > 0;) {
    ++idx_[d];
    for (size_t k = 0; k < off_.size(); ++k) off_[k] += strides_[k][d];
    if (idx_[d] < shape_[d]) return;
    for (size_t k = 0; k < off_.size(); ++k) off_[k] -= strides_[k][d] * shape_[d];
    idx_[d] = 0;
  }
}

Tensor gather(const Tensor& src, const Shape& shape, const Strides& strides, int64_t offset) {
  Tensor out(src.dtype(), shape);
  int64_t count = out.size();
  if (count == 0) return out;
  size_t es = size_t(dtype_size(src.dtype()));
  const uint8_t* s = static_cast<const uint8_t*>(src.raw());
  uint8_t* d = static_cast<uint8_t*>(out.raw());
  MultiIndex it(shape, {strides}, {offset});
  for (int64_t i = 0; i < count; ++i, it.next()) std::memcpy(d + size_t(i) * es, s + size_t(it[0]) * es, es);
  return out;
}

bool truthy(const Tensor& t) {
  if (t.size() != 1) throw internal_error("interp: a condition of shape " + shape_str(t.shape()) + " is not a scalar");
  return visit_dtype(t.dtype(), [&](auto* p) -> bool {
    using T = std::remove_pointer_t<decltype(p)>;
    return t.data<T>()[0] != T(0);
  });
}

int normalize_axis(const Node& n, int axis, int ndim) {
  int a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim)
    throw internal_error(n.path + ": interp: axis " + std::to_string(axis) + " out of range for " +
                         std::to_string(ndim) + " dimensions");
  return a;
}

Tensor row_of(const Tensor& t, int64_t r) {
  Shape rs(t.shape().begin() + 1, t.shape().end());
  Tensor out(t.dtype(), rs);
  size_t bytes = size_t(out.nbytes());
  if (bytes) std::memcpy(out.raw(), static_cast<const uint8_t*>(t.raw()) + size_t(r) * bytes, bytes);
  return out;
}

}  // namespace tgc::interp::detail
