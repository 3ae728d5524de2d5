// Graphviz (DOT) source for the graphs computing a set of outputs.
//
// Assumes: nothing beyond non-dangling pointers (a broken graph still draws).
// Guarantees: deterministic text (DOT ids are numbered in discovery order,
// never taken from addresses); every label is escaped for a DOT string.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tgc {

// Nodes are boxes labeled with op and attributes; variables are ellipses
// labeled with name and type (inputs, shared variables, constants, scan
// parameters and the requested outputs each filled in their own color).
// Input edges carry the input position when an op has several inputs. Each
// scan body is a `subgraph cluster_N` holding its nodes and parameters, with
// dashed edges from the scan's outer inputs to the parameters they feed and
// from the body's outputs to the scan's outputs. `names[k]`, when given, is
// the name shown for outputs[k].
std::string to_dot(const std::vector<Var*>& outputs, const std::vector<std::string>& names = {});

}  // namespace tgc
