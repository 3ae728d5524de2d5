// Tests of elemwise_fusion, reduce_fusion, inplace_elemwise,
// inplace_setsubtensor and inplace_random: the graph before, the graph
// expected after, a case where the rule must not fire, and a numeric check
// against the reference interpreter.
#include <doctest/doctest.h>

#include "interp/interpreter.h"
#include "ir/builder.h"
#include "ir/printer.h"
#include "passes/function_graph.h"
#include "rewrite/driver.h"
#include "rewrite_check.h"
#include "rewrites/rules.h"
#include "test_util.h"

using namespace tgc;

namespace {

// A file with inputs x, y (float64 vectors of unknown length), s (float64
// scalar) and function f(x, y, s) -> outputs.
std::string vectors(const std::string& nodes, const std::string& outputs) {
  return R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "y", "dtype": "float64", "shape": [null]},
               {"name": "s", "dtype": "float64", "shape": []}, {"name": "M", "dtype": "float64", "shape": [null, 4]}],
    "nodes": )" + nodes + R"(, "functions": [{"name": "f", "inputs": ["x", "y", "s", "M"], "outputs": )" + outputs + "}]}";
}

}  // namespace

TEST_CASE("rewrite elemwise_fusion: a chain of elementwise ops becomes one composite") {
  std::string g = vectors(R"([{"op": "add", "inputs": ["x", "y"], "outputs": ["a"]},
                              {"op": "exp", "inputs": ["a"], "outputs": ["b"]},
                              {"op": "mul", "inputs": ["b", "s"], "outputs": ["c"]}])",
                          R"(["c"])");
  test::RewriteRun r = test::apply_rule(g, "f", "elemwise_fusion");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "composite{mul(exp(add(i1,i2)),i0)} [id A] 'c' float64 (?,)\n"
        " |s [id B] float64 ()\n"
        " |x [id C] float64 (?,)\n"
        " |y [id D] float64 (?,)\n");
  test::check_rule_numerically(g, "f", "elemwise_fusion");
  // Must not fire: the intermediate is an output too (it must be stored),
  // and a broadcast operand computed elementwise would be recomputed per row.
  std::string h = vectors(R"([{"op": "exp", "inputs": ["x"], "outputs": ["b"]},
                  {"op": "mul", "inputs": ["b", "y"], "outputs": ["c"]},
                  {"op": "exp", "inputs": ["x"], "outputs": ["e"]},
                  {"op": "add", "inputs": ["M", "e"], "outputs": ["d"]}])",
              R"(["b", "c", "d"])");
  CHECK(test::apply_rule(h, "f", "elemwise_fusion").fired == 0);
}

TEST_CASE("rewrite elemwise_fusion: the fused node keeps its output variable; a kept trace holds the value as it was") {
  std::string g = vectors(R"([{"op": "add", "inputs": ["x", "y"], "outputs": ["a"]},
                              {"op": "exp", "inputs": ["a"], "outputs": ["b"]},
                              {"op": "mul", "inputs": ["b", "s"], "outputs": ["c"]},
                              {"op": "neg", "inputs": ["c"], "outputs": ["d"]},
                              {"op": "sum", "inputs": ["c"], "outputs": ["t"]}])",
                          R"(["d", "t"])");
  for (bool keep : {false, true}) {
    CAPTURE(keep);
    Module m = test::load(g);
    FunctionGraph fg = extract_function(m, *m.find_function("f"), Mode::FastRun);
    // c has two readers (neg, sum): fusion stops there, and c's node absorbs b and a.
    Var* c = fg.graph->nodes()[2]->outputs[0];
    REQUIRE(c->name == "c");
    interp::Bindings in;
    for (Var* v : fg.inputs) {
      Tensor t(v->type.dtype, v->type.ndim() == 0 ? Shape{} : Shape{3});
      for (int64_t i = 0; i < t.size(); ++i) t.set_f64(i, 0.25 * double(i + 1));
      in[v] = t;
    }
    const Tensor want = std::get<Tensor>(interp::evaluate({c}, in)[0]);
    RewriteTrace trace;
    trace.keep = keep;
    REQUIRE(rules::elemwise_fusion(fg, trace));
    CHECK(trace.fired == 1);
    // The same variable, now computed by the composite: its readers were not touched.
    CHECK(c->owner->op == Op::Composite);
    CHECK(c->owner->inputs.size() == 3);
    CHECK(fg.outputs[1]->owner->inputs[0] == c);
    const Tensor got = std::get<Tensor>(interp::evaluate({c}, in)[0]);
    for (int64_t i = 0; i < 3; ++i) CHECK(got.get_f64(i) == doctest::Approx(want.get_f64(i)));
    if (!keep) {
      CHECK(trace.events.empty());
      continue;
    }
    // The event's "before" is a copy of the node as it was (DEBUG mode
    // evaluates both sides), reading what the node read, and no reader's.
    REQUIRE(trace.events.size() == 1);
    const RewriteEvent& e = trace.events[0];
    REQUIRE(e.before.size() == 1);
    REQUIRE(e.after.size() == 1);
    CHECK(e.after[0] == c);
    CHECK(e.before[0] != c);
    CHECK(e.before[0]->owner->op == Op::Mul);
    CHECK(e.before[0]->name == "c");
    const Tensor old = std::get<Tensor>(interp::evaluate({e.before[0]}, in)[0]);
    for (int64_t i = 0; i < 3; ++i) CHECK(old.get_f64(i) == doctest::Approx(want.get_f64(i)));
  }
}

