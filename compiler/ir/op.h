// Op identifiers and their static properties, generated from ops.def.
#pragma once
#include <optional>
#include <string_view>

namespace tgc {

enum class Op : uint16_t {
#define TGC_ELEMWISE(Id, name, lo, hi, rule, fn) Id,
#define TGC_OP(Id, name, family, lo, hi) Id,
#include "ir/ops.def"
};

enum class OpFamily : uint8_t {
  Elemwise, Cast, Shape, Index, Reduce, Linalg, Sparse, Neural, Random, Check, Control, Grad,
  Fused  // internal: elementwise programs made by elemwise_fusion
};

// Result-type rule of an elementwise op (see ops.def).
enum class ElemRule : uint8_t { None, Same, Float, Div, Cmp, Logic, Sel };

struct OpInfo {
  Op op;
  std::string_view name;
  OpFamily family;
  int min_arity, max_arity;  // max -1: any number
  ElemRule rule;
  std::string_view scalar_fn;  // tgc::sc function for elementwise ops
};

const OpInfo& op_info(Op op);
std::optional<Op> op_from_name(std::string_view name);
inline std::string_view op_name(Op op) { return op_info(op).name; }
inline bool is_elemwise(Op op) { return op_info(op).family == OpFamily::Elemwise; }
// Ops whose output may be a view of an input (it aliases the input's buffer
// rather than owning one): dimshuffle, transpose, subtensor, assert, ifelse
// (one of its branches), and reshape/flatten of contiguous data.
inline bool may_be_view(Op op) {
  switch (op) {
    case Op::Dimshuffle:
    case Op::Transpose:
    case Op::Subtensor:
    case Op::Assert:
    case Op::IfElse:
    case Op::Reshape:
    case Op::Flatten: return true;
    default: return false;
  }
}
// Ops graph files may not name (made by rewrites only).
inline bool is_internal(Op op) { return op_info(op).family == OpFamily::Fused; }
int num_ops();

}  // namespace tgc
