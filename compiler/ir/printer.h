// Theano's debugprint for the IR, and the labels the Graphviz output shares.
//
// Assumes: nothing beyond non-dangling pointers; a graph the verifier would
// reject (null inputs, cycles, a scan whose layout is off) still prints, so
// the printer can be used to look at a broken graph.
// Guarantees: the same graph gives the same text (ids are assigned in print
// order, never from addresses), and the work is iterative, so deep chains
// cannot overflow the stack.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tgc {

// Prints the graphs computing `outputs`, one tree per output, Theano style:
//   add [id A] 's' float64 (?, ?)
//    |M [id B] float64 (?, ?)
//    |dimshuffle{x,0} [id C] 'r_row' float64 (1, ?)
//    | |r [id D] float64 (?,)
// A node printed once is later printed as its first line only (same id).
// `names[k]`, when given, is the name shown for outputs[k]. When any scan is
// reachable (also nested), an "Inner graphs:" section follows with each scan
// body: its outputs as trees, its parameters as leaves with their role and
// the id of the outer value feeding them (Theano's "-> [id E]").
std::string debugprint(const std::vector<Var*>& outputs, const std::vector<std::string>& names = {});

// The op and its attributes, without an output index: "add", "dimshuffle{x,0}",
// "cast{int32}", "sum{axis=0,1}", "subtensor{idx=[1:3,$1]}", "scan{seqs=[[0]] outs=[[-1]]}".
std::string node_label(const Node& n);

// A constant as Theano prints it: TensorConstant{2.0}, TensorConstant{[1, 2]},
// TensorConstant{(3, 4) of 0.0}; TensorConstant{...} when large and not uniform.
std::string constant_label(const Var& v);

// What feeds one parameter of a scan body: its role in the ScanInfo layout
// ("sequence 0, tap -1", "output 1, tap -2", "shared state 0", "non-sequence 3")
// and the scan input it reads (null when the layout does not fit the inputs).
struct ParamRole {
  std::string role;
  Var* outer = nullptr;
};
// One entry per parameter the layout of `scan` describes, in parameter order.
std::vector<ParamRole> scan_param_roles(const Node& scan);

}  // namespace tgc
