// Canonical forms of arithmetic (the canonicalize group, run to a fixed
// point): sums and differences to (a + b + ...) - (z + x + ...), products and
// quotients to (a * b * ...) / (z * x * ...) (Theano's Canonizer with
// local_add_canonizer and local_mul_canonizer), double negations, and the
// special constants of constant elimination.
//
// Assumes: typed nodes; merge has run, so equal subexpressions are one Var
// (cancellation compares terms by identity).
// Guarantees: each replacement has the dtype, rank and static shape pattern
// of the output it replaces; a node already in its canonical form is left
// alone, so the group reaches a fixed point.
#include <unordered_map>

#include "rewrites/arith_util.h"
#include "tgc/scalar.h"

namespace tgc::rules {

namespace {

using namespace arith;

// One of Theano's two canonizers: `main` is n-ary and associative, `inverse`
// its binary inverse, `unary` the inverse of a single operand.
struct Algebra {
  Op main, inverse, unary;
  double neutral;
};
constexpr Algebra kSum{Op::Add, Op::Sub, Op::Neg, 0.0};
constexpr Algebra kProduct{Op::Mul, Op::TrueDiv, Op::Reciprocal, 1.0};

bool in_algebra(const Algebra& a, Op op) { return op == a.main || op == a.inverse || op == a.unary; }

// The outputs an algebra rewrites: sums of any number type (integers wrap, so
// + and - stay a ring and rearranging is exact), products of floats only
// (integer true_div changes the type and integer reciprocal truncates).
bool anchors(const Algebra& a, const Var* out) {
  if (!out->type.is_tensor() || is_bool(out->type.dtype)) return false;
  return a.main == Op::Add || is_float(out->type.dtype);
}

// v's producer is merged into the expression reading it: the same algebra,
// the same dtype (it computed in the type the merged form computes in; an
// int8 sum read by an int32 one wrapped at 8 bits and stays a term), and no
// other reader (merging it would compute it twice).
bool merges(const RewriteContext& ctx, const Algebra& a, const Var* v, DType dt) {
  return v->owner && in_algebra(a, v->owner->op) && v->type.dtype == dt && ctx.n_uses(v) == 1;
}

// out will be merged by its only reader: leave the expression to be
// rewritten once, from its top (Theano's canonizer waits the same way).
bool merged_by_reader(const RewriteContext& ctx, const Algebra& a, const Var* out) {
  if (ctx.n_uses(out) != 1 || ctx.clients(out).size() != 1) return false;
  const Node* reader = ctx.clients(out)[0].node;
  if (!in_algebra(a, reader->op)) return false;
  const Var* r = reader->outputs[0];
  return anchors(a, r) && merges(ctx, a, out, r->type.dtype);
}

struct Term {
  Var* v;
  bool inv;  // subtracted (sum) or in the denominator (product)
};

// The terms of the expression rooted at n, left to right.
std::vector<Term> flatten(const RewriteContext& ctx, const Algebra& a, Node& n) {
  DType dt = n.outputs[0]->type.dtype;
  std::vector<Term> terms;
  struct Item {
    Var* v;
    bool inv, top;
  };
  std::vector<Item> stack = {{n.outputs[0], false, true}};
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    if (!it.top && !merges(ctx, a, it.v, dt)) {
      terms.push_back({it.v, it.inv});
      continue;
    }
    const Node& m = *it.v->owner;
    if (m.op == a.main) {
      for (size_t k = m.inputs.size(); k-- > 0;) stack.push_back({m.inputs[k], it.inv, false});
    } else if (m.op == a.inverse) {
      stack.push_back({m.inputs[1], !it.inv, false});
      stack.push_back({m.inputs[0], it.inv, false});
    } else {
      stack.push_back({m.inputs[0], !it.inv, false});
    }
  }
  return terms;
}

// c0 (op) c1 (op) ... of one-element constants in dtype dt (integers wrap):
// main over the direct constants, inverse by each inverted one; when every
// constant is inverted, main over all of them (it stays inverted).
Tensor fold_constants(const Algebra& a, const std::vector<Term>& cs, DType dt) {
  int rank = 0;
  bool all_inv = true;
  for (const Term& t : cs) {
    rank = std::max(rank, t.v->type.ndim());
    all_inv = all_inv && t.inv;
  }
  Tensor out(dt, Shape(size_t(rank), 1));
  visit_dtype(dt, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    if constexpr (!std::is_same_v<T, bool>) {
      auto main = [&](T x, T y) { return a.main == Op::Add ? sc::add(x, y) : sc::mul(x, y); };
      auto inverse = [&](T x, T y) {
        if constexpr (std::is_floating_point_v<T>) return a.main == Op::Add ? sc::sub(x, y) : sc::true_div(x, y);
        else return sc::sub(x, y);  // products are folded for floats only
      };
      T acc = T(a.neutral);
      for (const Term& t : cs) {
        T c = t.v->constant_tensor()->astype(dt).template data<T>()[0];
        acc = (t.inv && !all_inv) ? inverse(acc, c) : main(acc, c);
      }
      out.data<T>()[0] = acc;
    }
  });
  return out;
}

