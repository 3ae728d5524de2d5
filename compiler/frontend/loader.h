// Loader for graph format v1 (../shared/spec/graph-format.md).
//
// Assumes: nothing about the input; every malformed, unknown, ill-typed or
// oversized element is reported as graph_error with its JSON path.
// Guarantees: a Module whose graphs are acyclic and typed, with no weak
// scalars left on elementwise inputs, scan bodies closed over their
// parameters (captured names become non-sequences), and functions whose
// inputs cover every input their outputs and updates need.
#pragma once
#include <string>

#include "ir/graph.h"

namespace tgc::frontend {

Module load_graph_file(const std::string& file);
// `file` names the graph in messages; `base_dir` resolves {"npy": ...} paths.
Module load_graph_text(const std::string& text, const std::string& file, const std::string& base_dir);

}  // namespace tgc::frontend
