// One function of a module, as a graph of its own: the nodes its outputs and
// updates need, cloned out of the module (givens applied), so that rewrites
// and code generation of one function never touch another.
//
// Assumes: a loaded, verified Module.
// Guarantees: `graph` holds only what the function needs; inputs, shared
// variables and constants are variables of `graph`; scan bodies are deep
// copies; Var::id values are fresh but the order of nodes is deterministic.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/var_map.h"

namespace tgc {

struct FunctionGraph {
  std::string name;
  std::string path;  // "functions[0]"
  std::unique_ptr<Graph> graph;
  std::vector<Var*> inputs;                    // the function's inputs, in order
  std::vector<Var*> outputs;                   // in order; may repeat or be inputs
  std::vector<std::string> output_names;
  std::vector<std::pair<Var*, Var*>> updates;  // shared variable -> new value
  // Every shared variable of the module (read or not), in module order, so
  // that all functions of a file agree on the model's state layout.
  std::vector<Var*> shared;
  Mode mode = Mode::FastRun;

  // Roots: outputs, then update values.
  std::vector<Var*> roots() const;
};

FunctionGraph extract_function(const Module& m, const Function& f, Mode mode);

// Copies the nodes computing `roots` into `dst`: `map` holds the leaves
// already mapped (parameters, givens) and receives every copy; unmapped
// leaves (constants, inputs) are copied as leaves.
void copy_subgraph(Graph& dst, const std::vector<Var*>& roots, VarMap& map);

// Deep copy of a scan body into `parent`'s scope tree; `map` receives the
// old -> new variable mapping of the body's own variables.
std::unique_ptr<Graph> clone_body(const Graph& body, Graph* parent, VarMap& map);

}  // namespace tgc