bool is_neutral(const Algebra& a, const Tensor& t) { return t.size() == 1 && t.get_f64(0) == a.neutral; }

// v computes exactly the group g: the term itself, or main(g...) in that order.
bool computes_group(const Algebra& a, const Var* v, const std::vector<Var*>& g) {
  if (g.size() == 1) return v == g[0];
  return v->owner && v->owner->op == a.main && v->owner->inputs == g;
}

// The common case decided without building the terms: main(x, y, ...)
// none of whose operands merges into it, with at most one one-element
// constant, not the neutral one, and operands that promote to the result's
// dtype, is what canonicalize would build again (and then leave alone).
bool already_canonical(const RewriteContext& ctx, const Algebra& a, const Node& n, DType dt) {
  if (n.op != a.main || n.inputs.size() < 2) return false;
  int n_consts = 0;
  for (const Var* in : n.inputs) {
    if (merges(ctx, a, in, dt)) return false;
    if (const Tensor* c = size1_constant(in)) {
      if (++n_consts > 1 || is_neutral(a, *c)) return false;
    }
  }
  return promoted(n.inputs) == dt;
}

// Theano's Canonizer: flatten the expression into terms, cancel a term that
// appears both directly and inverted, fold one-element constants into one,
// drop the neutral constant, and rebuild main(pos...) inverse main(neg...).
std::optional<std::vector<Var*>> canonicalize(RewriteContext& ctx, Node& n, const Algebra& a) {
  if (!in_algebra(a, n.op) || n.outputs.size() != 1) return std::nullopt;
  Var* out = n.outputs[0];
  if (!anchors(a, out) || merged_by_reader(ctx, a, out)) return std::nullopt;
  DType dt = out->type.dtype;
  if (already_canonical(ctx, a, n, dt)) return std::nullopt;
  std::vector<Term> terms = flatten(ctx, a, n);
  std::vector<bool> gone(terms.size(), false);
  std::vector<Var*> removed;  // terms no longer read; the shape they gave may need a fill

  // x (op) ... (inverse) x: both go (x - x -> 0, x / x -> 1).
  std::unordered_map<const Var*, std::vector<size_t>> inverted;
  for (size_t i = terms.size(); i-- > 0;)
    if (terms[i].inv) inverted[terms[i].v].push_back(i);
  for (size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].inv) continue;
    auto it = inverted.find(terms[i].v);
    if (it == inverted.end() || it->second.empty()) continue;
    gone[i] = gone[it->second.back()] = true;
    it->second.pop_back();
    removed.push_back(terms[i].v);
  }

  // One-element constants: two or more fold into one; a neutral one goes.
  std::vector<Term> consts;
  std::vector<size_t> const_at;
  for (size_t i = 0; i < terms.size(); ++i)
    if (!gone[i] && size1_constant(terms[i].v)) {
      consts.push_back(terms[i]);
      const_at.push_back(i);
    }
  std::optional<Term> folded;
  if (consts.size() >= 2) {
    Tensor value = fold_constants(a, consts, dt);
    for (size_t i : const_at) {
      gone[i] = true;
      removed.push_back(terms[i].v);
    }
    if (!is_neutral(a, value)) {
      bool all_inv = std::all_of(consts.begin(), consts.end(), [](const Term& t) { return t.inv; });
      Var* c = ctx.graph.new_constant("constant", std::move(value));
      c->set_path(n.path);
      folded = Term{c, all_inv};
    }
  } else if (consts.size() == 1 && is_neutral(a, *size1_constant(consts[0].v))) {
    gone[const_at[0]] = true;
    removed.push_back(consts[0].v);
  }

  std::vector<Var*> pos, neg;
  for (size_t i = 0; i < terms.size(); ++i)
    if (!gone[i]) (terms[i].inv ? neg : pos).push_back(terms[i].v);
  if (folded) (folded->inv ? neg : pos).push_back(folded->v);

  // The form computes in dt: an n-ary group whose terms promote to less
  // (its widest term cancelled, say) and every term when the whole would
  // come out in another type (x_int32 + y_float64 - y_float64) are cast first.
  DType whole = dt;
  if (!pos.empty() && !neg.empty()) {
    DType p = promote(promoted(pos), promoted(neg));
    whole = a.main == Op::Add ? p : true_div_type(p);
  } else if (!pos.empty() || !neg.empty()) {
    whole = promoted(pos.empty() ? neg : pos);
  }
  bool cast_all = whole != dt;
  auto needs_cast = [&](const std::vector<Var*>& g) { return cast_all || (g.size() >= 2 && promoted(g) != dt); };
  bool casts = (!pos.empty() && needs_cast(pos)) || (!neg.empty() && needs_cast(neg));

  // Already canonical: nothing to do (this is what makes the group terminate).
  if (!casts && !folded) {
    if (neg.empty() && pos.size() >= 2 && n.op == a.main && n.inputs == pos) return std::nullopt;
    if (pos.empty() && !neg.empty() && n.op == a.unary && computes_group(a, n.inputs[0], neg)) return std::nullopt;
    if (!pos.empty() && !neg.empty() && n.op == a.inverse && computes_group(a, n.inputs[0], pos) &&
        computes_group(a, n.inputs[1], neg))
      return std::nullopt;
  }

  Builder b = ctx.builder(n);
  auto group = [&](std::vector<Var*> g) {
    if (needs_cast(g)) g = cast_each(b, g, dt);
    return g.size() == 1 ? g[0] : b.op(a.main, g);
  };
  Var* r;
  if (!pos.empty() && !neg.empty()) r = b.op(a.inverse, {group(pos), group(neg)});
  else if (!pos.empty()) r = group(pos);
  else if (!neg.empty()) r = b.op(a.unary, {group(neg)});
  else r = b.scalar(a.neutral, dt);
  r = fill_to(b, b.cast(r, dt), out, removed);
  return std::vector<Var*>{r};
}

