#include <doctest/doctest.h>

#include <algorithm>

#include "ir/printer.h"
#include "test_util.h"

using namespace tgc;

namespace {
// A graph file whose function "f" takes `fn_inputs` and returns `outputs`.
std::string graph(const std::string& inputs, const std::string& nodes, const std::string& fn_inputs,
                  const std::string& outputs, const std::string& extra = "") {
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + extra + R"(, "nodes": )" +
         nodes + R"(, "functions": [{"name": "f", "inputs": )" + fn_inputs + R"(, "outputs": )" + outputs + "}]}";
}
std::vector<Var*> outputs(const Module& m) { return m.find_function("f")->outputs; }
size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}
// A chain x -> neg -> neg -> ... of `n` nodes, built directly on a graph.
Var* chain(Graph& g, int n) {
  Var* v = g.new_var("x", Type::tensor(DType::Float64, {-1}), VarKind::Input);
  for (int k = 0; k < n; ++k) v = g.add_node(Op::Neg, {v}, Attrs{}, "nodes[" + std::to_string(k) + "]")->outputs[0];
  return v;
}
}  // namespace

TEST_CASE("printer: Theano's debugprint of a small graph") {
  Module m = test::load(graph(R"([{"name": "M", "dtype": "float64", "shape": [null, null]},
                                  {"name": "r", "dtype": "float64", "shape": [null]}])",
                              R"([{"op": "dimshuffle", "inputs": ["r"], "pattern": ["x", 0], "outputs": ["r_row"]},
                                  {"op": "add", "inputs": ["M", "r_row"], "outputs": ["s"]}])",
                              R"(["M", "r"])", R"(["s"])"));
  CHECK(debugprint(outputs(m)) ==
        "add [id A] 's' float64 (?, ?)\n"
        " |M [id B] float64 (?, ?)\n"
        " |dimshuffle{x,0} [id C] 'r_row' float64 (1, ?)\n"
        " | |r [id D] float64 (?,)\n");
  // A name given by the caller replaces the variable's own.
  CHECK(debugprint(outputs(m), {"total"}).rfind("add [id A] 'total' float64 (?, ?)\n", 0) == 0);
}

TEST_CASE("printer: a shared subtree is printed once, then referred to by id") {
  Module m = test::load(graph(R"([{"name": "x", "dtype": "float64", "shape": [3]}])",
                              R"([{"op": "exp", "inputs": ["x"], "outputs": ["y"]},
                                  {"op": "mul", "inputs": ["y", "y"], "outputs": ["z"]}])",
                              R"(["x"])", R"(["z", "y"])"));
  CHECK(debugprint(outputs(m)) ==
        "mul [id A] 'z' float64 (3,)\n"
        " |exp [id B] 'y' float64 (3,)\n"
        " | |x [id C] float64 (3,)\n"
        " |exp [id B] 'y' float64 (3,)\n"
        "exp [id B] 'y' float64 (3,)\n");
}

TEST_CASE("printer: attributes, constants, shared variables and multi-output nodes") {
  Module m = test::load(graph(R"([{"name": "x", "dtype": "float64", "shape": [4, 5]},
                                  {"name": "i", "dtype": "int64", "shape": []}])",
                              R"([{"op": "mul", "inputs": ["x", {"value": 2.0}], "outputs": ["x2"]},
                                  {"op": "sum", "inputs": ["x2"], "axis": [0, 1], "outputs": ["s"]},
                                  {"op": "cast", "inputs": ["s"], "dtype": "int32", "outputs": ["c"]},
                                  {"op": "subtensor", "inputs": ["x"], "idx": [{"start": 1, "stop": 3}, {"var": "i"}],
                                   "outputs": ["sub"]},
                                  {"op": "add", "inputs": ["sub", "half", "W"], "outputs": ["a"]},
                                  {"op": "random_uniform", "inputs": ["rng", {"value": 0.0}, {"value": 1.0}],
                                   "size": [2], "outputs": ["rng2", "u"]}])",
                              R"(["x", "i"])", R"(["c", "a", "u", "rng2"])",
                              R"(, "constants": [{"name": "half", "dtype": "float64", "value": 0.5}],
                                 "shared": [{"name": "W", "dtype": "float64", "shape": [2], "value": [1.0, 2.0]},
                                            {"name": "rng", "type": "rng", "seed": 3}])"));
  CHECK(debugprint(outputs(m)) ==
        "cast{int32} [id A] 'c' int32 ()\n"
        " |sum{axis=0,1} [id B] 's' float64 ()\n"
        " | |mul [id C] 'x2' float64 (4, 5)\n"
        " | | |x [id D] float64 (4, 5)\n"
        " | | |TensorConstant{2.0} [id E] float64 ()\n"
        "add [id F] 'a' float64 (2,)\n"
        " |subtensor{idx=[1:3,$1]} [id G] 'sub' float64 (2,)\n"
        " | |x [id D] float64 (4, 5)\n"
        " | |i [id H] int64 ()\n"
        " |TensorConstant{0.5} [id I] 'half' float64 ()\n"
        " |W [id J] float64 (2,) (shared)\n"
        "random_uniform{shape=[2]}.1 [id K] 'u' float64 (2,)\n"
        " |rng [id L] rng (shared)\n"
        " |TensorConstant{0.0} [id M] float64 ()\n"
        " |TensorConstant{1.0} [id N] float64 ()\n"
        "random_uniform{shape=[2]}.0 [id K] 'rng2' rng\n");
}

