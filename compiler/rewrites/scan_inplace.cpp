// scan_inplace: a recurrent output with tap -1 that is read after the loop
// only at [-1] needs one row; when its new value is computed from the
// previous value (read by nothing else) by an elementwise node, or by a BLAS
// update accumulating into it (gemm, gemv, ger: a gradient summed over the
// steps), that node writes over the previous value in place, so each step
// updates the row with no copy (and an elementwise update can stay in
// registers across steps).
#include <unordered_map>

#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// Every reader of v takes v[-1] (or there is none), and v is no root.
bool only_last_read(const Var* v, const std::unordered_map<const Var*, std::vector<const Node*>>& readers,
                    const std::vector<Var*>& roots) {
  for (const Var* r : roots)
    if (r == v) return false;
  auto it = readers.find(v);
  if (it == readers.end()) return true;
  for (const Node* n : it->second) {
    if (n->op != Op::Subtensor || n->inputs[0] != v || n->attrs->idx.empty()) return false;
    const IdxEntry& e = n->attrs->idx[0];
    if (e.is_slice || e.point.kind != IdxBound::Const || e.point.value != -1) return false;
  }
  return true;
}

bool same_pattern(const Type& a, const Type& b) {
  if (a.dtype != b.dtype || a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d)
    if (a.broadcastable(d) != b.broadcastable(d)) return false;
  return true;
}

// The tap -1 parameter of output k, when its taps are exactly [-1].
Var* single_tap_param(const ScanInfo& s, int k) {
  if (s.out_taps[size_t(k)] != std::vector<int>{-1}) return nullptr;
  size_t p = 0;
  for (const auto& taps : s.seq_taps) p += taps.size();
  for (int j = 0; j < k; ++j) p += s.out_taps[size_t(j)].size();
  return s.body->params[p];
}

bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  std::vector<Node*> order = topo_order(roots);
  std::unordered_map<const Var*, std::vector<const Node*>> readers;
  for (Node* n : order)
    for (Var* in : n->inputs) readers[in].push_back(n);
  for (Node* n : order) {
    if (!n->scan) continue;
    ScanInfo& s = *n->scan;
    Graph& body = *s.body;
    std::unordered_map<const Var*, int> body_uses;
    for (Node* bn : topo_order(body.outputs))
      for (Var* in : bn->inputs) body_uses[in] += 1;
    for (Var* o : body.outputs) body_uses[o] += 1;
    for (int k = 0; k < s.n_outs(); ++k) {
      Var* tap = single_tap_param(s, k);
      Var* v = body.outputs[size_t(k)];
      Node* m = v->owner;
      if (!tap || !m || v->scope != &body || !only_last_read(n->outputs[size_t(k)], readers, roots)) continue;
      // Elementwise ops may overwrite any input of the result's shape; BLAS
      // updates (gemm, gemv, ger) overwrite their accumulator, input 0.
      OpFamily f = op_info(m->op).family;
      bool blas = m->op == Op::Gemm || m->op == Op::Gemv || m->op == Op::Ger;
      if ((f != OpFamily::Elemwise && f != OpFamily::Fused && !blas) || m->attrs->inplace >= 0) continue;
      if (body_uses[tap] != 1 || body_uses[v] != 1) continue;  // the old value has no other reader; v is one result
      for (size_t i = 0; i < (blas ? 1 : m->inputs.size()); ++i) {
        if (m->inputs[i] != tap || !same_pattern(tap->type, v->type)) continue;
        m->attrs.edit().inplace = int(i);
        RewriteEvent ev;
        ev.rule = "scan_inplace";
        ev.path = n->path;
        ev.detail = "output " + std::to_string(k) + " is updated in its one-row buffer by " + m->path;
        trace.record(std::move(ev));
        changed = true;
        break;
      }
    }
    changed = run_scope(fg, body, body.outputs, trace) || changed;
  }
  return changed;
}

}  // namespace

bool scan_inplace(FunctionGraph& fg, RewriteTrace& trace) { return run_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
