// Stabilizations: rewrites that change a numerically fragile form into one
// that gives the answer the math means.
#include "rewrites/rules.h"

namespace tgc::rules {

// log(softmax(x)) -> log_softmax(x)
std::optional<std::vector<Var*>> local_log_softmax(RewriteContext& ctx, Node& n) {
  if (n.op != Op::Log) return std::nullopt;
  Node* sm = n.inputs[0]->owner;
  if (!sm || sm->op != Op::Softmax) return std::nullopt;
  Var* r = ctx.builder(n).op(Op::LogSoftmax, {sm->inputs[0]});
  if (r->type.dtype != n.outputs[0]->type.dtype) return std::nullopt;
  return std::vector<Var*>{r};
}

}  // namespace tgc::rules
