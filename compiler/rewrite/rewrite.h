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

// The readers of one value: an array in its UseTable's arena, freed with
// the table. A pass over a large graph builds tens of thousands of these
// lists: heap allocation and freeing of each was a third of the optimizer's
// time. The list is 16 bytes and needs no destructor, so a table's entries
// take 24 bytes each and the table is dropped without reading them again
// (a std::pmr::vector took 40 bytes and a destructor call per entry).
class UseList {
 public:
  const Use* begin() const { return data_; }
  const Use* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Use& operator[](size_t i) const { return data_[i]; }

 private:
  friend class UseTable;
  Use* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
};

// The readers of the values of one scope and how many roots each value is.
// A value's entry is found through marks in the variable itself (an epoch
// and a slot), so a lookup reads the variable, which the caller has just
// read anyway, and one dense array: no hash probe into a table as large as
// the graph. One table at a time owns a scope's marks; a second table over
// the same scope, or values of other scopes, use a map.
class UseTable {
 public:
  explicit UseTable(const Graph& g);
  ~UseTable();
  UseTable(const UseTable&) = delete;
  UseTable& operator=(const UseTable&) = delete;
  const UseList& uses(const Var* v) const;
  int roots(const Var* v) const;
  // u.node reads v (as its input u.index).
  void add_use(const Var* v, Use u);
  int& roots_of(const Var* v) { return entry(v).roots; }
  // Every reader of `from` reads `to` instead (root counts stay).
  void move_uses(const Var* from, Var* to);

 private:
  struct Entry {
    UseList uses;
    int roots = 0;
  };
  bool marked(const Var* v) const { return epoch_ != 0 && v->scope == &graph_; }
  const Entry* find(const Var* v) const;
  Entry& entry(const Var* v);
  const Graph& graph_;
  uint32_t epoch_ = 0;  // 0: this table does not own the marks
  std::pmr::monotonic_buffer_resource arena_;  // the lists' arrays
  std::vector<Entry> entries_;
  std::unordered_map<const Var*, Entry> other_;
};

class RewriteContext {
 public:
  RewriteContext(Graph& g, Mode mode) : graph(g), mode(mode), table(g) {}
  Graph& graph;  // the scope the rules run in
  Mode mode;

  // Nodes reading v in this scope, and whether v is a root (a function
  // output, an update value, or a scan body's result).
  const UseList& clients(const Var* v) const {
    record(v);
    return table.uses(v);
  }
  bool is_root(const Var* v) const {
    record(v);
    return table.roots(v) != 0;
  }
  // Readers in this scope plus root uses.
  size_t n_uses(const Var* v) const { return clients(v).size() + (is_root(v) ? 1 : 0); }

  Builder builder(const Node& n) { return Builder(graph, n.path); }

  // A note for --trace-rewrites (e.g. why a rewrite that could apply did not).
  void note(const Node& n, const std::string& rule, const std::string& why);
  std::vector<std::string> notes;

  UseTable table;  // maintained by the driver

  // The node the rules are looking at, and each (variable id, node id) whose
  // readers or roots a rule asked about while looking at it: the driver
  // visits the node again when that answer changes (rewrite/driver.cpp).
  Node* visiting = nullptr;
  mutable std::vector<std::pair<int, int>> queried;

 private:
  void record(const Var* v) const {
    if (visiting) queried.push_back({v->id, visiting->id});
  }
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
  // Whether `events` keeps every event (DEBUG mode and the tests read them).
  // A plain compile reads none: the 20,000-node benchmark graph fires 5,750
  // rewrites, whose events (three strings and two vectors each) took over a
  // megabyte, written as the passes ran and never read.
  bool keep = true;
  size_t fired = 0;  // events recorded, kept or not
  std::vector<RewriteEvent> events;
  // Whether an event's text and variables are wanted (printed or kept):
  // when not, a rule may record it without filling them in.
  bool wants_details() const { return print || keep; }
  void record(RewriteEvent e);
};

}  // namespace tgc
