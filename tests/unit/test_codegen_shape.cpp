// Differential tests of the generated code: shape ops (views and copies,
// constructors, arange, join/stack) and their run-time errors.
#include <doctest/doctest.h>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

json dyn(int nd) { return json::array_t(size_t(nd), nullptr); }

std::string shape_ops_graph() {
  GraphBuilder g;
  using W = GraphBuilder;
  g.input("x", "float64", {3, 4}).input("t", "int32", {2, 3, 4}).input("c", "float64", {3, 1});
  g.input("sh", "int64", {2}).input("n0", "int64", json::array()).input("n1", "int32", json::array());
  g.input("v", "float32", {4}).input("d", "float64", dyn(2));
  g.input("a0", "int64", json::array()).input("a1", "int64", json::array()).input("a2", "int64", json::array());
  g.input("f0", "float64", json::array()).input("f1", "float64", json::array()).input("f2", "float32", json::array());
  g.input("u8", "uint8", {2, 4}).input("fv", "float32", json::array());
  std::string xt = g.node("transpose", {"x"});
  std::string tt = g.node("transpose", {"t"}, {{"axes", {2, 0, 1}}});
  // dimshuffle: permutations, new axes, a dropped broadcastable axis; views as outputs.
  for (json pat : {json{1, 0}, json{"x", 0, 1}, json{0, "x", 1}, json{1, "x", 0, "x"}}) g.output(g.node("dimshuffle", {"x"}, {{"pattern", pat}}));
  g.output(g.node("dimshuffle", {"t"}, {{"pattern", {2, "x", 0, 1}}}));
  g.output(g.node("dimshuffle", {"c"}, {{"pattern", {0}}}));
  g.output(g.node("dimshuffle", {"c"}, {{"pattern", {"x", 0}}}));
  g.output(g.node("dimshuffle", {xt}, {{"pattern", {1, "x", 0}}}));
  // reshape: attribute shapes with -1, a shape vector, contiguous (view) and strided (copy) inputs.
  for (json s : {json{4, 3}, json{-1}, json{2, -1, 2}, json{1, 12}, json{-1, 1}}) g.output(g.node("reshape", {"x"}, {{"shape", s}}));
  g.output(g.node("reshape", {"x", "sh"}));
  g.output(g.node("reshape", {xt, "sh"}));
  g.output(g.node("reshape", {xt}, {{"shape", {2, 6}}}));
  g.output(g.node("reshape", {tt}, {{"shape", {-1}}}));
  g.output(g.node("reshape", {"t"}, {{"shape", {4, -1}}}));
  g.output(g.node("reshape", {"d", "sh"}));
  g.output(g.node("reshape", {"fv"}, {{"shape", {1, 1}}}));
  // flatten and transpose.
  for (int nd : {1, 2, 3}) g.output(g.node("flatten", {"t"}, {{"ndim", nd}}));
  g.output(g.node("flatten", {tt}, {{"ndim", 2}}));
  g.output(g.node("flatten", {xt}));
  g.output(g.node("transpose", {"t"}));
  g.output(g.node("transpose", {"t"}, {{"axes", {1, 0, 2}}}));
  g.output(g.node("transpose", {"t"}, {{"axes", {-1, 0, 1}}}));
  g.output(g.node("transpose", {g.node("transpose", {"t"}, {{"axes", {0, 2, 1}}})}));
  g.output(g.node("transpose", {"v"}));
  // shape and shape_i (of views too).
  g.output(g.node("shape", {"x"}));
  g.output(g.node("shape", {tt}));
  g.output(g.node("shape", {"fv"}));
  g.output(g.node("shape_i", {"t"}, {{"i", 2}}));
  g.output(g.node("shape_i", {xt}, {{"i", 0}}));
  g.output(g.node("shape_i", {"d"}, {{"i", 1}}));
  // alloc: a scalar, a row, a matrix into 3-d; weak and typed values.
  g.output(g.node("alloc", {"fv", "n0", "n1"}));
  g.output(g.node("alloc", {"v", "n0", W::lit(4, "int64")}));
  g.output(g.node("alloc", {"x", W::lit(2, "int64"), W::lit(3, "int64"), W::lit(4, "int64")}));
  g.output(g.node("alloc", {W::weak(1.5), "n0", "n1"}));
  g.output(g.node("alloc", {W::lit(7, "int8"), "n1"}));
  g.output(g.node("alloc", {xt, W::lit(2, "int32"), W::lit(4, "int32"), W::lit(3, "int32")}));
  g.output(g.node("alloc", {"c", "n0", W::lit(3, "int64"), W::lit(5, "int64")}));
  // fill(model, value): the model's shape, the value's dtype.
  g.output(g.node("fill", {"x", W::weak(2.5)}));
  g.output(g.node("fill", {"t", W::lit(-7, "int8")}));
  g.output(g.node("fill", {"x", "fv"}));
  g.output(g.node("fill", {xt, W::lit(3, "uint16")}));
  g.output(g.node("fill", {"c", "v"}));
  // zeros_like / ones_like with and without dtype.
  g.output(g.node("zeros_like", {"x"}));
  g.output(g.node("ones_like", {"t"}));
  g.output(g.node("zeros_like", {"x"}, {{"dtype", "int8"}}));
  g.output(g.node("ones_like", {"t"}, {{"dtype", "bool"}}));
  g.output(g.node("ones_like", {tt}, {{"dtype", "float32"}}));
  g.output(g.node("zeros_like", {"fv"}));
  // arange: integer and float arguments, negative steps, dtypes.
  g.output(g.node("arange", {W::lit(0, "int64"), W::lit(10, "int64"), W::lit(1, "int64")}));
  g.output(g.node("arange", {"a0", "a1", "a2"}));
  g.output(g.node("arange", {"a0", "a1", "a2"}, {{"dtype", "int8"}}));
  g.output(g.node("arange", {W::lit(10, "int64"), W::lit(0, "int64"), W::lit(-3, "int64")}));
  g.output(g.node("arange", {"f0", "f1", "f2"}, {{"dtype", "float64"}}));
  g.output(g.node("arange", {"f0", "f1", "f2"}, {{"dtype", "float32"}}));
  g.output(g.node("arange", {"f0", "f1", "f2"}, {{"dtype", "int32"}}));
  g.output(g.node("arange", {W::lit(2.5, "float64"), W::lit(-1.0, "float64"), W::lit(-0.5, "float64")}, {{"dtype", "float64"}}));
  g.output(g.node("arange", {"a0", "f1", "a2"}, {{"dtype", "float64"}}));
  // join and stack on several axes, mixed dtypes, views as inputs.
  g.output(g.node("join", {"x", "x"}, {{"axis", 0}}));
  g.output(g.node("join", {"x", "d", "x"}, {{"axis", 1}}));
  g.output(g.node("join", {"v", g.node("cast", {"sh"}, {{"dtype", "int32"}})}, {{"axis", 0}}));
  g.output(g.node("join", {xt, g.node("dimshuffle", {"v"}, {{"pattern", {0, "x"}}})}, {{"axis", -1}}));
  g.output(g.node("join", {"u8", "x"}, {{"axis", 0}}));
  g.output(g.node("join", {"t", g.node("transpose", {"t"}, {{"axes", {0, 1, 2}}})}, {{"axis", 2}}));
  g.output(g.node("join", {"x"}, {{"axis", 1}}));
  for (int ax : {0, 1, 2, -1}) g.output(g.node("stack", {"x", "d"}, {{"axis", ax}}));
  g.output(g.node("stack", {"v", g.node("subtensor", {"u8"}, {{"idx", {0}}}), "v"}, {{"axis", 1}}));
  g.output(g.node("stack", {"fv", "f0"}, {{"axis", 0}}));
  g.output(g.node("stack", {xt, xt}, {{"axis", 1}}));
  return g.text();
}
const test::Prebuild k_shape_ops{shape_ops_graph}, k_shape_ops_run{shape_ops_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen shape ops: dimshuffle, reshape, flatten, transpose, shape, alloc, fill, *_like, arange, join, stack") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(shape_ops_graph(), "f", mode);
    test::Rand rnd(11);
    auto i64 = [](double v) { return test::scalar(DType::Int64, v); };
    auto inputs = [&](std::vector<double> sh, double n0, double n1, double a0, double a1, double a2, double f0, double f1,
                      double f2) {
      return std::vector<Value>{rnd.floats(DType::Float64, {3, 4}),
                                rnd.ints(DType::Int32, {2, 3, 4}),
                                rnd.floats(DType::Float64, {3, 1}),
                                test::make(DType::Int64, {2}, sh),
                                i64(n0),
                                test::scalar(DType::Int32, n1),
                                rnd.floats(DType::Float32, {4}),
                                rnd.floats(DType::Float64, {3, 4}),
                                i64(a0),
                                i64(a1),
                                i64(a2),
                                test::scalar(DType::Float64, f0),
                                test::scalar(DType::Float64, f1),
                                test::scalar(DType::Float32, f2),
                                rnd.ints(DType::UInt8, {2, 4}),
                                rnd.floats(DType::Float32, {})};
    };
    d.run(inputs({6, 2}, 2, 3, 0, 10, 3, 0.5, 3.0, 0.3));
    d.run(inputs({-1, 3}, 0, 5, 7, -5, -2, 3.0, -1.0, -0.25));
    d.run(inputs({2, -1}, 3, 0, 5, 5, 1, -2.5, 2.5, 0.5));
    d.run(inputs({12, 1}, 1, 1, -3, 4, 10, 0.1, 0.2, 1e-3));
    {
      // Integer arange is exact beyond 2**53 (numpy computes it in int64).
      std::vector<Value> in = inputs({6, 2}, 2, 3, 0, 10, 3, 0.5, 3.0, 0.3);
      std::get<Tensor>(in[8]).data<int64_t>()[0] = (int64_t(1) << 60) + 1;
      std::get<Tensor>(in[9]).data<int64_t>()[0] = (int64_t(1) << 60) + 11;
      CHECK_FALSE(d.run(in).failed);
    }
    // Run-time errors, one at a time, at the same node in both engines.
    CHECK(d.run_error(inputs({5, 2}, 2, 3, 0, 10, 3, 0.5, 3.0, 0.3)) != "");   // reshape: 12 elements into 10
    CHECK(d.run_error(inputs({-1, -1}, 2, 3, 0, 10, 3, 0.5, 3.0, 0.3)) != "");  // reshape: two -1
    CHECK(d.run_error(inputs({-1, 0}, 2, 3, 0, 10, 3, 0.5, 3.0, 0.3)) != "");   // reshape: -1 beside a 0
    CHECK(d.run_error(inputs({6, 2}, -1, 3, 0, 10, 3, 0.5, 3.0, 0.3)) != "");   // alloc: negative dimension
    CHECK(d.run_error(inputs({6, 2}, 2, 3, 0, 10, 0, 0.5, 3.0, 0.3)) != "");    // arange: zero step
    CHECK(d.run_error(inputs({6, 2}, 2, 3, 0, 10, 3, 0.5, 3.0, 0.0)) != "");    // arange: zero float step
  }
}

