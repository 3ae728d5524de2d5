// scan_merge: two scans of one scope that run the same steps (the same
// n_steps variable, or no n_steps and the same sequences with the same taps),
// in the same direction, without until, neither reading the other's results
// and not updating the same shared variable, become one scan whose body
// computes both bodies: one loop instead of two, and sequences read once.
#include <unordered_set>

#include "passes/function_graph.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

bool same_steps(const Node& a, const Node& b) {
  const ScanInfo &s = *a.scan, &t = *b.scan;
  if (s.go_backwards != t.go_backwards || s.has_until || t.has_until || s.truncate_gradient != t.truncate_gradient)
    return false;
  if (s.has_n_steps != t.has_n_steps) return false;
  if (s.has_n_steps) return a.inputs[0] == b.inputs[0];
  if (s.seq_taps != t.seq_taps) return false;
  for (int j = 0; j < s.n_seqs(); ++j)
    if (a.inputs[size_t(s.seq_input(j))] != b.inputs[size_t(t.seq_input(j))]) return false;
  return true;
}

// True when `later` reads (transitively, in this scope) an output of `earlier`.
bool depends_on(const Node& later, const Node& earlier) {
  std::vector<Var*> from(later.inputs.begin(), later.inputs.end());
  for (const Node* n : topo_order(from))
    if (n == &earlier) return true;
  return false;
}

bool share_state(const Node& a, const Node& b) {
  const ScanInfo &s = *a.scan, &t = *b.scan;
  for (int i = 0; i < s.n_shared; ++i)
    for (int k = 0; k < t.n_shared; ++k)
      if (a.inputs[size_t(s.shared_input(i))] == b.inputs[size_t(t.shared_input(k))]) return true;
  return false;
}

// The merged scan: a's groups then b's in each part of the layout; b's
// sequences equal to one of a's (same outer value and taps) are read once.
Node* merge_two(Graph& g, Node& a, Node& b) {
  const ScanInfo &s = *a.scan, &t = *b.scan;
  auto info = std::make_unique<ScanInfo>();
  info->has_n_steps = s.has_n_steps;
  info->go_backwards = s.go_backwards;
  info->truncate_gradient = s.truncate_gradient;
  info->body = std::make_unique<Graph>(&g);
  Graph& body = *info->body;
  VarMap map;
  std::vector<Var*> ins;
  if (s.has_n_steps) ins.push_back(a.inputs[0]);
  auto new_param = [&](const Var* old) {
    Var* p = body.new_var(old->name, old->type, VarKind::Param);
    body.params.push_back(p);
    map[old] = p;
  };
  // Sequences.
  std::vector<std::pair<Var*, std::vector<int>>> seqs;
  auto add_seqs = [&](const Node& n) {
    const ScanInfo& si = *n.scan;
    size_t p = 0;
    for (int j = 0; j < si.n_seqs(); ++j) {
      Var* outer = n.inputs[size_t(si.seq_input(j))];
      const auto& taps = si.seq_taps[size_t(j)];
      size_t found = seqs.size();
      for (size_t q = 0; q < seqs.size(); ++q)
        if (seqs[q].first == outer && seqs[q].second == taps) found = q;
      if (found == seqs.size()) {
        seqs.push_back({outer, taps});
        for (size_t k = 0; k < taps.size(); ++k) new_param(si.body->params[p + k]);
      } else {
        // The same sequence: map to the parameters made for it.
        size_t first = 0;
        for (size_t q = 0; q < found; ++q) first += seqs[q].second.size();
        for (size_t k = 0; k < taps.size(); ++k) map[si.body->params[p + k]] = body.params[first + k];
      }
      p += taps.size();
    }
  };
  add_seqs(a);
  add_seqs(b);
  for (auto& [outer, taps] : seqs) {
    ins.push_back(outer);
    info->seq_taps.push_back(taps);
  }
  // Recurrent taps, shared states, non-sequences: a's then b's.
  auto params_range = [&](const Node& n, size_t from, size_t count) {
    for (size_t k = 0; k < count; ++k) new_param(n.scan->body->params[from + k]);
  };
  auto tap_params = [](const ScanInfo& si) {
    size_t p = 0;
    for (const auto& taps : si.seq_taps) p += taps.size();
    return p;
  };
  auto n_tap_params = [](const ScanInfo& si) {
    size_t c = 0;
    for (const auto& taps : si.out_taps) c += taps.size();
    return c;
  };
  params_range(a, tap_params(s), n_tap_params(s));
  params_range(b, tap_params(t), n_tap_params(t));
  for (int k = 0; k < s.n_outs(); ++k)
    if (!s.out_taps[size_t(k)].empty()) ins.push_back(a.inputs[size_t(s.init_input(k))]);
  for (int k = 0; k < t.n_outs(); ++k)
    if (!t.out_taps[size_t(k)].empty()) ins.push_back(b.inputs[size_t(t.init_input(k))]);
  params_range(a, tap_params(s) + n_tap_params(s), size_t(s.n_shared));
  params_range(b, tap_params(t) + n_tap_params(t), size_t(t.n_shared));
  for (int k = 0; k < s.n_shared; ++k) ins.push_back(a.inputs[size_t(s.shared_input(k))]);
  for (int k = 0; k < t.n_shared; ++k) ins.push_back(b.inputs[size_t(t.shared_input(k))]);
  params_range(a, tap_params(s) + n_tap_params(s) + size_t(s.n_shared), size_t(s.n_nonseq));
  params_range(b, tap_params(t) + n_tap_params(t) + size_t(t.n_shared), size_t(t.n_nonseq));
  for (int k = 0; k < s.n_nonseq; ++k) ins.push_back(a.inputs[size_t(s.nonseq_input(k))]);
  for (int k = 0; k < t.n_nonseq; ++k) ins.push_back(b.inputs[size_t(t.nonseq_input(k))]);
  info->out_taps = s.out_taps;
  info->out_taps.insert(info->out_taps.end(), t.out_taps.begin(), t.out_taps.end());
  info->n_shared = s.n_shared + t.n_shared;
  info->n_nonseq = s.n_nonseq + t.n_nonseq;
  if (!s.keep.empty() || !t.keep.empty()) {
    for (int k = 0; k < s.n_outs(); ++k) info->keep.push_back(s.kept(k));
    for (int k = 0; k < t.n_outs(); ++k) info->keep.push_back(t.kept(k));
  }
  // Both bodies' nodes, then the outputs in layout order.
  copy_subgraph(body, s.body->outputs, map);
  copy_subgraph(body, t.body->outputs, map);
  auto out = [&](Var* v) {
    Var*& c = map[v];
    if (c) return c;
    c = body.new_var(v->name, v->type, v->kind);  // a constant returned as is
    c->set_value(v->value());
    return c;
  };
  for (int k = 0; k < s.n_outs(); ++k) body.outputs.push_back(out(s.body->outputs[size_t(k)]));
  for (int k = 0; k < t.n_outs(); ++k) body.outputs.push_back(out(t.body->outputs[size_t(k)]));
  for (int k = 0; k < s.n_shared; ++k) body.outputs.push_back(out(s.body->outputs[size_t(s.n_outs() + k)]));
  for (int k = 0; k < t.n_shared; ++k) body.outputs.push_back(out(t.body->outputs[size_t(t.n_outs() + k)]));
  return g.add_node(Op::Scan, ins, Attrs{}, a.path, std::move(info));
}

bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  for (Node* n : topo_order(roots))
    if (n->is_scan()) changed = run_scope(fg, *n->scan->body, n->scan->body->outputs, trace) || changed;
  for (bool again = true; again;) {
    again = false;
    std::vector<Node*> scans;
    std::vector<Var*> scratch = &g == fg.graph.get() ? fg.roots() : g.outputs;
    for (Node* n : topo_order(scratch))
      if (n->is_scan()) scans.push_back(n);
    for (size_t i = 0; i < scans.size() && !again; ++i)
      for (size_t j = i + 1; j < scans.size() && !again; ++j) {
        Node &a = *scans[i], &b = *scans[j];
        if (!same_steps(a, b) || share_state(a, b) || depends_on(b, a) || depends_on(a, b)) continue;
        Node* m = merge_two(g, a, b);
        const ScanInfo &s = *a.scan, &t = *b.scan;
        int na = s.n_outs(), nb = t.n_outs();
        std::vector<std::pair<Var*, Var*>> reps;
        for (int k = 0; k < na; ++k) reps.push_back({a.outputs[size_t(k)], m->outputs[size_t(k)]});
        for (int k = 0; k < nb; ++k) reps.push_back({b.outputs[size_t(k)], m->outputs[size_t(na + k)]});
        for (int k = 0; k < s.n_shared; ++k) reps.push_back({a.outputs[size_t(na + k)], m->outputs[size_t(na + nb + k)]});
        for (int k = 0; k < t.n_shared; ++k)
          reps.push_back({b.outputs[size_t(nb + k)], m->outputs[size_t(na + nb + s.n_shared + k)]});
        for (auto& [from, to] : reps) {
          to->name = from->name;
          replace_everywhere(fg, g, from, to);
        }
        RewriteEvent ev;
        ev.rule = "scan_merge";
        ev.path = a.path;
        ev.detail = "merged with the scan at " + b.path;
        for (auto& [from, to] : reps) {
          ev.before.push_back(from);
          ev.after.push_back(to);
        }
        trace.record(std::move(ev));
        changed = again = true;
      }
  }
  return changed;
}

}  // namespace

bool scan_merge(FunctionGraph& fg, RewriteTrace& trace) { return run_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
