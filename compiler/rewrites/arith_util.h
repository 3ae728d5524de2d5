// Helpers shared by the arithmetic rules (arith_canonicalize.cpp and
// arith_specialize.cpp): recognizing constant operands, and building values
// that have exactly the static type of the output they replace.
//
// Assumes: typed nodes (weak scalars were resolved when their node was built,
// so a constant operand has a concrete dtype).
// Guarantees: filled() and the dtype helpers return values whose dtype, rank
// and static shape are those asked for, so the driver accepts them.
#pragma once
#include <algorithm>
#include <optional>
#include <vector>

#include "rewrites/rules.h"

namespace tgc::rules::arith {

// The value of every element of v when v is known to hold one repeated value:
// a constant whose elements are all equal, zeros_like / ones_like, or an
// alloc / fill of such a constant. NaN never counts as a value.
inline std::optional<double> uniform_value(const Var* v) {
  if (const Tensor* t = v->constant_tensor()) {
    if (t->size() == 0) return std::nullopt;
    double x = t->get_f64(0);
    if (x != x) return std::nullopt;
    for (int64_t i = 1; i < t->size(); ++i)
      if (t->get_f64(i) != x) return std::nullopt;
    return x;
  }
  const Node* m = v->owner;
  if (!m) return std::nullopt;
  switch (m->op) {
    case Op::ZerosLike: return 0.0;
    case Op::OnesLike: return 1.0;
    case Op::Alloc: return uniform_value(m->inputs[0]);
    case Op::Fill: return uniform_value(m->inputs[1]);
    default: return std::nullopt;
  }
}

inline bool has_value(const Var* v, double x) {
  std::optional<double> u = uniform_value(v);
  return u && *u == x;
}

// A constant of one element (every static dimension 1): it never decides the
// output's shape along a dimension, only possibly its rank.
inline const Tensor* size1_constant(const Var* v) {
  const Tensor* t = v->constant_tensor();
  return t && t->size() == 1 ? t : nullptr;
}

// The static shape elementwise broadcasting gives (inputs known to broadcast).
inline Shape broadcast_shape(const std::vector<const Var*>& vs) {
  int nd = 0;
  for (const Var* v : vs) nd = std::max(nd, v->type.ndim());
  Shape out(size_t(nd), 1);
  for (int d = 0; d < nd; ++d) {
    int64_t size = 1;
    bool unknown = false;
    for (const Var* v : vs) {
      int k = d - (nd - v->type.ndim());
      if (k < 0) continue;
      int64_t s = v->type.shape[size_t(k)];
      if (s == 1) continue;
      if (s < 0) unknown = true;
      else size = s;
    }
    out[size_t(d)] = size != 1 ? size : (unknown ? -1 : 1);
  }
  return out;
}

inline Shape broadcast_shape(const std::vector<Var*>& vs) {
  return broadcast_shape(std::vector<const Var*>(vs.begin(), vs.end()));
}

// numpy.result_type of the operands.
inline DType promoted(const std::vector<Var*>& vs) {
  DType dt = vs.at(0)->type.dtype;
  for (size_t k = 1; k < vs.size(); ++k) dt = promote(dt, vs[k]->type.dtype);
  return dt;
}

inline bool is_float_tensor(const Var* v) { return v->type.is_tensor() && is_float(v->type.dtype); }

// Each operand cast to dt (those already of dt are kept), so an n-ary op over
// them computes in dt as the node it replaces did.
inline std::vector<Var*> cast_each(Builder& b, std::vector<Var*> vs, DType dt) {
  for (Var*& v : vs) v = b.cast(v, dt);
  return vs;
}

// Broadcasts r to the static shape of `out` by filling the models that r no
// longer depends on (Theano's fill chain, restricted to the fills that change
// r's static shape): fill(model, r) has model's and r's broadcast shape and
// r's dtype.
inline Var* fill_to(Builder& b, Var* r, const Var* out, const std::vector<Var*>& models) {
  for (Var* m : models) {
    if (r->type.shape == out->type.shape) break;
    Shape s = broadcast_shape(std::vector<const Var*>{r, m});
    if (s != r->type.shape) r = b.fill(m, r);
  }
  return r;
}

// A tensor holding `value` everywhere with exactly out's dtype and static
// shape, built from the operands of the node that computed `out`: a constant
// when the shape is static and small, zeros_like / ones_like of an operand of
// out's shape, else a chain of fills over the operands.
inline Var* filled(Builder& b, const Var* out, const std::vector<Var*>& operands, double value) {
  DType dt = out->type.dtype;
  const Shape& shape = out->type.shape;
  bool static_shape = std::all_of(shape.begin(), shape.end(), [](int64_t d) { return d >= 0; });
  if (static_shape && num_elements(shape) <= 64) {
    Tensor t(dt, shape);
    for (int64_t i = 0; i < t.size(); ++i) t.set_f64(i, value);
    Var* c = b.graph().new_constant("constant", std::move(t));
    c->set_path(b.path());
    return c;
  }
  const Var* model = nullptr;
  for (int pass = 0; pass < 2 && !model; ++pass)
    for (const Var* v : operands)
      if (v->type.shape == shape && (pass == 1 || !v->is_constant())) {
        model = v;
        break;
      }
  if (model) {
    // zeros_like(zeros_like(x)) would read as oddly as it computes.
    if (model->owner && (model->owner->op == Op::ZerosLike || model->owner->op == Op::OnesLike))
      model = model->owner->inputs[0];
    Var* m = const_cast<Var*>(model);
    std::optional<DType> other = m->type.dtype == dt ? std::nullopt : std::optional<DType>(dt);
    if (value == 0) return b.zeros_like(m, other);
    if (value == 1) return b.ones_like(m, other);
    return b.fill(m, b.scalar(value, dt));
  }
  return fill_to(b, b.scalar(value, dt), out, operands);
}

}  // namespace tgc::rules::arith
