// The scalar program of a fused elementwise node (Theano's
// Elemwise{Composite}): a straight-line sequence of elementwise ops over the
// node's inputs, evaluated per element with every intermediate in a
// register. Produced by the elemwise_fusion rewrite only; graph files cannot
// name it.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/op.h"

namespace tgc {

struct ScalarInstr {
  Op op;                      // an elementwise op, or Cast
  std::vector<int> args;      // operands: 0 .. n_inputs-1 are the node's inputs, n_inputs + j is instrs[j]
  DType dtype;                // result type
  bool operator==(const ScalarInstr& o) const { return op == o.op && args == o.args && dtype == o.dtype; }
};

struct ScalarProgram {
  int n_inputs = 0;
  std::vector<ScalarInstr> instrs;
  int output = 0;  // operand id of the result
  bool operator==(const ScalarProgram& o) const {
    return n_inputs == o.n_inputs && instrs == o.instrs && output == o.output;
  }
  std::string str() const;  // "add(i0,exp(i1))"
};

// The types each operand of instruction j is converted to before its
// scalar function runs (numpy's loop type for the op), given the dtypes of
// every operand so far (`operand_types`: inputs, then earlier results).
std::vector<DType> instr_compute_types(const ScalarInstr& in, const std::vector<DType>& operand_types);

}  // namespace tgc

namespace tgc {

class Graph;
struct Var;

// Builds the program as ordinary elementwise nodes of `g` over `inputs`
// (for the reference interpreter and DEBUG checks); returns its result.
Var* expand_program(Graph& g, const ScalarProgram& p, const std::vector<Var*>& inputs, const std::string& path);

}  // namespace tgc
