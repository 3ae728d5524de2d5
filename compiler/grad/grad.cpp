#include "grad/grad.h"

#include "grad/backprop.h"
#include "ir/diagnostics.h"
#include "ir/error.h"

namespace tgc {

namespace {

// Replaces a grad node's outputs by the gradients it asks for.
void expand_one(FunctionGraph& fg, Node& n) {
  Graph& g = *fg.graph;
  Var* cost = n.inputs[0];
  size_t m = size_t(n.attrs->n_branch);
  Backprop bp(g, g, n.path);
  for (size_t k = 1 + m; k < n.inputs.size(); ++k) bp.stop.insert(n.inputs[k]);
  std::vector<const Var*> wrt(n.inputs.begin() + 1, n.inputs.begin() + 1 + long(m));
  bp.prune = true;
  bp.needed = depending_on({cost}, wrt);
  Builder b(g, n.path);
  auto grads = bp.run({{cost, b.ones_like(cost)}});
  for (size_t k = 0; k < m; ++k) {
    Var* wrt = n.inputs[1 + k];
    Var* gv = nullptr;
    auto it = grads.find(wrt);
    if (it != grads.end()) gv = it->second;
    if (!gv) {
      std::string what = "the cost does not depend on wrt[" + std::to_string(k) + "] \"" + wrt->name + "\"";
      if (n.attrs->disconnected == "raise")
        throw graph_error(n.path + ".wrt[" + std::to_string(k) + "]", "grad: " + what + " (disconnected_inputs: raise)");
      if (n.attrs->disconnected == "warn") warn(n.path + ".wrt[" + std::to_string(k) + "]", "grad: " + what + "; its gradient is zero");
      gv = b.zeros_like(wrt);
    }
    if (wrt->type.is_tensor() && !is_float(wrt->type.dtype) && gv->type.dtype != wrt->type.dtype)
      gv = b.cast_like(gv, wrt);
    // The gradient broadcasts where its variable does (readers of the grad
    // output were typed with the variable's static size-1 dimensions).
    if (gv->type.is_tensor() && gv->type.ndim() == wrt->type.ndim()) gv = b.unbroadcast(gv, wrt);
    Var* out = n.outputs[k];
    replace_uses(g, out, gv);
    for (Var*& o : fg.outputs)
      if (o == out) o = gv;
    for (auto& u : fg.updates)
      if (u.second == out) u.second = gv;
  }
}

}  // namespace

bool expand_grads(FunctionGraph& fg) {
  std::vector<bool> ops(size_t(num_ops()), false);
  mark_ops_present(*fg.graph, ops);
  if (!ops[size_t(Op::Grad)]) return false;
  // Innermost first: a grad of a graph holding a grad differentiates the
  // expansion of the inner one (topological order over the function).
  for (;;) {
    Node* next = nullptr;
    for (Node* n : topo_order(fg.roots())) {
      if (n->op == Op::Grad) {
        next = n;
        break;
      }
      if (n->scan)
        for (auto& bn : n->scan->body->nodes())
          if (bn->op == Op::Grad) throw graph_error(bn->path, "grad inside a scan body is not supported");
    }
    if (!next) return true;
    expand_one(fg, *next);
  }
}

}  // namespace tgc
