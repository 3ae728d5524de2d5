#include "passes/pipeline.h"

#include "grad/grad.h"
#include "ir/verifier.h"
#include "rewrite/database.h"
#include "rewrite/driver.h"

namespace tgc {

Mode effective_mode(const Function& f, const std::optional<Mode>& cli_mode) {
  if (cli_mode) return *cli_mode;
  return f.mode.value_or(Mode::FastRun);
}

namespace {

void verify_after(const FunctionGraph& fg) { verify(*fg.graph, fg.roots()); }

// One group: its local rules to a fixed point, then its global passes.
void run_group(FunctionGraph& fg, const std::vector<const RewriteInfo*>& rules, RewriteTrace& trace) {
  std::vector<const RewriteInfo*> locals;
  for (const RewriteInfo* r : rules)
    if (r->local) locals.push_back(r);
  apply_local_rules(fg, locals, trace);
  for (const RewriteInfo* r : rules)
    if (r->global && r->global(fg, trace)) retype_function(fg);
}

}  // namespace

FunctionGraph compile_function(const Module& m, const Function& f, const PipelineOptions& opt) {
  RewriteSelection sel{opt.mode, opt.including, opt.excluding};
  check_selection(sel);
  RewriteTrace local_trace;
  RewriteTrace& trace = opt.record ? *opt.record : local_trace;
  trace.print = opt.trace;

  FunctionGraph fg = extract_function(m, f, opt.mode);
  verify_after(fg);
  expand_grads(fg);
  verify_after(fg);
  for (const std::string& group : group_order()) {
    run_group(fg, group_rewrites(sel, group), trace);
    verify_after(fg);
  }
  if (!opt.keep_dead) remove_dead_nodes(fg);
  return fg;
}

}  // namespace tgc
