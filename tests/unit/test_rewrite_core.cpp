// Tests of merge, constant_folding, local_log_softmax, dot22, sparse_dot,
// gemm and local_remove_all_assert: the graph before, the graph expected
// after, a case where the rule must not fire, and a numeric check.
#include <doctest/doctest.h>

#include <set>

#include "ir/builder.h"
#include "ir/printer.h"
#include "rewrite/database.h"
#include "rewrite/driver.h"
#include "passes/function_graph.h"
#include "rewrite_check.h"
#include "rewrites/rules.h"
#include "test_util.h"

using namespace tgc;

namespace {
std::string graph(const std::string& inputs, const std::string& nodes, const std::string& outputs) {
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         R"(, "functions": [{"name": "f", "inputs": )" + "[" + [&] {
           std::string s;
           size_t p = 0;
           while ((p = inputs.find("\"name\": \"", p)) != std::string::npos) {
             p += 9;
             size_t e = inputs.find('"', p);
             s += (s.empty() ? "" : ", ") + std::string("\"") + inputs.substr(p, e - p) + "\"";
           }
           return s;
         }() + R"(], "outputs": )" + outputs + "}]}";
}
}  // namespace

TEST_CASE("rewrite merge: (x + y) * 2 and (x + y) * 3 share one add") {
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "y", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "add", "inputs": ["x", "y"], "outputs": ["s1"]},
                            {"op": "add", "inputs": ["x", "y"], "outputs": ["s2"]},
                            {"op": "mul", "inputs": ["s1", {"value": 2.0}], "outputs": ["a"]},
                            {"op": "mul", "inputs": ["s2", {"value": 3.0}], "outputs": ["b"]}])",
                        R"(["a", "b"])");
  test::RewriteRun r = test::apply_rule(g, "f", "merge");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "mul [id A] 'a' float64 (?,)\n"
        " |add [id B] 's1' float64 (?,)\n"
        " | |x [id C] float64 (?,)\n"
        " | |y [id D] float64 (?,)\n"
        " |TensorConstant{2.0} [id E] float64 ()\n"
        "mul [id F] 'b' float64 (?,)\n"
        " |add [id B] 's1' float64 (?,)\n"
        " |TensorConstant{3.0} [id G] float64 ()\n");
  test::check_rule_numerically(g, "f", "merge");
  // Must not fire: x + y and y + x are different nodes for merge.
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "y", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "add", "inputs": ["x", "y"], "outputs": ["s1"]}, {"op": "add", "inputs": ["y", "x"], "outputs": ["s2"]}])",
                        R"(["s1", "s2"])");
  CHECK(test::apply_rule(h, "f", "merge").fired == 0);
}

TEST_CASE("rewrite merge: many distinct constants, each repeated, merge by value") {
  // 40 products x * c with 20 distinct values of c, each written twice (more
  // classes than the constant table starts with: it grows).
  std::string nodes = "[", outs = "[";
  for (int i = 0; i < 40; ++i) {
    std::string o = "p" + std::to_string(i);
    nodes += std::string(i ? ", " : "") + R"({"op": "mul", "inputs": ["x", {"value": )" + std::to_string(i % 20) +
             R"(.25}], "outputs": [")" + o + R"("]})";
    outs += std::string(i ? ", " : "") + "\"" + o + "\"";
  }
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])", nodes + "]", outs + "]");
  test::RewriteRun r = test::apply_rule(g, "f", "merge");
  CHECK(r.fired == 20);  // p20..p39 become p0..p19
  // After the merge 20 products remain (the printout names each node by one id).
  std::set<std::string> muls;
  for (size_t pos = 0; (pos = r.after.find("mul [id ", pos)) != std::string::npos; ++pos)
    muls.insert(r.after.substr(pos + 8, r.after.find(']', pos) - pos - 8));
  CHECK(muls.size() == 20);
  test::check_rule_numerically(g, "f", "merge");
}

