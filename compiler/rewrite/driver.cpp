#include "rewrite/driver.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "ir/error.h"
#include "ir/printer.h"
#include "ir/topo_walk.h"

namespace tgc {

UseTable::UseTable(const Graph& g) : graph_(g) {
  // One counter for all threads: a graph's marks must never look like
  // those of another table, whichever thread made it.
  static std::atomic<uint32_t> epoch_counter{0};
  if (g.use_table_epoch == 0) {
    epoch_ = ++epoch_counter;
    if (epoch_ == 0) epoch_ = ++epoch_counter;  // 0 means "no table"
    g.use_table_epoch = epoch_;
    // About one entry per variable: grown by doubling, the entries of a large
    // graph would be copied about once more.
    entries_.reserve(g.vars().size());
  }
}

UseTable::~UseTable() {
  if (epoch_ != 0) graph_.use_table_epoch = 0;
}

const UseTable::Entry* UseTable::find(const Var* v) const {
  if (marked(v)) return v->use_epoch == epoch_ ? &entries_[v->use_slot] : nullptr;
  auto it = other_.find(v);
  return it == other_.end() ? nullptr : &it->second;
}

const UseList& UseTable::uses(const Var* v) const {
  static const UseList none;
  const Entry* e = find(v);
  return e ? e->uses : none;
}

int UseTable::roots(const Var* v) const {
  const Entry* e = find(v);
  return e ? e->roots : 0;
}

void UseTable::add_use(const Var* v, Use u) {
  UseList& l = entry(v).uses;
  if (l.size_ == l.capacity_) {
    // Doubled in the arena; the old array stays there until the table dies.
    uint32_t cap = std::max<uint32_t>(4, 2 * l.capacity_);
    Use* grown = static_cast<Use*>(arena_.allocate(cap * sizeof(Use), alignof(Use)));
    std::copy(l.begin(), l.end(), grown);
    l.data_ = grown;
    l.capacity_ = cap;
  }
  l.data_[l.size_++] = u;
}

void UseTable::move_uses(const Var* from, Var* to) {
  UseList moved = entry(from).uses;  // its array stays in the arena
  entry(from).uses = UseList{};
  for (Use u : moved) {
    u.node->inputs[size_t(u.index)] = to;
    add_use(to, u);
  }
}

UseTable::Entry& UseTable::entry(const Var* v) {
  if (!marked(v)) return other_[v];
  if (v->use_epoch != epoch_) {
    v->use_epoch = epoch_;
    v->use_slot = uint32_t(entries_.size());
    entries_.emplace_back();
  }
  return entries_[v->use_slot];
}

void RewriteContext::note(const Node& n, const std::string& rule, const std::string& why) {
  notes.push_back(rule + " did not fire on " + n.path + ": " + why);
}

void RewriteTrace::record(RewriteEvent e) {
  if (print) {
    std::string line = "rewrite " + e.rule + " on " + e.path;
    if (!e.detail.empty()) line += ": " + e.detail;
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  ++fired;
  if (keep) events.push_back(std::move(e));
}

namespace {

// A replacement must look like what it replaces to every reader: the same
// kind, dtype and rank, and static size 1 wherever the original has it
// (broadcasting is decided from static types).
bool compatible(const Var* old, const Var* rep) {
  const Type &a = old->type, &b = rep->type;
  if (a.kind != b.kind || a.dtype != b.dtype || a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d)
    if (a.broadcastable(d) != b.broadcastable(d)) return false;
  return true;
}

std::vector<Var*>& roots_of(FunctionGraph& fg, Graph& g, std::vector<Var*>& scratch) {
  if (&g == fg.graph.get()) {
    scratch = fg.roots();
    return scratch;
  }
  return g.outputs;
}

void set_roots(FunctionGraph& fg, Graph& g, Var* from, Var* to) {
  if (&g == fg.graph.get()) {
    for (Var*& o : fg.outputs)
      if (o == from) o = to;
    for (auto& u : fg.updates)
      if (u.second == from) u.second = to;
  } else {
    for (Var*& o : g.outputs)
      if (o == from) o = to;
  }
}

std::string op_text(const Node& n) { return node_label(n); }

}  // namespace

void RootSlots::build() {
  slots_.clear();
  if (&g_ == fg_.graph.get()) {
    for (size_t i = 0; i < fg_.outputs.size(); ++i) slots_[fg_.outputs[i]].push_back({Outputs, uint32_t(i)});
    for (size_t i = 0; i < fg_.updates.size(); ++i) slots_[fg_.updates[i].second].push_back({Updates, uint32_t(i)});
  } else {
    for (size_t i = 0; i < g_.outputs.size(); ++i) slots_[g_.outputs[i]].push_back({BodyOutputs, uint32_t(i)});
  }
  built_ = true;
}

Var** RootSlots::find(Slot s) {
  switch (s.list) {
    case Outputs: return s.index < fg_.outputs.size() ? &fg_.outputs[s.index] : nullptr;
    case Updates: return s.index < fg_.updates.size() ? &fg_.updates[s.index].second : nullptr;
    case BodyOutputs: return s.index < g_.outputs.size() ? &g_.outputs[s.index] : nullptr;
  }
  return nullptr;
}

void RootSlots::move(Var* from, Var* to) {
  if (!built_ && scans_left_ > 0) {
    --scans_left_;
    set_roots(fg_, g_, from, to);
    return;
  }
  if (!built_) build();
  auto it = slots_.find(from);
  std::vector<Slot> moved;
  if (it != slots_.end()) {
    moved = std::move(it->second);
    slots_.erase(it);
  }
  bool stale = moved.empty();  // `from` is a root the index does not know
  for (Slot s : moved) {
    Var** p = find(s);
    if (!p || *p != from) {
      stale = true;
      continue;
    }
    *p = to;
  }
  if (stale) {
    // The root lists changed behind the index: scan them, and index them
    // again when next needed.
    set_roots(fg_, g_, from, to);
    built_ = false;
    return;
  }
  std::vector<Slot>& dst = slots_[to];
  dst.insert(dst.end(), moved.begin(), moved.end());
}

namespace {

// `from`, replaced by `to`, hands over its root count and its places in the
// root lists (none when it is no root).
void move_roots(UseTable& table, RootSlots& slots, Var* from, Var* to) {
  int c = table.roots_of(from);
  if (c == 0) return;
  table.roots_of(from) = 0;
  table.roots_of(to) += c;
  slots.move(from, to);
}

// Which nodes of one scope a pass after the first must visit. The first
// pass visits every node in topological order. A node visited without firing
// would give the same answer again unless something it reads changed since:
//  - its ancestors (the patterns rules match below a node). Readers come
//    after what they read in a pass, so a replacement made in a pass reaches
//    its readers, and theirs, later in the same pass: the pass visits that
//    cone (Revisits::wanted).
//  - the use lists and root counts rules query (RewriteContext records each
//    query): a value that gained or lost a reader or a root since gets the
//    nodes that queried it visited in the next pass (Revisits::plan).
//  - nodes new to the order (made and left unvisited by the budget, or made
//    live again) are visited.
// A pass with nothing to visit is the fixed point: it costs one traversal.
// Tables are by id (nodes and variables share a graph's dense ids).
class Revisits {
 public:
  explicit Revisits(const Graph& g) : g_(g) {}

  // A node placed in the order of pass `pass` (called from the topological
  // walk, in order, while the node's line is at hand).
  void place(int pass, const Node* n) {
    size_t id = size_t(n->id);
    next_ids_.push_back(n->id);
    if (pass == 0) return;
    grow();
    at(id).in_order = uint8_t(pass);
    if (!at(id).visited) {  // new to the order
      at(id).revisit = uint8_t(pass);
      any_new_ = true;
    }
  }
  // After the first pass's walk placed `order`.
  void start_first_pass(const std::vector<Node*>& order) {
    grow();
    members_.assign(order.begin(), order.end());
    member_ids_ = std::move(next_ids_);
    next_ids_.clear();
  }
  // After the walk of pass `pass` > 0 placed `order`: whether the pass has
  // anything to visit. The nodes of a large scope do not stay in cache from
  // one loop over them to the next, so the order's nodes were marked as the
  // walk placed them, and the last pass's members are read by their ids.
  bool plan(int pass, const std::vector<Node*>& order) {
    grow();
    bool any = any_new_;
    any_new_ = false;
    // Nodes of the last pass that left the order: their inputs lost a reader.
    for (size_t i = 0; i < members_.size(); ++i)
      if (at(size_t(member_ids_[i])).in_order != pass)
        for (const Var* in : members_[i]->inputs) touch(in);
    members_.assign(order.begin(), order.end());
    member_ids_ = std::move(next_ids_);
    next_ids_.clear();
    for (const auto& [var, node] : queries_)
      if (size_t(var) < marks_.size() && at(size_t(var)).touched == pass - 1) {
        at(size_t(node)).revisit = uint8_t(pass);
        any = true;
      }
    pass_ = pass;
    return any;
  }
  // The id of the i-th node of this pass's order.
  size_t order_id(size_t i) const { return size_t(member_ids_[i]); }

  // Whether pass `pass_` visits node `id` (n): every node in the first pass;
  // later, the planned ones and the cone of this pass's replacements. The
  // cone is pushed to readers through the use table (spread) rather than
  // pulled from each node's inputs, so a later pass decides from the node's
  // id alone and reads the lines of the nodes it visits only. A node reached
  // by the cone passes it on to the readers of its outputs.
  bool wanted(size_t id, const Node* n, const UseTable& uses) {
    if (pass_ == 0 || at(id).revisit == pass_) return true;
    if (at(id).cone != pass_) return false;
    for (const Var* o : n->outputs) spread(o, uses);
    return true;
  }
  void visited(size_t id) {
    grow();  // id may be a node made in this pass
    at(id).visited = 1;
  }
  // A node made in this pass: a member of it (it may die before the next).
  void made(Node* n) {
    members_.push_back(n);
    member_ids_.push_back(n->id);
  }
  // `from` was replaced by `to` in this pass (after its readers moved to `to`).
  void replaced(const Var* from, const Var* to, const UseTable& uses) {
    touch(from);
    touch(to);
    spread(to, uses);
  }
  // v gained or lost a reader or a root in this pass.
  void touch(const Var* v) {
    grow();
    at(size_t(v->id)).touched = uint8_t(pass_);
  }
  void add_queries(std::vector<std::pair<int, int>>& q) { queries_.insert(queries_.end(), q.begin(), q.end()); }

 private:
  // v's readers now are in this pass's cone.
  void spread(const Var* v, const UseTable& uses) {
    grow();
    for (const Use& u : uses.uses(v)) at(size_t(u.node->id)).cone = uint8_t(pass_);
  }
  // What is known of one node or variable, by id: pass numbers (kNever
  // before any) and flags, together, so that a node's lookups read one line
  // of one table.
  static constexpr uint8_t kNever = 0xff;
  struct Marks {
    uint8_t in_order = kNever;  // the last pass whose order holds the node
    uint8_t revisit = kNever;   // the pass planned to visit the node again
    uint8_t touched = kNever;   // the last pass in which the variable gained or lost a reader or root
    uint8_t visited = 0;        // the node was visited in some pass
    uint8_t cone = kNever;      // the last pass in which the node read a changed value
  };
  Marks& at(size_t id) { return marks_[id]; }
  void grow() {
    size_t n = size_t(g_.id_bound());
    if (marks_.size() < n) marks_.resize(n);
  }
  const Graph& g_;
  int pass_ = 0;
  std::vector<Marks> marks_;
  std::vector<Node*> members_;                    // the last pass's order and the nodes it made
  std::vector<int> member_ids_;                   // their ids
  std::vector<int> next_ids_;                     // ids of the order being placed
  bool any_new_ = false;                          // a node new to that order
  std::vector<std::pair<int, int>> queries_;      // (variable id, node id) of every use query
};

// Retyping after replacements. Inference reads only a node's operands'
// types and constant values (and its own attributes, which rules never
// change), so only the readers of the replacements that may change what
// inference gives them (`seeds`, see run_scope), and the readers of every
// output whose type changes in turn, need new types. In topological order
// each node's inputs are retyped before it: the next walk of the function
// does it as it places each node (ir/topo_walk.h), so rules see the new
// types from the next pass on. A function with scans (whose bodies take
// their parameters' types from the loop) or seeds in a body is retyped
// whole once its rules are done (retype_from).
class Retype {
 public:
  std::vector<const Var*> seeds;  // not yet applied

  // Before a walk of scope g: whether the walk retypes (then every seed is
  // applied by it).
  bool start_walk(const FunctionGraph& fg, const Graph& g) {
    bool local = &g == fg.graph.get() && !g.has_op(Op::Scan) && !seeds.empty();
    for (const Var* s : seeds) local = local && s->scope == &g;
    if (!local) return false;
    changed_.assign(size_t(g.id_bound()), 0);
    for (const Var* s : seeds) changed_[size_t(s->id)] = 1;
    seeds.clear();
    return true;
  }
  // A node placed by that walk.
  void place(Node* n) {
    bool stale = false;
    for (const Var* in : n->inputs) stale = stale || changed_[size_t(in->id)];
    if (!stale) return;
    std::vector<Type> t = infer_types(*n);
    for (size_t k = 0; k < t.size(); ++k)
      if (n->outputs[k]->type != t[k]) {
        n->outputs[k]->type = std::move(t[k]);
        changed_[size_t(n->outputs[k]->id)] = 1;
      }
  }

 private:
  std::vector<uint8_t> changed_;  // by variable id
};

// One scope to a fixed point; returns true when anything fired. Records in
// `retype` each replacement that may change what type inference gives its
// readers: its type differs from the replaced value's, or either is a
// constant (inference reads constant operands' values: a reshape's shape, a
// slice's bounds). Otherwise every type stays what inference gives: rules
// make new nodes, typed as they are made, and never change existing ones.
bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<const RewriteInfo*>& rules, RewriteTrace& trace,
               int max_passes, Mode mode, Retype& retype) {
  bool any = false;
  Revisits revisits(g);
  for (int pass = 0; pass < max_passes; ++pass) {
    RewriteContext ctx(g, mode);
    RootSlots root_slots(fg, g);
    std::vector<Var*> scratch;
    std::vector<Var*> roots = roots_of(fg, g, scratch);
    // Only nodes some rule anchors on are visited.
    auto anchored = [&](const Node* n) {
      for (const RewriteInfo* r : rules)
        if (r->anchored_on(n->op)) return true;
      return false;
    };
    // One walk places the nodes, marks them for the revisits and records
    // their uses, while each node's line is at hand (ir/topo_walk.h).
    std::vector<Node*> order;
    bool any_candidate = false;
    bool retyping = retype.start_walk(fg, g);
    topo_walk(roots, [&](Node* n) {
      if (retyping) retype.place(n);
      order.push_back(n);
      revisits.place(pass, n);
      any_candidate = any_candidate || anchored(n);
      for (size_t k = 0; k < n->inputs.size(); ++k) ctx.table.add_use(n->inputs[k], {n, int(k)});
    });
    if (pass == 0)
      revisits.start_first_pass(order);
    else if (!revisits.plan(pass, order))
      break;
    if (!any_candidate) {
      // No rule anchors on this scope's nodes (most groups have rules for a
      // few ops only): only the scan bodies, scopes of their own, remain.
      for (Node* n : scans_in(g, order)) any = run_scope(fg, *n->scan->body, rules, trace, max_passes, mode, retype) || any;
      break;
    }
    for (Var* r : roots) ctx.table.roots_of(r) += 1;
    std::vector<uint8_t> dead;  // by node id: replaced in this pass
    auto is_dead = [&](size_t id) { return id < dead.size() && dead[id]; };
    bool changed = false;
    // Nodes a rule made in this pass are visited right after it fired (a
    // rewrite often enables another on what it built), so fewer passes are
    // needed to reach the fixed point. A budget bounds rules that would keep
    // rebuilding each other's results; what is left waits for the next pass.
    std::vector<Node*> made;
    size_t budget = order.size() * 4 + 64;
    auto visit = [&](Node* n, size_t id, bool is_made) {
      if (is_dead(id) || !(is_made || revisits.wanted(id, n, ctx.table))) return;
      revisits.visited(id);
      if (!anchored(n)) return;
      bool live = false;
      for (Var* o : n->outputs) live = live || ctx.n_uses(o) > 0;
      if (!live) {
        // Visited again should it gain a reader.
        for (Var* o : n->outputs) ctx.queried.push_back({o->id, n->id});
        return;
      }
      ctx.visiting = n;
      for (const RewriteInfo* r : rules) {
        if (!r->anchored_on(n->op)) continue;
        size_t before = g.nodes().size();
        std::optional<std::vector<Var*>> rep = r->local(ctx, *n);
        if (!rep) continue;
        bool ok = rep->size() == n->outputs.size();
        for (size_t k = 0; ok && k < rep->size(); ++k)
          ok = !(*rep)[k] || ((*rep)[k] != n->outputs[k] && compatible(n->outputs[k], (*rep)[k]));
        if (!ok) {
          ctx.note(*n, r->name, "its replacement does not have the type of what it replaces (refused)");
          continue;
        }
        // Register the readers the rule created, then move every use.
        for (size_t i = before; i < g.nodes().size(); ++i) {
          Node* m = g.nodes()[i];
          for (size_t k = 0; k < m->inputs.size(); ++k) {
            ctx.table.add_use(m->inputs[k], {m, int(k)});
            revisits.touch(m->inputs[k]);
          }
          made.push_back(m);
          revisits.made(m);
        }
        RewriteEvent ev;
        const bool details = trace.wants_details();
        if (details) {
          ev.rule = r->name;
          ev.path = n->path;
        }
        if (trace.print) ev.detail = op_text(*n) + " ->";
        for (size_t k = 0; k < rep->size(); ++k) {
          Var* to = (*rep)[k];
          if (!to) continue;
          Var* from = n->outputs[k];
          if (to->type != from->type || to->is_constant() || from->is_constant()) retype.seeds.push_back(to);
          if (details) {
            ev.before.push_back(from);
            ev.after.push_back(to);
          }
          if (trace.print) ev.detail += " " + (to->owner ? op_text(*to->owner) : (to->name.empty() ? "value" : to->name));
          ctx.table.move_uses(from, to);
          revisits.replaced(from, to, ctx.table);
          move_roots(ctx.table, root_slots, from, to);
        }
        trace.record(std::move(ev));
        dead.resize(std::max(dead.size(), size_t(g.id_bound())), 0);
        dead[size_t(n->id)] = 1;
        changed = any = true;
        break;
      }
      ctx.visiting = nullptr;
    };
    // The order's nodes by id: a later pass reads the line of a node it visits only.
    for (size_t i = 0; i < order.size(); ++i) {
      visit(order[i], revisits.order_id(i), false);
      for (size_t w = 0; w < made.size() && budget > 0; ++w, --budget) visit(made[w], size_t(made[w]->id), true);
      made.clear();
    }
    revisits.add_queries(ctx.queried);
    for (const std::string& note : ctx.notes)
      if (trace.print) std::fprintf(stderr, "rewrite note: %s\n", note.c_str());
    // Scan bodies are scopes of their own (a rule may have made new scans:
    // the graph's op counts say whether there are any before a traversal).
    if (g.has_op(Op::Scan))
      for (Node* n : topo_order(roots_of(fg, g, scratch)))
        if (n->is_scan()) any = run_scope(fg, *n->scan->body, rules, trace, max_passes, mode, retype) || any;
    if (!changed) break;
  }
  return any;
}

// A scan body's parameters take their types from the scan's inputs.
void retype_scan_params(Node& n) {
  ScanInfo& s = *n.scan;
  auto drop = [](Type t) {
    t.shape.erase(t.shape.begin());
    return t;
  };
  size_t p = 0;
  for (int j = 0; j < s.n_seqs(); ++j)
    for (size_t t = 0; t < s.seq_taps[size_t(j)].size(); ++t) s.body->params[p++]->type = drop(n.inputs[size_t(s.seq_input(j))]->type);
  for (int k = 0; k < s.n_outs(); ++k) {
    const auto& taps = s.out_taps[size_t(k)];
    if (taps.empty()) continue;
    const Type& init = n.inputs[size_t(s.init_input(k))]->type;
    Type step = taps.size() == 1 && taps[0] == -1 ? init : drop(init);
    for (size_t t = 0; t < taps.size(); ++t) s.body->params[p++]->type = step;
  }
  for (int k = 0; k < s.n_shared; ++k) s.body->params[p++]->type = n.inputs[size_t(s.shared_input(k))]->type;
  for (int k = 0; k < s.n_nonseq; ++k) s.body->params[p++]->type = n.inputs[size_t(s.nonseq_input(k))]->type;
}

void retype_scope(Graph& g, const std::vector<Var*>& roots) {
  for (Node* n : topo_order(roots)) {
    if (n->is_scan()) {
      retype_scan_params(*n);
      retype_scope(*n->scan->body, n->scan->body->outputs);
    }
    std::vector<Type> t = infer_types(*n);
    for (size_t k = 0; k < t.size(); ++k) n->outputs[k]->type = t[k];
  }
}

// Applies the seeds no walk of run_scope applied.
void retype_from(FunctionGraph& fg, Retype& retype) {
  if (!retype.start_walk(fg, *fg.graph)) return retype_function(fg);
  topo_walk(fg.roots(), [&](Node* n) { retype.place(n); });
}

void final_walk_scope(Graph& g, const std::vector<Var*>& roots, bool drop_dead, const ScopeVisit& visit) {
  std::vector<Node*> order;
  if (visit) {
    ReaderCounts u(g, roots);
    order = order_and_readers(roots, u);
    visit(order, u);
  } else {
    order = topo_order(roots);  // only the order: no reader counts to fill
  }
  for (Node* n : scans_in(g, order)) final_walk_scope(*n->scan->body, n->scan->body->outputs, drop_dead, visit);
  if (drop_dead) g.keep_nodes(std::move(order));
}

}  // namespace

bool apply_local_rules(FunctionGraph& fg, const std::vector<const RewriteInfo*>& rules, RewriteTrace& trace,
                       int max_passes) {
  if (rules.empty()) return false;
  max_passes = std::min(max_passes, 254);  // Revisits keeps pass numbers in a byte
  Retype retype;
  bool changed = run_scope(fg, *fg.graph, rules, trace, max_passes, fg.mode, retype);
  if (!retype.seeds.empty()) retype_from(fg, retype);
  return changed;
}

ReaderCounts::ReaderCounts(const Graph& g, const std::vector<Var*>& roots) : g_(g), dense_(size_t(g.id_bound()), 0) {
  for (Var* r : roots) add(r);
}

void ReaderCounts::add_node(const Node* n) {
  for (const Var* in : n->inputs) add(in);
}

std::vector<Node*> order_and_readers(const std::vector<Var*>& roots, ReaderCounts& readers) {
  std::vector<Node*> order;
  topo_walk(roots, [&](Node* n) {
    order.push_back(n);
    readers.add_node(n);
  });
  return order;
}

int ReaderCounts::operator[](const Var* v) const {
  if (v->scope == &g_ && size_t(v->id) < dense_.size()) return dense_[size_t(v->id)];
  auto it = other_.find(v);
  return it == other_.end() ? 0 : it->second;
}

void ReaderCounts::add(const Var* v) {
  if (v->scope == &g_ && size_t(v->id) < dense_.size()) {
    uint8_t& c = dense_[size_t(v->id)];
    if (c < kMany) ++c;
    return;
  }
  int& c = other_[v];
  if (c < kMany) ++c;
}

void replace_everywhere(FunctionGraph& fg, Graph& g, Var* from, Var* to) {
  replace_uses(g, from, to);
  set_roots(fg, g, from, to);
}

void retype_function(FunctionGraph& fg) { retype_scope(*fg.graph, fg.roots()); }

void final_walk(FunctionGraph& fg, bool drop_dead, const ScopeVisit& visit) {
  final_walk_scope(*fg.graph, fg.roots(), drop_dead, visit);
}

}  // namespace tgc
