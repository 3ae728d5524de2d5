// Moving work out of scan loops (the seeds' "perform as much of the
// computation as possible outside of Scan", done by the compiler):
//   scan_pushout_nonseq: body values computed from non-sequences and
//     constants only are computed once, before the loop;
//   scan_pushout_seq: elementwise and dot work on the current element of a
//     sequence (tap 0) with loop-invariant operands is computed for every
//     step at once before the loop (an RNN's input projection becomes one
//     GEMM), and read back as a new sequence.
// A failure such work can raise (a shape mismatch) is raised even when the
// loop runs zero steps, as in Theano.
#include <unordered_map>
#include <unordered_set>

#include "ir/builder.h"
#include "ir/scan_edit.h"
#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// Ops never moved: random draws advance states, scans are loops of their own,
// asserts and ifelse keep their own evaluation order.
bool movable_op(const Node& n) {
  switch (op_info(n.op).family) {
    case OpFamily::Random:
    case OpFamily::Control:
    case OpFamily::Check:
    case OpFamily::Grad: return false;
    default: return n.attrs->inplace < 0;
  }
}

// Body values read by nodes outside `inside` or returned by the body.
std::vector<Var*> frontier(const Graph& body, const std::vector<Node*>& order,
                           const std::unordered_set<const Node*>& inside) {
  std::vector<Var*> f;
  std::unordered_set<const Var*> seen;
  auto add = [&](Var* v) {
    if (v->owner && inside.count(v->owner) && seen.insert(v).second) f.push_back(v);
  };
  for (Node* n : order)
    if (!inside.count(n))
      for (Var* in : n->inputs) add(in);
  for (Var* o : body.outputs) add(o);
  return f;
}

// Replaces every use of `from` in the body (its nodes and outputs).
void replace_in_body(Graph& body, Var* from, Var* to) { replace_uses(body, from, to); }

// ---- scan_pushout_nonseq ----------------------------------------------------

}  // namespace

bool hoist_invariants(Graph& outer, Node& n, RewriteTrace& trace) {
  ScanInfo& s = *n.scan;
  Graph& body = *s.body;
  std::unordered_map<const Var*, Var*> outer_of;  // invariant body value -> outer value
  size_t p0 = scan_edit::first_nonseq_param(s);
  for (int k = 0; k < s.n_nonseq; ++k) outer_of[body.params[p0 + size_t(k)]] = n.inputs[size_t(s.nonseq_input(k))];
  std::vector<Node*> order = topo_order(body.outputs);
  std::unordered_set<const Node*> inv;
  auto invariant = [&](const Var* v) { return v->is_constant() || outer_of.count(v) || (v->owner && inv.count(v->owner)); };
  for (Node* m : order) {
    if (!movable_op(*m) || m->inputs.empty()) continue;
    bool all = true;
    for (Var* in : m->inputs) all = all && invariant(in);
    if (all) inv.insert(m);
  }
  if (inv.empty()) return false;
  std::vector<Var*> f = frontier(body, order, inv);
  if (f.empty()) return false;
  // Clone the invariant nodes the frontier needs, in order, into the outer scope.
  for (Node* m : topo_order(f)) {
    if (!inv.count(m)) continue;
    std::vector<Var*> ins;
    for (Var* in : m->inputs) {
      if (in->is_constant() && !outer_of.count(in)) {
        Var* c = outer.new_var(in->name, in->type, VarKind::Constant);
        c->set_value(in->value());
        outer_of[in] = c;
      }
      ins.push_back(outer_of.at(in));
    }
    Node* c = outer.add_node(m->op, ins, m->attrs, m->path);
    for (size_t k = 0; k < m->outputs.size(); ++k) {
      c->outputs[k]->name = m->outputs[k]->name;
      outer_of[m->outputs[k]] = c->outputs[k];
    }
  }
  for (Var* v : f) {
    Var* p = scan_edit::add_nonseq(n, outer_of.at(v), v->name);
    replace_in_body(body, v, p);
  }
  RewriteEvent ev;
  ev.rule = "scan_pushout_nonseq";
  ev.path = n.path;
  ev.detail = std::to_string(inv.size()) + " loop-invariant node(s) computed once before the loop";
  trace.record(std::move(ev));
  return true;
}