// A constant operand's repeated value (constant elimination looks at
// constants only, not at zeros_like and the like).
std::optional<double> constant_value(const Var* v) {
  return v->is_constant() ? uniform_value(v) : std::nullopt;
}

// r has out's dtype and exactly its static shape.
bool same_type(const Var* r, const Var* out) { return r->type == out->type; }

}  // namespace

// (a + b + ...) - (z + x + ...): nested add/sub/neg flattened, constants
// folded into one, terms present with both signs cancelled (x + y - x -> y;
// for floats this also turns inf - inf = NaN into y, as Theano does)
std::optional<std::vector<Var*>> add_canonicalize(RewriteContext& ctx, Node& n) { return canonicalize(ctx, n, kSum); }

// (a * b * ...) / (z * x * ...) for floats: nested mul/true_div/reciprocal
// flattened, constants folded, common factors cancelled (x * y / x -> y; wrong
// where x is 0, inf or NaN, which Theano accepts, and so does this rule)
std::optional<std::vector<Var*>> mul_canonicalize(RewriteContext& ctx, Node& n) {
  return canonicalize(ctx, n, kProduct);
}

// -(-x) -> x
std::optional<std::vector<Var*>> neg_neg(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Neg) return std::nullopt;
  const Node* inner = n.inputs[0]->owner;
  if (!inner || inner->op != Op::Neg) return std::nullopt;
  return std::vector<Var*>{inner->inputs[0]};
}

