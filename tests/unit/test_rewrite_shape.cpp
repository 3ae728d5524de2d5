// Tests of shape_promotion, fill_cut, reshape_chain and
// inc_subtensor_serialize: the graph before, the graph expected after, a
// case where the rule must not fire, and a numeric check.
#include <doctest/doctest.h>

#include <cmath>

#include "grad/grad.h"
#include "interp/interpreter.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "rewrite/database.h"
#include "rewrite/driver.h"
#include "rewrite_check.h"
#include "test_util.h"

using namespace tgc;

namespace {

// A graph file with one function f of every input, in order.
std::string graph(const std::string& inputs, const std::string& nodes, const std::string& outputs) {
  std::string names;
  size_t p = 0;
  while ((p = inputs.find("\"name\": \"", p)) != std::string::npos) {
    p += 9;
    size_t e = inputs.find('"', p);
    names += (names.empty() ? "\"" : ", \"") + inputs.substr(p, e - p) + "\"";
  }
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         R"(, "functions": [{"name": "f", "inputs": [)" + names + R"(], "outputs": )" + outputs + "}]}";
}

// The printed graph of f after the whole pipeline of `mode` (dead nodes removed).
std::string optimized(const std::string& text, Mode mode) {
  Module m = test::load(text);
  PipelineOptions opt;
  opt.mode = mode;
  FunctionGraph fg = compile_function(m, *m.find_function("f"), opt);
  return debugprint(fg.roots());
}

}  // namespace

TEST_CASE("rewrite shape_promotion: shape(log(x)) no longer computes log") {
  std::string g = graph(R"([{"name": "x", "dtype": "float64", "shape": [null, null]}])",
                        R"([{"op": "log", "inputs": ["x"], "outputs": ["lx"]},
                            {"op": "shape", "inputs": ["lx"], "outputs": ["s"]}])",
                        R"(["s"])");
  test::RewriteRun r = test::apply_rule(g, "f", "shape_promotion");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "shape [id A] int64 (2,)\n"
        " |x [id B] float64 (?, ?)\n");
  test::check_rule_numerically(g, "f", "shape_promotion", 0.5, 2.0);
  // After the whole pipeline, in every mode that runs the rule, log is gone.
  for (Mode mode : {Mode::FastRun, Mode::Debug}) {
    INFO(mode_name(mode));
    std::string after = optimized(g, mode);
    CHECK(after.find("log") == std::string::npos);
    CHECK(after ==
          "shape [id A] int64 (2,)\n"
          " |x [id B] float64 (?, ?)\n");
  }
  // Must not fire: the shape of an input is not computed by anything.
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null, null]}])",
                        R"([{"op": "shape", "inputs": ["x"], "outputs": ["s"]}])", R"(["s"])");
  CHECK(test::apply_rule(h, "f", "shape_promotion").fired == 0);
}

TEST_CASE("rewrite shape_promotion: sizes from broadcasting, static sizes, products and reductions") {
  std::string in = R"([{"name": "A", "dtype": "float32", "shape": [null, null]}, {"name": "B", "dtype": "float32", "shape": [null, 5]},
                      {"name": "r", "dtype": "float32", "shape": [1, null]}, {"name": "v", "dtype": "float32", "shape": [null]}])";
  std::string g = graph(in,
                        R"([{"op": "dot", "inputs": ["A", "B"], "outputs": ["AB"]},
                            {"op": "shape", "inputs": ["AB"], "outputs": ["s_ab"]},
                            {"op": "add", "inputs": ["r", "A"], "outputs": ["rA"]},
                            {"op": "exp", "inputs": ["rA"], "outputs": ["e"]},
                            {"op": "sum", "inputs": ["e"], "axis": 1, "outputs": ["se"]},
                            {"op": "shape_i", "inputs": ["se"], "i": 0, "outputs": ["n_se"]},
                            {"op": "dimshuffle", "inputs": ["v"], "pattern": ["x", 0], "outputs": ["vr"]},
                            {"op": "mul", "inputs": ["vr", "r"], "outputs": ["vrr"]},
                            {"op": "shape", "inputs": ["vrr"], "outputs": ["s_vrr"]}])",
                        R"(["s_ab", "n_se", "s_vrr"])");
  test::RewriteRun r = test::apply_rule(g, "f", "shape_promotion");
  CHECK(r.after ==
        "stack [id A] int64 (2,)\n"
        " |shape_i{0} [id B] int64 ()\n"
        " | |A [id C] float32 (?, ?)\n"
        " |TensorConstant{5} [id D] int64 ()\n"
        "shape_i{0} [id E] int64 ()\n"
        " |A [id C] float32 (?, ?)\n"
        "stack [id F] int64 (2,)\n"
        " |TensorConstant{1} [id G] int64 ()\n"
        " |shape_i{0} [id H] int64 ()\n"
        " | |v [id I] float32 (?,)\n");
  test::check_rule_numerically(g, "f", "shape_promotion");
  // Must not fire: an assert must still run (and may fail) to give a shape.
  std::string h = graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "c", "dtype": "bool", "shape": []}])",
                        R"([{"op": "assert", "inputs": ["x", "c"], "message": "c", "outputs": ["y"]},
                            {"op": "shape_i", "inputs": ["y"], "i": 0, "outputs": ["n"]}])",
                        R"(["n"])");
  CHECK(test::apply_rule(h, "f", "shape_promotion").fired == 0);
}

