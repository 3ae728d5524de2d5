// The whole compilation of one function, in order, readable in one place:
//
//   extract    the function's nodes, givens applied     passes/function_graph
//   grad       expand grad requests                      grad/
//   merge      common subexpressions, equal constants    rewrites/merge.cpp
//   canonicalize (to a fixed point)                      rewrites/*.cpp
//   stabilize  numerically stable forms                  rewrites/stabilize.cpp
//   specialize cheaper special cases                     rewrites/*.cpp
//   scan       scan optimizations                        rewrites/scan_*.cpp
//   fusion     elementwise loops fused                   rewrites/fusion.cpp
//   blas       gemm, gemv, ger                           rewrites/linalg.cpp
//   inplace    results written into dead inputs          rewrites/inplace.cpp
//   merge      again, after everything                   rewrites/merge.cpp
//   dce        nodes no output needs are removed
//
// The verifier runs after every step. Scheduling, memory planning and code
// generation follow in codegen/. `tgc rewrites` prints the rules of each
// group in this order.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/function_graph.h"
#include "rewrite/rewrite.h"

namespace tgc {

struct PipelineOptions {
  Mode mode = Mode::FastRun;
  std::vector<std::string> excluding;  // --optimizer-excluding
  std::vector<std::string> including;  // --optimizer-including
  bool trace = false;                  // --trace-rewrites: print each firing on stderr
  bool keep_dead = false;              // keep replaced subgraphs (DEBUG mode evaluates them)
  RewriteTrace* record = nullptr;      // receives every firing when set
};

// The mode a function compiles in: the command line's, else the function's, else FAST_RUN.
Mode effective_mode(const Function& f, const std::optional<Mode>& cli_mode);

// Extracts and optimizes one function of `m`.
FunctionGraph compile_function(const Module& m, const Function& f, const PipelineOptions& opt);

}  // namespace tgc
