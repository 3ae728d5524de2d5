#include "passes/pipeline.h"

#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "grad/grad.h"
#include "ir/verifier.h"
#include "rewrite/database.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc {

Mode effective_mode(const Function& f, const std::optional<Mode>& cli_mode) {
  if (cli_mode) return *cli_mode;
  return f.mode.value_or(Mode::FastRun);
}

namespace {

// The verifier runs after every pass in debug builds (and with TGC_VERIFY=1,
// as the test suite sets it), and once at the end of the pipeline always.
bool verify_every_pass() {
#ifndef NDEBUG
  return true;
#else
  static const bool on = std::getenv("TGC_VERIFY") != nullptr;
  return on;
#endif
}

void verify_after(const FunctionGraph& fg) {
  if (verify_every_pass()) verify(*fg.graph, fg.roots());
}

// One group: its local rules to a fixed point, then its global passes.
// Returns whether any rule fired.
bool run_group(FunctionGraph& fg, const std::vector<const RewriteInfo*>& rules, RewriteTrace& trace) {
  std::vector<const RewriteInfo*> locals;
  for (const RewriteInfo* r : rules)
    if (r->local) locals.push_back(r);
  size_t before = trace.events.size();
  bool changed = apply_local_rules(fg, locals, trace);
  for (const RewriteInfo* r : rules)
    if (r->global && r->global(fg, trace)) {
      retype_function(fg);
      changed = true;
    }
  return changed || trace.events.size() != before;
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
  retype_function(fg);  // gradients may know less of their static sizes than the variables they replace
  verify_after(fg);
  // TGC_TIME_PASSES=1 prints the time of each step on stderr.
  static const bool timing = std::getenv("TGC_TIME_PASSES") != nullptr;
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const std::string& what) {
    if (!timing) return;
    auto t1 = std::chrono::steady_clock::now();
    std::fprintf(stderr, "pass %-14s %8.3f ms\n", what.c_str(), std::chrono::duration<double, std::milli>(t1 - t0).count());
    t0 = t1;
  };
  lap("extract+grad");
  std::vector<std::string> changed;  // groups that fired
  for (const GroupStep& step : group_order()) {
    if (!step.if_changed.empty() && std::find(changed.begin(), changed.end(), step.if_changed) == changed.end())
      continue;
    if (run_group(fg, group_rewrites(sel, step.group), trace)) changed.push_back(step.group);
    lap(step.group);
    verify_after(fg);
    lap("verify");
  }
  // The final merge can give a value destroyed in place a second reader.
  rules::revalidate_inplace(fg);
  if (!opt.keep_dead) remove_dead_nodes(fg);
  verify(*fg.graph, fg.roots());
  return fg;
}

}  // namespace tgc
