#include "ir/builder.h"
#include "ir/composite.h"
#include "ir/error.h"

namespace tgc {

Var* expand_program(Graph& g, const ScalarProgram& p, const std::vector<Var*>& inputs, const std::string& path) {
  if (int(inputs.size()) != p.n_inputs) throw internal_error("expand_program: wrong number of inputs at " + path);
  Builder b(g, path);
  std::vector<Var*> operand(inputs.begin(), inputs.end());
  for (const ScalarInstr& in : p.instrs) {
    std::vector<Var*> args;
    for (int a : in.args) args.push_back(operand[size_t(a)]);
    Var* r;
    if (in.op == Op::Cast) r = b.cast(args[0], in.dtype);
    else r = b.op(in.op, args);
    if (r->type.dtype != in.dtype) throw internal_error("expand_program: result type differs at " + path);
    operand.push_back(r);
  }
  return operand[size_t(p.output)];
}

}  // namespace tgc
