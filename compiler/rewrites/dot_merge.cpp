// dot_merge_shared_operand (the seed's general rule, and the LSTM tutorial's
// merged gate weights): dots sharing their left operand,
//     x2 = x1.dot(U);  x3 = x1.dot(V)
// become one dot with the weights joined,
//     x = x1.dot([U | V]);  x2 = x[:, :n_U];  x3 = x[:, n_U:]
// so one larger GEMM replaces several small ones. Inside a scan body the
// joined weights depend only on non-sequences, so scan_pushout_nonseq (which
// runs next) builds them once, before the loop, not per step.
#include <map>

#include "ir/builder.h"
#include "ir/topo_walk.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

bool is_dot(const Node* n) {
  return n->op == Op::Dot || n->op == Op::Dot22;
}

bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  // Dots by their left operand, right operands matrices of one dtype,
  // gathered as the walk places them (ir/topo_walk.h).
  std::map<std::pair<const Var*, int>, std::vector<Node*>> groups;
  std::vector<Node*> scans;
  topo_walk(roots, [&](Node* n) {
    if (n->is_scan()) scans.push_back(n);
    if (!is_dot(n)) return;
    Var *x = n->inputs[0], *w = n->inputs[1];
    if (w->type.ndim() != 2 || (x->type.ndim() != 1 && x->type.ndim() != 2) || !is_float(n->outputs[0]->type.dtype) ||
        w->type.dtype != n->outputs[0]->type.dtype || x->type.dtype != w->type.dtype)
      return;
    groups[{x, int(w->type.dtype)}].push_back(n);
  });
  // In a body the joined weights read only non-sequences: build them once,
  // before the loop (what this hoists is new to the scope, no dot of a group).
  for (Node* n : scans)
    if (run_scope(fg, *n->scan->body, n->scan->body->outputs, trace)) {
      hoist_invariants(g, *n, trace);
      changed = true;
    }
  for (auto& [key, dots] : groups) {
    if (dots.size() < 2) continue;
    Var* x = const_cast<Var*>(key.first);
    Builder b(g, dots[0]->path);
    std::vector<Var*> ws;
    for (Node* d : dots) ws.push_back(d->inputs[1]);
    Var* joined = b.join(1, ws);
    Var* y = b.dot(x, joined);
    int last = y->type.ndim() - 1;  // columns
    Var* start = b.int64(0);
    std::vector<std::pair<Var*, Var*>> reps;
    for (Node* d : dots) {
      Var* stop = b.add(start, b.shape_i(d->inputs[1], 1));
      IdxEntry e = Builder::slice(std::nullopt, std::nullopt);
      e.start = {IdxBound::Input, 0, 1};
      e.stop = {IdxBound::Input, 0, 2};
      std::vector<IdxEntry> idx(size_t(last), Builder::slice(std::nullopt, std::nullopt));
      idx.push_back(e);
      Var* part = b.subtensor(y, idx, {start, stop});
      // Keep the static type readers were inferred with (the slice's sizes
      // are known only at run time).
      if (part->type != d->outputs[0]->type) {
        bool same_pattern = part->type.ndim() == d->outputs[0]->type.ndim();
        for (int k = 0; same_pattern && k < part->type.ndim(); ++k)
          same_pattern = part->type.broadcastable(k) == d->outputs[0]->type.broadcastable(k);
        if (!same_pattern) return changed;
      }
      reps.push_back({d->outputs[0], part});
      start = stop;
    }
    for (auto& [from, to] : reps) replace_everywhere(fg, g, from, to);
    RewriteEvent ev;
    ev.rule = "dot_merge_shared_operand";
    ev.path = dots[0]->path;
    ev.detail = std::to_string(dots.size()) + " dots of one operand merged into one";
    trace.record(std::move(ev));
    changed = true;
  }
  return changed;
}

}  // namespace

bool dot_merge_shared_operand(FunctionGraph& fg, RewriteTrace& trace) {
  return run_scope(fg, *fg.graph, fg.roots(), trace);
}

}  // namespace tgc::rules
