// verify / verify_function: see verifier.h for what is checked and why.
#include "ir/verifier.h"

#include <unordered_map>
#include <unordered_set>

#include "ir/error.h"

namespace tgc {

namespace {

[[noreturn]] void fail_at(const std::string& where, const std::string& what) {
  throw internal_error("verifier: " + where + ": " + what);
}

// Nodes made by rewrites may have no JSON path; their id still finds them.
std::string where(const Node& n) { return n.path.empty() ? "node " + std::to_string(n.id) : n.path; }

[[noreturn]] void fail(const Node& n, const std::string& what) {
  fail_at(where(n), std::string(op_name(n.op)) + ": " + what);
}

std::string describe(const Var& v) { return v.name.empty() ? "(unnamed)" : "\"" + v.name + "\""; }

std::string slot(const char* what, size_t k, const Var& v) {
  return std::string(what) + " " + std::to_string(k) + " " + describe(v);
}

Type drop_leading(const Type& t) {
  Type r = t;
  r.shape.erase(r.shape.begin());
  return r;
}

// Same kind, dtype and rank, and no two static sizes that differ: what a
// function update or a given may replace a variable with.
bool compatible(const Type& a, const Type& b) {
  if (a.kind != b.kind || a.dtype != b.dtype || a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d) {
    int64_t x = a.shape[size_t(d)], y = b.shape[size_t(d)];
    if (x >= 0 && y >= 0 && x != y) return false;
  }
  return true;
}

// A variable's own links, whoever reads it: a node output is listed by its
// owner at its index; a parameter is one of its scope's params; only node
// outputs have owners; a constant has a value. "" when all hold.
std::string link_error(const Var& v, const std::unordered_set<const Var*>& params) {
  if (v.kind == VarKind::NodeOutput) {
    if (!v.owner) return "is a node output without an owner";
    if (v.index < 0 || size_t(v.index) >= v.owner->outputs.size() || v.owner->outputs[size_t(v.index)] != &v)
      return "is not output " + std::to_string(v.index) + " of its owner (" + where(*v.owner) + ")";
    return "";
  }
  if (v.owner) return "has an owner but is not a node output";
  if (v.kind == VarKind::Param && !params.count(&v)) return "is a parameter that its scope does not list";
  if (v.kind == VarKind::Constant && !v.value()) return "is a constant without a value";
  return "";
}

// One scope to check: the top-level graph, or a scan body with its outputs.
struct Scope {
  const Graph* graph;
  std::vector<Var*> roots;
  std::string where;  // for violations not tied to one node
};

// The body parameter types a scan's layout implies, with their roles for messages.
struct ParamSpec {
  Type type;
  std::string role;
};

class Verifier {
 public:
  void run(const Graph& g, const std::vector<Var*>& roots);

 private:
  void verify_scope(const Scope& s);
  void check_roots(const Scope& s, const std::unordered_set<const Var*>& params);
  void check_links(const Graph& g, const std::unordered_set<const Var*>& params, const Node& n);
  void check_node(const Graph& g, const Node& n);
  void check_scan(const Graph& g, const Node& n);
  void check_scan_params(const Node& n, const std::vector<ParamSpec>& specs);
  void check_scan_results(const Node& n);
  void check_types(const Node& n);