TEST_CASE("rewrite shape_promotion: join, alloc, flatten and reshape sizes are expressions of the inputs' sizes") {
  std::string in = R"([{"name": "x", "dtype": "float64", "shape": [null, null]}, {"name": "y", "dtype": "float64", "shape": [null, null]},
                      {"name": "t", "dtype": "float64", "shape": [null, null, null]}, {"name": "k", "dtype": "int32", "shape": []}])";
  std::string g = graph(in,
                        R"([{"op": "join", "inputs": ["x", "y"], "axis": 0, "outputs": ["xy"]},
                            {"op": "shape", "inputs": ["xy"], "outputs": ["s_join"]},
                            {"op": "alloc", "inputs": [{"value": 0.0, "dtype": "float64"}, "k", {"value": 2}], "outputs": ["z"]},
                            {"op": "shape", "inputs": ["z"], "outputs": ["s_alloc"]},
                            {"op": "flatten", "inputs": ["t"], "ndim": 2, "outputs": ["ft"]},
                            {"op": "shape_i", "inputs": ["ft"], "i": 1, "outputs": ["n_flat"]},
                            {"op": "reshape", "inputs": ["t"], "shape": [-1, 3], "outputs": ["rt"]},
                            {"op": "shape_i", "inputs": ["rt"], "i": 0, "outputs": ["n_reshape"]}])",
                        R"(["s_join", "s_alloc", "n_flat", "n_reshape"])");
  test::RewriteRun r = test::apply_rule(g, "f", "shape_promotion");
  CHECK(r.after ==
        "stack [id A] int64 (2,)\n"
        " |add [id B] int64 ()\n"
        " | |shape_i{0} [id C] int64 ()\n"
        " | | |x [id D] float64 (?, ?)\n"
        " | |shape_i{0} [id E] int64 ()\n"
        " | | |y [id F] float64 (?, ?)\n"
        " |shape_i{1} [id G] int64 ()\n"
        " | |x [id D] float64 (?, ?)\n"
        "stack [id H] int64 (2,)\n"
        " |cast{int64} [id I] int64 ()\n"
        " | |k [id J] int32 ()\n"
        " |TensorConstant{2} [id K] int64 ()\n"
        "mul [id L] int64 ()\n"
        " |shape_i{1} [id M] int64 ()\n"
        " | |t [id N] float64 (?, ?, ?)\n"
        " |shape_i{2} [id O] int64 ()\n"
        " | |t [id N] float64 (?, ?, ?)\n"
        "int_div [id P] int64 ()\n"
        " |mul [id Q] int64 ()\n"
        " | |shape_i{0} [id R] int64 ()\n"
        " | | |t [id N] float64 (?, ?, ?)\n"
        " | |shape_i{1} [id S] int64 ()\n"
        " | | |t [id N] float64 (?, ?, ?)\n"
        " | |shape_i{2} [id T] int64 ()\n"
        " | | |t [id N] float64 (?, ?, ?)\n"
        " |TensorConstant{3} [id U] int64 ()\n");
  test::check_rule_numerically(g, "f", "shape_promotion");
}

