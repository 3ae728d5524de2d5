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

// Whether some op the rule anchors on is in the function.
bool may_fire(const RewriteInfo& r, const std::vector<bool>& present) {
  for (size_t op = 0; op < present.size(); ++op)
    if (present[op] && r.anchored_on(Op(op))) return true;
  return false;
}

// Merge replaces a node by one with the same op, attributes and inputs (so
// the same types), the in-place group only marks nodes, and fusion replaces
// a node only by one of the same type (rules/fusion.cpp): their global
// passes leave every type as it was, and the function is not retyped after
// them (a retype visits every node).
bool keeps_types(const std::string& group) { return group == "merge" || group == "inplace" || group == "fusion"; }

// One group: its local rules to a fixed point, then its global passes; a
// rule none of whose anchor ops is in the function is skipped. Returns
// whether any rule fired.
bool run_group(FunctionGraph& fg, const std::string& group, const std::vector<const RewriteInfo*>& rules,
               RewriteTrace& trace) {
  auto present = [&] {
    std::vector<bool> p(size_t(num_ops()), false);
    mark_ops_present(*fg.graph, p);
    return p;
  };
  std::vector<bool> ops = present();
  std::vector<const RewriteInfo*> locals;
  for (const RewriteInfo* r : rules)
    if (r->local && may_fire(*r, ops)) locals.push_back(r);
  size_t before = trace.fired;
  bool changed = apply_local_rules(fg, locals, trace);
  if (changed) ops = present();
  for (const RewriteInfo* r : rules)
    if (r->global && may_fire(*r, ops) && r->global(fg, trace)) {
      if (!keeps_types(group)) retype_function(fg);
      ops = present();
      changed = true;
    }
  return changed || trace.fired != before;
}

}  // namespace

FunctionGraph compile_function(const Module& m, const Function& f, const PipelineOptions& opt) {
  RewriteSelection sel{opt.mode, opt.including, opt.excluding};
  check_selection(sel);
  RewriteTrace local_trace;
  RewriteTrace& trace = opt.record ? *opt.record : local_trace;
  local_trace.keep = false;  // nobody reads the events of a trace not asked for
  trace.print = opt.trace;

  // TGC_TIME_PASSES=1 prints the time of each step on stderr.
  static const bool timing = std::getenv("TGC_TIME_PASSES") != nullptr;
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const std::string& what) {
    if (!timing) return;
    auto t1 = std::chrono::steady_clock::now();
    std::fprintf(stderr, "pass %-14s %8.3f ms\n", what.c_str(), std::chrono::duration<double, std::milli>(t1 - t0).count());
    t0 = t1;
  };
  FunctionGraph fg = extract_function(m, f, opt.mode);
  // A given's replacement may know more or less of its static sizes than the
  // variable it stands for, and the copies keep the module's types.
  if (!f.givens.empty()) retype_function(fg);
  verify_after(fg);
  // Gradients may know less of their static sizes than the variables they replace.
  if (expand_grads(fg)) retype_function(fg);
  verify_after(fg);
  lap("extract+grad");
  std::vector<std::string> changed;  // groups that fired
  bool changed_after_inplace = true;  // whether a group changed the graph after the in-place group ran
  for (const GroupStep& step : group_order()) {
    if (!step.if_changed.empty() && std::find(changed.begin(), changed.end(), step.if_changed) == changed.end())
      continue;
    bool fired = run_group(fg, step.group, group_rewrites(sel, step.group), trace);
    if (fired) changed.push_back(step.group);
    changed_after_inplace = step.group == "inplace" ? false : changed_after_inplace || fired;
    lap(step.group);
    verify_after(fg);
    lap("verify");
  }
  // The final merge can give a value destroyed in place a second reader;
  // when nothing changed after the in-place group, its marks still hold.
  // One walk revalidates them and drops the dead nodes.
  if (changed_after_inplace || !opt.keep_dead) {
    ScopeVisit revalidate;
    if (changed_after_inplace)
      revalidate = [](const std::vector<Node*>& order, const ReaderCounts& u) { rules::revalidate_inplace_marks(order, u); };
    final_walk(fg, !opt.keep_dead, revalidate);
  }
  verify(*fg.graph, fg.roots());
  return fg;
}

}  // namespace tgc
