// Time to optimize and generate code for graphs of 1,000, 10,000 and 20,000
// nodes (the C++ compiler excluded): loading, the whole rewrite pipeline and
// C++ generation. Targets: under 1 s for 10,000 nodes, and the 20,000-node
// time at most 2.3x the 10,000-node time (compile time roughly linear).
// The graphs mix what real models have: elementwise chains with shared
// subexpressions, broadcasting, reductions, dots and constants.
// Usage: bench_compile_time [NODES...]   (default: 1000 10000 20000)
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include "bench_util.h"
#include "codegen/cpu_target.h"
#include "frontend/loader.h"
#include "passes/pipeline.h"

namespace {

std::string make_graph(int n_nodes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::ostringstream g;
  g << R"({"format": "tgc-graph", "version": 1, "name": "big", "inputs": [)"
    << R"({"name": "x", "dtype": "float32", "shape": [null, 64]}, {"name": "v", "dtype": "float32", "shape": [64]},)"
    << R"({"name": "W", "dtype": "float32", "shape": [64, 64]}], "nodes": [)";
  std::vector<std::string> mats = {"x"}, vecs = {"v"};
  const char* bin[] = {"add", "mul", "sub", "maximum", "minimum"};
  const char* un[] = {"tanh", "exp", "neg", "abs", "sigmoid", "sqr"};
  for (int i = 0; i < n_nodes; ++i) {
    std::string out = "n" + std::to_string(i);
    int kind = int(rng() % 10);
    auto pick = [&](std::vector<std::string>& from) {
      // Mostly recent values (deep chains), sometimes old ones (wide DAGs).
      size_t k = from.size();
      size_t j = (rng() % 4 == 0) ? rng() % k : k - 1 - rng() % std::min<size_t>(k, 8);
      return from[j];
    };
    if (i) g << ",";
    if (kind < 4) {
      g << R"({"op": ")" << bin[rng() % 5] << R"(", "inputs": [")" << pick(mats) << R"(", ")" << pick(mats) << R"("], "outputs": [")" << out << R"("]})";
      mats.push_back(out);
    } else if (kind < 6) {
      g << R"({"op": ")" << un[rng() % 6] << R"(", "inputs": [")" << pick(mats) << R"("], "outputs": [")" << out << R"("]})";
      mats.push_back(out);
    } else if (kind < 7) {
      g << R"({"op": "add", "inputs": [")" << pick(mats) << R"(", ")" << pick(vecs) << R"("], "outputs": [")" << out << R"("]})";
      mats.push_back(out);
    } else if (kind < 8) {
      g << R"({"op": "mul", "inputs": [")" << pick(mats) << R"(", {"value": )" << (rng() % 5 + 1) << R"(.5}], "outputs": [")" << out << R"("]})";
      mats.push_back(out);
    } else if (kind < 9) {
      g << R"({"op": "dot", "inputs": [")" << pick(mats) << R"(", "W"], "outputs": [")" << out << R"("]})";
      mats.push_back(out);
    } else {
      g << R"({"op": "sum", "inputs": [")" << pick(mats) << R"("], "axis": 0, "outputs": [")" << out << R"("]})";
      vecs.push_back(out);
    }
  }
  // Every tenth value is an output, so most of the graph is live.
  g << R"(], "functions": [{"name": "f", "inputs": ["x", "v", "W"], "outputs": [)";
  bool first = true;
  for (size_t i = 0; i < mats.size(); i += 10) {
    g << (first ? "" : ", ") << '"' << mats[i] << '"';
    first = false;
  }
  g << "]}]}";
  return g.str();
}

struct Timing {
  double load, optimize, generate;
};

Timing time_one(const std::string& text) {
  double t0 = bench::now_ns();
  tgc::Module m = tgc::frontend::load_graph_text(text, "big.json", ".");
  double t1 = bench::now_ns();
  tgc::PipelineOptions po;
  tgc::FunctionGraph fg = tgc::compile_function(m, m.functions[0], po);
  double t2 = bench::now_ns();
  tgc::GeneratedUnit u = tgc::generate_cpu(m, {&fg});
  double t3 = bench::now_ns();
  bench::keep(u.source.data());
  return {(t1 - t0) * 1e-9, (t2 - t1) * 1e-9, (t3 - t2) * 1e-9};
}

}  // namespace

int main(int argc, char** argv) {
  // Sizes from the command line (for profiling one size), else the three of the target.
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 10000, 20000};
  bench::print_machine();
  std::printf("%8s %10s %10s %10s %10s\n", "nodes", "load s", "optimize s", "codegen s", "total s");
  double total10k = 0, total20k = 0;
  for (int n : sizes) {
    // Each size in a fresh child process, so one size's heap does not slow
    // the next (the parent only reads the numbers back).
    int fd[2];
    if (pipe(fd) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) {
      std::string text = make_graph(n, 7);
      std::vector<double> totals;
      Timing best{1e9, 1e9, 1e9};
      for (int r = 0; r < 5; ++r) {
        Timing t = time_one(text);
        totals.push_back(t.load + t.optimize + t.generate);
        if (t.load + t.optimize + t.generate < best.load + best.optimize + best.generate) best = t;
      }
      double msg[4] = {best.load, best.optimize, best.generate, bench::stats(totals).median};
      if (write(fd[1], msg, sizeof msg) != sizeof msg) _exit(2);
      _exit(0);
    }
    double msg[4] = {};
    if (read(fd[0], msg, sizeof msg) != sizeof msg) return 1;
    waitpid(pid, nullptr, 0);
    close(fd[0]);
    close(fd[1]);
    Timing best{msg[0], msg[1], msg[2]};
    double total = msg[3];
    if (n == 10000) total10k = total;
    if (n == 20000) total20k = total;
    std::printf("%8d %10.3f %10.3f %10.3f %10.3f\n", n, best.load, best.optimize, best.generate, total);
  }
  if (total10k == 0 || total20k == 0) return 0;
  std::printf("10,000 nodes: %.3f s (target < 1 s); 20,000 / 10,000: %.2fx (target <= 2.3x)\n", total10k,
              total20k / total10k);
  return 0;
}
