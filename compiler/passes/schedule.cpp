#include "passes/schedule.h"

#include <algorithm>

namespace tgc {

namespace {

// Lowest common ancestor of two regions in the region tree.
int meet(const Schedule& s, int a, int b) {
  if (a < 0) return b;
  if (b < 0) return a;
  while (s.regions[size_t(a)].depth > s.regions[size_t(b)].depth) a = s.regions[size_t(a)].parent;
  while (s.regions[size_t(b)].depth > s.regions[size_t(a)].depth) b = s.regions[size_t(b)].parent;
  while (a != b) {
    a = s.regions[size_t(a)].parent;
    b = s.regions[size_t(b)].parent;
  }
  return a;
}

int new_region(Schedule& s, int parent, Node* ifelse, bool then_branch) {
  Schedule::Region r;
  r.parent = parent;
  r.ifelse = ifelse;
  r.then_branch = then_branch;
  r.depth = s.regions[size_t(parent)].depth + 1;
  s.regions.push_back(r);
  return int(s.regions.size()) - 1;
}

void emit_region(Schedule& s, const std::vector<Node*>& topo, int r) {
  for (Node* n : s.regions[size_t(r)].nodes) {
    if (n->op == Op::IfElse) {
      auto [t, e] = s.branches.at(n);
      emit_region(s, topo, t);
      emit_region(s, topo, e);
    }
    s.position_by_id[size_t(n->id)] = int(s.order.size());
    s.order.push_back(n);
  }
}

}  // namespace

Schedule schedule_scope(const std::vector<Var*>& roots) {
  Schedule s;
  s.regions.push_back(Schedule::Region{});
  for (const Var* r : roots)
    if (r && !s.scope) s.scope = r->scope;
  std::vector<Node*> topo = topo_order(roots);
  // The nodes of one scope have distinct ids: tables by id, not hash maps.
  int max_id = -1;
  for (Node* n : topo) max_id = std::max(max_id, n->id);
  s.node_by_id.assign(size_t(max_id + 1), nullptr);
  for (Node* n : topo) s.node_by_id[size_t(n->id)] = n;
  s.region_by_id.assign(size_t(max_id + 1), -1);
  s.position_by_id.assign(size_t(max_id + 1), -1);
  auto in_topo = [&](const Node* p) { return p->id <= max_id && s.node_by_id[size_t(p->id)] == p; };

  // Demanded region of each node: the meet of the regions its uses need
  // (-1: no use seen yet).
  std::vector<int> need(size_t(max_id + 1), -1);
  for (Var* r : roots)
    if (r && r->owner && in_topo(r->owner)) need[size_t(r->owner->id)] = 0;
  for (size_t i = topo.size(); i-- > 0;) {
    Node* n = topo[i];
    int reg = need[size_t(n->id)];
    if (reg < 0) continue;  // unreachable from the roots (cannot happen)
    s.region_by_id[size_t(n->id)] = reg;
    s.regions[size_t(reg)].nodes.push_back(n);
    size_t m = n->op == Op::IfElse ? size_t(n->attrs->n_branch) : 0;
    int then_r = -1, else_r = -1;
    if (n->op == Op::IfElse) {
      then_r = new_region(s, reg, n, true);
      else_r = new_region(s, reg, n, false);
      s.branches[n] = {then_r, else_r};
    }
    for (size_t k = 0; k < n->inputs.size(); ++k) {
      Node* p = n->inputs[k]->owner;
      if (!p || !in_topo(p)) continue;
      int use = reg;
      if (n->op == Op::IfElse && k >= 1) use = k <= m ? then_r : else_r;
      int& have = need[size_t(p->id)];
      have = have < 0 ? use : meet(s, have, use);
    }
  }
  // Regions were filled in reverse topological order; restore the order.
  for (auto& r : s.regions) std::reverse(r.nodes.begin(), r.nodes.end());
  emit_region(s, topo, 0);
  return s;
}

}  // namespace tgc
