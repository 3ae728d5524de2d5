// A fused elementwise node evaluates as the ordinary ops it was made of:
// the program is expanded into a small graph over the node's input values.
#include "interp/interpreter.h"
#include "interp/kernels.h"
#include "ir/error.h"

namespace tgc::interp::detail {

Value eval_composite(const Node& n, const Inputs& in) {
  Graph g;
  std::vector<Var*> params;
  Bindings b;
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    Var* p = g.new_var("i" + std::to_string(k), n.inputs[k]->type, VarKind::Param);
    params.push_back(p);
    b[p] = *in[k];
  }
  Var* out = expand_program(g, *n.attrs->program, params, n.path);
  return evaluate({out}, b)[0];
}

}  // namespace tgc::interp::detail
