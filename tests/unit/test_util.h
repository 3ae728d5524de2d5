// Helpers for unit tests: load a graph from inline JSON text.
#pragma once
#include <string>

#include "frontend/loader.h"
#include "ir/graph.h"

namespace tgc::test {

// Loads graph-format JSON given as a string; .npy paths resolve against the test data dir.
inline Module load(const std::string& text) {
  return frontend::load_graph_text(text, "test.json", TGC_TEST_DATA_DIR);
}

// The variable a function output names.
inline Var* output(const Module& m, const std::string& fn, size_t k) { return m.find_function(fn)->outputs.at(k); }

}  // namespace tgc::test
