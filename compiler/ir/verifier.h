// The IR verifier: structural invariants every pass must keep. It runs after
// every compiler pass in debug and test builds (XLA's habit), so a pass that
// breaks the graph is caught where it did so, not stages later.
//
// Assumes: no dangling pointers (a node erased while still read cannot be
// detected, only its consequences).
// Guarantees: linear time and memory in the size of the reachable graph
// (scan bodies included), iterative traversal, and on the first violation
// internal_error("verifier: <node path>: <what>") (exit 4: a bug in tgc).
#pragma once
#include <vector>

#include "ir/graph.h"

namespace tgc {

// Checks every node reachable from `roots` in `g`, and recursively every scan
// body they reach:
// - inputs are non-null and belong to the node's own scope (a body reads
//   outer values only through its parameters); a parameter is one of its
//   scope's params; a node output's owner lists it at its index;
// - outputs point back to the node (owner, index) and live in its scope;
// - output types equal what infer_types(node) gives now;
// - the reachable graph is acyclic;
// - ifelse has 1 + 2 * n_branch inputs and n_branch outputs;
// - a scan's inputs, body parameters and body outputs fit its ScanInfo
//   layout (see graph.h): parameter types follow from the outer values,
//   recurrent body outputs keep the dtype and ndim of their initial step,
//   shared states keep their type, `until` is a scalar.
void verify(const Graph& g, const std::vector<Var*>& roots);

// Function-level invariants, then verify() on the graph its outputs and
// update values live in: outputs and inputs non-null (inputs declared
// inputs), every update's target a shared variable updated once, with a new
// value of the same kind, dtype and rank and compatible static sizes; givens
// replace a variable by one of the same kind, dtype and rank.
void verify_function(const Function& f);

}  // namespace tgc
