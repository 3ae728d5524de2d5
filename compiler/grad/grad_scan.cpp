// Back-propagation through time: the gradient of a scan is a backward scan.
//
// The forward scan F runs steps t = 0 .. T-1. The backward scan B runs the
// same steps in reverse (go_backwards) over the last T' = min(T, k) of them
// (truncate_gradient k) and, at each step, differentiates F's body:
//   - seeds: the external gradient of each output at step t (a sequence of
//     B) plus, for outputs with taps, the gradient later steps sent back to
//     step t's value through their taps (a recurrent "window" of B);
//   - the gradients of F's body parameters are: per-step gradients of
//     sequence taps (B's stacked outputs, added into the sequence's gradient
//     afterwards), new window contents (for output taps and shared states),
//     and running sums (for non-sequences).
// Forward values the backward body needs are never recomputed: body
// parameters are read from F's inputs and stacked outputs, and any other
// value of F's body becomes an extra stacked output of F (stored activations).
//
// Window of an output with taps T and depth D = -min(T): at the backward step
// for forward step t it holds the pending gradients of rows t+1 .. t+D of the
// output's buffer [initial steps, step 0, step 1, ...] (row D + t is step t's
// value). So step t's value gets gY[t] + W[D-1]; the next window is
// W'[j] = W[j-1] (j >= 1) + sum of step t's tap gradients landing on row t + j.
// After the last backward step the window holds the initial steps' gradients.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "grad/backprop.h"
#include "ir/error.h"

namespace tgc {

namespace {

Type drop_leading(const Type& t) {
  Type r = t;
  r.shape.erase(r.shape.begin());
  return r;
}

// Adds a per-step output of F reading body value `v` (no recurrence) and
// returns F's stacked output for it. F is changed in place, so every
// existing reference to F's outputs stays valid.
Var* append_output(Graph& scope, Node& f, Var* v) {
  ScanInfo& s = *f.scan;
  int pos = s.n_outs();
  s.out_taps.insert(s.out_taps.begin() + pos, std::vector<int>{});
  if (!s.keep.empty()) s.keep.insert(s.keep.begin() + pos, 0);
  s.body->outputs.insert(s.body->outputs.begin() + pos, v);
  Type t = infer_types(f)[size_t(pos)];
  Var* out = scope.new_var(v->name.empty() ? "stored" : v->name + "_stored", t, VarKind::NodeOutput);
  out->owner = &f;
  f.outputs.insert(f.outputs.begin() + pos, out);
  for (size_t k = 0; k < f.outputs.size(); ++k) f.outputs[k]->index = int(k);
  return out;
}

// Re-infers the output types of every node of g in creation order (after
// parameters were given their final types).
void retype(Graph& g) {
  for (auto& n : g.nodes()) {
    std::vector<Type> t = infer_types(*n);
    for (size_t k = 0; k < t.size(); ++k) n->outputs[k]->type = t[k];
  }
}

struct Param {
  Var* var;          // parameter of the backward body
  Var* outer;        // what feeds it in B's scope
};

class ScanGrad {
 public:
  ScanGrad(Backprop& bp, Node& f, const std::vector<Var*>& gout)
      : bp_(bp), f_(f), s_(*f.scan), body_(*f.scan->body), gout_(gout), b_(bp.bwd(), f.path) {}

  std::vector<Var*> run();

 private:
  Var* steps();
  Var* full_buffer(int k);                  // [initial steps; stacked output] of output k
  Var* rows_from(Var* x, int64_t first);    // x[first : first + T]
  Var* forward_value(Var* v);               // outer sequence holding v's value at each step
  Var* last_or_initial(Var* stacked, Var* initial);
  void compute_needed();
  bool need_in(int i) const { return bp_.needs(f_.inputs[size_t(i)]); }
  bool need_param(const Var* p) const { return base_.count(p) != 0; }
  // The window of output k carries gradients back through its taps.
  bool window_needed(int k) const {
    size_t pi = 0;
    for (int j = 0; j < s_.n_seqs(); ++j) pi += s_.seq_taps[size_t(j)].size();
    for (int q = 0; q < k; ++q) pi += s_.out_taps[size_t(q)].size();
    return !s_.out_taps[size_t(k)].empty() && need_param(body_.params[pi]);
  }
  size_t state_param(int k) const {
    size_t pi = 0;
    for (int j = 0; j < s_.n_seqs(); ++j) pi += s_.seq_taps[size_t(j)].size();
    for (int q = 0; q < s_.n_outs(); ++q) pi += s_.out_taps[size_t(q)].size();
    return pi + size_t(k);
  }
  Var* new_param(Graph& g, const Type& t, const std::string& name) {
    Var* p = g.new_var(name, t, VarKind::Param);
    return p;
  }

