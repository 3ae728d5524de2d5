// Static memory plan of one function: which buffer ("slot") of the
// function's workspace holds each computed tensor. Slots are reused once the
// values they held are dead (liveness over the schedule, views extending
// their bases' lifetimes); sizes are known only at run time, so each slot is
// a grow-only buffer and repeated calls with the same shapes allocate nothing.
//
// Assumes: schedules of every scope.
// Guarantees: two tensors whose lifetimes overlap never share a slot; values
// that outlive the call (outputs, update values) are never overwritten.
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"
#include "ir/var_map.h"
#include "passes/schedule.h"
#include "passes/views.h"

namespace tgc {

struct MemoryPlan {
  // The function's own graph: its variables' slots are kept by id.
  explicit MemoryPlan(const Graph* function_graph = nullptr) : slot(function_graph, -1) {}
  VarTable<int> slot;  // tensors with storage of their own; -1: none
  int n_slots = 0;
  // Extra slots requested by code generators for scratch space.
  int new_scratch() { return n_slots++; }
  int slot_of(const Var* v) const { return slot.find(v); }
};

// Plans the slots of one scope whose schedule is `s`; `live_out` are values
// that must survive to the end of the scope (outputs, updates, or a body's
// outputs). Call once per scope, outer scope first; slots are never shared
// between scopes. Adds the scope's views to `views` (passes/views.h) in the
// same pass over the schedule that finds each value's last read: a large
// scope's nodes do not stay in cache from one pass to the next.
void plan_scope_memory(const Schedule& s, ViewInfo& views, const std::vector<Var*>& live_out, MemoryPlan& plan);

// A human-readable summary (for --profile and comments in generated code).
std::string describe_plan(const MemoryPlan& plan);

}  // namespace tgc
