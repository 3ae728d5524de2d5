#include "passes/schedule.h"

#include <algorithm>

#include "ir/topo_walk.h"

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

// Appends region r's nodes to the order, each branch region where its ifelse
// is. `index` holds each node's topological index, which it overwrites with
// the node's position in the order.
void emit_region(Schedule& s, const std::vector<int>& region_by_topo, int r) {
  std::vector<int>& index = s.position_by_id;
  for (Node* n : s.regions[size_t(r)].nodes) {
    if (n->op == Op::IfElse) {
      auto [t, e] = s.branches.at(n);
      emit_region(s, region_by_topo, t);
      emit_region(s, region_by_topo, e);
    }
    int& at = index[size_t(n->id)];
    s.region_at.push_back(region_by_topo[size_t(at)]);
    at = int(s.order.size());
    s.order.push_back(n);
  }
}

}  // namespace

Schedule schedule_scope(const std::vector<Var*>& roots) {
  Schedule s;
  s.regions.push_back(Schedule::Region{});
  for (const Var* r : roots)
    if (r && !s.scope) s.scope = r->scope;
  // The nodes of one scope have distinct ids: a table by id, not a hash map,
  // gives each node's index in `topo` (emit_region turns it into the
  // node's position in the order), filled as the walk places each node.
  std::vector<Node*> topo;
  std::vector<int>& index = s.position_by_id;
  if (s.scope) index.assign(size_t(s.scope->id_bound()), -1);
  int max_id = -1;
  topo_walk(roots, [&](Node* n) {
    if (size_t(n->id) >= index.size()) index.resize(size_t(n->id) + 1, -1);
    index[size_t(n->id)] = int(topo.size());
    topo.push_back(n);
    max_id = std::max(max_id, n->id);
    for (const Var* in : n->inputs)
      if (in && !in->owner) s.leaves.push_back(in);
  });
  index.resize(size_t(max_id + 1));
  std::sort(s.leaves.begin(), s.leaves.end());
  s.leaves.erase(std::unique(s.leaves.begin(), s.leaves.end()), s.leaves.end());
  // Without an ifelse every node is in the root region and the order is the
  // walk's: the two passes below would only copy it (at 20,000 nodes each
  // pass fetches every node's line again, from beyond the L2).
  if (s.scope && !s.scope->has_op(Op::IfElse)) {
    s.regions[0].nodes = topo;
    s.region_at.assign(topo.size(), 0);
    s.order = std::move(topo);
    return s;
  }
  auto topo_index = [&](const Node* p) {
    if (p->id > max_id) return -1;
    int i = index[size_t(p->id)];
    return i >= 0 && topo[size_t(i)] == p ? i : -1;  // ids repeat across scopes
  };

  // Demanded region of each node (by topological index): the meet of the
  // regions its uses need (-1: no use seen yet).
  std::vector<int> need(topo.size(), -1);
  for (Var* r : roots)
    if (r && r->owner && topo_index(r->owner) >= 0) need[size_t(topo_index(r->owner))] = 0;
  for (size_t i = topo.size(); i-- > 0;) {
    Node* n = topo[i];
    int reg = need[i];
    if (reg < 0) continue;  // unreachable from the roots (cannot happen)
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
      int j = p ? topo_index(p) : -1;
      if (j < 0) continue;
      int use = reg;
      if (n->op == Op::IfElse && k >= 1) use = k <= m ? then_r : else_r;
      int& have = need[size_t(j)];
      have = have < 0 ? use : meet(s, have, use);
    }
  }
  // Regions were filled in reverse topological order; restore the order.
  for (auto& r : s.regions) std::reverse(r.nodes.begin(), r.nodes.end());
  emit_region(s, need, 0);  // need[i]: the region node i was placed in
  return s;
}

}  // namespace tgc