TEST_CASE("printer: constant values") {
  Graph g;
  auto text = [&](Tensor t) { return constant_label(*g.new_constant("c", std::move(t))); };
  Tensor m(DType::Int32, {2, 2});
  for (int k = 0; k < 4; ++k) m.set_f64(k, k + 1);
  CHECK(text(m) == "TensorConstant{[[1, 2], [3, 4]]}");
  CHECK(text(Tensor(DType::Float32, {3, 4})) == "TensorConstant{(3, 4) of 0.0}");
  Tensor big(DType::Float64, {20});
  big.set_f64(3, 0.25);
  CHECK(text(big) == "TensorConstant{...}");
  Tensor b(DType::Bool, {});
  b.set_f64(0, 1);
  CHECK(text(b) == "TensorConstant{True}");
  Tensor f(DType::Float32, {});
  f.set_f64(0, 0.1);
  CHECK(text(f) == "TensorConstant{0.1}");  // float32's shortest form, not 0.10000000149011612
}

TEST_CASE("printer: a scan body appears under Inner graphs, its parameters with their roles") {
  Module m = test::load(graph(R"([{"name": "A", "dtype": "float64", "shape": [null]},
                                  {"name": "k", "dtype": "int32", "shape": []}])",
                              R"([{"op": "ones_like", "inputs": ["A"], "outputs": ["ones"]},
                                  {"op": "scan", "n_steps": "k", "outputs_info": ["ones"], "non_sequences": ["A"],
                                   "body": {"inputs": ["prior", "A_in"],
                                            "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}],
                                            "outputs": ["next"]},
                                   "outputs": ["result"]},
                                  {"op": "subtensor", "inputs": ["result"], "idx": [-1], "outputs": ["final"]}])",
                              R"(["A", "k"])", R"(["final"])"));
  CHECK(debugprint(outputs(m)) ==
        "subtensor{idx=[-1]} [id A] 'final' float64 (?,)\n"
        " |scan{seqs=[] outs=[[-1]] nonseqs=1 n_steps} [id B] 'result' float64 (?, ?)\n"
        " | |k [id C] int32 ()\n"
        " | |ones_like [id D] 'ones' float64 (?,)\n"
        " | | |A [id E] float64 (?,)\n"
        " | |A [id E] float64 (?,)\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "scan{seqs=[] outs=[[-1]] nonseqs=1 n_steps} [id B]\n"
        " >mul [id F] 'next' float64 (?,)\n"
        " > |prior [id G] float64 (?,) (output 0, tap -1) -> [id D]\n"
        " > |A_in [id H] float64 (?,) (non-sequence 0) -> [id E]\n");
}

TEST_CASE("printer: nested scans each get an inner graph") {
  Module m = test::load(graph(R"([{"name": "X", "dtype": "float64", "shape": [null, null]}])",
                              R"([{"op": "map", "sequences": ["X"],
                                   "body": {"inputs": ["row"],
                                            "nodes": [{"op": "map", "sequences": ["row"],
                                                       "body": {"inputs": ["e"],
                                                                "nodes": [{"op": "exp", "inputs": ["e"], "outputs": ["ee"]}],
                                                                "outputs": ["ee"]},
                                                       "outputs": ["erow"]}],
                                            "outputs": ["erow"]},
                                   "outputs": ["Y"]}])",
                              R"(["X"])", R"(["Y"])"));
  std::string text = debugprint(outputs(m));
  CHECK(count(text, "Inner graphs:") == 1);
  CHECK(text.find(" >scan{seqs=[[0]] outs=[[]]} [id C] 'erow' float64 (?,)\n"
                  " > |row [id D] float64 (?,) (sequence 0, tap 0) -> [id B]\n") != std::string::npos);
  CHECK(text.find("\nscan{seqs=[[0]] outs=[[]]} [id C]\n"
                  " >exp [id E] 'ee' float64 ()\n"
                  " > |e [id F] float64 () (sequence 0, tap 0) -> [id D]\n") != std::string::npos);
}

TEST_CASE("printer: a 20,000-node chain prints without deep recursion, in linear space") {
  Graph g;
  Var* out = chain(g, 20000);
  std::string text = debugprint({out});
  CHECK(text == debugprint({out}));  // deterministic
  CHECK(text.rfind("neg [id A] float64 (?,)\n |neg [id B] float64 (?,)\n", 0) == 0);
  CHECK(text.find("[id BA]") != std::string::npos);  // ids go on after Z
  CHECK(text.find("(continued below)") != std::string::npos);
  CHECK(text.size() < size_t(20000) * 300);
  CHECK(text.find("x [id") != std::string::npos);
  CHECK(count(text, "\n") == 20001 + 199);  // every node once, plus one line per cut
}
