#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ir/error.h"
#include "frontend/loader.h"
#include "passes/pipeline.h"
#include "test_util.h"

using namespace tgc;

namespace {
// Loads text and returns the located error message, or "" when it loads.
std::string load_error(const std::string& text, ExitCode* code = nullptr) {
  try {
    test::load(text);
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.located();
  }
  return "";
}
std::string wrap(const std::string& inputs, const std::string& nodes, const std::string& functions) {
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         R"(, "functions": )" + functions + "}";
}
}  // namespace

TEST_CASE("loader: a valid graph loads, nodes in any order") {
  Module m = test::load(wrap(R"([{"name": "x", "dtype": "float32", "shape": [null, 3]}])",
                             R"([{"op": "exp", "inputs": ["y"], "outputs": ["z"]},
                                 {"op": "add", "inputs": ["x", {"value": 1}], "outputs": ["y"]}])",
                             R"([{"name": "f", "inputs": ["x"], "outputs": ["z"]}])"));
  Var* z = test::output(m, "f", 0);
  CHECK(z->type == Type::tensor(DType::Float32, {-1, 3}));
  // The weak int 1 met a float32 tensor: float32 (NEP 50).
  Node* add = z->owner->inputs[0]->owner;
  CHECK(add->inputs[1]->type.dtype == DType::Float32);
}

TEST_CASE("loader: nodes listed in dependency order and the same nodes shuffled build the same graph") {
  // In order, the nodes are built as listed; shuffled, in dependency order
  // (the smallest ready index first): the same nodes, made in the same order.
  const char* in_order = R"([{"op": "add", "inputs": ["x", {"value": 1}], "outputs": ["a"]},
                             {"op": "exp", "inputs": ["a"], "outputs": ["b"]},
                             {"op": "mul", "inputs": ["a", "b"], "outputs": ["c"]},
                             {"op": "neg", "inputs": ["x"], "outputs": ["d"]},
                             {"op": "sub", "inputs": ["c", "d"], "outputs": ["e"]}])";
  const char* shuffled = R"([{"op": "sub", "inputs": ["c", "d"], "outputs": ["e"]},
                             {"op": "mul", "inputs": ["a", "b"], "outputs": ["c"]},
                             {"op": "add", "inputs": ["x", {"value": 1}], "outputs": ["a"]},
                             {"op": "neg", "inputs": ["x"], "outputs": ["d"]},
                             {"op": "exp", "inputs": ["a"], "outputs": ["b"]}])";
  auto ops = [](const char* nodes) {
    Module m = test::load(wrap(R"([{"name": "x", "dtype": "float64", "shape": [null]}])", nodes,
                               R"([{"name": "f", "inputs": ["x"], "outputs": ["e"]}])"));
    std::string made;
    for (const Node* n : m.root->nodes()) made += n->outputs[0]->name + "=" + std::string(op_name(n->op)) + " ";
    return made;
  };
  CHECK(ops(in_order) == "a=add b=exp c=mul d=neg e=sub ");
  CHECK(ops(shuffled) == "a=add d=neg b=exp c=mul e=sub ");
}

TEST_CASE("loader: errors carry JSON paths and exit code 2") {
  ExitCode code = ExitCode::Ok;
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "float64", "shape": [2]}])",
                        R"([{"op": "add", "inputs": ["x", "Wx"], "outputs": ["y"]}])",
                        R"([{"name": "f", "inputs": ["x"], "outputs": ["y"]}])"), &code) ==
        "nodes[0].inputs[1]: unknown variable \"Wx\"");
  CHECK(code == ExitCode::InvalidGraph);
  CHECK(load_error(wrap("[]", R"([{"op": "frobnicate", "inputs": [], "outputs": ["y"]}])", "[]")).find("nodes[0].op") == 0);
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "float65", "shape": [2]}])", "[]", "[]")).find("inputs[0].dtype") == 0);
  CHECK(load_error(R"({"format": "tgc-graph", "version": 1, "functions": [], "extra": 1})").find("extra") != std::string::npos);
  CHECK(load_error("{not json").find("invalid JSON") != std::string::npos);
}