TEST_CASE("rewrite merge: a node a rewrite builds merges with the same node the loader built") {
  // The loader used to give every node an attribute only the subtensor
  // family reads (its count of tensor inputs), so a rewrite's x + y never
  // compared equal to the file's x + y and both were computed.
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "y", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "add", "inputs": ["x", "y"], "outputs": ["s"]}])", R"(["s"])");
  Module m = test::load(g);
  FunctionGraph fg = extract_function(m, *m.find_function("f"), Mode::FastRun);
  Node* loaded = fg.outputs[0]->owner;
  CHECK(loaded->attrs == NodeAttrs());  // an add has no attributes of its own
  Var* built = Builder(*fg.graph, "test").add(fg.inputs[0], fg.inputs[1]);
  fg.outputs.push_back(built);
  fg.output_names.push_back("t");
  RewriteTrace trace;
  CHECK(rules::merge(fg, trace));
  REQUIRE(trace.events.size() == 1);
  CHECK(fg.outputs[1] == fg.outputs[0]);
  // A subtensor keeps the count: its index inputs follow its tensors.
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "i", "dtype": "int64", "shape": []}])",
                        R"([{"op": "subtensor", "inputs": ["x"], "idx": [{"var": "i"}], "outputs": ["e"]}])", R"(["e"])");
  Module mh = test::load(h);
  const Node* sub = mh.functions[0].outputs[0]->owner;
  CHECK(sub->attrs->n_tensor_inputs == 1);
  CHECK(sub->inputs.size() == 2);  // x, then the index variable
}

TEST_CASE("rewrite constant_folding: arithmetic on constants is done at compile time") {
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "exp", "inputs": [{"value": 0.0, "dtype": "float64"}], "outputs": ["one"]},
                            {"op": "mul", "inputs": ["x", "one"], "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun r = test::apply_rule(g, "f", "constant_folding");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "mul [id A] 'y' float64 (?,)\n"
        " |x [id B] float64 (?,)\n"
        " |TensorConstant{1.0} [id C] 'one' float64 ()\n");
  test::check_rule_numerically(g, "f", "constant_folding");
  // Must not fire: an input that is not constant.
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "exp", "inputs": ["x"], "outputs": ["y"]}])", R"(["y"])");
  CHECK(test::apply_rule(h, "f", "constant_folding").fired == 0);
}

TEST_CASE("rewrite local_log_softmax: log(softmax(x)) becomes log_softmax(x)") {
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null, null]}])",
                        R"([{"op": "softmax", "inputs": ["x"], "outputs": ["sm"]},
                            {"op": "log", "inputs": ["sm"], "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun r = test::apply_rule(g, "f", "local_log_softmax");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "log_softmax [id A] float64 (?, ?)\n"
        " |x [id B] float64 (?, ?)\n");
  test::check_rule_numerically(g, "f", "local_log_softmax");
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null, null]}])",
                        R"([{"op": "exp", "inputs": ["x"], "outputs": ["e"]}, {"op": "log", "inputs": ["e"], "outputs": ["y"]}])",
                        R"(["y"])");
  CHECK(test::apply_rule(h, "f", "local_log_softmax").fired == 0);
}

TEST_CASE("rewrite dot22 and gemm: Z * beta + alpha * dot(X, Y) is one gemm") {
  std::string in = R"([{"name": "X", "dtype": "float32", "shape": [null, null]}, {"name": "Y", "dtype": "float32", "shape": [null, null]},
                      {"name": "Z", "dtype": "float32", "shape": [null, null]}, {"name": "alpha", "dtype": "float32", "shape": []},
                      {"name": "beta", "dtype": "float32", "shape": []}])";
  std::string g = graph(in,
                        R"([{"op": "dot", "inputs": ["X", "Y"], "outputs": ["XY"]},
                            {"op": "mul", "inputs": ["Z", "beta"], "outputs": ["Zb"]},
                            {"op": "mul", "inputs": ["alpha", "XY"], "outputs": ["aXY"]},
                            {"op": "add", "inputs": ["Zb", "aXY"], "outputs": ["out"]}])",
                        R"(["out"])");
  test::RewriteRun r = test::apply_rule(g, "f", "gemm");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "gemm [id A] float32 (?, ?)\n"
        " |Z [id B] float32 (?, ?)\n"
        " |alpha [id C] float32 ()\n"
        " |X [id D] float32 (?, ?)\n"
        " |Y [id E] float32 (?, ?)\n"
        " |beta [id F] float32 ()\n");
  test::check_rule_numerically(g, "f", "gemm", -2, 2, 3, 1e-5, 1e-5);
  CHECK(test::apply_rule(g, "f", "dot22").fired == 1);
  test::check_rule_numerically(g, "f", "dot22", -2, 2, 3, 1e-5, 1e-5);
  // Must not fire: the dot is also an output (it would be computed twice).
  std::string h = graph(in,
                        R"([{"op": "dot", "inputs": ["X", "Y"], "outputs": ["XY"]},
                            {"op": "add", "inputs": ["Z", "XY"], "outputs": ["out"]}])",
                        R"(["out", "XY"])");
  CHECK(test::apply_rule(h, "f", "gemm").fired == 0);
}

