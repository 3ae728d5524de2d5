#include "grad/backprop.h"

#include <algorithm>

#include "ir/error.h"
#include "passes/schedule.h"

namespace tgc {

std::unordered_set<const Var*> depending_on(const std::vector<Var*>& roots, const std::vector<const Var*>& sources) {
  std::unordered_set<const Var*> dep(sources.begin(), sources.end());
  for (const Node* n : topo_order(roots)) {
    bool any = false;
    for (const Var* in : n->inputs) any = any || dep.count(in);
    if (any)
      for (const Var* o : n->outputs) dep.insert(o);
  }
  return dep;
}

void accumulate(Builder& b, std::unordered_map<const Var*, Var*>& grads, const Var* v, Var* g) {
  if (!g || !differentiable(v)) return;
  g = b.cast_like(g, v);
  auto it = grads.find(v);
  if (it == grads.end()) grads[v] = g;
  else it->second = b.add(it->second, g);
}

std::vector<Var*> grad_rule(Backprop& bp, Builder& b, const Node& n, const std::vector<Var*>& gout) {
  switch (op_info(n.op).family) {
    case OpFamily::Elemwise:
    case OpFamily::Cast: return grad_elemwise(b, n, gout[0]);
    case OpFamily::Shape: return grad_shape(b, n, gout[0]);
    case OpFamily::Index: return grad_index(b, n, gout[0]);
    case OpFamily::Reduce: return grad_reduce(b, n, gout[0]);
    case OpFamily::Linalg:
    case OpFamily::Sparse: return grad_linalg(b, n, gout[0]);
    case OpFamily::Neural: return grad_neural(b, n, gout[0]);
    case OpFamily::Check: {  // assert(x, conds) passes x's gradient through
      std::vector<Var*> r(n.inputs.size(), nullptr);
      r[0] = gout[0];
      return r;
    }
    case OpFamily::Random: return std::vector<Var*>(n.inputs.size(), nullptr);  // draws are not differentiable
    case OpFamily::Control:
      if (n.op == Op::Scan) return grad_scan(bp, n, gout);
      break;
    case OpFamily::Grad:
    case OpFamily::Fused: break;  // fusion runs after gradients are expanded
  }
  throw internal_error("grad: no rule for " + std::string(op_name(n.op)) + " at " + n.path);
}

std::unordered_map<const Var*, Var*> Backprop::run(const std::vector<std::pair<Var*, Var*>>& seeds) {
  std::vector<Var*> roots;
  std::unordered_map<const Var*, Var*> grads;
  Builder b(bwd_, path_);
  for (auto& [v, g] : seeds) {
    roots.push_back(v);
    accumulate(b, grads, v, g);
  }
  Schedule s = schedule_scope(roots);
  process_region(s, 0, grads);
  return grads;
}

void Backprop::process_region(const Schedule& s, int region, std::unordered_map<const Var*, Var*>& grads) {
  const auto& nodes = s.regions[size_t(region)].nodes;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    const Node& n = **it;
    std::vector<Var*> gout;
    bool any = false;
    for (Var* o : n.outputs) {
      auto g = grads.find(o);
      Var* gv = (g == grads.end() || stop.count(o)) ? nullptr : g->second;
      gout.push_back(gv);
      any = any || gv;
    }
    if (!any) continue;
    bool wanted = false;
    for (const Var* in : n.inputs) wanted = wanted || needs(in);
    if (!wanted) continue;
    if (n.op == Op::IfElse) {
      differentiate_ifelse(s, n, grads);
      continue;
    }
    Builder b(bwd_, n.path);
    std::vector<Var*> gin = grad_rule(*this, b, n, gout);
    for (size_t k = 0; k < n.inputs.size() && k < gin.size(); ++k)
      if (needs(n.inputs[k])) accumulate(b, grads, n.inputs[k], gin[k]);
  }
}

// The gradient of ifelse(c, then..., else...): each branch's exclusive nodes
// are differentiated on their own, and what leaves the branch (gradients of
// values computed outside it) is selected by a new ifelse on the same
// condition, zero for the branch not taken. The scheduler then places each
// branch's gradient nodes inside the new ifelse's branch.
void Backprop::differentiate_ifelse(const Schedule& s, const Node& n, std::unordered_map<const Var*, Var*>& grads) {
  size_t m = size_t(n.attrs->n_branch);
  auto [then_r, else_r] = s.branches.at(&n);
  Builder b(bwd_, n.path);
  std::unordered_map<const Var*, Var*> local[2];
  for (int side = 0; side < 2; ++side) {
    for (size_t k = 0; k < m; ++k) {
      auto g = grads.find(n.outputs[k]);
      if (g == grads.end()) continue;
      accumulate(b, local[side], n.inputs[1 + side * m + k], g->second);
    }
    process_region(s, side == 0 ? then_r : else_r, local[side]);
  }
  // Values whose gradients leave a branch: produced outside both branch regions.
  auto inside = [&](const Var* v, int r) {
    if (!v->owner) return false;
    for (int q = s.region_of(v->owner); q >= 0; q = s.regions[size_t(q)].parent)
      if (q == r) return true;
    return false;
  };
  std::vector<const Var*> frontier;
  for (int side = 0; side < 2; ++side)
    for (auto& [v, g] : local[side])
      if (needs(v) && !inside(v, then_r) && !inside(v, else_r) &&
          std::find(frontier.begin(), frontier.end(), v) == frontier.end())
        frontier.push_back(v);
  if (frontier.empty()) return;
  std::sort(frontier.begin(), frontier.end(), [](const Var* a, const Var* c) { return a->id < c->id; });
  std::vector<Var*> ins = {n.inputs[0]};
  for (int side = 0; side < 2; ++side)
    for (const Var* v : frontier) {
      auto it = local[side].find(v);
      ins.push_back(it != local[side].end() ? it->second : b.zeros_like(const_cast<Var*>(v)));
    }
  Attrs a;
  a.n_branch = int(frontier.size());
  std::vector<Var*> outs = b.op_n(Op::IfElse, ins, a);
  for (size_t k = 0; k < frontier.size(); ++k) accumulate(b, grads, frontier[k], outs[k]);
}

}  // namespace tgc