  std::vector<Scope> pending_;  // scan bodies still to check (a worklist, not recursion)
};

void Verifier::run(const Graph& g, const std::vector<Var*>& roots) {
  pending_.push_back({&g, roots, "root"});
  while (!pending_.empty()) {
    Scope s = std::move(pending_.back());
    pending_.pop_back();
    verify_scope(s);
  }
}

void Verifier::check_roots(const Scope& s, const std::unordered_set<const Var*>& params) {
  for (size_t k = 0; k < s.roots.size(); ++k) {
    const Var* r = s.roots[k];
    if (!r) fail_at(s.where, "output " + std::to_string(k) + " is null");
    if (r->scope != s.graph) fail_at(s.where, slot("output", k, *r) + " belongs to another scope");
    std::string e = link_error(*r, params);
    if (!e.empty()) fail_at(s.where, slot("output", k, *r) + " " + e);
  }
}

// Depth-first from the roots with an explicit stack. A node is checked for
// its links when first reached (so following its inputs is safe) and for its
// semantics once all its inputs are done; meeting a node that is still open
// on the stack means a cycle.
void Verifier::verify_scope(const Scope& s) {
  const Graph& g = *s.graph;
  std::unordered_set<const Var*> params(g.params.begin(), g.params.end());
  check_roots(s, params);
  // Node marks (Node::visit_epoch) instead of a table: nothing below runs
  // another traversal.
  enum : uint8_t { Open = 1, Done = 2 };
  const uint32_t epoch = new_visit_epoch();
  auto state = [&](const Node* n) -> uint8_t { return n->visit_epoch == epoch ? n->visit_state : 0; };
  auto mark = [&](const Node* n, uint8_t st) {
    n->visit_epoch = epoch;
    n->visit_state = st;
  };
  std::vector<std::pair<const Node*, size_t>> stack;
  auto enter = [&](const Node* n) {
    check_links(g, params, *n);
    mark(n, Open);
    stack.push_back({n, 0});
  };
  for (const Var* r : s.roots) {
    if (!r->owner || state(r->owner)) continue;
    enter(r->owner);
    while (!stack.empty()) {
      const Node* n = stack.back().first;
      size_t k = stack.back().second++;
      if (k < n->inputs.size()) {
        const Node* p = n->inputs[k]->owner;
        if (!p) continue;
        uint8_t ps = state(p);
        if (ps == 0) enter(p);
        else if (ps == Open) fail(*n, "input " + std::to_string(k) + " closes a cycle");
      } else {
        check_node(g, *n);
        mark(n, Done);
        stack.pop_back();
      }
    }
  }
}

void Verifier::check_links(const Graph& g, const std::unordered_set<const Var*>& params, const Node& n) {
  for (size_t k = 0; k < n.outputs.size(); ++k) {
    const Var* out = n.outputs[k];
    if (!out) fail(n, "output " + std::to_string(k) + " is null");
    if (out->owner != &n || out->index != int(k))
      fail(n, slot("output", k, *out) + " does not point back at this node (owner, index)");
    if (out->kind != VarKind::NodeOutput) fail(n, slot("output", k, *out) + " is not marked as a node output");
    if (out->scope != &g) fail(n, slot("output", k, *out) + " belongs to another scope than its node");
  }
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const Var* in = n.inputs[k];
    if (!in) fail(n, "input " + std::to_string(k) + " is null");
    if (in->scope != &g)
      fail(n, slot("input", k, *in) +
                  " belongs to another scope; a scan body reads outer values only through its parameters");
    std::string e = link_error(*in, params);
    if (!e.empty()) fail(n, slot("input", k, *in) + " " + e);
  }
}

void Verifier::check_node(const Graph& g, const Node& n) {
  size_t m = size_t(n.attrs->n_branch);
  if (n.op == Op::IfElse) {
    if (n.inputs.size() != 1 + 2 * m)
      fail(n, "has " + std::to_string(n.inputs.size()) + " inputs, expected 1 + 2 * " + std::to_string(m));
    if (n.outputs.size() != m) fail(n, "has " + std::to_string(n.outputs.size()) + " outputs, expected " + std::to_string(m));
  }
  // infer_types reads one input per wrt variable; check before calling it.
  if (n.op == Op::Grad && n.inputs.size() < 1 + m)
    fail(n, "has " + std::to_string(n.inputs.size()) + " inputs for " + std::to_string(m) + " wrt variables");
  if (n.op == Op::Scan) check_scan(g, n);
  else if (n.scan) fail(n, "carries scan information but is not a scan");
  check_types(n);
}

void Verifier::check_types(const Node& n) {
  std::vector<Type> want;
  try {
    want = infer_types(n);
  } catch (const Error& e) {
    fail(n, "type inference fails: " + e.located());
  }
  if (want.size() != n.outputs.size())
    fail(n, "has " + std::to_string(n.outputs.size()) + " outputs, type inference gives " + std::to_string(want.size()));
  for (size_t k = 0; k < want.size(); ++k)
    if (n.outputs[k]->type != want[k])
      fail(n, slot("output", k, *n.outputs[k]) + " is " + n.outputs[k]->type.str() + " but type inference gives " +
                  want[k].str());
}

// The type of one step of recurrent output `o`: its initial value, or that
// value without its leading steps when the taps reach further than -1.
Type step_type(const Node& n, int o) {
  const ScanInfo& s = *n.scan;
  const std::vector<int>& taps = s.out_taps[size_t(o)];
  for (int t : taps)
    if (t >= 0) fail(n, "output " + std::to_string(o) + " has tap " + std::to_string(t) + "; output taps are negative");
  const Type& init = n.inputs[size_t(s.init_input(o))]->type;
  if (taps.size() == 1 && taps[0] == -1) return init;
  if (!init.is_tensor() || init.ndim() < 1)
    fail(n, "the initial value of output " + std::to_string(o) + " needs a leading dimension for its taps, got " +
                init.str());
  return drop_leading(init);
}

std::vector<ParamSpec> param_specs(const Node& n) {
  const ScanInfo& s = *n.scan;
  std::vector<ParamSpec> specs;
  for (int q = 0; q < s.n_seqs(); ++q) {
    const Type& t = n.inputs[size_t(s.seq_input(q))]->type;
    if (!t.is_tensor() || t.ndim() < 1)
      fail(n, "sequence " + std::to_string(q) + " must be a tensor with a leading dimension, got " + t.str());
    if (s.seq_taps[size_t(q)].empty()) fail(n, "sequence " + std::to_string(q) + " has no taps");
    for (int tap : s.seq_taps[size_t(q)])
      specs.push_back({drop_leading(t), "sequence " + std::to_string(q) + ", tap " + std::to_string(tap)});
  }
  for (int o = 0; o < s.n_outs(); ++o) {
    if (s.out_taps[size_t(o)].empty()) continue;
    Type t = step_type(n, o);
    for (int tap : s.out_taps[size_t(o)])
      specs.push_back({t, "output " + std::to_string(o) + ", tap " + std::to_string(tap)});
  }
  for (int k = 0; k < s.n_shared; ++k)
    specs.push_back({n.inputs[size_t(s.shared_input(k))]->type, "shared state " + std::to_string(k)});
  for (int k = 0; k < s.n_nonseq; ++k)
    specs.push_back({n.inputs[size_t(s.nonseq_input(k))]->type, "non-sequence " + std::to_string(k)});
  return specs;
}

void Verifier::check_scan(const Graph& g, const Node& n) {
  if (!n.scan || !n.scan->body) fail(n, "has no body");
  const ScanInfo& s = *n.scan;
  const Graph& body = *s.body;
  // The body is closed over its parameters, but it still knows its place.
  if (body.parent() != &g) fail(n, "the body's parent is not the scan's scope");
  if (s.n_shared < 0 || s.n_nonseq < 0) fail(n, "negative count of shared states or non-sequences");
  size_t want_in = size_t(s.has_n_steps) + size_t(s.n_seqs() + s.n_recurrent() + s.n_shared + s.n_nonseq);
  if (n.inputs.size() != want_in)
    fail(n, "has " + std::to_string(n.inputs.size()) + " inputs, its layout gives " + std::to_string(want_in));
  size_t want_out = size_t(s.n_outs() + s.n_shared);
  if (n.outputs.size() != want_out)
    fail(n, "has " + std::to_string(n.outputs.size()) + " outputs, its layout gives " + std::to_string(want_out));
  if (s.has_n_steps) {
    const Type& t = n.inputs[0]->type;
    if (!t.is_tensor() || t.ndim() != 0 || !is_integer(t.dtype)) fail(n, "n_steps must be an integer scalar, got " + t.str());
  }
  check_scan_params(n, param_specs(n));
  check_scan_results(n);
  pending_.push_back({&body, body.outputs, where(n) + ".body"});
}

void Verifier::check_scan_params(const Node& n, const std::vector<ParamSpec>& specs) {
  const Graph& body = *n.scan->body;
  if (body.params.size() != specs.size())
    fail(n, "the body has " + std::to_string(body.params.size()) + " parameters, the layout gives " +
                std::to_string(specs.size()));
  std::unordered_set<const Var*> seen;
  for (size_t k = 0; k < specs.size(); ++k) {
    const Var* p = body.params[k];
    std::string what = "body parameter " + std::to_string(k) + " (" + specs[k].role + ")";
    if (!p) fail(n, what + " is null");
    if (p->kind != VarKind::Param || p->scope != &body) fail(n, what + " is not a parameter of the body");
    if (!seen.insert(p).second) fail(n, what + " is listed twice");
    if (p->type != specs[k].type) fail(n, what + " is " + p->type.str() + " but the layout gives " + specs[k].type.str());
  }
}

void Verifier::check_scan_results(const Node& n) {
  const ScanInfo& s = *n.scan;
  const Graph& body = *s.body;
  size_t want = size_t(s.n_outs() + s.n_shared) + (s.has_until ? 1 : 0);
  if (body.outputs.size() != want)
    fail(n, "the body has " + std::to_string(body.outputs.size()) + " outputs, the layout gives " + std::to_string(want));
  for (size_t k = 0; k < want; ++k) {
    const Var* b = body.outputs[k];
    std::string what = "body output " + std::to_string(k);
    if (!b) fail(n, what + " is null");
    if (b->scope != &body) fail(n, what + " " + describe(*b) + " is not in the body's scope");
    const Type& t = b->type;
    int o = int(k);
    if (o < s.n_outs()) {
      if (!t.is_tensor()) fail(n, what + " must be a tensor, got " + t.str());
      if (s.out_taps[k].empty()) continue;
      Type step = step_type(n, o);
      if (t.dtype != step.dtype || t.ndim() != step.ndim())
        fail(n, what + " is " + t.str() + " but its initial step is " + step.str());
    } else if (o < s.n_outs() + s.n_shared) {
      const Type& st = n.inputs[size_t(s.shared_input(o - s.n_outs()))]->type;
      if (t.kind != st.kind || t.dtype != st.dtype || t.ndim() != st.ndim())
        fail(n, what + " (a shared state) is " + t.str() + " but the state is " + st.str());
    } else if (!t.is_tensor() || t.ndim() != 0) {
      fail(n, "the until condition is " + t.str() + ", not a scalar");
    }
  }
}

}  // namespace

