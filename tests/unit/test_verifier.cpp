#include <doctest/doctest.h>

#include <filesystem>

#include "ir/error.h"
#include "ir/verifier.h"
#include "test_util.h"

using namespace tgc;

namespace {
std::string graph(const std::string& inputs, const std::string& nodes, const std::string& fn_inputs,
                  const std::string& outputs) {
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         R"(, "functions": [{"name": "f", "inputs": )" + fn_inputs + R"(, "outputs": )" + outputs + "}]}";
}

// The verifier's message, or "" when the graph passes; a rejection must be an internal error.
std::string verify_error(const Graph& g, const std::vector<Var*>& roots) {
  try {
    verify(g, roots);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::Internal);
    return e.what();
  }
  return "";
}
std::string verify_function_error(const Function& f) {
  try {
    verify_function(f);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::Internal);
    return e.what();
  }
  return "";
}
bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

Module chain_module() {
  return test::load(graph(R"([{"name": "x", "dtype": "float64", "shape": [3]}])",
                          R"([{"op": "exp", "inputs": ["x"], "outputs": ["a"]},
                              {"op": "exp", "inputs": ["a"], "outputs": ["b"]},
                              {"op": "mul", "inputs": ["b", "x"], "outputs": ["z"]}])",
                          R"(["x"])", R"(["z"])"));
}

// A scan whose body multiplies its recurrent state by a non-sequence.
Module scan_module() {
  return test::load(graph(R"([{"name": "A", "dtype": "float64", "shape": [null]},
                              {"name": "k", "dtype": "int32", "shape": []}])",
                          R"([{"op": "scan", "n_steps": "k", "outputs_info": ["A"], "non_sequences": ["A"],
                               "body": {"inputs": ["prior", "A_in"],
                                        "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}],
                                        "outputs": ["next"]},
                               "outputs": ["result"]}])",
                          R"(["A", "k"])", R"(["result"])"));
}

const Function& fn(const Module& m) { return *m.find_function("f"); }
Node* owner(const Module& m) { return fn(m).outputs[0]->owner; }
Graph& body(const Module& m) { return *owner(m)->scan->body; }
}  // namespace

TEST_CASE("verifier: accepts well-formed graphs") {
  Module a = chain_module(), s = scan_module();
  CHECK(verify_function_error(fn(a)) == "");
  CHECK(verify_function_error(fn(s)) == "");
  // A 20,000-node chain: linear and iterative.
  Graph g;
  Var* v = g.new_var("x", Type::tensor(DType::Float64, {-1}), VarKind::Input);
  for (int k = 0; k < 20000; ++k) v = g.add_node(Op::Neg, {v}, Attrs{}, "nodes[" + std::to_string(k) + "]")->outputs[0];
  CHECK(verify_error(g, {v}) == "");
}

TEST_CASE("verifier: accepts every conformance graph that loads") {
  std::filesystem::path dir = TGC_TEST_DATA_DIR "/../../shared/conformance/cases";
  if (!std::filesystem::is_directory(dir)) {
    MESSAGE("skipped: no conformance cases at " << dir.string());
    return;
  }
  int verified = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::filesystem::path file = entry.path() / "graph.json";
    if (!std::filesystem::exists(file)) continue;
    Module m;
    try {
      m = frontend::load_graph_file(file.string());
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::InvalidGraph);  // the error cases fail to load, not to verify
      continue;
    }
    INFO(file.string());
    for (const Function& f : m.functions) CHECK(verify_function_error(f) == "");
    std::vector<Var*> all;  // also nodes no function reads
    for (const auto& n : m.root->nodes()) all.insert(all.end(), n->outputs.begin(), n->outputs.end());
    CHECK(verify_error(*m.root, all) == "");
    ++verified;
  }
  CHECK(verified > 0);
}

TEST_CASE("verifier: an output type changed after construction") {
  Module m = chain_module();
  Var* a = owner(m)->inputs[0]->owner->inputs[0];  // exp(x)
  a->type = Type::tensor(DType::Float32, {3});
  std::string e = verify_function_error(fn(m));
  CHECK(e.rfind("verifier: nodes[0]: exp: output 0 \"a\" is float32 (3,) but type inference gives float64 (3,)", 0) == 0);
}

TEST_CASE("verifier: a body node reading an outer variable directly") {
  Module m = scan_module();
  Node* mul = body(m).outputs[0]->owner;
  mul->inputs[1] = fn(m).inputs[0];  // A itself instead of the parameter A_in
  CHECK(contains(verify_function_error(fn(m)),
                 "verifier: nodes[0].body.nodes[0]: mul: input 1 \"A\" belongs to another scope"));
}

