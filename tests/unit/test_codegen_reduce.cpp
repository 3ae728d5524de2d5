// Differential tests of the generated code: reductions over every axis form,
// on strided views, integer and bool inputs, with a dtype, and empty axes.
#include <doctest/doctest.h>

#include <limits>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

const char* const kReductions[] = {"sum", "prod", "max", "min", "mean", "argmax", "argmin", "all", "any"};

json sl(json start, json stop, json step) { return GraphBuilder::slice(start, stop, step); }
const json N = nullptr;

bool is_arg(const std::string& op) { return op == "argmax" || op == "argmin"; }

std::string reductions_graph() {
  GraphBuilder g;
  g.input("x", "float64", {3, 4, 5}).input("f", "float32", {4, 6}).input("i", "int8", {3, 4}).input("u", "uint16", {3, 4});
  g.input("b", "bool", {3, 4}).input("l", "int64", {3, 4}).input("s", "float64", json::array());
  g.input("e", "float64", {nullptr, 3}).input("e2", "float32", {nullptr, nullptr});
  std::string xt = g.node("transpose", {"x"});                                                           // (5, 4, 3)
  std::string xv = g.node("subtensor", {"x"}, {{"idx", {sl(N, N, -1), sl(N, N, N), sl(N, N, 2)}}});  // (3, 4, 3)
  std::string xd = g.node("dimshuffle", {"f"}, {{"pattern", {1, "x", 0}}});                            // (6, 1, 4)
  for (const char* op : kReductions) {
    // keepdims only changes the output's dims: two forms suffice.
    std::vector<json> axes = {nullptr, 0, -1};
    if (!is_arg(op)) {
      axes.push_back(json{0, 2});
      axes.push_back(json{-1, 0, 1});
    }
    for (const json& ax : axes) g.output(g.node(op, {"x"}, {{"axis", ax}}));
    g.output(g.node(op, {"x"}, {{"axis", nullptr}, {"keepdims", true}}));
    g.output(g.node(op, {"x"}, {{"axis", 1}, {"keepdims", true}}));
    g.output(g.node(op, {xt}, {{"axis", 0}}));
    g.output(g.node(op, {xv}, {{"axis", is_arg(op) ? json(2) : json{1, 2}}}));
    g.output(g.node(op, {xd}, {{"axis", -1}, {"keepdims", true}}));
    for (const char* in : {"f", "i", "u", "b", "l"}) {
      g.output(g.node(op, {in}, {{"axis", nullptr}}));
      g.output(g.node(op, {in}, {{"axis", 0}, {"keepdims", true}}));
    }
    g.output(g.node(op, {"s"}, {{"axis", nullptr}}));
    g.output(g.node(op, {g.node("transpose", {"i"})}, {{"axis", 1}}));
    // Reductions that are defined on an empty axis (sum 0, prod 1, mean NaN, all true, any false).
    if (std::string(op) != "max" && std::string(op) != "min" && !is_arg(op)) {
      g.output(g.node(op, {"e"}, {{"axis", 0}}));
      g.output(g.node(op, {"e"}, {{"axis", nullptr}}));
    }
  }
  // An explicit accumulator dtype: narrower (wraps), wider, float from int.
  g.output(g.node("sum", {"i"}, {{"axis", nullptr}, {"dtype", "int8"}}));
  g.output(g.node("sum", {"x"}, {{"axis", 1}, {"dtype", "float32"}}));
  g.output(g.node("sum", {"f"}, {{"axis", 0}, {"dtype", "float64"}}));
  g.output(g.node("prod", {"u"}, {{"axis", 1}, {"dtype", "uint8"}}));
  g.output(g.node("sum", {"b"}, {{"axis", 0}, {"dtype", "int16"}}));
  g.output(g.node("sum", {"l"}, {{"axis", nullptr}, {"dtype", "float64"}}));
  g.output(g.node("prod", {"i"}, {{"axis", 0}, {"dtype", "float32"}}));
  g.output(g.node("mean", {"i"}, {{"axis", 1}, {"dtype", "float64"}}));
  g.output(g.node("mean", {"i"}, {{"axis", 1}, {"dtype", "int8"}}));
  g.output(g.node("mean", {"l"}, {{"axis", 0}, {"dtype", "int64"}}));
  g.output(g.node("mean", {"e"}, {{"axis", 0}, {"dtype", "int32"}}));
  // max/argmin of an axis that may be empty: a run-time error only when it is.
  g.output(g.node("max", {"e2"}, {{"axis", 0}}));
  g.output(g.node("argmin", {"e2"}, {{"axis", 1}}));
  g.output(g.node("min", {"e2"}, {{"axis", nullptr}}));
  return g.text();
}
const test::Prebuild k_reductions{reductions_graph};

}  // namespace

