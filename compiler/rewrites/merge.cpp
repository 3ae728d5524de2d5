// merge: nodes that compute the same thing from the same inputs become one
// (Theano's MergeOptimizer), and constants of equal type and value become
// one, so a graph may repeat itself freely and tgc computes each value once.
#include <map>
#include <unordered_map>

#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// Constants by dtype, shape and bytes.
std::string constant_key(const Var* v) {
  const Tensor* t = v->constant_tensor();
  std::string k = v->type.str() + "|";
  k.append(static_cast<const char*>(t->raw()), size_t(t->nbytes()));
  return k;
}

// Same op, attributes and inputs (scans have bodies of their own: never merged).
bool same_node(const Node& a, const Node& b) {
  return a.op == b.op && a.inputs == b.inputs && a.attrs == b.attrs && !a.scan && !b.scan &&
         a.outputs.size() == b.outputs.size();
}

bool merge_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  std::vector<Node*> order = topo_order(roots);
  UseIndex uses(fg, g, order);
  // Constants first: their readers then compare equal.
  std::map<std::string, Var*> consts;
  for (Node* n : order)
    for (Var*& in : n->inputs) {
      if (!in->constant_tensor() || in->weak != WeakKind::None) continue;
      auto [it, fresh] = consts.emplace(constant_key(in), in);
      if (!fresh && it->second != in) {
        in = it->second;
        changed = true;
      }
    }
  // Candidates by a hash of (op, inputs); the first node seen in
  // topological order is the one kept.
  std::unordered_map<size_t, std::vector<Node*>> seen;
  seen.reserve(order.size());
  for (Node* n : order) {
    size_t h = std::hash<int>()(int(n->op));
    for (const Var* in : n->inputs) h = h * 1000003u ^ std::hash<const Var*>()(in);
    std::vector<Node*>& same_key = seen[h];
    Node* twin = nullptr;
    for (Node* m : same_key)
      if (same_node(*m, *n)) {
        twin = m;
        break;
      }
    if (!twin) {
      same_key.push_back(n);
      continue;
    }
    for (size_t k = 0; k < n->outputs.size(); ++k) uses.replace(n->outputs[k], twin->outputs[k]);
    RewriteEvent ev;
    ev.rule = "merge";
    ev.path = n->path;
    ev.detail = "same as " + twin->path;
    ev.before = n->outputs;
    ev.after = twin->outputs;
    trace.record(std::move(ev));
    changed = true;
  }
  // Bodies are scopes of their own. The pass replaces no scan, so the
  // scans of `order` are still the scope's.
  for (Node* n : order)
    if (n->scan) changed = merge_scope(fg, *n->scan->body, n->scan->body->outputs, trace) || changed;
  return changed;
}

}  // namespace

bool merge(FunctionGraph& fg, RewriteTrace& trace) { return merge_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
