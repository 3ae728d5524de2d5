#include "ir/composite.h"

namespace tgc {

std::string ScalarProgram::str() const {
  // Expression text of an operand, instructions inlined.
  std::vector<std::string> text;
  for (int i = 0; i < n_inputs; ++i) text.push_back("i" + std::to_string(i));
  for (const ScalarInstr& in : instrs) {
    std::string s = std::string(op_name(in.op));
    if (in.op == Op::Cast) s += "<" + std::string(dtype_name(in.dtype)) + ">";
    s += "(";
    for (size_t k = 0; k < in.args.size(); ++k) s += (k ? "," : "") + text[size_t(in.args[k])];
    text.push_back(s + ")");
  }
  return text[size_t(output)];
}

std::vector<DType> instr_compute_types(const ScalarInstr& in, const std::vector<DType>& operand_types) {
  std::vector<DType> as(in.args.size(), in.dtype);
  if (in.op == Op::Cast) {
    as[0] = operand_types[size_t(in.args[0])];
    return as;
  }
  ElemRule rule = op_info(in.op).rule;
  if (rule == ElemRule::Cmp || rule == ElemRule::Logic) {
    DType p = operand_types[size_t(in.args[0])];
    for (int a : in.args) p = promote(p, operand_types[size_t(a)]);
    as.assign(in.args.size(), p);
  } else if (rule == ElemRule::Sel) {
    as[0] = DType::Bool;
  }
  return as;
}

}  // namespace tgc
