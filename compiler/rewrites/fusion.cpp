// elemwise_fusion: a subgraph of elementwise ops becomes one composite node,
// so the generated code runs one loop over the data with every intermediate
// in a register (Theano's FusionOptimizer). An elementwise input is absorbed
// into its reader when the reader is its only use and both have the same
// shape pattern (so nothing is recomputed per element of a broadcast).
// reduce_fusion then puts an elementwise result read only by a reduction into
// the reduction itself (one pass over the data, no intermediate array).
#include <algorithm>
#include <unordered_map>

#include "ir/error.h"
#include "ir/topo_walk.h"

#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

constexpr size_t kMaxInputs = 32;
constexpr size_t kMaxInstrs = 128;

bool fusable(const Node& n) {
  OpFamily f = op_info(n.op).family;
  return (f == OpFamily::Elemwise || f == OpFamily::Cast || f == OpFamily::Fused) && n.outputs.size() == 1 &&
         n.outputs[0]->type.is_tensor() && n.attrs->inplace < 0;
}

// The node as a program over its own inputs.
ScalarProgram program_of(const Node& n) {
  if (n.attrs->program) return *n.attrs->program;
  ScalarProgram p;
  p.n_inputs = int(n.inputs.size());
  ScalarInstr in;
  in.op = n.op;
  for (int k = 0; k < p.n_inputs; ++k) in.args.push_back(k);
  in.dtype = n.outputs[0]->type.dtype;
  p.instrs.push_back(in);
  p.output = p.n_inputs;
  return p;
}

// Same rank and the same dimensions of static size 1.
bool same_pattern(const Type& a, const Type& b) {
  if (a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d)
    if (a.broadcastable(d) != b.broadcastable(d)) return false;
  return true;
}

struct Fused {
  std::vector<Var*> inputs;
  ScalarProgram prog;
};

// Replaces operand `k` of `outer` (an input of the fused node) by `inner`,
// the program of the node producing it over `inner_inputs`.
Fused absorb(const Fused& outer, int k, const ScalarProgram& inner, const std::vector<Var*>& inner_inputs) {
  Fused r;
  // New inputs: outer's without k, then inner's not already present.
  std::vector<int> outer_map(size_t(outer.prog.n_inputs), -1), inner_map(inner_inputs.size(), -1);
  for (int i = 0; i < outer.prog.n_inputs; ++i) {
    if (i == k) continue;
    outer_map[size_t(i)] = int(r.inputs.size());
    r.inputs.push_back(outer.inputs[size_t(i)]);
  }
  for (size_t i = 0; i < inner_inputs.size(); ++i) {
    auto it = std::find(r.inputs.begin(), r.inputs.end(), inner_inputs[i]);
    if (it != r.inputs.end()) {
      inner_map[i] = int(it - r.inputs.begin());
    } else {
      inner_map[i] = int(r.inputs.size());
      r.inputs.push_back(inner_inputs[i]);
    }
  }
  int n_in = int(r.inputs.size());
  r.prog.n_inputs = n_in;
  // Inner instructions first, then outer's, each operand renumbered.
  auto inner_id = [&](int a) { return a < inner.n_inputs ? inner_map[size_t(a)] : n_in + (a - inner.n_inputs); };
  for (const ScalarInstr& in : inner.instrs) {
    ScalarInstr c = in;
    for (int& a : c.args) a = inner_id(a);
    r.prog.instrs.push_back(c);
  }
  int inner_result = inner_id(inner.output);
  int base = n_in + int(inner.instrs.size());
  auto outer_id = [&](int a) {
    if (a == k) return inner_result;
    return a < outer.prog.n_inputs ? outer_map[size_t(a)] : base + (a - outer.prog.n_inputs);
  };
  for (const ScalarInstr& in : outer.prog.instrs) {
    ScalarInstr c = in;
    for (int& a : c.args) a = outer_id(a);
    r.prog.instrs.push_back(c);
  }
  r.prog.output = outer_id(outer.prog.output);
  return r;
}

// Makes n compute (op, inputs, attrs) in place (Graph::rebuild_node): its
// output variable stays, so its readers need no redirection and the pass
// keeps no use lists. The new computation has n's shape (the broadcast of
// the same leaves through the same ops), which lets the pipeline skip
// retyping after fusion; should inference ever know more or less of it, n
// stays as it was and this returns false. Records the firing of `rule`.
// When the trace keeps or prints events, a copy of n as it was stands for
// the replaced value (DEBUG mode evaluates both on the function's inputs;
// the copy has no reader and the final walk drops it). `detail` gives the
// event's text, asked for only then (a program's text for each fused node is
// a cost a plain compile does not pay).
template <class Detail>
bool replace_node(Graph& g, Node& n, Op op, const std::vector<Var*>& inputs, const Attrs& a, const char* rule,
                  Detail&& detail, RewriteTrace& trace) {
  const bool details = trace.wants_details();
  Var* before = details ? g.add_node_typed(n.op, std::vector<Var*>(n.inputs.begin(), n.inputs.end()), n.attrs, n.path,
                                           nullptr, {n.outputs[0]->type})
                              ->outputs[0]
                        : nullptr;
  if (!g.rebuild_node(n, op, inputs, a)) return false;
  RewriteEvent ev;
  if (details) {
    before->name = n.outputs[0]->name;
    ev.rule = rule;
    ev.path = n.path;
    ev.detail = detail();
    ev.before = {before};
    ev.after = n.outputs;
  }
  trace.record(std::move(ev));
  return true;
}

