// tgc print / tgc dot: the graph of each function, before or after rewriting.
#include <cstdio>

#include "driver/commands.h"
#include "frontend/loader.h"
#include "ir/dot.h"
#include "ir/error.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "rewrite/database.h"

namespace tgc::driver {

int cmd_print(const CliOptions& o) {
  Module m = frontend::load_graph_file(o.graph);
  bool found = false;
  for (const Function& f : m.functions) {
    if (!o.function.empty() && f.name != o.function) continue;
    found = true;
    std::vector<Var*> roots = f.outputs;
    std::vector<std::string> names = f.output_names;
    FunctionGraph fg;
    if (o.optimized) {
      PipelineOptions po;
      po.mode = effective_mode(f, o.mode);
      po.excluding = o.excluding;
      po.including = o.including;
      po.trace = o.trace;
      fg = compile_function(m, f, po);
      roots = fg.outputs;
    }
    const std::vector<std::pair<Var*, Var*>>& ups = o.optimized ? fg.updates : f.updates;
    for (auto& [s, v] : ups) {
      roots.push_back(v);
      names.push_back("update of " + s->name);
    }
    if (o.command == "dot") {
      std::fputs(to_dot(roots, names).c_str(), stdout);
    } else {
      std::printf("function %s\n", f.name.c_str());
      std::fputs(debugprint(roots, names).c_str(), stdout);
    }
  }
  if (!found) throw Error(ExitCode::Usage, "", "the graph has no function \"" + o.function + "\"");
  return 0;
}

// Theano's optimizer.print_summary(): every rule the mode runs, group by
// group in pipeline order, with its tags.
int cmd_rewrites(const CliOptions& o) {
  RewriteSelection sel{o.mode.value_or(Mode::FastRun), o.including, o.excluding};
  check_selection(sel);
  std::printf("rewrites of mode %s, in order:\n", std::string(mode_name(sel.mode)).c_str());
  int k = 0;
  for (const GroupStep& step : group_order()) {
    if (!step.if_changed.empty()) continue;  // a repeat: its rules are listed already
    const std::string& group = step.group;
    for (const RewriteInfo* r : group_rewrites(sel, group)) {
      std::string tags;
      for (const std::string& t : r->tags) tags += (tags.empty() ? "" : ",") + t;
      std::printf("%3d  %-24s %-13s %-7s %-26s %s\n", ++k, r->name.c_str(), group.c_str(), r->local ? "local" : "global",
                  tags.c_str(), r->doc.c_str());
    }
  }
  std::vector<std::string> off;
  for (const RewriteInfo& r : all_rewrites())
    if (!sel.enabled(r)) off.push_back(r.name);
  if (!off.empty()) {
    std::printf("not in this mode:");
    for (const std::string& n : off) std::printf(" %s", n.c_str());
    std::printf("\n");
  }
  return 0;
}

}  // namespace tgc::driver
