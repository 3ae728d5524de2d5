// Graph rewrites: local rules anchored on one node, and the context they see.
//
// A local rule is a small pure function: given a node, it returns one
// replacement per output (null to keep that output) or nothing. It may build
// new nodes with ctx.builder(n) but must not change existing ones. Its math
// is one comment line above it; its name is the same in the function, in
// rewrites/rewrites.def, in --trace-rewrites output, in `tgc rewrites` and
// in its test.
#pragma once
#include <memory_resource>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/builder.h"
#include "ir/graph.h"

namespace tgc {

struct Use {
  Node* node;
  int index;
};

// The use lists of one pass live in an arena freed with the pass: a pass
// over a large graph builds tens of thousands of them, and heap allocation
// and freeing of each was a third of the optimizer's time.
using UseList = std::pmr::vector<Use>;
using UseLists = std::pmr::unordered_map<const Var*, UseList>;

class RewriteContext {
 public:
  RewriteContext(Graph& g, Mode mode) : graph(g), mode(mode) {}
  Graph& graph;  // the scope the rules run in
  Mode mode;

  // Nodes reading v in this scope, and whether v is a root (a function
  // output, an update value, or a scan body's result).
  const UseList& clients(const Var* v) const;
  bool is_root(const Var* v) const { return roots_.count(v) != 0; }
  // Readers in this scope plus root uses.
  size_t n_uses(const Var* v) const { return clients(v).size() + (is_root(v) ? 1 : 0); }

  Builder builder(const Node& n) { return Builder(graph, n.path); }

  // A note for --trace-rewrites (e.g. why a rewrite that could apply did not).
  void note(const Node& n, const std::string& rule, const std::string& why);
  std::vector<std::string> notes;

  // Maintained by the driver (the arena first: it outlives the lists).
  std::pmr::monotonic_buffer_resource arena_;
  UseLists clients_{&arena_};
  std::unordered_map<const Var*, int> roots_;
};

using LocalRewrite = std::optional<std::vector<Var*>> (*)(RewriteContext& ctx, Node& n);

// A global pass over a whole function (all scopes); returns true when it
// changed something. Used for merge, fusion, in-place and scan rewrites.
struct FunctionGraph;
struct RewriteTrace;
using GlobalRewrite = bool (*)(FunctionGraph& fg, RewriteTrace& trace);

// Every firing of a rule, in order, for --trace-rewrites and DEBUG mode.
struct RewriteEvent {
  std::string rule;
  std::string path;  // the node it fired on
  std::string detail;
  std::vector<Var*> before, after;  // replaced outputs and their replacements (local rules)
};
struct RewriteTrace {
  bool print = false;  // --trace-rewrites: print each event on stderr as it happens
  std::vector<RewriteEvent> events;
  void record(RewriteEvent e);
};

}  // namespace tgc
