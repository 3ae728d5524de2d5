#include "passes/function_graph.h"

#include "ir/error.h"
#include "ir/topo_walk.h"

namespace tgc {

std::vector<Var*> FunctionGraph::roots() const {
  std::vector<Var*> r = outputs;
  for (auto& u : updates) r.push_back(u.second);
  return r;
}

namespace {

Var* copy_leaf(Graph& dst, const Var* v) {
  Var* c = dst.new_var(v->name, v->type, v->kind);
  c->set_value(v->value());
  c->weak = v->weak;
  c->set_path(v->path());
  return c;
}

std::unique_ptr<ScanInfo> copy_scan_info(const ScanInfo& s, Graph* parent, VarMap& map) {
  auto c = std::make_unique<ScanInfo>();
  c->has_n_steps = s.has_n_steps;
  c->seq_taps = s.seq_taps;
  c->out_taps = s.out_taps;
  c->n_shared = s.n_shared;
  c->n_nonseq = s.n_nonseq;
  c->go_backwards = s.go_backwards;
  c->truncate_gradient = s.truncate_gradient;
  c->has_until = s.has_until;
  c->keep = s.keep;
  c->body = clone_body(*s.body, parent, map);
  return c;
}

}  // namespace

void copy_subgraph(Graph& dst, const std::vector<Var*>& roots, VarMap& map) {
  // Each node is copied as the walk places it, while its line is at hand
  // (ir/topo_walk.h); a scan's body is copied by a walk of its own.
  topo_walk(roots, [&](Node* n) {
    if (!n->outputs.empty() && map.find(n->outputs[0])) return;
    std::vector<Var*> ins;
    for (Var* in : n->inputs) {
      Var*& c = map[in];
      if (!c) {
        if (in->kind == VarKind::NodeOutput) throw internal_error("clone: input of " + n->path + " was not copied");
        c = copy_leaf(dst, in);
      }
      ins.push_back(c);
    }
    std::vector<Type> types;
    for (Var* o : n->outputs) types.push_back(o->type);
    std::unique_ptr<ScanInfo> si = n->scan ? copy_scan_info(*n->scan, &dst, map) : nullptr;
    Node* c = dst.add_node_typed(n->op, ins, n->attrs, n->path, std::move(si), types);
    for (size_t k = 0; k < n->outputs.size(); ++k) {
      c->outputs[k]->name = n->outputs[k]->name;
      map[n->outputs[k]] = c->outputs[k];
    }
  });
}

namespace {
void copy_nodes(Graph& dst, const std::vector<Var*>& roots, VarMap& map) { copy_subgraph(dst, roots, map); }

// The copy of v, made as a leaf when v has none yet.
Var* mapped(Graph& dst, VarMap& map, Var* v) {
  Var*& c = map[v];
  if (!c) c = copy_leaf(dst, v);
  return c;
}
}  // namespace

std::unique_ptr<Graph> clone_body(const Graph& body, Graph* parent, VarMap& map) {
  auto g = std::make_unique<Graph>(parent);
  for (Var* p : body.params) {
    Var* c = copy_leaf(*g, p);
    map[p] = c;
    g->params.push_back(c);
  }
  copy_nodes(*g, body.outputs, map);
  for (Var* o : body.outputs) g->outputs.push_back(mapped(*g, map, o));  // a constant returned as is
  return g;
}

FunctionGraph extract_function(const Module& m, const Function& f, Mode mode) {
  FunctionGraph fg;
  fg.name = f.name;
  fg.path = f.path;
  fg.mode = mode;
  fg.graph = std::make_unique<Graph>();
  Graph& g = *fg.graph;
  VarMap map(m.root.get());
  for (Var* v : m.inputs) map[v] = copy_leaf(g, v);
  for (Var* v : m.shared) {
    map[v] = copy_leaf(g, v);
    fg.shared.push_back(map[v]);
  }
  // A given replaces a variable before anything is copied: its replacement's
  // graph is copied first, then mapped in the variable's place.
  for (auto& [from, to] : f.givens) {
    copy_nodes(g, {to}, map);
    map[from] = mapped(g, map, to);
  }
  std::vector<Var*> roots = f.outputs;
  for (auto& u : f.updates) roots.push_back(u.second);
  copy_nodes(g, roots, map);
  auto get = [&](Var* v) { return mapped(g, map, v); };
  for (Var* v : f.inputs) fg.inputs.push_back(get(v));
  for (Var* v : f.outputs) fg.outputs.push_back(get(v));
  fg.output_names = f.output_names;
  for (auto& [s, v] : f.updates) fg.updates.push_back({get(s), get(v)});
  return fg;
}

}  // namespace tgc