// The scope's topological order and its reader counts, in one walk
// (ir/topo_walk.h).
std::vector<Node*> index_scope(const std::vector<Var*>& roots, ReaderCounts& uses) {
  std::vector<Node*> order;
  topo_walk(roots, [&](Node* n) {
    order.push_back(n);
    uses.add_node(n);
  });
  return order;
}

bool fuse_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  ReaderCounts uses(g, roots);
  std::vector<Node*> order = index_scope(roots, uses);
  std::vector<char> absorbed(size_t(g.id_bound()), 0);  // by node id
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* n = *it;
    if (absorbed[size_t(n->id)] || !fusable(*n)) continue;
    Fused f{n->inputs, program_of(*n)};
    int count = 0;
    for (bool grew = true; grew;) {
      grew = false;
      for (int k = 0; k < f.prog.n_inputs; ++k) {
        Var* in = f.inputs[size_t(k)];
        Node* p = in->owner;
        // The checks that read only the value come first: a value with other
        // readers is skipped without fetching its producer's lines.
        if (!p || uses[in] != 1 || !same_pattern(in->type, n->outputs[0]->type) || !fusable(*p)) continue;
        ScalarProgram pp = program_of(*p);
        Fused next = absorb(f, k, pp, p->inputs);
        if (next.inputs.size() > kMaxInputs || next.prog.instrs.size() > kMaxInstrs) continue;
        f = std::move(next);
        if (size_t(p->id) >= absorbed.size()) absorbed.resize(size_t(p->id) + 1, 0);
        absorbed[size_t(p->id)] = 1;
        ++count;
        grew = true;
        break;
      }
    }
    if (count == 0) continue;
    Attrs a;
    a.program = std::make_shared<const ScalarProgram>(f.prog);
    auto detail = [&] { return std::to_string(count + 1) + " ops into composite{" + f.prog.str() + "}"; };
    changed = replace_node(g, *n, Op::Composite, f.inputs, a, "elemwise_fusion", detail, trace) || changed;
  }
  // Bodies are scopes of their own. The pass replaces no scan, so the
  // scans of `order` are still the scope's.
  for (Node* n : scans_in(g, order)) changed = fuse_scope(fg, *n->scan->body, n->scan->body->outputs, trace) || changed;
  return changed;
}

// Reductions that can evaluate a program per element as they accumulate.
bool fusable_reduction(const Node& n) {
  switch (n.op) {
    case Op::Sum:
    case Op::Mean:
    case Op::Prod:
    case Op::Max:
    case Op::Min: return !n.attrs->program && n.inputs.size() == 1;
    default: return false;
  }
}

// reduce(f(a, b, ...)) -> reduce{f}(a, b, ...) when the reduction is f's
// only reader: one pass that computes f's values as it accumulates them, so
// f's result is never stored. Each input of f is 0-d or has the reduced
// tensor's shape pattern (the reduction indexes them all alike).
bool reduce_scope(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, RewriteTrace& trace) {
  bool changed = false;
  ReaderCounts uses(g, roots);
  std::vector<Node*> order = index_scope(roots, uses);
  for (Node* n : order) {
    if (!fusable_reduction(*n)) continue;
    Var* x = n->inputs[0];
    Node* p = x->owner;
    if (!p || uses[x] != 1 || x->type.ndim() == 0 || !fusable(*p)) continue;
    bool aligned = true;
    for (const Var* in : p->inputs) aligned = aligned && (in->type.ndim() == 0 || same_pattern(in->type, x->type));
    if (!aligned) continue;
    Attrs a = n->attrs;
    a.program = std::make_shared<const ScalarProgram>(program_of(*p));
    auto detail = [&] {
      return std::string(op_name(n->op)) + " of " + std::string(op_name(p->op)) + " -> " + std::string(op_name(n->op)) +
             "{" + a.program->str() + "}";
    };
    changed = replace_node(g, *n, n->op, p->inputs, a, "reduce_fusion", detail, trace) || changed;
  }
  // Bodies are scopes of their own. The pass replaces no scan, so the
  // scans of `order` are still the scope's.
  for (Node* n : scans_in(g, order)) changed = reduce_scope(fg, *n->scan->body, n->scan->body->outputs, trace) || changed;
  return changed;
}

}  // namespace

bool elemwise_fusion(FunctionGraph& fg, RewriteTrace& trace) { return fuse_scope(fg, *fg.graph, fg.roots(), trace); }

bool reduce_fusion(FunctionGraph& fg, RewriteTrace& trace) { return reduce_scope(fg, *fg.graph, fg.roots(), trace); }

}  // namespace tgc::rules
