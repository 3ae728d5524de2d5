// In-place rewrites: a node writes its result into the buffer of an input
// that nothing reads afterwards (Theano's destroy maps). The legality rule
// is the same for every op: the destroyed input is computed by a node of the
// same scope into a buffer of its own (not a function input, shared
// variable, constant, scan parameter or view of another value), has this
// node as its only reader, is not itself a result of the function (or of
// the scan body), and has exactly the result's dtype and shape pattern.

#include "rewrite/driver.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// Every input these rules test is read by the node testing it, so a count
// of one in ReaderCounts (readers plus roots) means nothing else sees it.

// The tests read the variables first and the producer's line last: most
// inputs fail on their reader count or type, and in a graph larger than the
// L2 each producer fetched is a miss.
bool destroyable(const Var* in, const Var* out, const ReaderCounts& u) {
  if (in->kind != VarKind::NodeOutput || !in->type.is_tensor()) return false;
  if (u[in] != 1) return false;
  if (in->type.dtype != out->type.dtype || in->type.ndim() != out->type.ndim()) return false;
  for (int d = 0; d < in->type.ndim(); ++d)
    if (in->type.broadcastable(d) != out->type.broadcastable(d)) return false;
  return !may_be_view(in->owner->op);
}

using Chooser = int (*)(const Node& n, const ReaderCounts& u);

// Applies `choose` (the input a node may destroy, or -1) to every node of
// every scope; records each firing under `rule`.
bool run_inplace(FunctionGraph& fg, Graph& g, const std::vector<Var*>& roots, const char* rule, Chooser choose,
                 RewriteTrace& trace) {
  bool changed = false;
  ReaderCounts u(g, roots);
  std::vector<Node*> order = order_and_readers(roots, u);
  for (Node* n : order) {
    // The op and the inputs decide first: the attributes, which hold the
    // marks set so far, sit in the node's second line and, for a fused
    // node, in a block of their own.
    if (int i = choose(*n, u); i >= 0) {
      if (n->attrs->inplace < 0) {
        n->attrs.edit().inplace = i;
        RewriteEvent ev;
        if (trace.wants_details()) {
          ev.rule = rule;
          ev.path = n->path;
          ev.detail = std::string(op_name(n->op)) + " writes into input " + std::to_string(i);
        }
        trace.record(std::move(ev));
        changed = true;
      }
    }
    if (n->is_scan()) changed = run_inplace(fg, *n->scan->body, n->scan->body->outputs, rule, choose, trace) || changed;
  }
  return changed;
}

// Elementwise and fused ops may overwrite any input of the result's shape;
// gemm, gemv and ger update their accumulator z (input 0).
int choose_elemwise(const Node& n, const ReaderCounts& u) {
  OpFamily f = op_info(n.op).family;
  if (f == OpFamily::Elemwise || f == OpFamily::Fused) {
    for (size_t k = 0; k < n.inputs.size(); ++k)
      if (destroyable(n.inputs[k], n.outputs[0], u)) return int(k);
    return -1;
  }
  if (n.op == Op::Gemm || n.op == Op::Gemv || n.op == Op::Ger)
    return destroyable(n.inputs[0], n.outputs[0], u) ? 0 : -1;
  return -1;
}

// set/inc_subtensor and their advanced forms write into x (input 0).
int choose_setsubtensor(const Node& n, const ReaderCounts& u) {
  switch (n.op) {
    case Op::SetSubtensor:
    case Op::IncSubtensor:
    case Op::AdvSetSubtensor1:
    case Op::AdvIncSubtensor1: return destroyable(n.inputs[0], n.outputs[0], u) ? 0 : -1;
    default: return -1;
  }
}

// A random draw advances the generator state in its own variable when the
// old state is read by nothing else.
int choose_random(const Node& n, const ReaderCounts& u) {
  if (op_info(n.op).family != OpFamily::Random) return -1;
  const Var* rng = n.inputs[0];
  if (rng->kind != VarKind::NodeOutput || u[rng] != 1) return -1;
  return 0;
}

}  // namespace

bool revalidate_inplace_marks(const std::vector<Node*>& order, const ReaderCounts& u) {
  bool changed = false;
  for (Node* n : order) {
    if (n->attrs->inplace < 0) continue;
    const Var* in = n->inputs[size_t(n->attrs->inplace)];
    // Scan-body marks over a tap parameter (scan_inplace) are left to the scan.
    if (in->kind == VarKind::Param) continue;
    bool ok = op_info(n->op).family == OpFamily::Random ? u[in] == 1 : destroyable(in, n->outputs[0], u);
    if (!ok) {
      n->attrs.edit().inplace = -1;
      changed = true;
    }
  }
  return changed;
}

bool inplace_setsubtensor(FunctionGraph& fg, RewriteTrace& trace) {
  return run_inplace(fg, *fg.graph, fg.roots(), "inplace_setsubtensor", choose_setsubtensor, trace);
}

bool inplace_elemwise(FunctionGraph& fg, RewriteTrace& trace) {
  return run_inplace(fg, *fg.graph, fg.roots(), "inplace_elemwise", choose_elemwise, trace);
}

bool inplace_random(FunctionGraph& fg, RewriteTrace& trace) {
  return run_inplace(fg, *fg.graph, fg.roots(), "inplace_random", choose_random, trace);
}

}  // namespace tgc::rules