TEST_CASE("loader: cycles, duplicates and missing function inputs are errors") {
  CHECK(load_error(wrap("[]",
                        R"([{"op": "exp", "inputs": ["b"], "outputs": ["a"]},
                            {"op": "exp", "inputs": ["a"], "outputs": ["b"]}])",
                        "[]")).find("cycle") != std::string::npos);
  // A node reading its own output, in a file otherwise in order.
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "float64", "shape": [2]}])",
                        R"([{"op": "exp", "inputs": ["x"], "outputs": ["a"]},
                            {"op": "add", "inputs": ["a", "b"], "outputs": ["b"]}])",
                        "[]")) == "nodes[1]: the node reads its own output \"b\"");
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "float64", "shape": [2]}])",
                        R"([{"op": "exp", "inputs": ["x"], "outputs": ["x"]}])", "[]")).find("defined twice") !=
        std::string::npos);
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "float64", "shape": [2]}])",
                        R"([{"op": "exp", "inputs": ["x"], "outputs": ["y"]}])",
                        R"([{"name": "f", "inputs": [], "outputs": ["y"]}])")).find("needs input \"x\"") !=
        std::string::npos);
}

TEST_CASE("loader: hostile input is bounded") {
  std::string deep(5000, '[');
  CHECK(load_error(deep).find("deeper") != std::string::npos);
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "float64", "shape": [2]}])", "[]",
                        R"([{"name": "f", "inputs": ["x"], "outputs": ["x"]}])")) == "");
  CHECK(load_error(R"({"format": "tgc-graph", "version": 1, "shared": [{"name": "w", "dtype": "float64",
       "shape": [100000, 100000], "value": {"fill": 0.0}}], "functions": []})").find("elements") != std::string::npos);
}

TEST_CASE("loader: weak integer constant out of range is a compile-time error") {
  CHECK(load_error(wrap(R"([{"name": "x", "dtype": "int8", "shape": [2]}])",
                        R"([{"op": "add", "inputs": ["x", {"value": 300}], "outputs": ["y"]}])", "[]"))
            .find("out of range for int8") != std::string::npos);
}

TEST_CASE("pipeline: a given's static sizes reach the values computed from it") {
  // x is (?, 3); the given replaces it by z, 2x3, so exp(x) + 1 is 2x3 in the
  // compiled function (the copies first carry the module's types).
  Module m = test::load(R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "float64", "shape": [null, 3]},
               {"name": "z", "dtype": "float64", "shape": [2, 3]}],
    "nodes": [{"op": "exp", "inputs": ["x"], "outputs": ["e"]},
              {"op": "add", "inputs": ["e", {"value": 1}], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["z"], "outputs": ["y"], "givens": {"x": "z"}},
                  {"name": "g", "inputs": ["x"], "outputs": ["y"]}]})");
  for (Mode mode : {Mode::FastRun, Mode::FastCompile}) {
    PipelineOptions po;
    po.mode = mode;
    FunctionGraph f = compile_function(m, *m.find_function("f"), po);
    CHECK(f.outputs[0]->type == Type::tensor(DType::Float64, {2, 3}));
    FunctionGraph g = compile_function(m, *m.find_function("g"), po);
    CHECK(g.outputs[0]->type == Type::tensor(DType::Float64, {-1, 3}));
  }
}

TEST_CASE("loader: a graph file is read whole, and a missing one is an error") {
  // Large enough that a short first read or a growing buffer would show.
  std::string nodes = "[";
  for (int i = 0; i < 3000; ++i) {
    if (i) nodes += ", ";
    nodes += R"({"op": "exp", "inputs": [")";
    nodes += i ? "n" : "x";
    if (i) nodes += std::to_string(i - 1);
    nodes += R"("], "outputs": ["n)";
    nodes += std::to_string(i);
    nodes += R"("]})";
  }
  std::string text = wrap(R"([{"name": "x", "dtype": "float32", "shape": [null]}])", nodes + "]",
                          R"([{"name": "f", "inputs": ["x"], "outputs": ["n2999"]}])");
  std::filesystem::path file = std::filesystem::temp_directory_path() / "tgc_test_loader_read.json";
  std::ofstream(file, std::ios::binary) << text;
  Module m = frontend::load_graph_file(file.string());
  CHECK(m.root->nodes().size() == 3000);
  CHECK(m.file == file.string());
  std::filesystem::remove(file);
  ExitCode code = ExitCode::Ok;
  try {
    frontend::load_graph_file(file.string());
  } catch (const Error& e) {
    code = e.code();
    CHECK(e.located().find("cannot read the graph file") != std::string::npos);
  }
  CHECK(code == ExitCode::InvalidGraph);
}
