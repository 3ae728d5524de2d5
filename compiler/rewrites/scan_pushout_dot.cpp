// scan_pushout_dot (the seed's new scan optimization, scan-grad-speed): an
// output accumulated over the steps as
//     W += A[i].dot(B[i])
// and read only after the loop becomes
//     W = W0 + concatenate(A[0], ..., A[n-1], axis=1).dot(concatenate(B[0], ..., B[n-1]))
// one GEMM after the loop instead of one small GEMM per step. A or B that is
// a sequence (or the transpose of one) is read from the sequence itself;
// otherwise the body's value is stacked as a new output. This is what turns
// the weight gradients of a backward scan into single GEMMs.
#include <unordered_map>
#include <unordered_set>

#include "ir/builder.h"
#include "ir/scan_edit.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

struct Readers {
  std::unordered_map<const Var*, std::vector<Node*>> of;
  std::unordered_map<const Var*, int> body_uses;
};

// The sequence (taps [0]) whose parameter `p` is, or -1.
int sequence_of(const ScanInfo& s, const Var* p) {
  for (int j = 0; j < s.n_seqs(); ++j)
    if (s.seq_taps[size_t(j)] == std::vector<int>{0} && s.body->params[scan_edit::first_seq_param(s, j)] == p) return j;
  return -1;
}

bool is_transpose2(const Var* v) {
  const Node* t = v->owner;
  return t && t->op == Op::Transpose && v->type.ndim() == 2 &&
         (t->attrs->axes.empty() || t->attrs->axes == std::vector<int>{1, 0});
}

class PushDot {
 public:
  PushDot(Graph& outer, Node& n, const std::vector<Var*>& roots, RewriteTrace& trace)
      : outer_(outer), n_(n), s_(*n.scan), body_(*n.scan->body), b_(outer, n.path), trace_(trace) {
    for (Node* m : topo_order(roots))
      for (Var* in : m->inputs) outer_readers_[in].push_back(m);
    for (Var* r : roots) outer_roots_.insert(r);
    for (Node* m : topo_order(body_.outputs))
      for (Var* in : m->inputs) body_uses_[in] += 1;
    for (Var* o : body_.outputs) body_uses_[o] += 1;
  }

  bool run() {
    bool changed = false;
    for (int k = s_.n_outs() - 1; k >= 0; --k) changed = try_output(k) || changed;
    return changed;
  }

 private:
  // The outer sequence j in iteration order, cut to the steps that ran.
  Var* steps_of_sequence(int j) {
    Var* seq = n_.inputs[size_t(s_.seq_input(j))];
    if (s_.go_backwards) seq = b_.subtensor(seq, {Builder::slice(std::nullopt, std::nullopt, -1)});
    IdxEntry e = Builder::slice(0, std::nullopt);
    e.stop = {IdxBound::Input, 0, 1};
    return b_.subtensor(seq, {e}, {steps_});
  }

  // [A_0 A_1 ... A_{T-1}] (m x T*k) for per-step A_t (m x k).
  Var* concat_left(Var* a) {
    if (is_transpose2(a)) {
      int j = sequence_of(s_, a->owner->inputs[0]);
      if (j >= 0) {  // A_t = S_t^T: rows of all S_t stacked, transposed (a view)
        Var* rows = flat_rows(steps_of_sequence(j));
        return b_.transpose(rows);
      }
    }
    Var* all = stacked(a);  // (T, m, k)
    Var* mtk = b_.transpose(all, {1, 0, 2});
    return b_.reshape(mtk, b_.stack(0, {b_.shape_i(all, 1), b_.int64(-1)}));
  }

  // [B_0; B_1; ...; B_{T-1}] (T*k x n) for per-step B_t (k x n).
  Var* concat_right(Var* bt) {
    int j = sequence_of(s_, bt);
    if (j >= 0) return flat_rows(steps_of_sequence(j));
    return flat_rows(stacked(bt));
  }

  // (T, k, n) -> (T*k, n)
  Var* flat_rows(Var* x) { return b_.reshape(x, b_.stack(0, {b_.int64(-1), b_.shape_i(x, 2)})); }

  Var* stacked(Var* v) {
    auto it = stacked_.find(v);
    if (it != stacked_.end()) return it->second;
    Var* out = scan_edit::add_nitsot(outer_, n_, v, v->name.empty() ? "stacked" : v->name + "_steps");
    stacked_[v] = out;
    return out;
  }