TEST_CASE("rewrite reduce_fusion: sum of an elementwise result is one pass") {
  std::string g = vectors(R"([{"op": "sub", "inputs": ["x", "y"], "outputs": ["d"]},
                              {"op": "sqr", "inputs": ["d"], "outputs": ["d2"]},
                              {"op": "mul", "inputs": ["d2", "s"], "outputs": ["w"]},
                              {"op": "sum", "inputs": ["w"], "outputs": ["loss"]},
                              {"op": "exp", "inputs": ["M"], "outputs": ["e"]},
                              {"op": "max", "inputs": ["e"], "axis": 1, "outputs": ["m"]}])",
                          R"(["loss", "m"])");
  // After elemwise_fusion (the pipeline's order) the sum reads one composite.
  test::RewriteRun r = test::apply_rule(g, "f", "reduce_fusion");
  CHECK(r.fired == 2);
  CHECK(r.after ==
        "sum{mul(i0,i1)} [id A] 'loss' float64 ()\n"
        " |sqr [id B] 'd2' float64 (?,)\n"
        " | |sub [id C] 'd' float64 (?,)\n"
        " | | |x [id D] float64 (?,)\n"
        " | | |y [id E] float64 (?,)\n"
        " |s [id F] float64 ()\n"
        "max{axis=1 exp(i0)} [id G] 'm' float64 (?,)\n"
        " |M [id H] float64 (?, 4)\n");
  test::check_rule_numerically(g, "f", "reduce_fusion");
  // Must not fire: the elementwise result is also an output; its operands
  // broadcast against each other (a row vector against a matrix); argmax.
  std::string h = vectors(R"([{"op": "exp", "inputs": ["x"], "outputs": ["e"]},
                  {"op": "sum", "inputs": ["e"], "outputs": ["t"]},
                  {"op": "dimshuffle", "inputs": ["y"], "pattern": ["x", 0], "outputs": ["row"]},
                  {"op": "mul", "inputs": ["row", "M"], "outputs": ["p"]},
                  {"op": "sum", "inputs": ["p"], "axis": 0, "outputs": ["u"]},
                  {"op": "neg", "inputs": ["M"], "outputs": ["n"]},
                  {"op": "argmax", "inputs": ["n"], "axis": 1, "outputs": ["k"]}])",
              R"(["e", "t", "u", "k"])");
  CHECK(test::apply_rule(h, "f", "reduce_fusion").fired == 0);
}

TEST_CASE("rewrite inplace_elemwise: a dead intermediate's buffer is reused") {
  std::string g = vectors(R"([{"op": "add", "inputs": ["x", "y"], "outputs": ["a"]},
                              {"op": "exp", "inputs": ["a"], "outputs": ["b"]}])",
                          R"(["b"])");
  test::RewriteRun r = test::apply_rule(g, "f", "inplace_elemwise");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "exp{inplace=0} [id A] 'b' float64 (?,)\n"
        " |add [id B] 'a' float64 (?,)\n"
        " | |x [id C] float64 (?,)\n"
        " | |y [id D] float64 (?,)\n");
  test::check_rule_numerically(g, "f", "inplace_elemwise");
  // Must not fire: function inputs are never destroyed, nor a value read
  // again later (a is read by exp and by the output list), nor a value of
  // another shape pattern (the vector under a matrix result).
  std::string h = vectors(R"([{"op": "exp", "inputs": ["x"], "outputs": ["e"]},
                              {"op": "add", "inputs": ["x", "y"], "outputs": ["a"]},
                              {"op": "exp", "inputs": ["a"], "outputs": ["b"]},
                              {"op": "neg", "inputs": ["y"], "outputs": ["ny"]},
                              {"op": "add", "inputs": ["M", "ny"], "outputs": ["m"]}])",
                          R"(["e", "a", "b", "m"])");
  CHECK(test::apply_rule(h, "f", "inplace_elemwise").fired == 0);
}

