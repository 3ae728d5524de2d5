#include "codegen/emit_control.h"

#include "codegen/profile_emit.h"
#include "ir/error.h"

namespace tgc {

namespace {

std::string node_comment(EmitContext& c, const Node& n) {
  std::string s = "// " + n.path + ": " + std::string(op_name(n.op));
  std::string a = n.attrs->str();
  if (!a.empty()) s += "{" + a + "}";
  s += "(";
  for (size_t k = 0; k < n.inputs.size(); ++k) s += (k ? ", " : "") + c.name(n.inputs[k]);
  s += ") -> ";
  for (size_t k = 0; k < n.outputs.size(); ++k)
    s += (k ? ", " : "") + c.name(n.outputs[k]) + " " + n.outputs[k]->type.str();
  for (char& ch : s)
    if (ch == '\n') ch = ' ';
  return s;
}

// Lazy ifelse: only the selected branch's region runs; outputs alias the
// selected branch's values (views, no copy).
void emit_ifelse(EmitContext& c, const Schedule& s, const Node& n) {
  auto [then_r, else_r] = s.branches.at(&n);
  size_t m = size_t(n.attrs->n_branch);
  const Var* cond = n.inputs[0];
  c.w.open("if (tgc::sc::cvt<bool>(" + c.name(cond) + ".p[0]))");
  emit_scope(c, s, then_r);
  for (size_t k = 0; k < m; ++k) c.w.line(c.name(n.outputs[k]) + " = " + c.name(n.inputs[1 + k]) + ";");
  c.w.close(" else {");
  c.w.indent();
  emit_scope(c, s, else_r);
  for (size_t k = 0; k < m; ++k) c.w.line(c.name(n.outputs[k]) + " = " + c.name(n.inputs[1 + m + k]) + ";");
  c.w.close();
}

}  // namespace

void emit_node(EmitContext& c, const Node& n) {
  switch (op_info(n.op).family) {
    case OpFamily::Elemwise: return emit_elemwise(c, n);
    case OpFamily::Cast: return emit_cast(c, n);
    case OpFamily::Shape: return emit_shape_op(c, n);
    case OpFamily::Index: return emit_index_op(c, n);
    case OpFamily::Reduce: return emit_reduce(c, n);
    case OpFamily::Linalg: return emit_linalg(c, n);
    case OpFamily::Sparse: return emit_sparse(c, n);
    case OpFamily::Neural: return emit_neural(c, n);
    case OpFamily::Random: return emit_random(c, n);
    case OpFamily::Check: return emit_assert(c, n);
    case OpFamily::Control:
      if (n.op == Op::Scan) return emit_scan(c, n);
      break;
    case OpFamily::Fused: return emit_composite(c, n);
    case OpFamily::Grad: break;
  }
  throw internal_error("codegen: " + n.path + ": op " + std::string(op_name(n.op)) + " cannot be emitted here");
}

void emit_scope(EmitContext& c, const Schedule& s, int region) {
  NodeProfiler* prof = node_profiler(c);  // null unless profiling
  for (const Node* n : s.regions[size_t(region)].nodes) {
    if (op_info(n->op).family == OpFamily::Random && n->attrs->inplace == 0) c.alias_name(n->outputs[0], n->inputs[0]);
    c.w.line(node_comment(c, *n));
    if (prof) prof->begin(c, *n);
    if (n->op == Op::IfElse) emit_ifelse(c, s, *n);
    else emit_node(c, *n);
    if (prof) prof->end(c, *n);
  }
}

}  // namespace tgc