TEST_CASE("codegen reductions: axis null/int/negative/list, keepdims, views, ints, bools, dtype, empty axes") {
  test::Differential d(reductions_graph(), "f");
  test::Rand rnd(31);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto inputs = [&](bool specials, Shape e, Shape e2) {
    Tensor x = rnd.floats(DType::Float64, {3, 4, 5});
    Tensor f = rnd.floats(DType::Float32, {4, 6});
    if (specials) {
      x.set_f64(7, nan);
      x.set_f64(30, std::numeric_limits<double>::infinity());
      x.set_f64(44, -std::numeric_limits<double>::infinity());
      f.set_f64(5, nan);
    }
    return std::vector<Value>{x,
                              f,
                              rnd.ints(DType::Int8, {3, 4}),
                              rnd.ints(DType::UInt16, {3, 4}),
                              rnd.bools({3, 4}),
                              rnd.ints(DType::Int64, {3, 4}),
                              rnd.floats(DType::Float64, {}),
                              rnd.floats(DType::Float64, e),
                              rnd.floats(DType::Float32, e2)};
  };
  d.run(inputs(false, {2, 3}, {2, 3}));
  d.run(inputs(true, {0, 3}, {3, 1}));
  d.run(inputs(false, {5, 3}, {0, 2}), test::Tolerance{});  // (0, 2): argmin over axis 1 is fine
  // Empty reduced axes of max, argmin, min: run-time errors in both engines.
  CHECK(d.run_error(inputs(false, {2, 3}, {0, 0})) != "");  // argmin over axis 1 of (0, 0): numpy refuses
  CHECK(d.run_error(inputs(false, {2, 3}, {2, 0})) != "");
}

namespace {

// Reductions of elementwise expressions, which FAST_RUN's reduce_fusion turns
// into one loop evaluating the expression as it accumulates: reduced axes
// as a suffix, a prefix and in the middle (the dense paths and the general
// nest), a strided view operand, 0-d operands, mixed dtypes (int8 * float32),
// means in float32 (double accumulator), and an axis that may be empty.
std::string fused_reductions_graph() {
  GraphBuilder g;
  using W = GraphBuilder;
  g.input("x", "float64", {3, 4, 5}).input("y", "float64", {3, 4, 5}).input("s", "float64", json::array());
  g.input("f", "float32", {nullptr, 6}).input("i", "int8", {nullptr, 6});
  std::string d = g.node("sub", {"x", "y"});
  std::string e = g.node("mul", {g.node("sqr", {d}), "s"});
  for (const char* op : {"sum", "mean", "prod", "max", "min"}) {
    g.output(g.node(op, {g.node("sub", {"x", "y"})}, {{"axis", nullptr}}));
    g.output(g.node(op, {g.node("mul", {g.node("tanh", {"x"}), "s"})}, {{"axis", json{1, 2}}}));  // suffix
    g.output(g.node(op, {g.node("add", {"x", W::weak(1.5)})}, {{"axis", 0}}));                 // prefix
    g.output(g.node(op, {g.node("maximum", {"x", "y"})}, {{"axis", 1}, {"keepdims", true}}));   // middle
    std::string xt = g.node("transpose", {"x"});                                                // strided
    g.output(g.node(op, {g.node("mul", {xt, g.node("transpose", {"y"})})}, {{"axis", -1}}));
    g.output(g.node(op, {g.node("mul", {"f", "i"})}, {{"axis", 0}}));                           // may be empty
  }
  g.output(g.node("sum", {e}, {{"axis", nullptr}}));
  g.output(g.node("mean", {g.node("sqr", {"f"})}, {{"axis", 1}}));
  g.output(g.node("sum", {g.node("gt", {"x", "y"})}, {{"axis", 2}}));  // bool elements, int64 sum
  return g.text();
}
const test::Prebuild k_fused_reductions{fused_reductions_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen reductions fused with their elementwise input (reduce_fusion)") {
  test::Differential d(fused_reductions_graph(), "f", Mode::FastRun);
  test::Rand rnd(37);
  for (int64_t rows : {5, 1}) {
    d.run({rnd.floats(DType::Float64, {3, 4, 5}, -1, 1), rnd.floats(DType::Float64, {3, 4, 5}, -1, 1),
           rnd.floats(DType::Float64, {}), rnd.floats(DType::Float32, {rows, 6}), rnd.ints(DType::Int8, {rows, 6}, false)});
  }
  // Zero rows: sum 0, prod 1, mean NaN; max and min of an empty axis fail.
  CHECK(d.run_error({rnd.floats(DType::Float64, {3, 4, 5}), rnd.floats(DType::Float64, {3, 4, 5}), rnd.floats(DType::Float64, {}),
                     rnd.floats(DType::Float32, {0, 6}), rnd.ints(DType::Int8, {0, 6}, false)}) != "");
  // Operands whose sizes differ at run time: an error, not a wrong read.
  CHECK(d.run_error({rnd.floats(DType::Float64, {3, 4, 5}), rnd.floats(DType::Float64, {3, 4, 5}), rnd.floats(DType::Float64, {}),
                     rnd.floats(DType::Float32, {2, 6}), rnd.ints(DType::Int8, {3, 6}, false)}) != "");
}
