// DEBUG mode (Theano's DebugMode): every rewrite of the compile is checked
// on the function's actual inputs, and the compiled outputs are compared
// with the reference interpreter on the unoptimized graph.
//
// Tolerances are Theano's DebugMode ones: float32 rtol = atol = 1e-5,
// float64 rtol 1e-6 atol 1e-8; other dtypes must match exactly. A
// replacement that turns a non-finite value into a finite one is a
// stabilization, not a mismatch. Mismatches are internal errors (exit 4)
// naming the rule, the node and the values.
#pragma once
#include <string>
#include <vector>

#include "interp/interpreter.h"
#include "passes/function_graph.h"
#include "rewrite/rewrite.h"

namespace tgc::driver {

// Evaluates the value before and after each recorded replacement made in
// the function's top-level scope and compares them. Replacements inside scan
// bodies are checked through the function's outputs (check_outputs).
void check_rewrites(const RewriteTrace& trace, const FunctionGraph& fg, const interp::Bindings& bindings);

// Compares one call's outputs with the reference's; `what` names the call.
void check_outputs(const std::vector<Value>& got, const std::vector<Value>& want, const FunctionGraph& fg,
                   const std::string& what);

// The first element where two values differ beyond DEBUG tolerances, as a
// message, or "" when they agree. `stabilizing` accepts finite replacements
// of non-finite values.
std::string compare_values(const Value& before, const Value& after, bool stabilizing);

}  // namespace tgc::driver
