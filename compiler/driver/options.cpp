#include "driver/options.h"

#include <map>
#include <set>

namespace tgc::driver {

namespace {

const std::map<std::string, std::string> kHelp = {
    {"", R"(tgc: an ahead-of-time compiler for Theano-style tensor graphs

usage: tgc COMMAND [options]

commands:
  run       compile a function of a graph, run it on .npy inputs, write .npy outputs
  compile   write the generated C++ (header and translation unit) of a graph
  print     print a graph as Theano's debugprint does
  dot       print a graph as Graphviz source
  rewrites  list the graph rewrites of a mode, in order

Run `tgc COMMAND --help` for a command's options.
Exit codes: 0 success, 1 usage error, 2 invalid graph, 3 run-time error, 4 internal error.
)"},
    {"run", R"(usage: tgc run GRAPH --function NAME --inputs DIR --outputs DIR
               [--calls N] [--shared-in DIR] [--shared-out DIR]
               [--target cpu|cuda] [--mode FAST_RUN|FAST_COMPILE|DEBUG]
               [--engine compiled|reference] [--trace-rewrites] [--profile]
               [--optimizer-excluding NAME] [--optimizer-including NAME] [--print]

Reads each input from DIR/<input>.npy (a CSR input from <input>.data.npy,
.indices.npy, .indptr.npy, .shape.npy), calls the function N times (default 1)
applying its updates after each call, and writes the outputs of the last call
to --outputs DIR/<output>.npy and, with --shared-out, every shared variable.
--engine compiled (default) generates C++, builds it (cached by content hash)
and runs it; --engine reference evaluates the optimized graph directly.
--print also prints each output on standard output.
Environment: TGC_CACHE_DIR (build cache), TGC_CXX and TGC_CXXFLAGS (compiler
and extra flags for generated code), TGC_RUNTIME_INCLUDE (runtime headers).
)"},
    {"compile", R"(usage: tgc compile GRAPH -o DIR [--target cpu|cuda] [--mode MODE]
                   [--function NAME] [--trace-rewrites]

Writes DIR/<graph>.h and DIR/<graph>.cpp, holding every function of the graph
(or only --function NAME), ready to add to a build: compile with
  c++ -std=c++17 -O3 -march=native -fno-math-errno -I<tgc>/runtime/include DIR/<graph>.cpp -lopenblas
(tgc run builds with these flags, plus -mprefer-vector-width=512 on x86-64;
-O3 and -fno-math-errno let the elementwise loops vectorize).
)"},
    {"print", R"(usage: tgc print GRAPH [--function NAME] [--optimized] [--mode MODE] [--trace-rewrites]

Prints each function's graph (or only NAME's) as Theano's debugprint does,
before rewriting or, with --optimized, after.
)"},
    {"dot", R"(usage: tgc dot GRAPH [--function NAME] [--optimized] [--mode MODE]

Prints Graphviz source of a function's graph; scan bodies are clusters.
)"},
    {"rewrites", R"(usage: tgc rewrites [--mode MODE]

Lists every graph rewrite the mode runs, in order, with its group and tags.
)"},
};

const std::set<std::string> kCommands = {"run", "compile", "print", "dot", "rewrites"};

}  // namespace

std::string usage(const std::string& command) {
  auto it = kHelp.find(command);
  return it == kHelp.end() ? kHelp.at("") : it->second;
}

CliOptions parse_options(const std::vector<std::string>& args) {
  CliOptions o;
  if (args.empty()) throw UsageError{"missing command (run, compile, print, dot, rewrites); see tgc --help"};
  size_t i = 0;
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    o.help = true;
    if (args.size() > 1) o.command = args[1];
    return o;
  }
  o.command = args[i++];
  if (!kCommands.count(o.command)) throw UsageError{"unknown command \"" + o.command + "\"; see tgc --help"};
  auto value = [&](const std::string& flag, std::string inline_value, bool has_inline) -> std::string {
    if (has_inline) return inline_value;
    if (i >= args.size()) throw UsageError{"tgc " + o.command + ": option " + flag + " needs a value"};
    return args[i++];
  };
  std::vector<std::string> positional;
  while (i < args.size()) {
    std::string a = args[i++];
    if (a.size() < 2 || a[0] != '-') {
      positional.push_back(a);
      continue;
    }
    std::string flag = a, inl;
    bool has_inline = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      flag = a.substr(0, eq);
      inl = a.substr(eq + 1);
      has_inline = true;
    }
    if (flag == "--help" || flag == "-h") o.help = true;
    else if (flag == "--function") o.function = value(flag, inl, has_inline);
    else if (flag == "--inputs") o.inputs = value(flag, inl, has_inline);
    else if (flag == "--outputs") o.outputs = value(flag, inl, has_inline);
    else if (flag == "--shared-in") o.shared_in = value(flag, inl, has_inline);
    else if (flag == "--shared-out") o.shared_out = value(flag, inl, has_inline);
    else if (flag == "-o" || flag == "--output-dir") o.out_dir = value(flag, inl, has_inline);
    else if (flag == "--calls") {
      std::string v = value(flag, inl, has_inline);
      try {
        size_t used = 0;
        long long n = std::stoll(v, &used);
        if (used != v.size() || n < 1) throw 0;
        o.calls = n;
      } catch (...) {
        throw UsageError{"tgc " + o.command + ": --calls needs a positive integer, got \"" + v + "\""};
      }
    } else if (flag == "--target") {
      o.target = value(flag, inl, has_inline);
      if (o.target != "cpu" && o.target != "cuda") throw UsageError{"tgc " + o.command + ": --target is cpu or cuda"};
    } else if (flag == "--engine") {
      o.engine = value(flag, inl, has_inline);
      if (o.engine != "compiled" && o.engine != "reference")
        throw UsageError{"tgc " + o.command + ": --engine is compiled or reference"};
    } else if (flag == "--mode") {
      std::string v = value(flag, inl, has_inline);
      o.mode = mode_from_name(v);
      if (!o.mode) throw UsageError{"tgc " + o.command + ": --mode is FAST_RUN, FAST_COMPILE or DEBUG, got \"" + v + "\""};
    } else if (flag == "--optimized") o.optimized = true;
    else if (flag == "--trace-rewrites") o.trace = true;
    else if (flag == "--profile") o.profile = true;
    else if (flag == "--print") o.print = true;
    else if (flag == "--optimizer-excluding") o.excluding.push_back(value(flag, inl, has_inline));
    else if (flag == "--optimizer-including") o.including.push_back(value(flag, inl, has_inline));
    else throw UsageError{"tgc " + o.command + ": unknown option " + flag};
  }
  if (o.help) return o;
  if (o.command == "rewrites") {
    if (!positional.empty()) throw UsageError{"tgc rewrites: unexpected argument \"" + positional[0] + "\""};
    return o;
  }
  if (positional.empty()) throw UsageError{"tgc " + o.command + ": missing GRAPH argument"};
  if (positional.size() > 1) throw UsageError{"tgc " + o.command + ": unexpected argument \"" + positional[1] + "\""};
  o.graph = positional[0];
  if (o.command == "run") {
    if (o.function.empty()) throw UsageError{"tgc run: missing --function NAME"};
    if (o.inputs.empty()) throw UsageError{"tgc run: missing --inputs DIR"};
    if (o.outputs.empty()) throw UsageError{"tgc run: missing --outputs DIR"};
  }
  if (o.command == "compile" && o.out_dir.empty()) throw UsageError{"tgc compile: missing -o DIR"};
  return o;
}

}  // namespace tgc::driver
