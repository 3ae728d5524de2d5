#include "passes/memory_plan.h"

#include <algorithm>
#include <climits>
#include <queue>
#include <set>

namespace tgc {

namespace {

// Variables whose values need storage of their own in a slot.
bool needs_slot(const Var* v, const ViewInfo& views) {
  return v->kind == VarKind::NodeOutput && v->type.is_tensor() && !views.is_view(v);
}

}  // namespace

void plan_scope_memory(const Schedule& s, ViewInfo& views, const std::vector<Var*>& live_out, MemoryPlan& plan) {
  // Last position at which each value is read (views read their bases); -1:
  // not read. By id for the scope's own variables.
  VarTable<int> last(s.scope, -1);
  auto touch = [&](const Var* v, int pos) {
    if (!views.bases.count(v)) {  // not a view: the common case, no walk
      int& l = last[v];
      l = std::max(l, pos);
      return;
    }
    // A view extends the life of every base it may read, transitively.
    std::vector<const Var*> stack = {v};
    std::set<const Var*> seen;
    while (!stack.empty()) {
      const Var* x = stack.back();
      stack.pop_back();
      if (!seen.insert(x).second) continue;
      int& l = last[x];
      l = std::max(l, pos);
      auto it = views.bases.find(x);
      if (it != views.bases.end())
        for (const Var* b : it->second) stack.push_back(b);
    }
  };
  // The values that need a slot, in the order they are defined, with where
  // their last read and their slot are kept (references into the tables,
  // which do not move): the assignment below reads this array, not every
  // node and variable again.
  struct Def {
    int pos;  // the defining node's position in the schedule
    const int* last;
    int* slot;
  };
  std::vector<Def> defs;
  for (size_t i = 0; i < s.order.size(); ++i) {
    const Node* n = s.order[i];
    int pos = int(i);  // the node's position in the schedule
    analyze_node_views(*n, views);  // its inputs' producers came before it
    for (const Var* in : n->inputs) touch(in, pos);
    for (const Var* out : n->outputs) {
      touch(out, pos);  // defined here, even if never read
      if (needs_slot(out, views)) defs.push_back({pos, &last[out], &plan.slot[out]});
    }
  }
  for (const Var* v : live_out) touch(v, INT_MAX);

  // Greedy assignment in schedule order: a slot is free once the last read of
  // the value in it is strictly before the defining node; the lowest free
  // slot is reused first. Both sets are min-heaps, so a schedule of n nodes
  // costs O(n log n) even when many values live to the end (function outputs).
  using MinHeap = std::priority_queue<std::pair<int, int>, std::vector<std::pair<int, int>>, std::greater<>>;
  MinHeap busy;  // (last use, slot)
  std::priority_queue<int, std::vector<int>, std::greater<>> free_slots;
  for (const Def& d : defs) {
    while (!busy.empty() && busy.top().first < d.pos) {
      free_slots.push(busy.top().second);
      busy.pop();
    }
    int slot;
    if (!free_slots.empty()) {
      slot = free_slots.top();
      free_slots.pop();
    } else {
      slot = plan.n_slots++;
    }
    *d.slot = slot;
    busy.push({*d.last, slot});
  }
}

std::string describe_plan(const MemoryPlan& plan) {
  return std::to_string(plan.slot.count()) + " tensors in " + std::to_string(plan.n_slots) + " buffers";
}

}  // namespace tgc
