// merge: nodes that compute the same thing from the same inputs become one
// (Theano's MergeOptimizer), and constants of equal type and value become
// one, so a graph may repeat itself freely and tgc computes each value once.
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ir/topo_walk.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// 64-bit finalizer (splitmix64): spreads pointer bits over the whole word.
uint64_t mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

// The first of each class of equal items, by hash: open addressing in a
// table kept at most three quarters full (sized for the expected number of
// classes, doubled should there be more), so finding an item's class
// rarely allocates and a probe run stays within a line of eight slots. A
// slot is 8 bytes, the upper half of the hash and the class's number: the
// probes, one or two random reads per item, stay in a table a quarter the
// size of a half-full one of hashes and pointers (a 20,000-node graph's did
// not fit the L2 with the graph). The classes' items and full hashes are
// kept in order of first sight, read on a match and when growing.
template <class T>
class FirstOfClass {
 public:
  explicit FirstOfClass(size_t expected) {
    size_t c = 16;
    while (over(expected, c)) c *= 2;
    slots_.resize(c);
  }
  // The item of x's class seen first; x itself when it is the first.
  template <class Equal>
  T* first(uint64_t h, T* x, Equal equal) {
    const uint32_t tag = uint32_t(h >> 32) | 1;  // 0 marks an empty slot
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.tag == 0) {
        s = {tag, uint32_t(items_.size())};
        items_.push_back(x);
        hashes_.push_back(h);
        if (over(items_.size(), slots_.size())) grow();
        return x;
      }
      if (s.tag == tag && equal(*items_[s.item], *x)) return items_[s.item];
    }
  }

 private:
  struct Slot {
    uint32_t tag = 0;
    uint32_t item = 0;  // index into items_ and hashes_
  };
  static bool over(size_t n, size_t slots) { return 4 * n > 3 * slots; }
  void grow() {
    slots_.assign(slots_.size() * 2, Slot{});
    size_t mask = slots_.size() - 1;
    for (size_t k = 0; k < items_.size(); ++k) {
      size_t i = hashes_[k] & mask;
      while (slots_[i].tag != 0) i = (i + 1) & mask;
      slots_[i] = {uint32_t(hashes_[k] >> 32) | 1, uint32_t(k)};
    }
  }
  std::vector<Slot> slots_;
  std::vector<T*> items_;
  std::vector<uint64_t> hashes_;
};

// Constants of equal type and bytes.
uint64_t constant_hash(const Var& v) {
  const Tensor& t = *v.constant_tensor();
  uint64_t h = mix(uint64_t(v.type.dtype) << 8 | uint64_t(v.type.ndim()));
  for (int64_t d : v.type.shape) h = mix(h ^ uint64_t(d));
  return mix(h ^ std::hash<std::string_view>()({static_cast<const char*>(t.raw()), size_t(t.nbytes())}));
}
bool same_constant(const Var& a, const Var& b) {
  const Tensor &x = *a.constant_tensor(), &y = *b.constant_tensor();
  return a.type == b.type && x.nbytes() == y.nbytes() && std::memcmp(x.raw(), y.raw(), size_t(x.nbytes())) == 0;
}

// Same op, attributes and inputs (scans have bodies of their own: never merged).
uint64_t node_hash(const Node& n) {
  uint64_t h = mix(uint64_t(n.op));
  for (const Var* in : n.inputs) h = mix(h ^ reinterpret_cast<uintptr_t>(in));
  return h;
}
bool same_node(const Node& a, const Node& b) {
  return a.op == b.op && a.inputs == b.inputs && a.attrs == b.attrs && !a.scan && !b.scan &&
         a.outputs.size() == b.outputs.size();
}

// One pass in topological order: every reader comes after the producers it
// reads, so a node's inputs are redirected to their kept twins (`kept`, by
// variable id) and its constant inputs to the first equal constant just
// before the node itself is compared. No use lists needed.
bool merge_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  // The first constant of each class, in the order nodes read them (the
  // tables grow as needed from the scope's node count).
  FirstOfClass<Var> consts(g.nodes().size() / 4);
  auto canonical_constant = [&](Var*& in) {
    if (!in->constant_tensor() || in->weak != WeakKind::None) return;
    Var* first = consts.first(constant_hash(*in), in, same_constant);
    if (first != in) {
      in = first;
      changed = true;
    }
  };
  // The first node of each class in topological order is the one kept; the
  // outputs of the others map to its outputs. Few nodes merge: a bit by
  // variable id says whether to look in the map, so the lookup for every
  // input reads a table of one byte per id.
  std::vector<uint8_t> merged(size_t(g.id_bound()), 0);
  std::unordered_map<const Var*, Var*> kept;
  auto current = [&](Var* v) { return merged[size_t(v->id)] ? kept.at(v) : v; };
  FirstOfClass<Node> nodes(g.nodes().size());
  // In the walk, while the node's line is at hand (ir/topo_walk.h): the walk
  // has read n's inputs before it places n, and never reads them again.
  std::vector<Node*> scans;
  topo_walk(roots, [&](Node* n) {
    if (n->is_scan()) scans.push_back(n);
    for (Var*& in : n->inputs) {
      canonical_constant(in);
      in = current(in);
    }
    Node* twin = nodes.first(node_hash(*n), n, same_node);
    if (twin == n) return;
    for (size_t k = 0; k < n->outputs.size(); ++k) {
      merged[size_t(n->outputs[k]->id)] = 1;
      kept[n->outputs[k]] = twin->outputs[k];
    }
    RewriteEvent ev;
    if (trace.wants_details()) {
      ev.rule = "merge";
      ev.path = n->path;
      ev.detail = "same as " + twin->path;
      ev.before = n->outputs;
      ev.after = twin->outputs;
    }
    trace.record(std::move(ev));
    changed = true;
  });
  if (&g == fg.graph.get()) {
    for (Var*& o : fg.outputs) o = current(o);
    for (auto& u : fg.updates) u.second = current(u.second);
  } else {
    for (Var*& o : g.outputs) o = current(o);
  }
  // Bodies are scopes of their own (scans are never merged).
  for (Node* n : scans) changed = merge_scope(fg, *n->scan->body, n->scan->body->outputs, trace) || changed;
  return changed;
}

}  // namespace

bool merge(FunctionGraph& fg, RewriteTrace& trace) { return merge_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
