// Applying rewrites to a function: local rules to a fixed point over every
// scope (the function and, recursively, scan bodies), with use lists kept up
// to date as replacements happen, so each firing costs time proportional to
// the uses it moves, not to the graph.
//
// Assumes: a verified FunctionGraph.
// Guarantees: replacements keep each output's dtype, rank and broadcastable
// dimensions (a rule returning anything else is refused and reported under
// --trace-rewrites); output types downstream are re-inferred afterwards;
// every firing is recorded in the trace.
#pragma once
#include <functional>
#include <unordered_map>
#include <vector>

#include "passes/function_graph.h"
#include "rewrite/database.h"
#include "rewrite/rewrite.h"

namespace tgc {

// Applies `rules` (local) to every node of every scope of fg until none
// fires; returns true when anything changed.
bool apply_local_rules(FunctionGraph& fg, const std::vector<const RewriteInfo*>& rules, RewriteTrace& trace,
                       int max_passes = 50);

// Replaces every use of `from` by `to` in scope g and in the function's
// roots when g is its top-level graph (or in g.outputs for a body). Costs
// time proportional to the scope: for passes that replace few values.
void replace_everywhere(FunctionGraph& fg, Graph& g, Var* from, Var* to);

// Where each root of one scope sits: the function's outputs and update
// values for its top-level graph, the body's outputs for a scan body. A
// root's replacement then rewrites its own places instead of scanning every
// root: a function with thousands of outputs (every tenth value of the
// 20,000-node benchmark) made each pass that replaces roots quadratic.
// Assumes the lists change only through move() while it lives (the driver's
// passes keep to that). As a safeguard, a known place found
// holding another value, or a root it knows no place of, makes it scan the
// lists and index them again.
class RootSlots {
 public:
  // The index is made after `scans_before_index` moves: most passes replace
  // no root or a few, for which scanning the lists is cheaper.
  RootSlots(FunctionGraph& fg, Graph& g, int scans_before_index = 32)
      : fg_(fg), g_(g), scans_left_(scans_before_index) {}
  // Every place holding the root `from` holds `to` (a root of the scope
  // when the index was made, or since by move()).
  void move(Var* from, Var* to);

 private:
  enum List : uint8_t { Outputs, Updates, BodyOutputs };
  struct Slot {
    List list;
    uint32_t index;
  };
  Var** find(Slot s);  // null when the list no longer has that index
  void build();
  FunctionGraph& fg_;
  Graph& g_;
  int scans_left_;
  bool built_ = false;
  std::unordered_map<const Var*, std::vector<Slot>> slots_;
};

// Readers of each value of a scope when a pass starts; a root (an output)
// counts as one more. Indexed by id: the scope's values are its own (a scan
// body reads outer values through parameters). Filled as a topological
// walk places the scope's nodes (ir/topo_walk.h).
//
// A count is exact up to kMany and stays kMany above it: the passes only
// ask whether a value has exactly one reader, and a byte per id keeps the
// table, read at random as a pass follows inputs, a quarter of the size
// (ids run over every value and node a scope has made, live or not).
class ReaderCounts {
 public:
  static constexpr int kMany = 255;
  ReaderCounts(const Graph& g, const std::vector<Var*>& roots);
  void add_node(const Node* n);  // n's inputs gain a reader
  int operator[](const Var* v) const;  // at most kMany

 private:
  void add(const Var* v);
  const Graph& g_;
  std::vector<uint8_t> dense_;
  std::unordered_map<const Var*, int> other_;
};

// The topological order of a scope (as topo_order gives it) with its reader
// counts, in one walk.
std::vector<Node*> order_and_readers(const std::vector<Var*>& roots, ReaderCounts& readers);

// Re-infers the output types of every node reachable from the roots, in
// topological order, in every scope.
void retype_function(FunctionGraph& fg);

// The pipeline's last walk, one per scope (scan bodies included): hands
// each scope's topological order and reader counts to `visit` (when set),
// then, with `drop_dead`, keeps only those nodes in the scope (the dead ones
// are dropped without being read: Graph::keep_nodes). One walk of a large
// function where revalidating in-place marks and removing dead nodes took
// one each.
using ScopeVisit = std::function<void(const std::vector<Node*>& order, const ReaderCounts& readers)>;
void final_walk(FunctionGraph& fg, bool drop_dead, const ScopeVisit& visit = {});

}  // namespace tgc
