// scan_save_mem: a scan output whose every reader takes one of its last
// steps (x[-1], ..., x[-k]: a constant negative first index) keeps only those
// k steps after the loop, so memory stays that of a few steps whatever the
// number of steps (the seed: "scan is smart enough to notice this and not
// waste memory"). The generated loop then keeps a ring of max(taps, k)
// rows. When a reader needs the whole output, the rule says which one under
// --trace-rewrites.
#include <unordered_map>
#include <unordered_set>

#include "ir/printer.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// The largest k of readers taking x[-k], or 0 and the reader that reads it whole.
int64_t last_steps_read(const Var* v, const std::vector<Node*>& readers, bool is_root, std::string& blocker) {
  if (is_root) {
    blocker = "it is a result of the function or body";
    return 0;
  }
  if (readers.empty()) return 1;  // never read: one step, the smallest store
  int64_t keep = 0;
  for (const Node* n : readers) {
    bool last = n->op == Op::Subtensor && n->inputs[0] == v && !n->attrs->idx.empty() && !n->attrs->idx[0].is_slice &&
                n->attrs->idx[0].point.kind == IdxBound::Const && n->attrs->idx[0].point.value < 0;
    for (size_t k = 1; last && k < n->inputs.size(); ++k) last = n->inputs[k] != v;
    if (!last) {
      blocker = "read whole by " + n->path + " (" + node_label(*n) + ")";
      return 0;
    }
    keep = std::max(keep, -n->attrs->idx[0].point.value);
  }
  return keep;
}

bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  std::vector<Node*> order = topo_order(roots);
  std::unordered_map<const Var*, std::vector<Node*>> readers;
  for (Node* n : order)
    for (Var* in : n->inputs) readers[in].push_back(n);
  std::unordered_set<const Var*> root_set(roots.begin(), roots.end());
  for (Node* n : order) {
    if (!n->scan) continue;
    ScanInfo& s = *n->scan;
    changed = run_scope(fg, *s.body, s.body->outputs, trace) || changed;
    s.keep.resize(size_t(s.n_outs()), 0);
    for (int k = 0; k < s.n_outs(); ++k) {
      Var* out = n->outputs[size_t(k)];
      std::string blocker;
      int64_t keep = last_steps_read(out, readers[out], root_set.count(out) != 0, blocker);
      if (keep == s.keep[size_t(k)]) continue;
      if (keep == 0) {
        if (trace.print)
          std::fprintf(stderr, "rewrite note: scan_save_mem did not fire on %s output %d: %s\n", n->path.c_str(), k,
                       blocker.c_str());
        continue;
      }
      s.keep[size_t(k)] = keep;
      RewriteEvent ev;
      ev.rule = "scan_save_mem";
      ev.path = n->path;
      ev.detail = "output " + std::to_string(k) + " keeps its last " + std::to_string(keep) + " step(s)";
      trace.record(std::move(ev));
      changed = true;
    }
  }
  return changed;
}

}  // namespace

bool scan_save_mem(FunctionGraph& fg, RewriteTrace& trace) { return run_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