  bool try_output(int k) {
    if (s_.out_taps[size_t(k)] != std::vector<int>{-1}) return false;
    Var* tap = s_.body->params[scan_edit::first_tap_param(s_, k)];
    Var* v = body_.outputs[size_t(k)];
    Node* add = v->owner;
    if (!add || add->op != Op::Add || add->inputs.size() != 2 || v->scope != &body_) return false;
    Var* d = add->inputs[0] == tap ? add->inputs[1] : (add->inputs[1] == tap ? add->inputs[0] : nullptr);
    if (!d || !d->owner || (d->owner->op != Op::Dot && d->owner->op != Op::Dot22)) return false;
    Var *a = d->owner->inputs[0], *bt = d->owner->inputs[1];
    if (a->type.ndim() != 2 || bt->type.ndim() != 2 || !is_float(v->type.dtype) || d->type.dtype != v->type.dtype)
      return false;
    if (body_uses_[tap] != 1 || body_uses_[d] != 1 || body_uses_[v] != 1) return false;
    // After the loop only the final value (x[-1]) and the step count are read.
    Var* out = n_.outputs[size_t(k)];
    if (outer_roots_.count(out)) return false;
    std::vector<Node*> last, count;
    for (Node* r : outer_readers_[out]) {
      if (r->op == Op::Subtensor && r->inputs.size() == 1 && r->attrs->idx.size() == 1 && !r->attrs->idx[0].is_slice &&
          r->attrs->idx[0].point.kind == IdxBound::Const && r->attrs->idx[0].point.value == -1)
        last.push_back(r);
      else if (r->op == Op::ShapeI && r->attrs->i == 0)
        count.push_back(r);
      else
        return false;
    }
    steps_ = steps_that_ran(a, bt);
    Var* sum = b_.dot(concat_left(a), concat_right(bt));
    Var* init = n_.inputs[size_t(s_.init_input(k))];
    Var* fin = b_.cast_like(b_.add(b_.cast_like(init, v), sum), v);
    for (Node* r : last) replace_everywhere_outer(r->outputs[0], fin);
    for (Node* r : count) replace_everywhere_outer(r->outputs[0], steps_);
    scan_edit::remove_output(n_, k);
    RewriteEvent ev;
    ev.rule = "scan_pushout_dot";
    ev.path = n_.path;
    ev.detail = "output " + std::to_string(k) + " (a sum of per-step dots) becomes one dot after the loop";
    trace_.record(std::move(ev));
    return true;
  }

  // The number of steps that ran. Without `until` it follows from n_steps
  // or the sequence lengths, so no loop has to stay for it; with `until`
  // it is the length of a stacked value (one of the operands is stacked
  // anyway unless both come from sequences).
  Var* steps_that_ran(Var* a, Var* bt) {
    if (!s_.has_until) return scan_edit::step_count(b_, n_);
    bool b_from_seq = sequence_of(s_, bt) >= 0;
    bool a_from_seq = is_transpose2(a) && sequence_of(s_, a->owner->inputs[0]) >= 0;
    Var* counted = !b_from_seq ? bt : (!a_from_seq ? a : bt);
    return b_.shape_i(stacked(counted), 0);
  }

  void replace_everywhere_outer(Var* from, Var* to) {
    replace_uses(outer_, from, to);
    replaced_.push_back({from, to});
  }

 public:
  std::vector<std::pair<Var*, Var*>> replaced_;

 private:
  Graph& outer_;
  Node& n_;
  ScanInfo& s_;
  Graph& body_;
  Builder b_;
  RewriteTrace& trace_;
  Var* steps_ = nullptr;
  std::unordered_map<const Var*, std::vector<Node*>> outer_readers_;
  std::unordered_set<const Var*> outer_roots_;
  std::unordered_map<const Var*, int> body_uses_;
  std::unordered_map<const Var*, Var*> stacked_;
};

bool run_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  for (Node* n : topo_order(roots)) {
    if (!n->scan) continue;
    changed = run_scope(fg, *n->scan->body, n->scan->body->outputs, trace) || changed;
    PushDot p(g, *n, roots, trace);
    if (p.run()) {
      changed = true;
      scan_edit::refresh_types(*n);
      for (auto& [from, to] : p.replaced_) replace_everywhere(fg, g, from, to);  // roots too
    }
  }
  return changed;
}

}  // namespace

bool scan_pushout_dot(FunctionGraph& fg, RewriteTrace& trace) { return run_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