TEST_CASE("rewrite inplace_setsubtensor: set/inc_subtensor write into a dead x") {
  std::string g = vectors(R"([{"op": "mul", "inputs": ["x", {"value": 2.0}], "outputs": ["x2"]},
                              {"op": "inc_subtensor", "inputs": ["x2", "s"], "idx": [0], "outputs": ["z"]}])",
                          R"(["z"])");
  test::RewriteRun r = test::apply_rule(g, "f", "inplace_setsubtensor");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "inc_subtensor{idx=[0] inplace=0} [id A] 'z' float64 (?,)\n"
        " |mul [id B] 'x2' float64 (?,)\n"
        " | |x [id C] float64 (?,)\n"
        " | |TensorConstant{2.0} [id D] float64 ()\n"
        " |s [id E] float64 ()\n");
  test::check_rule_numerically(g, "f", "inplace_setsubtensor");
  // Must not fire: x is a function input; x2 is read again afterwards.
  std::string h = vectors(R"([{"op": "set_subtensor", "inputs": ["x", "s"], "idx": [0], "outputs": ["z"]},
                              {"op": "mul", "inputs": ["y", {"value": 2.0}], "outputs": ["y2"]},
                              {"op": "set_subtensor", "inputs": ["y2", "s"], "idx": [1], "outputs": ["w"]},
                              {"op": "add", "inputs": ["w", "y2"], "outputs": ["v"]}])",
                          R"(["z", "v"])");
  CHECK(test::apply_rule(h, "f", "inplace_setsubtensor").fired == 0);
}

TEST_CASE("rewrite inplace_random: a draw advances a state nothing else reads") {
  auto file = [](const std::string& nodes, const std::string& outputs) {
    return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": [],
      "shared": [{"name": "rng", "type": "rng", "seed": 7}],
      "nodes": )" + nodes + R"(, "functions": [{"name": "f", "inputs": [], "outputs": )" + outputs + "}]}";
  };
  std::string g = file(R"([{"op": "random_uniform", "inputs": ["rng", {"value": 0.0}, {"value": 1.0}], "size": [3], "outputs": ["r1", "a"]},
                           {"op": "random_normal", "inputs": ["r1", {"value": 0.0}, {"value": 1.0}], "size": [2], "outputs": ["r2", "b"]}])",
                       R"(["a", "b"])");
  test::RewriteRun r = test::apply_rule(g, "f", "inplace_random");
  CHECK(r.fired == 1);  // the second draw: r1 is read by it alone; rng is a shared variable
  CHECK(r.after ==
        "random_uniform{shape=[3]}.1 [id A] 'a' float64 (3,)\n"
        " |rng [id B] rng (shared)\n"
        " |TensorConstant{0.0} [id C] float64 ()\n"
        " |TensorConstant{1.0} [id D] float64 ()\n"
        "random_normal{shape=[2] inplace=0}.1 [id E] 'b' float64 (2,)\n"
        " |random_uniform{shape=[3]}.0 [id A] 'r1' rng\n"
        " |TensorConstant{0.0} [id F] float64 ()\n"
        " |TensorConstant{1.0} [id G] float64 ()\n");
  test::check_rule_numerically(g, "f", "inplace_random");
  // Must not fire: r1 is read by two draws (both must see the same state).
  std::string h = file(R"([{"op": "random_uniform", "inputs": ["rng", {"value": 0.0}, {"value": 1.0}], "size": [3], "outputs": ["r1", "a"]},
                           {"op": "random_normal", "inputs": ["r1", {"value": 0.0}, {"value": 1.0}], "size": [2], "outputs": ["r2", "b"]},
                           {"op": "random_normal", "inputs": ["r1", {"value": 0.0}, {"value": 1.0}], "size": [2], "outputs": ["r3", "c"]}])",
                       R"(["a", "b", "c"])");
  CHECK(test::apply_rule(h, "f", "inplace_random").fired == 0);
}

TEST_CASE("rewrite inplace: revalidation clears a mark whose destroyed input gained a reader, and keeps the others") {
  Module m;
  Var* x = m.root->new_var("x", Type::tensor(DType::Float64, {-1}), VarKind::Input);
  Builder b(*m.root, "nodes[0]");
  Var* a = b.op(Op::Exp, {x});
  Var* y = b.op(Op::Neg, {a});  // may overwrite a: y is a's only reader
  Var* e = b.op(Op::Exp, {x});
  Var* z = b.op(Op::Tanh, {e});  // may overwrite e
  Function f;
  f.name = "f";
  f.inputs = {x};
  f.outputs = {y, z};
  f.output_names = {"y", "z"};
  m.inputs = {x};
  m.functions.push_back(f);
  FunctionGraph fg = extract_function(m, m.functions[0], Mode::FastRun);
  Node* neg = fg.outputs[0]->owner;
  Node* tanh = fg.outputs[1]->owner;
  neg->attrs.edit().inplace = 0;
  tanh->attrs.edit().inplace = 0;
  // As the final merge would: a second reader of a (the neg's destroyed input).
  Var* a_copy = neg->inputs[0];
  fg.outputs.push_back(Builder(*fg.graph, "test").op(Op::Sqr, {a_copy}));
  fg.output_names.push_back("w");
  bool changed = false;
  final_walk(fg, true, [&](const std::vector<Node*>& order, const ReaderCounts& u) {
    changed = rules::revalidate_inplace_marks(order, u) || changed;
  });
  CHECK(changed);
  CHECK(neg->attrs->inplace == -1);  // a is read by the sqr too
  CHECK(tanh->attrs->inplace == 0);  // e still has the tanh alone
  CHECK(fg.graph->nodes().size() == 5);
}