TEST_CASE("rewrite gemm: vectors give gemv and ger") {
  std::string in = R"([{"name": "A", "dtype": "float64", "shape": [null, null]}, {"name": "x", "dtype": "float64", "shape": [null]},
                      {"name": "z", "dtype": "float64", "shape": [null]}, {"name": "y", "dtype": "float64", "shape": [null]}])";
  std::string g = graph(in,
                        R"([{"op": "dot", "inputs": ["A", "x"], "outputs": ["Ax"]},
                            {"op": "sub", "inputs": ["z", "Ax"], "outputs": ["v"]},
                            {"op": "outer", "inputs": ["x", "y"], "outputs": ["xy"]},
                            {"op": "add", "inputs": ["A", "xy"], "outputs": ["M"]}])",
                        R"(["v", "M"])");
  test::RewriteRun r = test::apply_rule(g, "f", "gemm");
  CHECK(r.fired == 2);
  CHECK(r.after.find("gemv") != std::string::npos);
  CHECK(r.after.find("ger") != std::string::npos);
  test::check_rule_numerically(g, "f", "gemm");
}

TEST_CASE("rewrite sparse_dot: dot(to_dense(S), D) uses the CSR product") {
  std::string g = R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "S", "format": "csr", "dtype": "float64", "shape": [null, null]}, {"name": "D", "dtype": "float64", "shape": [null, null]}],
    "nodes": [{"op": "to_dense", "inputs": ["S"], "outputs": ["Sd"]}, {"op": "dot", "inputs": ["Sd", "D"], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["S", "D"], "outputs": ["y"]}]})";
  test::RewriteRun r = test::apply_rule(g, "f", "sparse_dot");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "sparse_dot [id A] float64 (?, ?)\n"
        " |S [id B] csr float64\n"
        " |D [id C] float64 (?, ?)\n");
  std::string h = R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "A", "dtype": "float64", "shape": [null, null]}, {"name": "D", "dtype": "float64", "shape": [null, null]}],
    "nodes": [{"op": "dot", "inputs": ["A", "D"], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["A", "D"], "outputs": ["y"]}]})";
  CHECK(test::apply_rule(h, "f", "sparse_dot").fired == 0);
}

TEST_CASE("rewrite local_remove_all_assert: asserts disappear (unsafe)") {
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "c", "dtype": "bool", "shape": []}])",
                        R"([{"op": "assert", "inputs": ["x", "c"], "message": "c must hold", "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun r = test::apply_rule(g, "f", "local_remove_all_assert");
  CHECK(r.fired == 1);
  CHECK(r.after == "x [id A] float64 (?,)\n");
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "exp", "inputs": ["x"], "outputs": ["y"]}])", R"(["y"])");
  CHECK(test::apply_rule(h, "f", "local_remove_all_assert").fired == 0);
}

TEST_CASE("rewrite trace: a trace that keeps no events counts them, and the rewrites are the same") {
  // mul(x, x) -> sqr, sub(x, x) -> 0 and merge: local and global rules.
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "mul", "inputs": ["x", "x"], "outputs": ["a"]},
                            {"op": "mul", "inputs": ["x", "x"], "outputs": ["b"]},
                            {"op": "sub", "inputs": ["a", "b"], "outputs": ["c"]},
                            {"op": "add", "inputs": ["c", "a"], "outputs": ["d"]}])",
                        R"(["d"])");
  Module m = test::load(g);
  RewriteSelection sel{Mode::FastRun, {}, {}};
  auto run = [&](RewriteTrace& trace) {
    FunctionGraph fg = extract_function(m, *m.find_function("f"), Mode::FastRun);
    CHECK(rules::merge(fg, trace));
    for (const char* group : {"canonicalize", "specialize"}) apply_local_rules(fg, group_rewrites(sel, group), trace);
    return debugprint(fg.outputs);
  };
  RewriteTrace kept, counted;
  counted.keep = false;
  std::string a = run(kept), b = run(counted);
  CHECK(a == b);
  CHECK(kept.fired >= 2);  // the merge and at least one local rule
  CHECK(kept.events.size() == kept.fired);
  CHECK(counted.fired == kept.fired);
  CHECK(counted.events.empty());
  CHECK(!counted.wants_details());
  counted.print = true;  // --trace-rewrites still wants each event's text
  CHECK(counted.wants_details());
}