// (-x) / (-y) -> x / y and -((-x) / y) -> x / y, for float x and y (integer
// negation wraps at the most negative value, so it is not exact there)
std::optional<std::vector<Var*>> neg_div_neg(RewriteContext& ctx, Node& n) {
  auto negated_float = [](const Var* v) -> Var* {
    const Node* m = v->owner;
    return m && m->op == Op::Neg && is_float_tensor(m->inputs[0]) ? m->inputs[0] : nullptr;
  };
  if (n.op == Op::TrueDiv) {
    Var* x = negated_float(n.inputs[0]);
    Var* y = negated_float(n.inputs[1]);
    if (!x || !y) return std::nullopt;
    return std::vector<Var*>{ctx.builder(n).div(x, y)};
  }
  if (n.op == Op::Neg) {
    Var* q = n.inputs[0];
    const Node* d = q->owner;
    if (!d || d->op != Op::TrueDiv || ctx.n_uses(q) != 1) return std::nullopt;
    Var* x = negated_float(d->inputs[0]);
    if (!x) return std::nullopt;
    return std::vector<Var*>{ctx.builder(n).div(x, d->inputs[1])};
  }
  return std::nullopt;
}

// pow(x, 1) -> x, x * 1 -> x, x + 0 -> x, x - 0 -> x, x / 1 -> x, 0 - x -> -x,
// only where what is left has the output's dtype and static shape (x * 1.0
// of an int x is float64; x * ones((3, 4)) of a vector x broadcasts)
std::optional<std::vector<Var*>> constant_elimination(RewriteContext& ctx, Node& n) {
  if (n.outputs.size() != 1 || !n.outputs[0]->type.is_tensor()) return std::nullopt;
  Var* out = n.outputs[0];
  auto is = [](const Var* v, double x) {
    std::optional<double> c = constant_value(v);
    return c && *c == x;
  };
  switch (n.op) {
    case Op::Add:
    case Op::Mul: {
      double neutral = n.op == Op::Add ? 0.0 : 1.0;
      if (std::none_of(n.inputs.begin(), n.inputs.end(), [&](const Var* v) { return is(v, neutral); }))
        return std::nullopt;
      std::vector<Var*> kept;
      for (Var* v : n.inputs)
        if (!is(v, neutral)) kept.push_back(v);
      if (kept.size() == n.inputs.size() || kept.empty()) return std::nullopt;
      if (promoted(kept) != out->type.dtype || broadcast_shape(kept) != out->type.shape) return std::nullopt;
      return std::vector<Var*>{kept.size() == 1 ? kept[0] : ctx.builder(n).op(n.op, kept)};
    }
    case Op::Sub:
      if (is(n.inputs[1], 0.0) && same_type(n.inputs[0], out)) return std::vector<Var*>{n.inputs[0]};
      if (is(n.inputs[0], 0.0) && same_type(n.inputs[1], out))
        return std::vector<Var*>{ctx.builder(n).neg(n.inputs[1])};
      return std::nullopt;
    case Op::TrueDiv:
    case Op::Pow:
      if (is(n.inputs[1], 1.0) && same_type(n.inputs[0], out)) return std::vector<Var*>{n.inputs[0]};
      return std::nullopt;
    default: return std::nullopt;
  }
}

}  // namespace tgc::rules
