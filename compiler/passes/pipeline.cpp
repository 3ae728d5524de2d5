#include "passes/pipeline.h"

namespace tgc {

Mode effective_mode(const Function& f, const std::optional<Mode>& cli_mode) {
  if (cli_mode) return *cli_mode;
  return f.mode.value_or(Mode::FastRun);
}

FunctionGraph compile_function(const Module& m, const Function& f, const PipelineOptions& opt) {
  FunctionGraph fg = extract_function(m, f, opt.mode);
  return fg;
}

}  // namespace tgc
