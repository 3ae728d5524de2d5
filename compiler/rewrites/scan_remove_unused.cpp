// scan_remove_unused: scan outputs nobody reads (after the loop, and through
// their taps inside it) and non-sequences the body never reads are dropped,
// so the loop computes and stores nothing that is thrown away. Sequences are
// kept: they decide the number of steps.
#include <unordered_map>
#include <unordered_set>

#include "ir/scan_edit.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  std::vector<Node*> order = topo_order(roots);
  std::unordered_map<const Var*, int> outer_uses;
  for (Node* n : order)
    for (Var* in : n->inputs) outer_uses[in] += 1;
  for (Var* r : roots) outer_uses[r] += 1;
  for (Node* n : order) {
    if (!n->scan) continue;
    ScanInfo& s = *n->scan;
    Graph& body = *s.body;
    changed = run_scope(fg, body, body.outputs, trace) || changed;
    int removed_outs = 0, removed_nonseqs = 0;
    // Outputs, last first so indices stay valid; each removal can free the
    // body values only it read, so look again until nothing changes.
    for (bool again = true; again;) {
      again = false;
      std::unordered_map<const Var*, int> body_uses;
      for (Node* m : topo_order(body.outputs))
        for (Var* in : m->inputs) body_uses[in] += 1;
      for (int k = s.n_outs() - 1; k >= 0; --k) {
        if (outer_uses[n->outputs[size_t(k)]] != 0) continue;
        if (!s.out_taps[size_t(k)].empty()) {
          size_t p = scan_edit::first_tap_param(s, k);
          bool taps_read = false;
          for (size_t q = 0; q < s.out_taps[size_t(k)].size(); ++q) taps_read = taps_read || body_uses[body.params[p + q]];
          if (taps_read) continue;
        }
        scan_edit::remove_output(*n, k);
        ++removed_outs;
        again = true;
        break;
      }
    }
    std::unordered_map<const Var*, int> body_uses;
    for (Node* m : topo_order(body.outputs))
      for (Var* in : m->inputs) body_uses[in] += 1;
    for (Var* o : body.outputs) body_uses[o] += 1;
    for (int k = s.n_nonseq - 1; k >= 0; --k) {
      if (body_uses[body.params[scan_edit::first_nonseq_param(s) + size_t(k)]]) continue;
      scan_edit::remove_nonseq(*n, k);
      ++removed_nonseqs;
    }
    if (removed_outs + removed_nonseqs == 0) continue;
    RewriteEvent ev;
    ev.rule = "scan_remove_unused";
    ev.path = n->path;
    ev.detail = std::to_string(removed_outs) + " unread output(s), " + std::to_string(removed_nonseqs) +
                " unread non-sequence(s) removed";
    trace.record(std::move(ev));
    changed = true;
  }
  return changed;
}

}  // namespace

bool scan_remove_unused(FunctionGraph& fg, RewriteTrace& trace) { return run_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
