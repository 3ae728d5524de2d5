// Expansion of `grad` requests (graph format: {"op": "grad", ...}) into
// derivative subgraphs, before any rewrite runs.
//
// Assumes: a function graph whose grad nodes read a scalar float cost.
// Guarantees: no grad node is reachable from the roots afterwards; each grad
// output is replaced by the symbolic gradient of the cost with respect to
// its variable (zeros where disconnected and allowed); a wrt variable the
// cost does not depend on is an error (exit 2) when disconnected_inputs is
// "raise", a warning when "warn".
#pragma once
#include "passes/function_graph.h"

namespace tgc {

// Expands every grad node of the function; returns whether there was one.
bool expand_grads(FunctionGraph& fg);

}  // namespace tgc
