// tgc compile: write the generated header and translation unit.
#include <filesystem>
#include <fstream>

#include "codegen/cpu_target.h"
#include "driver/commands.h"
#include "driver/keep_until_exit.h"
#include "frontend/loader.h"
#include "ir/error.h"
#include "passes/pipeline.h"

namespace fs = std::filesystem;

namespace tgc::driver {

int cmd_compile(const CliOptions& o) {
  Module m = frontend::load_graph_file(o.graph);
  if (o.target == "cuda") throw Error(ExitCode::Usage, "", "--target cuda: the CUDA target is not built yet");
  std::vector<FunctionGraph> fgs;
  for (const Function& f : m.functions) {
    if (!o.function.empty() && f.name != o.function) continue;
    PipelineOptions po;
    po.mode = effective_mode(f, o.mode);
    po.excluding = o.excluding;
    po.including = o.including;
    po.trace = o.trace;
    fgs.push_back(compile_function(m, f, po));
  }
  if (!o.function.empty() && fgs.empty()) throw Error(ExitCode::Usage, "", "the graph has no function \"" + o.function + "\"");
  std::vector<const FunctionGraph*> ptrs;
  for (const FunctionGraph& fg : fgs) ptrs.push_back(&fg);
  GeneratedUnit u = generate_cpu(m, ptrs);
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw run_error("", "cannot create " + o.out_dir + ": " + ec.message());
  auto write = [&](const std::string& name, const auto& text) {
    fs::path p = fs::path(o.out_dir) / name;
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw run_error("", "cannot write " + p.string());
  };
  write(u.stem + ".h", u.header);
  write(u.stem + ".cpp", u.source);
  // The process exits next: freeing the graphs would only cost time
  // (driver/keep_until_exit.h).
  keep_until_exit(std::move(fgs));
  keep_until_exit(std::move(m));
  keep_until_exit(std::move(u));
  return 0;
}

}  // namespace tgc::driver
