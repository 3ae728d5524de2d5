// The reference interpreter: evaluates any IR graph directly with plain loops
// and numpy 2 / Theano semantics. It is the oracle for the tests, for DEBUG
// mode and for constant folding; generated code never uses it.
//
// Assumes: a graph that passed type inference (every node's output types are
// set); the grad ops have been expanded (a `grad` node is an internal error).
// Guarantees: every run-time failure (shape mismatch, index out of range,
// failed assert, invalid sparse matrix, bad random parameter) is a tgc::Error
// with ExitCode::Runtime located at the failing node's JSON path (an invalid
// sparse matrix input: at "input NAME", as the CLI contract and the generated
// code locate input errors); no undefined
// behaviour for any input; no recursion proportional to the graph's depth.
#pragma once
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace tgc::interp {

using Bindings = std::unordered_map<const Var*, Value>;

// Evaluates `outputs` (variables of any one graph scope). Input, Shared and
// Param variables take their values from `bindings` (a Shared variable that is
// not bound reads its initial value, Var::value); Constant variables read
// Var::value. Only the nodes the outputs need are evaluated; `ifelse`
// evaluates only the branch its condition selects.
std::vector<Value> evaluate(const std::vector<Var*>& outputs, const Bindings& bindings);

}  // namespace tgc::interp
