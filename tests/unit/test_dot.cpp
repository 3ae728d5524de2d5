#include <doctest/doctest.h>

#include <filesystem>

#include "ir/dot.h"
#include "ir/error.h"
#include "test_util.h"

using namespace tgc;

namespace {
std::string graph(const std::string& inputs, const std::string& nodes, const std::string& fn_inputs,
                  const std::string& outputs) {
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         R"(, "functions": [{"name": "f", "inputs": )" + fn_inputs + R"(, "outputs": )" + outputs + "}]}";
}
std::vector<Var*> outputs(const Module& m) { return m.find_function("f")->outputs; }
bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// Braces balance outside DOT strings, and every string is closed.
bool well_formed(const std::string& dot) {
  int depth = 0;
  bool in_string = false;
  for (size_t k = 0; k < dot.size(); ++k) {
    char c = dot[k];
    if (in_string) {
      if (c == '\\') ++k;
      else if (c == '"') in_string = false;
      else if (c == '\n') return false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0 && !in_string && dot.rfind("digraph", 0) == 0;
}

const char* kScan = R"([{"name": "A", "dtype": "float64", "shape": [null]},
                        {"name": "k", "dtype": "int32", "shape": []}])";
const char* kScanNodes = R"([{"op": "scan", "n_steps": "k", "outputs_info": ["A"], "non_sequences": ["A"],
                              "body": {"inputs": ["prior", "A_in"],
                                       "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}],
                                       "outputs": ["next"]},
                              "outputs": ["result"]}])";
}  // namespace

TEST_CASE("dot: ops are boxes, variables ellipses, edges numbered when an op has several inputs") {
  Module m = test::load(graph(R"([{"name": "x", "dtype": "float64", "shape": [3]}])",
                              R"([{"op": "exp", "inputs": ["x"], "outputs": ["y"]},
                                  {"op": "sub", "inputs": ["y", {"value": 1.5}], "outputs": ["z"]}])",
                              R"(["x"])", R"(["z"])"));
  std::string dot = to_dot(outputs(m));
  CHECK(well_formed(dot));
  CHECK(dot == to_dot(outputs(m)));  // deterministic
  CHECK(dot ==
        "digraph tgc {\n"
        "  node [fontname=\"Helvetica\"];\n"
        "  n0 [shape=box, label=\"exp\"];\n"
        "  v1 [shape=ellipse, label=\"x\\nfloat64 (3,)\", style=filled, fillcolor=palegreen];\n"
        "  v2 [shape=ellipse, label=\"y\\nfloat64 (3,)\", style=solid];\n"
        "  n3 [shape=box, label=\"sub\"];\n"
        "  v4 [shape=ellipse, label=\"TensorConstant{1.5}\\nfloat64 ()\", style=filled, fillcolor=lightgrey];\n"
        "  v5 [shape=ellipse, label=\"z\\nfloat64 (3,)\", style=filled, fillcolor=lightblue];\n"
        "  v1 -> n0;\n"
        "  n0 -> v2;\n"
        "  v2 -> n3 [label=\"0\"];\n"
        "  v4 -> n3 [label=\"1\"];\n"
        "  n3 -> v5;\n"
        "}\n");
}

TEST_CASE("dot: a scan body is a cluster, fed and read through dashed edges") {
  Module m = test::load(graph(kScan, kScanNodes, R"(["A", "k"])", R"(["result"])"));
  std::string dot = to_dot(outputs(m), {"powers"});
  CHECK(well_formed(dot));
  CHECK(contains(dot, "  subgraph cluster_0 {\n    label=\"scan body nodes[0]\";\n"));
  // Parameters and body nodes are declared inside the cluster.
  size_t open = dot.find("subgraph cluster_0"), close = dot.find("\n  }\n");
  size_t prior = dot.find("label=\"prior\\nfloat64 (?,)\\n(output 0, tap -1)\""), mul = dot.find("label=\"mul\"");
  CHECK((open < prior && prior < close && open < mul && mul < close));
  CHECK(contains(dot, "label=\"powers\\nfloat64 (?, ?)\""));
  // v2 is A, feeding both parameters (prior, A_in); v7 is the body's next, feeding the scan's result v3.
  CHECK(contains(dot, "  v2 -> v4 [style=dashed];\n  v2 -> v5 [style=dashed];\n"));
  CHECK(contains(dot, "  v7 -> v3 [style=dashed];\n"));
}

TEST_CASE("dot: names are escaped") {
  Module m = test::load(graph(R"([{"name": "a\"b\\c", "dtype": "float64", "shape": [2]}])",
                              R"([{"op": "neg", "inputs": ["a\"b\\c"], "outputs": ["{y}"]}])", R"(["a\"b\\c"])",
                              R"(["{y}"])"));
  std::string dot = to_dot(outputs(m));
  CHECK(well_formed(dot));
  CHECK(contains(dot, "label=\"a\\\"b\\\\c\\nfloat64 (2,)\""));
}

TEST_CASE("dot: every conformance graph gives well-formed DOT") {
  std::filesystem::path dir = TGC_TEST_DATA_DIR "/../../shared/conformance/cases";
  if (!std::filesystem::is_directory(dir)) {
    MESSAGE("skipped: no conformance cases at " << dir.string());
    return;
  }
  int drawn = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::filesystem::path file = entry.path() / "graph.json";
    if (!std::filesystem::exists(file)) continue;
    Module m;
    try {
      m = frontend::load_graph_file(file.string());
    } catch (const Error&) {
      continue;  // the error cases
    }
    for (const Function& f : m.functions) {
      std::string dot = to_dot(f.outputs, f.output_names);
      INFO(file.string());
      CHECK(well_formed(dot));
      ++drawn;
    }
  }
  CHECK(drawn > 0);
}
