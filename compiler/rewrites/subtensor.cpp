// Subtensor rewrites: inc_subtensor_serialize (Theano's
// local_IncSubtensor_serialize). A gradient through several indexings of one
// tensor is a sum of increments of full-size tensors; rewritten as one chain
// of increments on the sum of their bases, each increment can later write in
// place instead of every one producing a tensor of its own.
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// The same dtype, rank and broadcastable dimensions.
bool same_pattern(const Type& a, const Type& b) {
  if (a.dtype != b.dtype || a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d)
    if (a.broadcastable(d) != b.broadcastable(d)) return false;
  return true;
}

}  // namespace

// add(inc(a, b, i), inc(a2, c, j), e) -> inc(inc(add(e, a, a2), b, i), c, j)
std::optional<std::vector<Var*>> inc_subtensor_serialize(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Add) return std::nullopt;
  const Var* out = n.outputs[0];
  // An increment (not a set) read only by this sum, of the sum's own type, so
  // that the chain computes in the same dtype and has the same shape.
  auto movable = [&](const Var* v) {
    const Node* m = v->owner;
    return m && (m->op == Op::IncSubtensor || m->op == Op::AdvIncSubtensor1) && v->index == 0 &&
           m->inputs[0]->weak == WeakKind::None && same_pattern(v->type, out->type) && ctx.n_uses(v) == 1;
  };
  std::vector<Var*> terms;
  std::vector<Node*> incs;
  for (Var* v : n.inputs) {
    if (movable(v)) incs.push_back(v->owner);
    else terms.push_back(v);
  }
  if (incs.empty()) return std::nullopt;
  for (Node* m : incs) terms.push_back(m->inputs[0]);
  Builder b = ctx.builder(n);
  Var* tip = terms.size() == 1 ? terms[0] : b.op(Op::Add, terms);
  for (Node* m : incs) {
    std::vector<Var*> ins = m->inputs;
    ins[0] = tip;
    tip = b.op(m->op, ins, m->attrs);
  }
  return std::vector<Var*>{tip};
}

}  // namespace tgc::rules