namespace {

std::string shape_checks_graph() {
  GraphBuilder g;
  g.input("a", "float64", dyn(2)).input("b", "int16", dyn(2)).input("b2", "int16", dyn(2)).input("e", "float32", dyn(2));
  g.input("m", "float64", json::array({nullptr, 4}));
  g.output(g.node("join", {"a", "b"}, {{"axis", 1}}));
  g.output(g.node("stack", {"a", "b2"}, {{"axis", 2}}));
  g.output(g.node("reshape", {"e"}, {{"shape", {3, -1}}}));
  g.output(g.node("alloc", {"m", GraphBuilder::lit(2, "int64"), GraphBuilder::lit(3, "int64"), GraphBuilder::lit(4, "int64")}));
  return g.text();
}
const test::Prebuild k_shape_checks{shape_checks_graph};

}  // namespace

TEST_CASE("codegen shape ops: run-time size checks of join, stack, alloc and reshape of an empty array") {
  test::Differential d(shape_checks_graph(), "f");
  test::Rand rnd(12);
  auto inputs = [&](Shape b, Shape b2, Shape e, Shape m) {
    return std::vector<Value>{rnd.floats(DType::Float64, {3, 2}), rnd.ints(DType::Int16, b), rnd.ints(DType::Int16, b2),
                              rnd.floats(DType::Float32, e), rnd.floats(DType::Float64, m)};
  };
  d.run(inputs({3, 5}, {3, 2}, {0, 3}, {3, 4}));               // reshape of an empty array to (3, -1): (3, 0)
  CHECK(d.run_error(inputs({2, 2}, {3, 2}, {0, 3}, {3, 4})) == "nodes[0]");  // join: 2 rows beside 3
  CHECK(d.run_error(inputs({3, 2}, {3, 3}, {0, 3}, {3, 4})) == "nodes[1]");  // stack: shapes differ
  CHECK(d.run_error(inputs({3, 2}, {3, 2}, {2, 2}, {3, 4})) == "nodes[2]");  // reshape: 4 elements to (3, -1)
  CHECK(d.run_error(inputs({3, 2}, {3, 2}, {0, 3}, {2, 4})) == "nodes[3]");  // alloc: 2 rows do not fit 3
}
