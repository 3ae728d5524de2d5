// The CPU target: one C++17 translation unit and its header for a module's
// functions, calling OpenBLAS for dense linear algebra.
//
// Assumes: optimized, verified FunctionGraphs of one module.
// Guarantees: deterministic text (the same graphs give the same bytes); every
// entry point validates its inputs and reports errors through tgc_status;
// no allocation happens in a call whose shapes were seen before.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/function_graph.h"

namespace tgc {

// A text kept in parts, to be written one after another. The source of a
// large graph is mostly the last function's body, kept in the buffer it was
// emitted into: joining the text before it to it would read and write
// megabytes once more (a 20,000-node graph's body is about 7 MB).
struct SourceText {
  std::vector<std::string> parts;

  size_t size() const;
  std::string str() const;  // the parts joined
  bool operator==(const SourceText& o) const { return str() == o.str(); }
};
std::ostream& operator<<(std::ostream& out, const SourceText& t);

struct GeneratedUnit {
  std::string stem;    // file names: stem + ".h", stem + ".cpp"
  std::string prefix;  // C symbol prefix, e.g. "tgc_logreg"
  std::string header;
  SourceText source;
};

struct CodegenOptions {
  bool profile = false;  // per-node timing counters (tgc run --profile)
};

GeneratedUnit generate_cpu(const Module& m, const std::vector<const FunctionGraph*>& fns, const CodegenOptions& opt = {});

// The C symbol prefix for a module name.
std::string symbol_prefix(const std::string& module_name);

}  // namespace tgc
