// Which variables are views of others (no storage of their own) and which
// are statically known to be contiguous in C order. The memory planner and
// the code generators both read this, so they agree on every decision.
//
// A view op's output shares its input's storage: dimshuffle, transpose,
// subtensor, assert (returns its input), reshape and flatten of a statically
// contiguous input, the outputs of ifelse (the value of whichever branch
// ran), and the result of an in-place node (written into its input's buffer).
#pragma once
#include <unordered_map>
#include <vector>

#include "ir/graph.h"
#include "ir/var_map.h"

namespace tgc {

struct ViewInfo {
  // `function_graph`: the graph whose variables' contiguity is kept by id.
  explicit ViewInfo(const Graph* function_graph = nullptr) : contiguous(function_graph, -1) {}
  // var -> the variables whose storage it may read (its view bases).
  std::unordered_map<const Var*, std::vector<const Var*>> bases;
  VarTable<int8_t> contiguous;  // 1: contiguous, 0: not, -1: not analyzed

  bool is_view(const Var* v) const { return bases.count(v) != 0; }
  bool is_contiguous(const Var* v) const { return contiguous.find(v) == 1; }
};

// Analyzes the outputs of node n, whose inputs' producers were analyzed
// before it (nodes of one scope, in a topological order); leaves (inputs,
// shared, constants, params) are contiguous. The memory planner calls it as
// it reads each node for liveness (passes/memory_plan.h).
void analyze_node_views(const Node& n, ViewInfo& info);

// True when output `k` of `n` is a view of input `in` given what is known of
// the inputs' contiguity.
bool output_is_view(const Node& n, const ViewInfo& info);

}  // namespace tgc
