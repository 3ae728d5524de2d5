// A topological walk that hands each node to the caller as it is placed.
//
// topo_order() collects the walk into a vector; a pass that then loops over
// that vector reads every node a second time. For a graph larger than the
// processor's cache (a 20,000-node graph's node and variable lines take
// about 1.6 MB, against a 1 MiB L2) the second loop fetches every line from
// farther away again. A pass whose per-node work needs only the node's
// producers to be placed before it (use lists, reader counts, marks) does
// that work in the walk's callback instead, while the node and the
// variables it reads are still in the nearest cache.
#pragma once
#include <utility>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"

namespace tgc {

// Calls visit(Node*) once for every node reachable from `roots`, each after
// the producers of all its inputs (iterative DFS post-order over producers,
// so deep graphs cannot overflow the stack), in the order topo_order gives.
// Throws graph_error on a cycle. Marks nodes with a fresh epoch: `visit`
// may walk another scope (a scan body's nodes are not this walk's), never
// this walk's nodes.
//
// An input whose owner is placed costs one line, the variable's: a placed
// owner marks its outputs (Var::placed_epoch), so the owner's line is
// fetched to visit it, not again by each later reader to see that it is
// done (in a graph larger than the L2, a miss for each far reader).
template <class Visit>
void topo_walk(const std::vector<Var*>& roots, Visit&& visit) {
  const uint32_t epoch = new_visit_epoch();
  auto state = [&](const Node* n) -> uint8_t { return n->visit_epoch == epoch ? n->visit_state : 0; };
  auto mark = [&](const Node* n, uint8_t s) {
    n->visit_epoch = epoch;
    n->visit_state = s;
  };
  std::vector<std::pair<Node*, size_t>> stack;
  for (Var* r : roots) {
    if (!r || !r->owner || r->placed_epoch == epoch || state(r->owner) == 2) continue;
    stack.push_back({r->owner, 0});
    mark(r->owner, 1);
    while (!stack.empty()) {
      auto& [n, k] = stack.back();
      if (k < n->inputs.size()) {
        Var* in = n->inputs[k++];
        if (!in || !in->owner || in->placed_epoch == epoch) continue;
        Node* p = in->owner;
        uint8_t ps = state(p);
        if (ps == 1) throw graph_error(n->path, "the graph has a cycle through this node");
        if (ps == 0) {
          mark(p, 1);
          stack.push_back({p, 0});
        }
      } else {
        Node* done = n;
        mark(done, 2);
        for (const Var* o : done->outputs) o->placed_epoch = epoch;
        stack.pop_back();
        visit(done);
      }
    }
  }
}

}  // namespace tgc