  Backprop& bp_;
  Node& f_;
  ScanInfo& s_;
  Graph& body_;
  std::vector<Var*> gout_;
  Builder b_;
  Var* steps_ = nullptr;
  std::map<int, Var*> full_;                // recurrent output -> full buffer
  std::map<const Var*, Var*> stored_;       // body value -> stacked output of F
  std::unordered_set<const Var*> base_;     // body parameters whose gradients are needed
  std::unordered_set<const Var*> inner_needed_;
};

// Body parameters whose gradients are needed: those of needed inputs, and
// the taps (or state) of every result that depends on a needed parameter,
// since gradients reach earlier steps through them (to a fixed point).
void ScanGrad::compute_needed() {
  size_t pi = 0;
  for (int j = 0; j < s_.n_seqs(); ++j)
    for (size_t t = 0; t < s_.seq_taps[size_t(j)].size(); ++t, ++pi)
      if (need_in(s_.seq_input(j))) base_.insert(body_.params[pi]);
  std::vector<std::pair<size_t, size_t>> tap_params(size_t(s_.n_outs()));  // [first, end)
  for (int k = 0; k < s_.n_outs(); ++k) {
    tap_params[size_t(k)] = {pi, pi + s_.out_taps[size_t(k)].size()};
    if (!s_.out_taps[size_t(k)].empty() && need_in(s_.init_input(k)))
      for (size_t q = pi; q < pi + s_.out_taps[size_t(k)].size(); ++q) base_.insert(body_.params[q]);
    pi += s_.out_taps[size_t(k)].size();
  }
  size_t first_state = pi;
  for (int k = 0; k < s_.n_shared; ++k)
    if (need_in(s_.shared_input(k))) base_.insert(body_.params[first_state + size_t(k)]);
  for (int k = 0; k < s_.n_nonseq; ++k)
    if (need_in(s_.nonseq_input(k))) base_.insert(body_.params[first_state + size_t(s_.n_shared) + size_t(k)]);
  for (;;) {
    inner_needed_ = depending_on(body_.outputs, std::vector<const Var*>(base_.begin(), base_.end()));
    size_t before = base_.size();
    for (int k = 0; k < s_.n_outs(); ++k)
      if (inner_needed_.count(body_.outputs[size_t(k)]))
        for (size_t q = tap_params[size_t(k)].first; q < tap_params[size_t(k)].second; ++q) base_.insert(body_.params[q]);
    for (int k = 0; k < s_.n_shared; ++k)
      if (inner_needed_.count(body_.outputs[size_t(s_.n_outs() + k)])) base_.insert(body_.params[first_state + size_t(k)]);
    if (base_.size() == before) break;
  }
}

Var* ScanGrad::steps() {
  if (steps_) return steps_;
  // The number of steps F ran: the length of any stacked output, adding one
  // (the first body parameter or output) when F has none.
  Var* stacked = nullptr;
  for (int k = 0; k < s_.n_outs() && !stacked; ++k) stacked = f_.outputs[size_t(k)];
  if (!stacked) {
    Var* v = body_.outputs.empty() ? nullptr : body_.outputs[0];
    if (!v || !v->type.is_tensor()) throw graph_error(f_.path, "grad through a scan with no tensor result");
    stacked = append_output(bp_.fwd(), f_, v);
  }
  steps_ = b_.shape_i(stacked, 0);
  return steps_;
}

Var* ScanGrad::full_buffer(int k) {
  auto it = full_.find(k);
  if (it != full_.end()) return it->second;
  Var* init = f_.inputs[size_t(s_.init_input(k))];
  const auto& taps = s_.out_taps[size_t(k)];
  int depth = s_.init_depth(k);
  Var* first;
  if (taps.size() == 1 && taps[0] == -1) {
    std::vector<int> pat = {-1};
    for (int d = 0; d < init->type.ndim(); ++d) pat.push_back(d);
    first = b_.dimshuffle(init, pat);
  } else {
    first = b_.subtensor(init, {Builder::slice(0, depth)});
  }
  Var* full = b_.join(0, {b_.cast_like(first, f_.outputs[size_t(k)]), f_.outputs[size_t(k)]});
  full_[k] = full;
  return full;
}

Var* ScanGrad::rows_from(Var* x, int64_t first) {
  IdxEntry e = Builder::slice(std::nullopt, std::nullopt);
  e.start = {IdxBound::Const, first, -1};
  e.stop = {IdxBound::Input, 0, 1};
  Var* stop = b_.add(steps(), b_.int64(first));
  return b_.subtensor(x, {e}, {stop});
}

// The outer sequence (one row per forward step, forward order) holding the
// value forward body variable v had at each step.
Var* ScanGrad::forward_value(Var* v) {
  // Body parameters: read from F's inputs and outputs.
  auto pit = std::find(body_.params.begin(), body_.params.end(), v);
  if (pit != body_.params.end()) {
    size_t idx = size_t(pit - body_.params.begin());
    for (int j = 0; j < s_.n_seqs(); ++j) {
      const auto& taps = s_.seq_taps[size_t(j)];
      if (idx < taps.size()) {
        int mn = std::min(0, *std::min_element(taps.begin(), taps.end()));
        Var* seq = f_.inputs[size_t(s_.seq_input(j))];
        if (s_.go_backwards) seq = b_.subtensor(seq, {Builder::slice(std::nullopt, std::nullopt, -1)});
        return rows_from(seq, taps[idx] - mn);
      }
      idx -= taps.size();
    }
    for (int k = 0; k < s_.n_outs(); ++k) {
      const auto& taps = s_.out_taps[size_t(k)];
      if (idx < taps.size()) return rows_from(full_buffer(k), s_.init_depth(k) + taps[idx]);
      idx -= taps.size();
    }
    if (idx < size_t(s_.n_shared)) {
      // A shared state's value at the start of each step: [initial, new values except the last].
      Var* init = f_.inputs[size_t(s_.shared_input(int(idx)))];
      if (!init->type.is_tensor()) throw internal_error("grad_scan: a random state has no per-step values");
      Var* news = stored_.count(body_.outputs[size_t(s_.n_outs()) + idx])
                      ? stored_[body_.outputs[size_t(s_.n_outs()) + idx]]
                      : append_output(bp_.fwd(), f_, body_.outputs[size_t(s_.n_outs()) + idx]);
      stored_[body_.outputs[size_t(s_.n_outs()) + idx]] = news;
      std::vector<int> pat = {-1};
      for (int d = 0; d < init->type.ndim(); ++d) pat.push_back(d);
      Var* all = b_.join(0, {b_.dimshuffle(init, pat), news});
      return rows_from(all, 0);
    }
    throw internal_error("grad_scan: a non-sequence is not a per-step value");
  }
  // A value F already stacks.
  for (int k = 0; k < s_.n_outs(); ++k)
    if (body_.outputs[size_t(k)] == v) return f_.outputs[size_t(k)];
  auto it = stored_.find(v);
  if (it != stored_.end()) return it->second;
  Var* out = append_output(bp_.fwd(), f_, v);
  stored_[v] = out;
  return out;
}

Var* ScanGrad::last_or_initial(Var* stacked, Var* initial) {
  Var* last = b_.subtensor(stacked, {Builder::point(-1)});
  Var* ran = b_.op(Op::Gt, {b_.shape_i(stacked, 0), b_.int64(0)});
  Attrs a;
  a.n_branch = 1;
  return b_.op(Op::IfElse, {ran, last, b_.cast_like(initial, last)}, a);
}

std::vector<Var*> ScanGrad::run() {
  std::vector<Var*> result(f_.inputs.size(), nullptr);
  compute_needed();
  auto bg = std::make_unique<Graph>(&bp_.bwd());
  Graph& g = *bg;
  Builder bb(g, f_.path + ".grad");

  // ---- B's sequences of external gradients, and its recurrent states ----
  std::vector<Param> seqs, recs, nonseqs;
  std::vector<Var*> rec_out;  // body results for recs, filled below
  std::map<int, Var*> gy;     // output k -> its external gradient at the step
  for (int k = 0; k < s_.n_outs(); ++k) {
    if (!gout_[size_t(k)] || !differentiable(f_.outputs[size_t(k)])) continue;
    Var* p = new_param(g, drop_leading(gout_[size_t(k)]->type), "g_step");
    seqs.push_back({p, gout_[size_t(k)]});
    gy[k] = p;
  }
  std::map<int, Param> window;  // recurrent output -> its window
  for (int k = 0; k < s_.n_outs(); ++k) {
    if (s_.out_taps[size_t(k)].empty() || !differentiable(f_.outputs[size_t(k)])) continue;
    if (!window_needed(k)) continue;
    int depth = s_.init_depth(k);
    Var* init = f_.inputs[size_t(s_.init_input(k))];
    bool one_step = s_.out_taps[size_t(k)].size() == 1 && s_.out_taps[size_t(k)][0] == -1;
    Var* zeros = one_step ? b_.zeros_like(init) : b_.zeros_like(b_.subtensor(init, {Builder::slice(0, depth)}));
    zeros = b_.cast_like(zeros, f_.outputs[size_t(k)]);
    Var* p = new_param(g, zeros->type, "g_window");
    window[k] = {p, zeros};
    recs.push_back(window[k]);
  }
  std::map<int, Param> state;  // shared state -> gradient of its value after the step
  for (int k = 0; k < s_.n_shared; ++k) {
    Var* init = f_.inputs[size_t(s_.shared_input(k))];
    if (!differentiable(init) || !need_param(body_.params[state_param(k)])) continue;
    Var* g0 = gout_[size_t(s_.n_outs() + k)];
    Var* start = g0 ? b_.cast_like(g0, init) : b_.zeros_like(init);
    Var* p = new_param(g, start->type, "g_state");
    state[k] = {p, start};
    recs.push_back(state[k]);
  }
  std::map<int, Param> acc;  // non-sequence -> running sum of its gradient
  size_t first_nonseq = body_.params.size() - size_t(s_.n_nonseq);
  for (int k = 0; k < s_.n_nonseq; ++k) {
    Var* w = f_.inputs[size_t(s_.nonseq_input(k))];
    if (!differentiable(w) || !need_in(s_.nonseq_input(k))) continue;
    Var* zeros = b_.zeros_like(w);
    Var* p = new_param(g, zeros->type, "g_acc");
    acc[k] = {p, zeros};
    recs.push_back(acc[k]);
  }

  // ---- differentiate the body at one step ----
  Backprop inner(body_, g, f_.path + ".grad");
  inner.prune = true;
  inner.needed = inner_needed_;
  std::vector<std::pair<Var*, Var*>> seeds;
  for (int k = 0; k < s_.n_outs(); ++k) {
    Var* gk = gy.count(k) ? gy[k] : nullptr;
    if (window.count(k)) {
      Var* w = window[k].var;
      int depth = s_.init_depth(k);
      bool one_step = s_.out_taps[size_t(k)].size() == 1 && s_.out_taps[size_t(k)][0] == -1;
      Var* pending = one_step ? w : bb.index(w, depth - 1);
      gk = gk ? bb.add(gk, pending) : pending;
    }
    if (gk) seeds.push_back({body_.outputs[size_t(k)], gk});
  }
  for (auto& [k, p] : state) seeds.push_back({body_.outputs[size_t(s_.n_outs() + k)], p.var});
  auto grads = inner.run(seeds);
  auto grad_of = [&](Var* v) -> Var* {
    auto it = grads.find(v);
    return it == grads.end() ? nullptr : it->second;
  };

  // ---- B's results: sequence gradients, new windows, new states, sums ----
  std::vector<Var*> nitsot;                    // per sequence tap
  std::vector<std::pair<int, int>> nitsot_of;  // (sequence, tap index)
  size_t pi = 0;
  for (int j = 0; j < s_.n_seqs(); ++j)
    for (size_t t = 0; t < s_.seq_taps[size_t(j)].size(); ++t, ++pi) {
      Var* p = body_.params[pi];
      if (!differentiable(p) || !need_in(s_.seq_input(j))) continue;
      Var* gp = grad_of(p);
      if (!gp) continue;
      nitsot.push_back(bb.cast_like(gp, p));
      nitsot_of.push_back({j, int(t)});
    }
  std::vector<Var*> rec_results;
  for (int k = 0; k < s_.n_outs(); ++k) {
    const auto& taps = s_.out_taps[size_t(k)];
    size_t first_param = pi;
    pi += taps.size();
    if (!window.count(k)) continue;
    int depth = s_.init_depth(k);
    Var* w = window[k].var;
    bool one_step = taps.size() == 1 && taps[0] == -1;
    if (one_step) {
      Var* gp = grad_of(body_.params[first_param]);
      rec_results.push_back(gp ? bb.cast_like(gp, w) : bb.zeros_like(w));
      continue;
    }
    std::vector<Var*> rows;
    for (int j = 0; j < depth; ++j) {
      Var* row = j >= 1 ? bb.index(w, j - 1) : nullptr;
      for (size_t q = 0; q < taps.size(); ++q) {
        if (depth + taps[q] != j) continue;
        Var* gp = grad_of(body_.params[first_param + q]);
        if (!gp) continue;
        gp = bb.cast_like(gp, w);
        row = row ? bb.add(row, gp) : gp;
      }
      rows.push_back(row ? row : bb.zeros_like(bb.index(w, 0)));
    }
    rec_results.push_back(bb.stack(0, rows));
  }
  for (auto& [k, p] : state) {
    Var* gp = grad_of(body_.params[pi + size_t(k)]);
    rec_results.push_back(gp ? bb.cast_like(gp, p.var) : bb.zeros_like(p.var));
  }
  for (auto& [k, p] : acc) {
    Var* gp = grad_of(body_.params[first_nonseq + size_t(k)]);
    rec_results.push_back(gp ? bb.add(p.var, bb.cast_like(gp, p.var)) : p.var);
  }

  // ---- forward values read by the backward body become its inputs ----
  std::map<const Var*, Var*> mapped;
  auto map_input = [&](Var* v) -> Var* {
    if (v->scope == &g) return v;
    auto it = mapped.find(v);
    if (it != mapped.end()) return it->second;
    Var* r;
    if (v->is_constant()) {
      r = g.new_var(v->name, v->type, VarKind::Constant);
      r->set_value(v->value());
    } else {
      auto pit = std::find(body_.params.begin(), body_.params.end(), v);
      size_t idx = size_t(pit - body_.params.begin());
      if (pit != body_.params.end() && idx >= first_nonseq) {
        r = new_param(g, v->type, v->name);
        nonseqs.push_back({r, f_.inputs[size_t(s_.nonseq_input(int(idx - first_nonseq)))]});
      } else {
        Var* outer = forward_value(v);
        r = new_param(g, drop_leading(outer->type), v->name);
        seqs.push_back({r, outer});
      }
    }
    mapped[v] = r;
    return r;
  };
  for (auto& n : g.nodes())
    for (Var*& in : n->inputs) in = map_input(in);
  for (Var*& v : nitsot) v = map_input(v);
  for (Var*& v : rec_results) v = map_input(v);
  retype(g);

  // ---- the backward scan ----
  Var* total = steps();
  Var* run_steps = total;
  if (s_.truncate_gradient > 0) run_steps = b_.op(Op::Minimum, {total, b_.int64(s_.truncate_gradient)});
  auto info = std::make_unique<ScanInfo>();
  info->has_n_steps = true;
  info->go_backwards = true;
  std::vector<Var*> ins = {run_steps};
  for (const Param& p : seqs) {
    info->seq_taps.push_back({0});
    ins.push_back(p.outer);
  }
  for (size_t k = 0; k < nitsot.size(); ++k) info->out_taps.push_back({});
  for (size_t k = 0; k < recs.size(); ++k) info->out_taps.push_back({-1});
  for (const Param& p : recs) ins.push_back(p.outer);
  for (const Param& p : nonseqs) ins.push_back(p.outer);
  info->n_nonseq = int(nonseqs.size());
  g.params.clear();
  for (const Param& p : seqs) g.params.push_back(p.var);
  for (const Param& p : recs) g.params.push_back(p.var);
  for (const Param& p : nonseqs) g.params.push_back(p.var);
  g.outputs = nitsot;
  g.outputs.insert(g.outputs.end(), rec_results.begin(), rec_results.end());
  info->body = std::move(bg);
  Node* bnode = bp_.bwd().add_node(Op::Scan, ins, Attrs{}, f_.path + ".grad", std::move(info));
  std::vector<Var*> outs = bnode->outputs;

  // ---- outer gradients ----
  bool truncated = s_.truncate_gradient > 0;
  Var* complete = truncated ? b_.op(Op::Eq, {run_steps, total}) : nullptr;
  auto unless_truncated = [&](Var* g) -> Var* {
    if (!truncated) return g;
    Attrs a;
    a.n_branch = 1;
    return b_.op(Op::IfElse, {complete, g, b_.zeros_like(g)}, a);
  };
  // Sequences: per-step gradients (B's order is reversed) added at the rows they were read from.
  std::map<int, Var*> gseq;
  for (size_t q = 0; q < nitsot.size(); ++q) {
    auto [j, t] = nitsot_of[q];
    const auto& taps = s_.seq_taps[size_t(j)];
    int mn = std::min(0, *std::min_element(taps.begin(), taps.end()));
    Var* seq = f_.inputs[size_t(s_.seq_input(j))];
    if (!gseq.count(j)) gseq[j] = b_.zeros_like(seq);
    Var* fwd_order = b_.subtensor(outs[q], {Builder::slice(std::nullopt, std::nullopt, -1)});
    // Rows (T - T' + tap - mn) .. (T + tap - mn) of the (possibly reversed) sequence.
    Var* start = b_.add(b_.sub(total, run_steps), b_.int64(taps[size_t(t)] - mn));
    Var* stop = b_.add(start, run_steps);
    IdxEntry e = Builder::slice(std::nullopt, std::nullopt);
    e.start = {IdxBound::Input, 0, 2};
    e.stop = {IdxBound::Input, 0, 3};
    Var* rows = b_.cast_like(fwd_order, seq);
    // With zero steps the backward loop has no step to give its stacked
    // rows a shape: (0, 0, ...) where the row shape is not static. Giving
    // them the shape of the rows they are added to (same element count in
    // every other case) keeps that a zero gradient rather than an error.
    bool row_static = std::all_of(rows->type.shape.begin() + 1, rows->type.shape.end(), [](int64_t d) { return d >= 0; });
    if (!row_static) {
      IdxEntry read = e;  // subtensor's index inputs follow x alone
      read.start.input = 1;
      read.stop.input = 2;
      rows = b_.reshape(rows, b_.shape_of(b_.subtensor(seq, {read}, {start, stop})));
    }
    gseq[j] = b_.inc_subtensor(gseq[j], rows, {e}, {start, stop});
  }
  for (auto& [j, gj] : gseq) {
    Var* r = s_.go_backwards ? b_.subtensor(gj, {Builder::slice(std::nullopt, std::nullopt, -1)}) : gj;
    result[size_t(s_.seq_input(j))] = r;
  }
  // Windows, states and sums: their value after the last backward step.
  size_t ri = nitsot.size();
  for (auto& [k, p] : window) {
    Var* fin = unless_truncated(last_or_initial(outs[ri++], p.outer));
    Var* init = f_.inputs[size_t(s_.init_input(k))];
    bool one_step = s_.out_taps[size_t(k)].size() == 1 && s_.out_taps[size_t(k)][0] == -1;
    if (one_step) {
      result[size_t(s_.init_input(k))] = b_.cast_like(fin, init);
    } else {
      result[size_t(s_.init_input(k))] =
          b_.inc_subtensor(b_.zeros_like(init), b_.cast_like(fin, init), {Builder::slice(0, s_.init_depth(k))});
    }
  }
  for (auto& [k, p] : state) result[size_t(s_.shared_input(k))] = unless_truncated(last_or_initial(outs[ri++], p.outer));
  for (auto& [k, p] : acc) result[size_t(s_.nonseq_input(k))] = last_or_initial(outs[ri++], p.outer);
  return result;
}

}  // namespace

std::vector<Var*> grad_scan(Backprop& bp, const Node& n, const std::vector<Var*>& gout) {
  return ScanGrad(bp, const_cast<Node&>(n), gout).run();
}

}  // namespace tgc
