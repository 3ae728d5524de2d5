// Special cases of arithmetic (the specialize group, after canonicalize and
// stabilize): additions of zero, products by 0, 1 and -1, squares, powers
// with a special exponent, and scalar factors taken out of sums (Theano's
// local_add_specialize, local_mul_specialize, local_mul_to_sqr,
// local_pow_specialize and local_sum_mul_by_scalar).
//
// Assumes: typed nodes.
// Guarantees: each replacement has the dtype and static shape of the output
// it replaces (an operand that decided the broadcast shape is kept, or
// filled, never silently dropped) and computes in the output's dtype, as the
// original did (integers keep their wrap-around).
#include "rewrites/arith_util.h"

namespace tgc::rules {

namespace {

using namespace arith;

// The operands without v[skip], v[skip] left out.
std::vector<Var*> without(const std::vector<Var*>& vs, size_t skip) {
  std::vector<Var*> r;
  for (size_t k = 0; k < vs.size(); ++k)
    if (k != skip) r.push_back(vs[k]);
  return r;
}

}  // namespace

// x + 0 -> x, 0 + x -> x, add(0, 0) -> zeros of the output's shape and dtype
// (the zeros: constants, zeros_like, alloc/fill of 0; where a zero decided the
// output's shape or dtype, the rest is filled or cast to it)
std::optional<std::vector<Var*>> add_specialize(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Add || !n.outputs[0]->type.is_tensor()) return std::nullopt;
  Var* out = n.outputs[0];
  std::vector<Var*> kept, zeros;
  for (Var* v : n.inputs) (has_value(v, 0.0) ? zeros : kept).push_back(v);
  if (zeros.empty()) return std::nullopt;
  Builder b = ctx.builder(n);
  if (kept.empty()) return std::vector<Var*>{filled(b, out, n.inputs, 0.0)};
  DType dt = out->type.dtype;
  if (kept.size() >= 2 && promoted(kept) != dt) kept = cast_each(b, kept, dt);
  Var* r = kept.size() == 1 ? kept[0] : b.op(Op::Add, kept);
  r = fill_to(b, b.cast(r, dt), out, zeros);
  return std::vector<Var*>{r};
}

// mul(x, 0) -> zeros_like(x), mul(x, 1) -> x, mul(x, -1) -> neg(x),
// mul(x, x) -> sqr(x). The zeros take the output's dtype and broadcast shape;
// they also turn NaN * 0 and inf * 0 (NaN) into 0, as Theano's FAST_RUN does,
// and no longer read the other operands (a run-time size mismatch among them
// goes unreported).
// A 1 or -1 that decides the output's shape stays; -1 is taken out only when
// one other operand is left (mul(-1, x, y) is not made neg(mul(x, y))).
std::optional<std::vector<Var*>> mul_specialize(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Mul || !n.outputs[0]->type.is_tensor()) return std::nullopt;
  Var* out = n.outputs[0];
  DType dt = out->type.dtype;
  for (Var* v : n.inputs)
    if (has_value(v, 0.0)) {
      Builder b = ctx.builder(n);
      return std::vector<Var*>{filled(b, out, n.inputs, 0.0)};
    }

  // Products by 1 and -1 where the rest keeps the output's shape.
  std::vector<Var*> rest = n.inputs;
  int dropped = 0, minus = 0;
  for (size_t k = 0; k < rest.size();) {
    std::optional<double> c = uniform_value(rest[k]);
    bool unit = c && (*c == 1.0 || (*c == -1.0 && !is_unsigned_int(dt)));
    if (unit && rest.size() > 1 && broadcast_shape(without(rest, k)) == out->type.shape) {
      minus += *c < 0 ? 1 : 0;
      ++dropped;
      rest.erase(rest.begin() + long(k));
    } else {
      ++k;
    }
  }
  bool negate = minus % 2 == 1;
  if (dropped > 0 && !(rest.size() >= 2 && negate && dropped == 1)) {
    Builder b = ctx.builder(n);
    if (rest.size() == 1) {
      Var* r = b.cast(rest[0], dt);
      return std::vector<Var*>{negate ? b.neg(r) : r};
    }
    if (negate) rest.insert(rest.begin(), b.scalar(-1, dt));
    if (promoted(rest) != dt) rest = cast_each(b, rest, dt);
    return std::vector<Var*>{b.op(Op::Mul, rest)};
  }

  // x * x -> sqr(x) (integers wrap the same way)
  if (n.inputs.size() == 2 && n.inputs[0] == n.inputs[1] && !is_bool(dt))
    return std::vector<Var*>{ctx.builder(n).unary(Op::Sqr, n.inputs[0])};
  return std::nullopt;
}