TEST_CASE("rewrite fill_cut: f(fill(a, b), c) -> f(b, c) when c gives the shape") {
  std::string in = R"([{"name": "a", "dtype": "float64", "shape": [null, null]}, {"name": "b", "dtype": "float64", "shape": []},
                      {"name": "c", "dtype": "float64", "shape": [null, null]}])";
  std::string g = graph(in,
                        R"([{"op": "fill", "inputs": ["a", "b"], "outputs": ["ab"]},
                            {"op": "mul", "inputs": ["ab", "c"], "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun r = test::apply_rule(g, "f", "fill_cut");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "mul [id A] float64 (?, ?)\n"
        " |b [id B] float64 ()\n"
        " |c [id C] float64 (?, ?)\n");
  test::check_rule_numerically(g, "f", "fill_cut");
  // Must not fire: no fill among the operands; a fill read by a reduction.
  std::string h = graph(in,
                        R"([{"op": "mul", "inputs": ["a", "c"], "outputs": ["y"]},
                            {"op": "fill", "inputs": ["a", "b"], "outputs": ["ab"]},
                            {"op": "sum", "inputs": ["ab"], "outputs": ["s"]}])",
                        R"(["y", "s"])");
  CHECK(test::apply_rule(h, "f", "fill_cut").fired == 0);
}

TEST_CASE("rewrite fill_cut: f(fill(a, b), fill(c, d), e) -> fill(a, fill(c, f(b, d, e)))") {
  std::string in = R"([{"name": "a", "dtype": "float32", "shape": [null, 1]}, {"name": "b", "dtype": "float32", "shape": []},
                      {"name": "c", "dtype": "float32", "shape": [1, null]}, {"name": "d", "dtype": "float32", "shape": []},
                      {"name": "e", "dtype": "float32", "shape": []}])";
  std::string g = graph(in,
                        R"([{"op": "fill", "inputs": ["a", "b"], "outputs": ["ab"]},
                            {"op": "fill", "inputs": ["c", "d"], "outputs": ["cd"]},
                            {"op": "add", "inputs": ["ab", "cd", "e"], "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun r = test::apply_rule(g, "f", "fill_cut");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "fill [id A] float32 (?, ?)\n"
        " |a [id B] float32 (?, 1)\n"
        " |fill [id C] float32 (1, ?)\n"
        " | |c [id D] float32 (1, ?)\n"
        " | |add [id E] float32 ()\n"
        " | | |b [id F] float32 ()\n"
        " | | |d [id G] float32 ()\n"
        " | | |e [id H] float32 ()\n");
  test::check_rule_numerically(g, "f", "fill_cut", -2, 2, 3, 1e-6, 1e-6);
  // A fill whose model adds nothing another model gives is dropped, and a
  // weak scalar value keeps the dtype fill gave it.
  std::string w = graph(R"([{"name": "a", "dtype": "float32", "shape": [null, null]}, {"name": "c", "dtype": "float32", "shape": [null, null]}])",
                        R"([{"op": "fill", "inputs": ["a", {"value": 2.0}], "outputs": ["a2"]},
                            {"op": "fill", "inputs": ["c", {"value": 3.0, "dtype": "float32"}], "outputs": ["c3"]},
                            {"op": "mul", "inputs": ["a2", "c3"], "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun rw = test::apply_rule(w, "f", "fill_cut");
  CHECK(rw.after ==
        "fill [id A] float64 (?, ?)\n"
        " |a [id B] float32 (?, ?)\n"
        " |mul [id C] float64 ()\n"
        " | |TensorConstant{2.0} [id D] float64 ()\n"
        " | |TensorConstant{3.0} [id E] float32 ()\n");
  test::check_rule_numerically(w, "f", "fill_cut");
}

TEST_CASE("rewrite reshape_chain: reshape(reshape(x, s1), s2) -> reshape(x, s2), flatten too") {
  std::string in = R"([{"name": "x", "dtype": "float64", "shape": [null, 4]}, {"name": "t", "dtype": "float64", "shape": [null, null, null]}])";
  std::string g = graph(in,
                        R"([{"op": "reshape", "inputs": ["x"], "shape": [2, -1], "outputs": ["x1"]},
                            {"op": "reshape", "inputs": ["x1"], "shape": [3, -1], "outputs": ["x2"]},
                            {"op": "flatten", "inputs": ["t"], "ndim": 2, "outputs": ["t1"]},
                            {"op": "reshape", "inputs": ["t1", {"value": [9, 3], "dtype": "int64"}], "outputs": ["t2"]},
                            {"op": "flatten", "inputs": ["t"], "ndim": 3, "outputs": ["t3"]},
                            {"op": "flatten", "inputs": ["t3"], "ndim": 2, "outputs": ["t4"]},
                            {"op": "reshape", "inputs": ["x"], "shape": [2, 3, -1], "outputs": ["x3"]},
                            {"op": "flatten", "inputs": ["x3"], "ndim": 2, "outputs": ["x4"]}])",
                        R"(["x2", "t2", "t4", "x4"])");
  test::RewriteRun r = test::apply_rule(g, "f", "reshape_chain");
  CHECK(r.fired == 4);
  CHECK(r.after ==
        "reshape{shape=[3,-1]} [id A] float64 (3, ?)\n"
        " |x [id B] float64 (?, 4)\n"
        "reshape [id C] float64 (9, 3)\n"
        " |t [id D] float64 (?, ?, ?)\n"
        " |TensorConstant{[9, 3]} [id E] int64 (2,)\n"
        "flatten{ndim=2} [id F] float64 (?, ?)\n"
        " |t [id D] float64 (?, ?, ?)\n"
        "reshape{shape=[2,-1]} [id G] float64 (2, ?)\n"
        " |x [id B] float64 (?, 4)\n");
  test::check_rule_numerically(g, "f", "reshape_chain");
  // Must not fire: something other than a reshape between the two.
  std::string h = graph(in,
                        R"([{"op": "reshape", "inputs": ["x"], "shape": [2, -1], "outputs": ["x1"]},
                            {"op": "exp", "inputs": ["x1"], "outputs": ["e"]},
                            {"op": "reshape", "inputs": ["e"], "shape": [-1], "outputs": ["x2"]}])",
                        R"(["x2"])");
  CHECK(test::apply_rule(h, "f", "reshape_chain").fired == 0);
}

