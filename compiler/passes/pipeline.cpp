#include "passes/pipeline.h"

#include "grad/grad.h"

namespace tgc {

Mode effective_mode(const Function& f, const std::optional<Mode>& cli_mode) {
  if (cli_mode) return *cli_mode;
  return f.mode.value_or(Mode::FastRun);
}

FunctionGraph compile_function(const Module& m, const Function& f, const PipelineOptions& opt) {
  FunctionGraph fg = extract_function(m, f, opt.mode);
  expand_grads(fg);
  return fg;
}

}  // namespace tgc
