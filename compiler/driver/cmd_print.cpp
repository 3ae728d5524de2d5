// tgc print / tgc dot: the graph of each function, before or after rewriting.
#include <cstdio>

#include "driver/commands.h"
#include "frontend/loader.h"
#include "ir/dot.h"
#include "ir/error.h"
#include "ir/printer.h"
#include "passes/pipeline.h"

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

int cmd_rewrites(const CliOptions& o) {
  (void)o;
  std::printf("no rewrites are registered yet\n");
  return 0;
}

}  // namespace tgc::driver