TEST_CASE("rewrite inc_subtensor_serialize: a sum of increments of one tensor becomes a chain") {
  std::string in = R"([{"name": "a", "dtype": "float64", "shape": [null, null]}, {"name": "b", "dtype": "float64", "shape": [null]},
                      {"name": "c", "dtype": "float64", "shape": [null]}, {"name": "e", "dtype": "float64", "shape": [null, null]}])";
  std::string g = graph(in,
                        R"([{"op": "inc_subtensor", "inputs": ["a", "b"], "idx": [0], "outputs": ["ab"]},
                            {"op": "inc_subtensor", "inputs": ["a", "c"], "idx": [1], "outputs": ["ac"]},
                            {"op": "add", "inputs": ["ab", "ac"], "outputs": ["y"]}])",
                        R"(["y"])");
  test::RewriteRun r = test::apply_rule(g, "f", "inc_subtensor_serialize");
  CHECK(r.fired == 1);
  CHECK(r.after ==
        "inc_subtensor{idx=[1]} [id A] float64 (?, ?)\n"
        " |inc_subtensor{idx=[0]} [id B] float64 (?, ?)\n"
        " | |add [id C] float64 (?, ?)\n"
        " | | |a [id D] float64 (?, ?)\n"
        " | | |a [id D] float64 (?, ?)\n"
        " | |b [id E] float64 (?,)\n"
        " |c [id F] float64 (?,)\n");
  test::check_rule_numerically(g, "f", "inc_subtensor_serialize");
  // Other terms join the bases at the bottom of the chain.
  std::string g2 = graph(in,
                         R"([{"op": "inc_subtensor", "inputs": ["a", "b"], "idx": [{"start": 1}], "outputs": ["ab"]},
                             {"op": "advanced_inc_subtensor1", "inputs": ["a", "c", {"value": [0, 2, 0], "dtype": "int64"}], "outputs": ["ac"]},
                             {"op": "add", "inputs": ["ab", "e", "ac"], "outputs": ["y"]}])",
                         R"(["y"])");
  test::RewriteRun r2 = test::apply_rule(g2, "f", "inc_subtensor_serialize");
  CHECK(r2.after ==
        "advanced_inc_subtensor1 [id A] float64 (?, ?)\n"
        " |inc_subtensor{idx=[1:]} [id B] float64 (?, ?)\n"
        " | |add [id C] float64 (?, ?)\n"
        " | | |e [id D] float64 (?, ?)\n"
        " | | |a [id E] float64 (?, ?)\n"
        " | | |a [id E] float64 (?, ?)\n"
        " | |b [id F] float64 (?,)\n"
        " |c [id G] float64 (?,)\n"
        " |TensorConstant{[0, 2, 0]} [id H] int64 (3,)\n");
  test::check_rule_numerically(g2, "f", "inc_subtensor_serialize");
  // Must not fire: an increment that is also an output, and a set.
  std::string h = graph(in,
                        R"([{"op": "inc_subtensor", "inputs": ["a", "b"], "idx": [0], "outputs": ["ab"]},
                            {"op": "set_subtensor", "inputs": ["a", "c"], "idx": [1], "outputs": ["ac"]},
                            {"op": "add", "inputs": ["ab", "ac"], "outputs": ["y"]}])",
                        R"(["y", "ab"])");
  CHECK(test::apply_rule(h, "f", "inc_subtensor_serialize").fired == 0);
}

