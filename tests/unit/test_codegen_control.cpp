// Differential tests of the generated code: assert, and lazy ifelse (only the
// selected branch runs: a failing assert or an out-of-range index in the
// other branch is never reached), nested.
#include <doctest/doctest.h>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

std::string control_graph() {
  GraphBuilder g;
  using W = GraphBuilder;
  g.input("c", "int32", json::array()).input("c2", "float64", json::array()).input("ok", "bool", json::array());
  g.input("x", "float64", {4}).input("y", "float64", {4}).input("i", "int64", json::array()).input("m", "float32", {2, 3});
  g.input("guard", "bool", json::array());
  // assert: passes through x; fails with its message when a condition is false or zero.
  std::string ax = g.node("assert", {"x", "ok", g.node("ge", {"c2", W::weak(-100.0)})}, {{"message", "x must be ok"}});
  g.output(g.node("mul", {ax, W::weak(2.0)}));
  // then: x[i] (may be out of range) and an assert on i; else: plain values.
  std::string xi = g.node("subtensor", {"x"}, {{"idx", {GraphBuilder::var("i")}}});
  std::string checked = g.node("assert", {g.node("exp", {"x"}), g.node("lt", {"i", W::lit(3, "int64")})}, {{"message", "i < 3"}});
  std::string shared_node = g.node("sqr", {"y"});  // read by both branches: runs outside them
  json ife = {{"op", "ifelse"}, {"inputs", {"c"}}, {"then", {checked, xi, shared_node}},
              {"else", {"y", g.node("subtensor", {"y"}, {{"idx", {0}}}), g.node("neg", {shared_node})}},
              {"outputs", {"a0", "a1", "a2"}}};
  g.raw_node(ife);
  g.output("a0").output("a1").output("a2");
  g.output(g.node("add", {"a0", g.node("transpose", {"x"})}));  // an ifelse output (a view) feeding a loop
  // Nested: the inner ifelse lives in the outer then-branch; its else reads m[i] (may be out of range).
  std::string mi = g.node("subtensor", {"m"}, {{"idx", {0, GraphBuilder::var("i")}}});
  json inner = {{"op", "ifelse"}, {"inputs", {"ok"}}, {"then", {g.node("cast", {g.node("sum", {"m"}, {{"axis", nullptr}})}, {{"dtype", "float32"}})}},
                {"else", {mi}}, {"outputs", {"b0"}}};
  g.raw_node(inner);
  json outer = {{"op", "ifelse"}, {"inputs", {"c2"}}, {"then", {"b0", g.node("transpose", {"m"})}},
                {"else", {g.node("neg", {g.node("subtensor", {"m"}, {{"idx", {1, 2}}})}), g.node("transpose", {g.node("sqr", {"m"})})}},
                {"outputs", {"o0", "o1"}}};
  g.raw_node(outer);
  g.output("o0").output("o1");
  // ifelse of a whole-tensor assert: the else branch is an assert that always fails.
  json guarded = {{"op", "ifelse"}, {"inputs", {"guard"}}, {"then", {"y"}},
                  {"else", {g.node("assert", {"y", W::lit(false, "bool")}, {{"message", "reached only without the guard"}})}},
                  {"outputs", {"g0"}}};
  g.raw_node(guarded);
  g.output("g0");
  return g.text();
}
const test::Prebuild k_control{control_graph}, k_control_run{control_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen control: assert and lazy, nested ifelse") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(control_graph(), "f", mode);
    test::Rand rnd(61);
    auto inputs = [&](int c, double c2, bool ok, int64_t i, bool guard = true) {
      return std::vector<Value>{test::scalar(DType::Int32, c),          test::scalar(DType::Float64, c2),
                                test::scalar(DType::Bool, ok),          rnd.floats(DType::Float64, {4}),
                                rnd.floats(DType::Float64, {4}),        test::scalar(DType::Int64, double(i)),
                                rnd.floats(DType::Float32, {2, 3}),     test::scalar(DType::Bool, guard)};
    };
    // Every combination of branches, with indices valid in the branch taken.
    // (Where two nodes of a branch would fail, which one reports is not
    // specified: each error run below makes exactly one node fail.)
    for (int c : {0, 1, -3})
      for (double c2 : {0.0, 2.5})
        for (bool ok : {false, true}) {
          if (!ok) continue;  // the top-level assert needs ok
          d.run(inputs(c, c2, ok, 2));
        }
    // Out-of-range i is harmless where only untaken branches read it:
    d.run(inputs(0, 0.0, true, 7));   // c == 0: x[i] and the i < 3 assert are not run; c2 == 0: m[0, i] neither
    d.run(inputs(0, 1.0, true, -9));  // ok: the inner then-branch runs, m[0, i] is not read
    // ...and an error where a taken branch reads it.
    CHECK(d.run_error(inputs(1, 0.0, true, 3)) != "");   // the i < 3 assert
    CHECK(d.run_error(inputs(5, 0.0, true, -5)) != "");  // x[-5]
    CHECK(d.run_error(inputs(0, 3.0, false, 1)) != "");  // ok false: the top-level assert
    CHECK(d.run_error(inputs(0, -1000.0, true, 1)) != "");  // the second condition of the top-level assert
    CHECK(d.run_error(inputs(0, 3.0, true, 1, false)) != "");  // the assert in g0's else branch
  }
}
