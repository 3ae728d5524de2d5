// scan as a native `for` loop.
//
// Each scan output keeps its steps in a ScanStore (tgc/scan.h): either all of
// them after the `depth` initial steps its taps need (the output is read in
// full), or a ring of max(depth, keep) rows when every reader of the output
// takes one of its last `keep` steps (x[-1] ... x[-keep]), so memory stays
// that of a few steps whatever the number of steps. Taps read rows of the
// store; sequences are read through row views; shared variables updated in
// the body live in the buffer of the scan's final-value output. The body is
// emitted inline; its buffers are planned like any scope's and allocated on
// the first step only (grow-only buffers).
#include <algorithm>
#include <climits>

#include "codegen/emit_control.h"
#include "ir/error.h"
#include "passes/memory_plan.h"
#include "passes/schedule.h"

namespace tgc {

namespace {

struct OutPlan {
  int depth = 0;         // initial steps the taps need (0: no recurrence)
  bool over_tap = false; // the body writes the step over its previous value (scan_inplace): one row
  bool direct = false;   // the body computes each step straight into its row
  bool ring = false;     // only the last `keep` steps are read after the loop
  int64_t keep = 0;
  int64_t rows = 0;      // ring size
  std::string store;     // ScanStore local
};

std::string i64(int64_t v) { return "int64_t(" + std::to_string(v) + "ll)"; }

// Row `r` (a non-negative expression) of a ring of `rows` rows; unsigned so
// the compiler needs no sign fix-up (a power of two becomes a mask).
std::string ring_row(const std::string& r, int64_t rows) {
  return "int64_t(uint64_t(" + r + ") % " + std::to_string(rows) + "u)";
}

// scan_inplace marked the node computing body output k as writing over the
// tap -1 parameter of the same output: the step overwrites its previous value.
bool overwrites_tap(const ScanInfo& s, int k) {
  const Graph& body = *s.body;
  const Var* v = body.outputs[size_t(k)];
  if (s.out_taps[size_t(k)] != std::vector<int>{-1} || !v->owner || v->scope != &body || v->owner->attrs->inplace < 0)
    return false;
  size_t p = 0;
  for (const auto& taps : s.seq_taps) p += taps.size();
  for (int j = 0; j < k; ++j) p += s.out_taps[size_t(j)].size();
  return v->owner->inputs[size_t(v->owner->attrs->inplace)] == body.params[p];
}

// The body value whose buffer ends up holding body output k, when the output
// can be computed straight into its row of the store: the output itself when
// a node of the body produces it into a buffer of its own, or, when it is
// computed in place over another value (an elementwise op in place, say), the
// value that starts that chain. Not for views (they own no buffer), scans
// (their outputs live in their own stores), values that are another output
// too, or non-tensors; nullptr then.
const Var* direct_root(const Graph& body, int k) {
  const Var* v = body.outputs[size_t(k)];
  for (int j = 0; j < k; ++j)
    if (body.outputs[size_t(j)] == v) return nullptr;
  const Var* r = v;
  while (true) {
    if (!r->owner || r->scope != &body || !r->type.is_tensor() || r->type.ndim() != v->type.ndim()) return nullptr;
    if (may_be_view(r->owner->op) || r->owner->op == Op::Scan) return nullptr;
    if (r->owner->attrs->inplace < 0) return r;
    const Var* over = r->owner->inputs[size_t(r->owner->attrs->inplace)];
    for (const Var* o : body.outputs)
      if (o == over) return nullptr;
    r = over;
  }
}

}  // namespace

void emit_scan(EmitContext& c, const Node& n) {
  const ScanInfo& s = *n.scan;
  const Graph& body = *s.body;
  CodeWriter& w = c.w;
  const std::string& path = n.path;
  w.open("");

  // ---- number of steps ----
  std::string steps = c.temp("steps");
  w.line("int64_t " + steps + " = INT64_MAX;");
  std::vector<std::string> seqs;
  for (int j = 0; j < s.n_seqs(); ++j) {
    const Var* sv = n.inputs[size_t(s.seq_input(j))];
    const auto& taps = s.seq_taps[size_t(j)];
    int mn = std::min(0, *std::min_element(taps.begin(), taps.end()));
    int mx = std::max(0, *std::max_element(taps.begin(), taps.end()));
    std::string q = c.temp("seq");
    // Sequences are read row by row, and the body takes each row as a dense
    // block: a view whose rows are not dense (a transposed sequence) is made
    // contiguous first; one that is only reversed or sliced along the steps
    // is read in place.
    std::string src = c.name(sv);
    if (!c.contiguous(sv)) {
      std::string p = q + "_dense";
      w.line(EmitContext::view_type(sv) + " " + q + "_c = " + src + ";");
      w.open("if (!tgc::rt::rows_contiguous(" + src + "))");
      c.alloc_scratch(p, EmitContext::ctype(sv), "tgc::rt::numel(" + src + ")", path);
      w.line("tgc::rt::copy_to_contiguous(" + src + ", " + p + ");");
      w.line(q + "_c.p = " + p + ";");
      w.line("tgc::rt::set_contiguous_strides(" + q + "_c);");
      w.close();
      src = q + "_c";
    }
    w.line("const " + EmitContext::view_type(sv) + " " + q + " = " + (s.go_backwards ? "tgc::rt::reversed(" + src + ")" : src) + ";");
    w.line("{ const int64_t avail = " + q + ".n[0] - " + std::to_string(mx - mn) + "; if (avail < " + steps + ") " + steps +
           " = avail < 0 ? 0 : avail; }");
    seqs.push_back(q);
  }
  if (s.has_n_steps) {
    std::string ns = "tgc::sc::cvt<int64_t>(" + c.name(n.inputs[0]) + ".p[0])";
    w.open("");
    w.line("const int64_t ns = " + ns + ";");
    w.line("if (ns < 0) " + c.fail(path, "scan: n_steps is negative (%lld)", "(long long)ns"));
    if (s.n_seqs() > 0)
      w.line("if (ns > " + steps + ") " +
             c.fail(path, "scan: n_steps is %lld but the sequences allow only %lld steps", "(long long)ns, (long long)" + steps));
    w.line(steps + " = ns;");
    w.close();
  }

  // ---- outputs: full stores or rings ----
  std::vector<OutPlan> plans(size_t(s.n_outs()));
  for (int k = 0; k < s.n_outs(); ++k) {
    OutPlan& p = plans[size_t(k)];
    const Var* out = n.outputs[size_t(k)];
    const Var* bout = body.outputs[size_t(k)];
    p.depth = s.init_depth(k);
    p.keep = s.kept(k);  // scan_save_mem decided it (0: every step is kept)
    (void)out;
    p.ring = p.keep > 0;
    // A recurrent result computed by a body node into a buffer of its own is
    // written straight into its row of the store (no copy per step). The row
    // written at step t must then differ from every row its taps read, so a
    // ring has one row more than the taps need.
    p.over_tap = p.ring && p.keep == 1 && overwrites_tap(s, k);
    p.direct = !p.over_tap && direct_root(body, k) != nullptr;
    p.rows = p.over_tap ? 1 : std::max<int64_t>(p.direct ? p.depth + 1 : p.depth, p.keep);
    p.store = c.temp("store");
    int nd = bout->type.ndim();
    w.line("tgc::rt::ScanStore<" + EmitContext::ctype(bout) + ", " + std::to_string(nd) + "> " + p.store + ";");
    std::string buf = p.ring ? c.ws + "[" + std::to_string(c.plan.new_scratch()) + "]"
                             : c.ws + "[" + std::to_string(c.plan.slot_of(out)) + "]";
    w.line("tgc::rt::Buffer& " + p.store + "_buf = " + buf + ";");
    for (int d = 0; d < nd; ++d) {
      int64_t sd = bout->type.shape[size_t(d)];
      w.line(p.store + ".n[" + std::to_string(d) + "] = " + std::to_string(sd < 0 ? 0 : sd) + ";");
    }
    if (p.depth == 0) continue;
    // Recurrent: the initial steps fill rows 0 .. depth-1.
    const Var* init = n.inputs[size_t(s.init_input(k))];
    const std::string& iv = c.name(init);
    bool one_step = s.out_taps[size_t(k)].size() == 1 && s.out_taps[size_t(k)][0] == -1;
    w.open("");
    if (one_step) {
      w.line("const auto first = " + iv + ";");
    } else {
      w.line("if (" + iv + ".n[0] < " + std::to_string(p.depth) + ") " +
             c.fail(path, "scan: output " + std::to_string(k) + " needs " + std::to_string(p.depth) +
                              " initial steps, its initial value has %lld", "(long long)" + iv + ".n[0]"));
      w.line("const auto first = tgc::rt::row_of(" + iv + ", 0);");
    }
    w.line(p.store + ".shape(first);");
    std::string rows = p.ring ? i64(p.rows) : (s.has_until ? i64(p.depth) + " + (" + steps + " < 64 ? " + steps + " : 64)"
                                                         : i64(p.depth) + " + " + steps);
    w.line("if (!" + p.store + ".reserve(" + p.store + "_buf, " + rows + ", 0)) " + c.fail(path, "out of memory"));
    if (one_step) {
      w.line("tgc::rt::copy_to_contiguous(first, " + p.store + ".at(0));");
    } else {
      w.open("for (int64_t r = 0; r < " + std::to_string(p.depth) + "; ++r)");
      w.line("const auto step = tgc::rt::row_of(" + iv + ", r);");
      w.line("if (!" + p.store + ".shape(step)) " + c.fail(path, "scan: the initial steps of output " + std::to_string(k) + " differ in shape"));
      w.line("tgc::rt::copy_to_contiguous(step, " + p.store + ".at(r));");
      w.close();
    }
    w.close();
  }

  // ---- shared states: they live in the buffer of the final-value output ----
  std::vector<std::string> state_views;
  for (int k = 0; k < s.n_shared; ++k) {
    const Var* outer = n.inputs[size_t(s.shared_input(k))];
    const Var* fin = n.outputs[size_t(s.n_outs() + k)];
    if (outer->type.kind == TypeKind::Rng) {
      w.line(c.name(fin) + " = " + c.name(outer) + ";");
    } else {
      c.emit_copy(outer, fin, path);
    }
    state_views.push_back(c.name(fin));
  }

  // ---- body parameters that do not change between steps ----
  std::vector<Var*> params = body.params;
  size_t pi = 0;
  for (int j = 0; j < s.n_seqs(); ++j) pi += s.seq_taps[size_t(j)].size();
  for (int k = 0; k < s.n_outs(); ++k) pi += s.out_taps[size_t(k)].size();
  size_t first_state = pi;
  for (int k = 0; k < s.n_shared; ++k) w.line(c.name(params[first_state + size_t(k)]) + " = " + state_views[size_t(k)] + ";");
  for (int k = 0; k < s.n_nonseq; ++k) {
    const Var* outer = n.inputs[size_t(s.nonseq_input(k))];
    const Var* p = params[first_state + size_t(s.n_shared) + size_t(k)];
    if (outer->type.is_tensor() && !c.contiguous(outer)) {
      std::string t = c.temp("nonseq");
      c.alloc_scratch(t, EmitContext::ctype(outer), "tgc::rt::numel(" + c.name(outer) + ")", path);
      w.line("tgc::rt::copy_to_contiguous(" + c.name(outer) + ", " + t + ");");
      w.line(c.name(p) + " = " + c.name(outer) + ";");
      w.line(c.name(p) + ".p = " + t + ";");
      w.line("tgc::rt::set_contiguous_strides(" + c.name(p) + ");");
    } else {
      w.line(c.name(p) + " = " + c.name(outer) + ";");
    }
  }

  // ---- the loop ----
  Schedule bs = schedule_scope(body.outputs);
  plan_scope_memory(bs, c.views, body.outputs, c.plan);
  for (const Node* bn : bs.order)
    for (const Var* in : bn->inputs)
      if (in->is_constant()) c.bind_constant(in);
  for (const Var* o : body.outputs)
    if (o->is_constant()) c.bind_constant(o);

  std::string t = c.temp("t");
  w.line("int64_t " + t + " = 0;");
  w.open("for (; " + t + " < " + steps + "; ++" + t + ")");
  pi = 0;
  for (int j = 0; j < s.n_seqs(); ++j) {
    const auto& taps = s.seq_taps[size_t(j)];
    int mn = std::min(0, *std::min_element(taps.begin(), taps.end()));
    for (int tap : taps)
      w.line(c.name(params[pi++]) + " = tgc::rt::row_of(" + seqs[size_t(j)] + ", " + t + " + " + std::to_string(tap - mn) + ");");
  }
  // With until the store holds rows for 64 steps at first; outputs the body
  // writes straight into their row grow it before the step (and before the
  // tap views into it are taken, since growing moves it).
  for (int k = 0; s.has_until && k < s.n_outs(); ++k) {
    const OutPlan& p = plans[size_t(k)];
    if (!p.direct || p.ring || p.depth == 0) continue;  // depth 0: reserved where the row shape is known
    std::string need = std::to_string(p.depth) + " + " + t + " + 1";
    w.line("if (" + need + " > " + p.store + ".cap && !" + p.store + ".reserve(" + p.store + "_buf, " + need + ", " +
           std::to_string(p.depth) + " + " + t + ")) " + c.fail(path, "out of memory"));
  }
  for (int k = 0; k < s.n_outs(); ++k) {
    const OutPlan& p = plans[size_t(k)];
    for (int tap : s.out_taps[size_t(k)]) {
      std::string r = std::to_string(p.depth + tap) + " + " + t;
      if (p.ring) r = ring_row(r, p.rows);
      w.line(c.name(params[pi++]) + " = " + p.store + ".step(" + r + ");");
    }
  }
  for (int k = 0; k < s.n_outs(); ++k) {
    const OutPlan& p = plans[size_t(k)];
    if (!p.direct) continue;
    std::string row = std::to_string(p.depth) + " + " + t;
    if (p.ring) row = ring_row(row, p.rows);
    EmitContext::External ext;
    ext.ptr = p.store + ".at(" + row + ")";
    const Var* bout = body.outputs[size_t(k)];
    const Var* root = direct_root(body, k);  // computed into the row; bout follows in place
    if (p.depth > 0) {
      // The initial value fixed the row shape and reserved the rows.
      for (int d = 0; d < bout->type.ndim(); ++d) ext.dims.push_back(p.store + ".n[" + std::to_string(d) + "]");
    } else {
      // No initial value: the first step records the row shape, every later
      // one is checked against it; the rows are reserved once it is known.
      const std::string& v = c.name(root);
      ext.prepare.push_back("if (!" + p.store + ".shape(" + v + ")) " +
                            c.fail(path, "scan: output " + std::to_string(k) + " changed shape at step %lld", "(long long)" + t));
      std::string need = p.ring ? i64(p.rows) : t + " + 1";
      std::string rows = p.ring ? i64(p.rows) : s.has_until ? need : steps;
      std::string keep = p.ring ? "0" : t;
      ext.prepare.push_back("if (" + need + " > " + p.store + ".cap && !" + p.store + ".reserve(" + p.store + "_buf, " + rows +
                            ", " + keep + ")) " + c.fail(path, "out of memory"));
    }
    c.external[root] = ext;
  }
  emit_scope(c, bs, 0);

  // Results that are not in a buffer of the body (views of parameters,
  // constants) are staged first, so storing one result cannot clobber another.
  std::vector<std::string> results;
  for (size_t k = 0; k < body.outputs.size(); ++k) {
    const Var* v = body.outputs[k];
    std::string src = c.name(v);
    bool is_until = s.has_until && k + 1 == body.outputs.size();
    bool in_row = k < size_t(s.n_outs()) && (plans[k].over_tap || plans[k].direct);
    if (v->type.is_tensor() && !is_until && !in_row && c.plan.slot_of(v) < 0) {
      std::string st = c.temp("staged");
      c.alloc_scratch(st + "_p", EmitContext::ctype(v), "tgc::rt::numel(" + src + ")", path);
      w.line("tgc::rt::copy_to_contiguous(" + src + ", " + st + "_p);");
      w.line(EmitContext::view_type(v) + " " + st + " = " + src + ";");
      w.line(st + ".p = " + st + "_p;");
      w.line("tgc::rt::set_contiguous_strides(" + st + ");");
      src = st;
    }
    results.push_back(src);
  }
  for (int k = 0; k < s.n_outs(); ++k) {
    const OutPlan& p = plans[size_t(k)];
    const std::string& r = results[size_t(k)];
    if (p.direct || p.over_tap) continue;  // already in its row
    w.line("if (!" + p.store + ".shape(" + r + ")) " +
           c.fail(path, "scan: output " + std::to_string(k) + " changed shape at step %lld", "(long long)" + t));
    std::string row = std::to_string(p.depth) + " + " + t;
    if (p.ring) {
      if (p.depth == 0)
        w.line("if (" + t + " == 0 && !" + p.store + ".reserve(" + p.store + "_buf, " + i64(p.rows) + ", 0)) " + c.fail(path, "out of memory"));
      row = ring_row(row, p.rows);
    } else {
      // All steps are kept: rows for every step up front, or (with until,
      // where the count is only known as the loop runs) by doubling.
      std::string need = std::to_string(p.depth) + " + " + t + " + 1";
      std::string rows = s.has_until ? need : std::to_string(p.depth) + " + " + steps;
      w.line("if (" + need + " > " + p.store + ".cap && !" + p.store + ".reserve(" + p.store + "_buf, " + rows + ", " +
             std::to_string(p.depth) + " + " + t + ")) " + c.fail(path, "out of memory"));
    }
    w.line("tgc::rt::copy_to_contiguous(" + r + ", " + p.store + ".at(" + row + "));");
  }
  for (int k = 0; k < s.n_shared; ++k) {
    const Var* fin = n.outputs[size_t(s.n_outs() + k)];
    const std::string& r = results[size_t(s.n_outs() + k)];
    if (fin->type.kind == TypeKind::Rng) {
      w.line(state_views[size_t(k)] + " = " + r + ";");
      w.line(c.name(params[first_state + size_t(k)]) + " = " + r + ";");
      continue;
    }
    for (int d = 0; d < fin->type.ndim(); ++d)
      w.line("if (" + r + ".n[" + std::to_string(d) + "] != " + state_views[size_t(k)] + ".n[" + std::to_string(d) + "]) " +
             c.fail(path, "scan: the update of a shared variable changed its shape"));
    w.line("tgc::rt::copy_to_contiguous(" + r + ", " + state_views[size_t(k)] + ".p);");
  }
  if (s.has_until) w.line("if (tgc::sc::cvt<bool>(" + results.back() + ".p[0])) { ++" + t + "; break; }");
  w.close();

  // ---- stacked outputs ----
  for (int k = 0; k < s.n_outs(); ++k) {
    const OutPlan& p = plans[size_t(k)];
    const Var* out = n.outputs[size_t(k)];
    const std::string& o = c.name(out);
    if (!p.ring) {
      w.line(o + " = " + p.store + ".stacked(" + std::to_string(p.depth) + ", " + t + ");");
      continue;
    }
    // The last min(steps, keep) steps, in order, into the output's buffer.
    w.open("");
    w.line("const int64_t kept = " + t + " < " + i64(p.keep) + " ? " + t + " : " + i64(p.keep) + ";");
    std::vector<std::string> dims = {"kept"};
    for (int d = 0; d < body.outputs[size_t(k)]->type.ndim(); ++d) dims.push_back(p.store + ".n[" + std::to_string(d) + "]");
    c.alloc(out, dims, path);
    w.line("const int64_t row = " + p.store + ".row > 0 ? " + p.store + ".row : 0;");
    w.line("for (int64_t r = 0; r < kept; ++r) std::memcpy(" + o + ".p + r * row, " + p.store + ".at(" +
           ring_row(std::to_string(p.depth) + " + " + t + " - kept + r", p.rows) + "), size_t(row) * sizeof(*" + o + ".p));");
    w.close();
  }
  w.close();
}

}  // namespace tgc