namespace {

bool pushout_nonseq_one(Graph& outer, Node& n, RewriteTrace& trace) { return hoist_invariants(outer, n, trace); }

// ---- scan_pushout_seq -------------------------------------------------------

// The whole-sequence version of body value `v` (one more leading dimension),
// built in `outer`; `lifted` maps the sequence parameter to the outer
// sequence and invariant values to their outer values.
struct Lifter {
  Builder b;
  std::unordered_map<const Var*, Var*> lifted;     // per-step value -> [T, ...] outer value
  std::unordered_map<const Var*, Var*> invariant;  // invariant body value -> outer value

  Var* outer_invariant(Graph& outer, Var* v) {
    auto it = invariant.find(v);
    if (it != invariant.end()) return it->second;
    Var* c = outer.new_var(v->name, v->type, VarKind::Constant);  // a constant of the body
    c->set_value(v->value());
    invariant[v] = c;
    return c;
  }

  // dot(x_t, W) for all t: x (T, ..., I) flattened to rows, one GEMM, reshaped back.
  Var* lift_dot(Var* xs, Var* w) {
    int r = xs->type.ndim();  // 2: vectors per step; 3: matrices per step
    if (r == 2) return b.dot(xs, w);
    Var* rows = b.reshape(xs, b.stack(0, {b.int64(-1), b.shape_i(xs, 2)}));
    Var* prod = b.dot(rows, w);
    return b.reshape(prod, b.stack(0, {b.shape_i(xs, 0), b.shape_i(xs, 1), b.shape_i(w, 1)}));
  }
};

// A body node that can run over all steps at once: elementwise (its
// invariant operands, of rank at most the step's, broadcast over the steps)
// or dot(step value, invariant matrix).
bool liftable(const Node& m, const std::unordered_set<const Var*>& seqish, const std::unordered_set<const Var*>& inv) {
  if (!movable_op(m) || m.outputs.size() != 1) return false;
  bool any = false;
  for (const Var* in : m.inputs) {
    if (seqish.count(in)) any = true;
    else if (!inv.count(in)) return false;
  }
  if (!any) return false;
  OpFamily f = op_info(m.op).family;
  if (f == OpFamily::Elemwise || f == OpFamily::Cast || f == OpFamily::Fused) {
    int rank = m.outputs[0]->type.ndim();
    for (const Var* in : m.inputs)
      if (!seqish.count(in) && in->type.ndim() > rank) return false;
    // Every per-step operand must have the output's rank (so the step
    // dimension lines up on the left).
    for (const Var* in : m.inputs)
      if (seqish.count(in) && in->type.ndim() != rank) return false;
    return true;
  }
  if ((m.op == Op::Dot || m.op == Op::Dot22) && seqish.count(m.inputs[0]) && !seqish.count(m.inputs[1]) &&
      m.inputs[1]->type.ndim() == 2 && (m.inputs[0]->type.ndim() == 1 || m.inputs[0]->type.ndim() == 2))
    return true;
  return false;
}

bool pushout_seq_one(Graph& outer, Node& n, RewriteTrace& trace) {
  ScanInfo& s = *n.scan;
  Graph& body = *s.body;
  bool changed = false;
  for (int j = 0; j < s.n_seqs(); ++j) {
    if (s.seq_taps[size_t(j)] != std::vector<int>{0}) continue;
    Var* param = body.params[scan_edit::first_seq_param(s, j)];
    Var* seq = n.inputs[size_t(s.seq_input(j))];
    // Invariant values: non-sequence parameters and constants (scan_pushout_nonseq
    // has moved invariant computations out already).
    std::unordered_set<const Var*> inv;
    Lifter L{Builder(outer, n.path), {}, {}};
    size_t p0 = scan_edit::first_nonseq_param(s);
    for (int k = 0; k < s.n_nonseq; ++k) {
      Var* p = body.params[p0 + size_t(k)];
      inv.insert(p);
      L.invariant[p] = n.inputs[size_t(s.nonseq_input(k))];
    }
    std::vector<Node*> order = topo_order(body.outputs);
    for (Node* m : order)
      for (Var* in : m->inputs)
        if (in->is_constant()) inv.insert(in);
    std::unordered_set<const Var*> seqish = {param};
    std::unordered_set<const Node*> inside;
    for (Node* m : order) {
      if (!liftable(*m, seqish, inv)) continue;
      inside.insert(m);
      seqish.insert(m->outputs[0]);
    }
    if (inside.empty()) continue;
    std::vector<Var*> f = frontier(body, order, inside);
    if (f.empty()) continue;
    L.lifted[param] = seq;
    for (Node* m : topo_order(f)) {
      if (!inside.count(m)) continue;
      std::vector<Var*> ins;
      for (Var* in : m->inputs)
        ins.push_back(seqish.count(in) ? L.lifted.at(in) : L.outer_invariant(outer, in));
      Var* r;
      if (m->op == Op::Dot || m->op == Op::Dot22) r = L.lift_dot(ins[0], ins[1]);
      else r = L.b.op(m->op, ins, m->attrs);
      L.lifted[m->outputs[0]] = r;
    }
    // Readers in the body decide broadcasting from static size-1 dimensions:
    // the new sequence's steps must keep them.
    bool same = true;
    for (Var* v : f) {
      const Type& t = L.lifted.at(v)->type;
      for (int d = 0; same && d < v->type.ndim(); ++d)
        same = v->type.broadcastable(d) == (t.shape[size_t(d) + 1] == 1);
    }
    if (!same) continue;
    for (Var* v : f) {
      Var* p = scan_edit::add_sequence(n, L.lifted.at(v), v->name.empty() ? "pushed" : v->name);
      replace_in_body(body, v, p);
    }
    // The new sequences have the length of sequence j: when the body no
    // longer reads j itself, they replace it (the step count is unchanged).
    bool still_read = false;
    for (Node* m : topo_order(body.outputs))
      for (Var* in : m->inputs) still_read = still_read || in == param;
    for (Var* o : body.outputs) still_read = still_read || o == param;
    if (!still_read) {
      scan_edit::remove_sequence(n, j);
      --j;
    }
    RewriteEvent ev;
    ev.rule = "scan_pushout_seq";
    ev.path = n.path;
    ev.detail = std::to_string(inside.size()) + " node(s) on sequence " + std::to_string(j) +
                " computed for every step before the loop";
    trace.record(std::move(ev));
    changed = true;
  }
  return changed;
}

using OneScan = bool (*)(Graph& outer, Node& n, RewriteTrace& trace);

bool each_scan(Graph& g, const std::vector<Var*>& roots, OneScan f, RewriteTrace& trace) {
  bool changed = false;
  for (Node* n : topo_order(roots)) {
    if (!n->scan) continue;
    changed = each_scan(*n->scan->body, n->scan->body->outputs, f, trace) || changed;  // inner loops first
    changed = f(g, *n, trace) || changed;
  }
  return changed;
}

}  // namespace

bool scan_pushout_nonseq(FunctionGraph& fg, RewriteTrace& trace) {
  return each_scan(*fg.graph, fg.roots(), pushout_nonseq_one, trace);
}

bool scan_pushout_seq(FunctionGraph& fg, RewriteTrace& trace) {
  return each_scan(*fg.graph, fg.roots(), pushout_seq_one, trace);
}

}  // namespace tgc::rules
