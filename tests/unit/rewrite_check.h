// Helpers for rewrite tests: apply one rule to a function, print the graph
// before and after (Theano's debugprint), and check numerically with the
// reference interpreter that the rule did not change what the function
// computes.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tgc::test {

struct RewriteRun {
  std::string before;  // debugprint of the function's outputs and updates before
  std::string after;   // ... and after the rule ran to a fixed point
  int fired = 0;       // how many times the rule fired
};

// Loads `graph_json`, extracts function `fn` (grads expanded), applies only
// the rule named `rule` (local rules to a fixed point; a global pass once).
RewriteRun apply_rule(const std::string& graph_json, const std::string& fn, const std::string& rule);

// Evaluates function `fn` with the reference interpreter before and after
// `rule`, on inputs drawn from a fixed seed (floats uniform in [lo, hi],
// integers in [0, 5)), and fails the current doctest case if any output
// differs beyond rtol/atol (NaN equals NaN). Unknown dimensions are given
// size `dim`.
void check_rule_numerically(const std::string& graph_json, const std::string& fn, const std::string& rule,
                            double lo = -2.0, double hi = 2.0, int64_t dim = 3, double rtol = 1e-7,
                            double atol = 1e-9, uint64_t seed = 42);

// debugprint of `text`'s function outputs with the leading "function f" lines
// stripped: the form expected strings are written in.
std::string printed(const std::vector<Var*>& outputs);

}  // namespace tgc::test