// pow(x, 2) -> sqr(x), pow(x, 1) -> x, pow(x, 0) -> ones_like(x), and for
// float outputs pow(x, 0.5) -> sqrt(x), pow(x, -0.5) -> reciprocal(sqrt(x)),
// pow(x, -1) -> reciprocal(x), pow(x, -2) -> reciprocal(sqr(x)); x is first
// cast to the output's dtype, where pow computed. Differences Theano accepts
// too, at -0.0 and -inf only: pow(-0.0, 0.5) is 0.0 but sqrt(-0.0) -0.0,
// pow(-0.0, -0.5) inf but 1/sqrt(-0.0) -inf, pow(-inf, +-0.5) inf or 0 but
// sqrt(-inf) NaN.
std::optional<std::vector<Var*>> pow_specialize(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Pow) return std::nullopt;
  Var* out = n.outputs[0];
  Var* x = n.inputs[0];
  DType dt = out->type.dtype;
  std::optional<double> e = uniform_value(n.inputs[1]);
  // An exponent that decides the output's shape stays.
  if (!e || is_bool(dt) || x->type.shape != out->type.shape) return std::nullopt;
  bool fl = is_float(dt);
  if (*e != 2 && *e != 1 && *e != 0 && !(fl && (*e == 0.5 || *e == -0.5 || *e == -1 || *e == -2))) return std::nullopt;
  Builder b = ctx.builder(n);
  if (*e == 0) return std::vector<Var*>{b.ones_like(x, x->type.dtype == dt ? std::nullopt : std::optional<DType>(dt))};
  Var* xc = b.cast(x, dt);
  Var* r = nullptr;
  if (*e == 1) r = xc;
  else if (*e == 2) r = b.unary(Op::Sqr, xc);
  else if (*e == 0.5) r = b.unary(Op::Sqrt, xc);
  else if (*e == -0.5) r = b.unary(Op::Reciprocal, b.unary(Op::Sqrt, xc));
  else if (*e == -1) r = b.unary(Op::Reciprocal, xc);
  else r = b.unary(Op::Reciprocal, b.unary(Op::Sqr, xc));
  return std::vector<Var*>{r};
}

// sum(s * t, axis) -> s * sum(t, axis) for 0-d s, any axes: where the
// product's type is the sum's (floats; 64-bit integers, whose wrap-around
// keeps the distributive law; a narrower integer product wraps before an
// int64 sum would and stays)
std::optional<std::vector<Var*>> sum_scalar_mul(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Sum) return std::nullopt;
  Var* prod = n.inputs[0];
  const Node* m = prod->owner;
  if (!m || m->op != Op::Mul) return std::nullopt;
  DType dt = prod->type.dtype;
  if (n.outputs[0]->type.dtype != dt || is_bool(dt)) return std::nullopt;
  std::vector<Var*> scalars, others;
  for (Var* v : m->inputs) (v->type.ndim() == 0 ? scalars : others).push_back(v);
  if (scalars.empty() || others.empty()) return std::nullopt;
  Builder b = ctx.builder(n);
  // The rest is multiplied in the product's type, as it was.
  if (promoted(others) != dt) others = cast_each(b, others, dt);
  Var* t = others.size() == 1 ? others[0] : b.op(Op::Mul, others);
  scalars.push_back(b.op(Op::Sum, {t}, n.attrs));
  Var* r = b.op(Op::Mul, scalars);
  return std::vector<Var*>{r};
}

}  // namespace tgc::rules