TEST_CASE("verifier: links between nodes and variables") {
  Module m = chain_module();
  Node* mul = owner(m);
  SUBCASE("null input") {
    mul->inputs[1] = nullptr;
    CHECK(verify_function_error(fn(m)) == "verifier: nodes[2]: mul: input 1 is null");
  }
  SUBCASE("output index") {
    mul->outputs[0]->index = 1;
    CHECK(verify_function_error(fn(m)) == "verifier: root: output 0 \"z\" is not output 1 of its owner (nodes[2])");
    // An output no one reads is checked from its node's side.
    Var* extra = m.root->new_var("extra", mul->outputs[0]->type, VarKind::NodeOutput);
    extra->owner = mul;
    mul->outputs[0]->index = 0;
    mul->outputs.push_back(extra);
    CHECK(verify_function_error(fn(m)) ==
          "verifier: nodes[2]: mul: output 1 \"extra\" does not point back at this node (owner, index)");
  }
  SUBCASE("an input its owner does not list") {
    Node* exp_b = mul->inputs[0]->owner;
    exp_b->outputs[0] = m.root->new_var("stray", exp_b->outputs[0]->type, VarKind::NodeOutput);
    exp_b->outputs[0]->owner = exp_b;
    CHECK(contains(verify_function_error(fn(m)), "nodes[2]: mul: input 0 \"b\" is not output 0 of its owner (nodes[1])"));
  }
  SUBCASE("a cycle") {
    Node* exp_a = mul->inputs[0]->owner->inputs[0]->owner;
    exp_a->inputs[0] = mul->inputs[0];  // a = exp(b), b = exp(a)
    CHECK(contains(verify_function_error(fn(m)), "closes a cycle"));
  }
}

TEST_CASE("verifier: ifelse arity") {
  Module m = test::load(graph(R"([{"name": "c", "dtype": "bool", "shape": []},
                                  {"name": "x", "dtype": "float64", "shape": [2]}])",
                              R"([{"op": "ifelse", "inputs": ["c"], "then": ["x"], "else": ["x"], "outputs": ["y"]}])",
                              R"(["c", "x"])", R"(["y"])"));
  CHECK(verify_function_error(fn(m)) == "");
  owner(m)->inputs.pop_back();
  CHECK(contains(verify_function_error(fn(m)), "ifelse: has 2 inputs, expected 1 + 2 * 1"));
}

TEST_CASE("verifier: scan layout") {
  Module m = scan_module();
  Graph& b = body(m);
  SUBCASE("parameter type") {
    b.params[0]->type = Type::tensor(DType::Float32, {-1});
    CHECK(contains(verify_function_error(fn(m)),
                   "scan: body parameter 0 (output 0, tap -1) is float32 (?,) but the layout gives float64 (?,)"));
  }
  SUBCASE("parameter count") {
    b.params.pop_back();
    CHECK(contains(verify_function_error(fn(m)), "the body has 1 parameters, the layout gives 2"));
  }
  SUBCASE("recurrent output keeps its initial step's dtype") {
    Attrs a;
    a.dtype = DType::Int32;
    b.outputs[0] = b.add_node(Op::Cast, {b.outputs[0]}, a, "nodes[0].body.nodes[1]")->outputs[0];
    CHECK(contains(verify_function_error(fn(m)), "body output 0 is int32 (?,) but its initial step is float64 (?,)"));
  }
  SUBCASE("until must be a scalar") {
    owner(m)->scan->has_until = true;
    b.outputs.push_back(b.params[0]);
    CHECK(contains(verify_function_error(fn(m)), "the until condition is float64 (?,), not a scalar"));
  }
  SUBCASE("input count") {
    owner(m)->inputs.push_back(owner(m)->inputs[1]);
    CHECK(contains(verify_function_error(fn(m)), "scan: has 4 inputs, its layout gives 3"));
  }
}

TEST_CASE("verifier: function updates") {
  Module m = test::load(R"({"format": "tgc-graph", "version": 1, "name": "t",
      "inputs": [{"name": "x", "dtype": "float64", "shape": [2]}],
      "shared": [{"name": "W", "dtype": "float64", "shape": [2], "value": [1.0, 2.0]}],
      "nodes": [{"op": "add", "inputs": ["W", "x"], "outputs": ["W_new"]}],
      "functions": [{"name": "f", "inputs": ["x"], "outputs": ["W_new"], "updates": {"W": "W_new"}}]})");
  Function f = fn(m);
  CHECK(verify_function_error(f) == "");
  Var* x = f.inputs[0];
  SUBCASE("the target is not shared") {
    f.updates[0].first = x;
    CHECK(verify_function_error(f) == "verifier: functions[0].updates[0]: \"x\" is not a shared variable");
  }
  SUBCASE("incompatible new value") {
    Var* wide = m.root->new_var("y", Type::tensor(DType::Float64, {3}), VarKind::Input);
    f.updates[0].second = wide;
    CHECK(contains(verify_function_error(f), "the new value is float64 (3,), the variable is float64 (2,)"));
  }
  SUBCASE("null output") {
    f.outputs[0] = nullptr;
    CHECK(verify_function_error(f) == "verifier: functions[0]: output 0 is null");
  }
}
