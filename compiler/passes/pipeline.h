// The whole compilation of one function, in order, readable in one place:
//   extract the function's graph (givens applied)
//   -> expand grad requests            (grad/, issue: gradients)
//   -> rewrites by group, in order     (rewrite/ + rewrites/, issue: optimizer)
//   -> verify
// Scheduling, memory planning and code generation follow in codegen/.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/function_graph.h"

namespace tgc {

struct PipelineOptions {
  Mode mode = Mode::FastRun;
  std::vector<std::string> excluding;  // --optimizer-excluding
  std::vector<std::string> including;  // --optimizer-including
  bool trace = false;                  // --trace-rewrites
};

// The mode a function compiles in: the command line's, else the function's, else FAST_RUN.
Mode effective_mode(const Function& f, const std::optional<Mode>& cli_mode);

// Extracts and optimizes one function of `m`.
FunctionGraph compile_function(const Module& m, const Function& f, const PipelineOptions& opt);

}  // namespace tgc