TEST_CASE("rewrite shape rules: canonicalize reaches a fixed point and keeps values in every mode") {
  // The gradient of a[0] * a[1] is a sum of two increments of zeros_like(a);
  // shapes of values computed only for their shape; fills and reshape chains.
  std::string g = graph(R"([{"name": "a", "dtype": "float64", "shape": [null, null]}, {"name": "b", "dtype": "float64", "shape": []}])",
                        R"([{"op": "subtensor", "inputs": ["a"], "idx": [0], "outputs": ["a0"]},
                            {"op": "subtensor", "inputs": ["a"], "idx": [1], "outputs": ["a1"]},
                            {"op": "mul", "inputs": ["a0", "a1"], "outputs": ["p"]},
                            {"op": "sum", "inputs": ["p"], "outputs": ["c"]},
                            {"op": "grad", "inputs": ["c"], "wrt": ["a"], "outputs": ["ga"]},
                            {"op": "exp", "inputs": ["a"], "outputs": ["ea"]},
                            {"op": "shape", "inputs": ["ea"], "outputs": ["s"]},
                            {"op": "fill", "inputs": ["a", "b"], "outputs": ["ab"]},
                            {"op": "mul", "inputs": ["ab", "ga"], "outputs": ["m"]},
                            {"op": "reshape", "inputs": ["m"], "shape": [-1], "outputs": ["m1"]},
                            {"op": "reshape", "inputs": ["m1"], "shape": [3, -1], "outputs": ["m2"]}])",
                        R"(["m2", "s"])");
  Module m = test::load(g);
  const Function* f = m.find_function("f");
  FunctionGraph fg = extract_function(m, *f, Mode::FastRun);
  expand_grads(fg);
  std::vector<const RewriteInfo*> rules = group_rewrites(RewriteSelection{}, "canonicalize");
  RewriteTrace first, second;
  CHECK(apply_local_rules(fg, rules, first));
  CHECK_FALSE(apply_local_rules(fg, rules, second));
  std::string after = debugprint(fg.roots());
  CHECK(after.find("exp") == std::string::npos);
  CHECK(after.find("fill") == std::string::npos);
  for (const char* rule : {"shape_promotion", "fill_cut", "reshape_chain", "inc_subtensor_serialize"}) {
    INFO(rule);
    bool fired = false;
    for (const RewriteEvent& e : first.events) fired = fired || e.rule == rule;
    CHECK(fired);
  }
  // The whole pipeline against the unoptimized function, on a 3 x 3 input.
  for (Mode mode : {Mode::FastRun, Mode::FastCompile, Mode::Debug}) {
    INFO(mode_name(mode));
    FunctionGraph ref = extract_function(m, *f, mode);
    expand_grads(ref);
    PipelineOptions opt;
    opt.mode = mode;
    FunctionGraph opt_fg = compile_function(m, *f, opt);
    Tensor a(DType::Float64, {3, 3}), b(DType::Float64, {});
    for (int64_t k = 0; k < a.size(); ++k) a.set_f64(k, 0.25 * double(k) - 1.0);
    b.set_f64(0, 1.5);
    interp::Bindings b0{{ref.inputs[0], a}, {ref.inputs[1], b}}, b1{{opt_fg.inputs[0], a}, {opt_fg.inputs[1], b}};
    std::vector<Value> want = interp::evaluate(ref.roots(), b0), got = interp::evaluate(opt_fg.roots(), b1);
    REQUIRE(want.size() == got.size());
    for (size_t k = 0; k < want.size(); ++k) {
      const Tensor &x = std::get<Tensor>(want[k]), &y = std::get<Tensor>(got[k]);
      REQUIRE(x.dtype() == y.dtype());
      REQUIRE(x.shape() == y.shape());
      for (int64_t e = 0; e < x.size(); ++e) CHECK(std::fabs(x.get_f64(e) - y.get_f64(e)) <= 1e-12);
    }
  }
}
