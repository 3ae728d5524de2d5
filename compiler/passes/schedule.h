// Scheduling of one scope: the order nodes run in, and the lazy regions of
// ifelse (Theano's IfElse under the cvm linker).
//
// Assumes: `roots` are variables of one scope; the graph is acyclic.
// Guarantees: every node reachable from the roots is placed exactly once, in
// a topological order that is deterministic for a given graph; a node lies
// in the then/else region of an ifelse exactly when every path from it to a
// root passes through that branch of that ifelse (so a node needed by both
// branches, or by anything else, runs once outside them).
#pragma once
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tgc {

struct Schedule {
  struct Region {
    int parent = -1;          // -1 for the root region
    Node* ifelse = nullptr;   // the ifelse this region is a branch of
    bool then_branch = false;
    int depth = 0;
    std::vector<Node*> nodes;  // in order
  };
  std::vector<Region> regions;  // regions[0] is the root
  std::unordered_map<const Node*, std::pair<int, int>> branches;  // ifelse -> (then, else) regions
  // Every node in emission order: a region's nodes are emitted where its
  // ifelse is, so this is the order the generated code runs them in.
  std::vector<Node*> order;
  const Graph* scope = nullptr;  // the graph of the roots
  // The variables without a producer (inputs, shared variables, constants,
  // body parameters) that scheduled nodes read, each once, in no particular
  // order: found as the walk reads every input, so that code generation
  // does not read every node's inputs again to bind them.
  std::vector<const Var*> leaves;

  // The index in `order` of a scheduled node, -1 for any other node.
  int position(const Node* n) const {
    size_t id = size_t(n->id);
    if (id >= position_by_id.size()) return -1;
    int p = position_by_id[id];
    return p >= 0 && size_t(p) < order.size() && order[size_t(p)] == n ? p : -1;  // ids repeat across scopes
  }
  // The region of a scheduled node, -1 for any other node.
  int region_of(const Node* n) const {
    int p = position(n);
    return p < 0 ? -1 : region_at[size_t(p)];
  }

  // By node id (the nodes of one scope have distinct ids): a table, not a
  // hash map, for the lookups of every node.
  std::vector<int> position_by_id;
  std::vector<int> region_at;  // by position in `order`
};

Schedule schedule_scope(const std::vector<Var*>& roots);

}  // namespace tgc
