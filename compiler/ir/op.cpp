#include "ir/op.h"

#include <vector>

namespace tgc {

namespace {
const std::vector<OpInfo>& table() {
  static const std::vector<OpInfo> t = {
#define TGC_ELEMWISE(Id, name, lo, hi, rule, fn) \
  {Op::Id, name, OpFamily::Elemwise, lo, hi, ElemRule::rule, #fn},
#define TGC_OP(Id, name, family, lo, hi) {Op::Id, name, OpFamily::family, lo, hi, ElemRule::None, ""},
#include "ir/ops.def"
  };
  return t;
}
}  // namespace

const OpInfo& op_info(Op op) { return table()[size_t(op)]; }

int num_ops() { return int(table().size()); }

std::optional<Op> op_from_name(std::string_view name) {
  for (const OpInfo& i : table())
    if (i.name == name) return i.op;
  return std::nullopt;
}

}  // namespace tgc
