// constant_folding: a node whose inputs are all constants is evaluated at
// compile time by the reference interpreter and replaced by its value.
#include "interp/interpreter.h"
#include "ir/error.h"
#include "rewrites/rules.h"

namespace tgc::rules {

namespace {

// Larger results stay computed at run time: they would be embedded in the
// generated source.
constexpr int64_t kMaxFoldedElements = 4096;

bool foldable_op(Op op) {
  switch (op_info(op).family) {
    case OpFamily::Random:   // draws advance a state: not a pure function of constants here
    case OpFamily::Control:  // scan and ifelse: possibly long loops, lazy branches
    case OpFamily::Grad:
    case OpFamily::Check:    // a failing assert must fail at run time (exit 3), not at compile time
      return false;
    default: return true;
  }
}

}  // namespace

// f(c0, c1, ...) -> value, for constants c_i
std::optional<std::vector<Var*>> constant_folding(RewriteContext& ctx, Node& n) {
  if (!foldable_op(n.op) || n.inputs.empty()) return std::nullopt;
  for (const Var* in : n.inputs)
    if (!in->constant_tensor()) return std::nullopt;
  std::vector<Value> vals;
  try {
    vals = interp::evaluate(n.outputs, {});
  } catch (const Error&) {
    return std::nullopt;  // an error at run time stays an error at run time
  }
  std::vector<Var*> out;
  for (size_t k = 0; k < vals.size(); ++k) {
    const Tensor* t = std::get_if<Tensor>(&vals[k]);
    if (!t || t->size() > kMaxFoldedElements) return std::nullopt;
    Var* c = ctx.graph.new_constant(n.outputs[k]->name.empty() ? "folded" : n.outputs[k]->name, *t);
    // Keep the original's static type where it knew less (so broadcasting
    // decisions of readers do not change); the value fills in the rest.
    Type ty = n.outputs[k]->type;
    for (int d = 0; d < ty.ndim(); ++d)
      if (ty.shape[size_t(d)] < 0 && t->shape()[size_t(d)] != 1) ty.shape[size_t(d)] = t->shape()[size_t(d)];
    c->type = ty;
    c->set_path(n.path);
    out.push_back(c);
  }
  return out;
}

}  // namespace tgc::rules