void verify(const Graph& g, const std::vector<Var*>& roots) { Verifier().run(g, roots); }

void verify_function(const Function& f) {
  std::string at = f.path.empty() ? "function \"" + f.name + "\"" : f.path;
  std::vector<Var*> roots;
  for (size_t k = 0; k < f.outputs.size(); ++k) {
    if (!f.outputs[k]) fail_at(at, "output " + std::to_string(k) + " is null");
    roots.push_back(f.outputs[k]);
  }
  for (size_t k = 0; k < f.inputs.size(); ++k)
    if (!f.inputs[k] || f.inputs[k]->kind != VarKind::Input)
      fail_at(at, "input " + std::to_string(k) + " is not a declared input");
  std::unordered_set<const Var*> targets;
  for (size_t k = 0; k < f.updates.size(); ++k) {
    auto [sv, nv] = f.updates[k];
    std::string u = at + ".updates[" + std::to_string(k) + "]";
    if (!sv || !nv) fail_at(u, "null variable in an update");
    if (sv->kind != VarKind::Shared) fail_at(u, describe(*sv) + " is not a shared variable");
    if (!targets.insert(sv).second) fail_at(u, describe(*sv) + " is updated twice");
    if (!compatible(sv->type, nv->type)) fail_at(u, "the new value is " + nv->type.str() + ", the variable is " + sv->type.str());
    roots.push_back(nv);
  }
  for (size_t k = 0; k < f.givens.size(); ++k) {
    auto [a, b] = f.givens[k];
    std::string gv = at + ".givens[" + std::to_string(k) + "]";
    if (!a || !b) fail_at(gv, "null variable in a given");
    if (a->type.kind != b->type.kind || a->type.dtype != b->type.dtype || a->type.ndim() != b->type.ndim())
      fail_at(gv, "the replacement is " + b->type.str() + ", the variable is " + a->type.str());
  }
  if (roots.empty()) return;
  const Graph* g = roots[0]->scope;
  if (!g || g->parent()) fail_at(at, "outputs must live in a top-level graph");
  for (const Var* r : roots)
    if (r->scope != g) fail_at(at, describe(*r) + " lives in another graph than the function's other results");
  for (const auto& [sv, nv] : f.updates)
    if (sv->scope != g) fail_at(at, "the updated variable " + describe(*sv) + " lives in another graph");
  verify(*g, roots);
}

}  // namespace tgc
