// Theano's verify_grad for graph files: checks the symbolic gradients a
// `grad` node gives against central finite differences of the cost.
//
// The graph's function (default "f") must have as outputs
//   [cost, g_0, g_1, ...]
// where cost is a float64 scalar and every g_k is an output of one `grad`
// node of the top-level nodes whose cost input is that first output; g_k's
// variable (the node's wrt entry) must be a float64 input of the function or
// a shared variable (evaluated at its declared value). Other outputs are not
// allowed; other inputs (indices, sparse operands, ...) are passed through.
//
// What is checked (Theano's numeric_grad / verify_grad, but with central
// differences along random directions instead of one-sided differences of a
// random projection):
//   - for each of n_tests random directions u (one per wrt, entries uniform
//     in [-1, 1), fixed seed): the directional derivative
//       (f(x + eps u) - f(x - eps u)) / (2 eps)
//     against sum_k sum(g_k * u_k), for each wrt alone and for all at once;
//   - each element of every wrt with at most `max_elementwise` elements, so a
//     failure names the worst element;
// with Theano's float64 defaults eps = 1e-7, abs_tol = rel_tol = 1e-4, and
// Theano's error measure: abs_err = |a - b|, rel_err = abs_err / max(|a| +
// |b|, 1e-8); a comparison fails when both exceed their tolerance, and the
// worst is the one with the largest min(abs_err / abs_tol, rel_err / rel_tol).
// Both the cost and the gradients are evaluated by the reference interpreter
// on the function compiled in FAST_COMPILE.
//
// With `compiled`, the function is also compiled in FAST_RUN (every rewrite)
// into a shared library and run once at the point; its cost and gradients
// must agree with the interpreter's within `compiled_rtol`, relative
// (|a - b| <= rtol * max(|b|, 1)).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "differential.h"
#include "ir/graph.h"

namespace tgc::test {

struct GradCheckOptions {
  std::string fn = "f";
  int n_tests = 2;
  double eps = 1e-7;
  double abs_tol = 1e-4;
  double rel_tol = 1e-4;
  uint64_t seed = 20240611;
  int64_t max_elementwise = 64;
  bool compiled = false;
  double compiled_rtol = 1e-8;
};

struct GradCheckReport {
  bool ok = false;
  std::string error;          // set when the check could not run (load, compile or run failure)
  double cost = 0;            // the cost at the point
  std::vector<Tensor> grads;  // the symbolic gradients at the point (interpreter, FAST_COMPILE)
  std::vector<std::string> wrt;
  int comparisons = 0;        // how many numeric / symbolic pairs were compared
  double worst_scaled = 0;    // max of min(abs_err / abs_tol, rel_err / rel_tol); > 1 fails
  std::string worst;          // which comparison, with both values and errors
  bool compiled_checked = false;
  std::string compiled_diff;  // "" when the compiled engine agrees (or was not run)
  std::string summary() const;
};

GradCheckReport verify_grad(const std::string& graph_json, const std::vector<Value>& inputs,
                            const GradCheckOptions& opt = {});

// Registers a graph whose compiled check (GradCheckOptions::compiled) will
// run later, so that all such graphs are built together, in parallel, when
// the first compiled check of the process starts (building generated code
// dominates the time of these tests). TGC_TEST_PREBUILD=0 turns this off.
void prebuild_grad_graph(const std::string& graph_json, const std::string& fn = "f");

// A float64 tensor with elements uniform in [lo, hi) (fixed seed), or in
// [-hi, -lo) U [lo, hi) with `both_signs` (to stay away from 0).
Tensor uniform(const Shape& shape, double lo, double hi, uint64_t seed, bool both_signs = false);

// Completes `g`, whose nodes compute the float tensor `out` from g's inputs,
// into a verify_grad graph: cost = sum(out * P), P a constant of out's shape
// uniform in [0.5, 1.5) (Theano's random projection), and one grad node for
// `wrt` (outputs "g_<name>"), with `grad_attrs` added to it. out's shape is
// found by evaluating it at `inputs` (given in g's input order).
std::string projected_grad_graph(GraphBuilder g, const std::string& out, const std::vector<std::string>& wrt,
                                 const std::vector<Value>& inputs, nlohmann::json grad_attrs = nlohmann::json::object(),
                                 uint64_t seed = 7);

// doctest checks: fail the current test case, with `label` and the report's
// summary, when the gradients are wrong or the check could not run.
GradCheckReport check_grad(const std::string& label, const std::string& graph_json, const std::vector<Value>& inputs,
                           const GradCheckOptions& opt = {});
GradCheckReport check_op_grad(const std::string& label, const GraphBuilder& g, const std::string& out,
                              const std::vector<std::string>& wrt, const std::vector<Value>& inputs,
                              const GradCheckOptions& opt = {});

// Compiles function "f" of `graph_json` in `mode` (gradients expanded) and
// evaluates its outputs with the reference interpreter.
std::vector<Tensor> run_interp(const std::string& graph_json, const std::vector<Value>& inputs,
                               Mode mode = Mode::FastCompile);

}  // namespace tgc::test

