// Linear-algebra rewrites: dot22, sparse_dot and gemm (which also produces
// gemv and ger), as Theano's BLAS optimizations do.
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

bool is_matrix(const Var* v) { return v->type.is_tensor() && v->type.ndim() == 2; }
bool is_vector(const Var* v) { return v->type.is_tensor() && v->type.ndim() == 1; }
bool is_scalar(const Var* v) { return v->type.is_tensor() && v->type.ndim() == 0; }

// A term of a sum: sign * scale * core, scale a scalar or null (1).
struct Term {
  int sign = 1;
  Var* scale = nullptr;
  Var* core = nullptr;
};

Term split_scale(Var* v, int sign) {
  Node* m = v->owner;
  if (m && m->op == Op::Mul && m->inputs.size() == 2) {
    if (is_scalar(m->inputs[0]) && !is_scalar(m->inputs[1])) return {sign, m->inputs[0], m->inputs[1]};
    if (is_scalar(m->inputs[1]) && !is_scalar(m->inputs[0])) return {sign, m->inputs[1], m->inputs[0]};
  }
  return {sign, nullptr, v};
}

// The scalar sign * scale in dtype dt.
Var* coefficient(Builder& b, const Term& t, DType dt) {
  if (!t.scale) return b.scalar(t.sign, dt);
  Var* s = b.cast(t.scale, dt);
  return t.sign < 0 ? b.neg(s) : s;
}

// A product gemm/gemv/ger can absorb: dot(matrix, matrix), dot(matrix, vector),
// dot(vector, matrix), outer(vector, vector), read only by this sum.
enum class Kind { None, Gemm, GemvRight, GemvLeft, Ger };

Kind product_kind(RewriteContext& ctx, const Var* core, DType dt) {
  Node* d = core->owner;
  if (!d || core->type.dtype != dt || ctx.n_uses(core) != 1) return Kind::None;
  for (const Var* in : d->inputs)
    if (in->type.dtype != dt) return Kind::None;
  if ((d->op == Op::Dot || d->op == Op::Dot22) && is_matrix(d->inputs[0]) && is_matrix(d->inputs[1])) return Kind::Gemm;
  if (d->op == Op::Dot && is_matrix(d->inputs[0]) && is_vector(d->inputs[1])) return Kind::GemvRight;
  if (d->op == Op::Dot && is_vector(d->inputs[0]) && is_matrix(d->inputs[1])) return Kind::GemvLeft;
  if (d->op == Op::Outer && is_vector(d->inputs[0]) && is_vector(d->inputs[1])) return Kind::Ger;
  return Kind::None;
}

// z can be the accumulator: same dtype and full shape (no broadcasting).
bool fits_z(const Var* z, const Var* out) {
  if (z->type.dtype != out->type.dtype || z->type.ndim() != out->type.ndim()) return false;
  for (int d = 0; d < z->type.ndim(); ++d)
    if (z->type.broadcastable(d) && !out->type.broadcastable(d)) return false;
  return true;
}

}  // namespace

// dot(a, b) -> dot22(a, b) for two matrices
std::optional<std::vector<Var*>> dot22(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Dot || !is_matrix(n.inputs[0]) || !is_matrix(n.inputs[1])) return std::nullopt;
  return std::vector<Var*>{ctx.builder(n).op(Op::Dot22, {n.inputs[0], n.inputs[1]})};
}

// dot(to_dense(S), D) -> sparse_dot(S, D)
std::optional<std::vector<Var*>> sparse_dot(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Dot) return std::nullopt;
  Node* td = n.inputs[0]->owner;
  if (!td || td->op != Op::ToDense || n.inputs[1]->type.ndim() < 1) return std::nullopt;
  Var* r = ctx.builder(n).op(Op::SparseDot, {td->inputs[0], n.inputs[1]});
  if (r->type.dtype != n.outputs[0]->type.dtype) return std::nullopt;
  return std::vector<Var*>{r};
}

// beta * z + alpha * dot(x, y) -> gemm(z, alpha, x, y, beta); with a vector z,
// gemv; z + alpha * outer(x, y) -> ger(z, alpha, x, y)
std::optional<std::vector<Var*>> gemm(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Add && n.op != Op::Sub) return std::nullopt;
  Var* out = n.outputs[0];
  DType dt = out->type.dtype;
  if (!is_float(dt) || out->type.ndim() < 1 || out->type.ndim() > 2) return std::nullopt;
  std::vector<Term> terms;
  for (size_t k = 0; k < n.inputs.size(); ++k) terms.push_back(split_scale(n.inputs[k], n.op == Op::Sub && k == 1 ? -1 : 1));
  for (size_t p = 0; p < terms.size(); ++p) {
    Kind kind = product_kind(ctx, terms[p].core, dt);
    if (kind == Kind::None) continue;
    if ((kind == Kind::Gemm || kind == Kind::Ger) != (out->type.ndim() == 2)) continue;
    for (size_t q = 0; q < terms.size(); ++q) {
      if (q == p || !fits_z(terms[q].core, out)) continue;
      if (kind == Kind::Ger && (terms[q].scale || terms[q].sign < 0)) continue;  // ger has no beta
      Builder b = ctx.builder(n);
      Node* d = terms[p].core->owner;
      Var* alpha = coefficient(b, terms[p], dt);
      Var* beta = coefficient(b, terms[q], dt);
      Var* z = terms[q].core;
      Var* r = nullptr;
      switch (kind) {
        case Kind::Gemm: r = b.op(Op::Gemm, {z, alpha, d->inputs[0], d->inputs[1], beta}); break;
        case Kind::GemvRight: r = b.op(Op::Gemv, {z, alpha, d->inputs[0], d->inputs[1], beta}); break;
        case Kind::GemvLeft: r = b.op(Op::Gemv, {z, alpha, b.transpose(d->inputs[1]), d->inputs[0], beta}); break;
        case Kind::Ger: r = b.op(Op::Ger, {z, alpha, d->inputs[0], d->inputs[1]}); break;
        case Kind::None: break;
      }
      // The other terms are added back.
      for (size_t k = 0; k < terms.size(); ++k) {
        if (k == p || k == q) continue;
        r = terms[k].sign < 0 ? b.sub(r, n.inputs[k]) : b.add(r, n.inputs[k]);
      }
      if (r->type.dtype != dt) return std::nullopt;
      return std::vector<Var*>{r};
    }
  }
  return std::nullopt;
}

}  // namespace tgc::rules
