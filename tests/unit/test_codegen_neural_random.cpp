// Differential tests of the generated code: softmax, log_softmax,
// categorical_crossentropy, and the random ops (both engines draw from the
// same Philox stream, tgc/philox.h, so samples and states must be identical).
#include <doctest/doctest.h>

#include <limits>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

std::string neural_graph() {
  GraphBuilder g;
  g.input("x", "float64", {5, 6}).input("x32", "float32", {5, 6}).input("x3", "float64", {2, 3, 4}).input("xi", "int32", {3, 5});
  g.input("p", "float64", {4, 6}).input("t", "int64", {4}).input("tm", "float64", {4, 6}).input("p32", "float32", {4, 6});
  g.input("t32", "int32", {4}).input("tu", "uint8", {4}).input("tm32", "float32", {4, 6}).input("v", "float64", {nullptr});
  for (const char* op : {"softmax", "log_softmax"}) {
    g.output(g.node(op, {"x"}));
    g.output(g.node(op, {"x32"}));
    g.output(g.node(op, {"x3"}));
    g.output(g.node(op, {"xi"}));
    g.output(g.node(op, {"v"}));
    g.output(g.node(op, {g.node("transpose", {"x"})}));
    g.output(g.node(op, {g.node("transpose", {"x3"}, {{"axes", {0, 2, 1}}})}));
  }
  g.output(g.node("categorical_crossentropy", {"p", "t"}));
  g.output(g.node("categorical_crossentropy", {"p", "tm"}));
  g.output(g.node("categorical_crossentropy", {"p32", "t32"}));
  g.output(g.node("categorical_crossentropy", {"p32", "tu"}));
  g.output(g.node("categorical_crossentropy", {"p32", "tm32"}));
  g.output(g.node("categorical_crossentropy", {"p32", "tm"}));  // float32 x float64 -> float64
  g.output(g.node("categorical_crossentropy", {g.node("softmax", {g.node("subtensor", {"x"}, {{"idx", {GraphBuilder::slice(3, nullptr, -1)}}})}), "t"}));
  g.output(g.node("categorical_crossentropy", {g.node("transpose", {g.node("transpose", {"p"})}), g.node("transpose", {g.node("transpose", {"tm"})})}));
  return g.text();
}
const test::Prebuild k_neural{neural_graph};

}  // namespace

TEST_CASE("codegen neural: softmax, log_softmax (large values, infinities, NaN), categorical_crossentropy") {
  test::Differential d(neural_graph(), "f");
  test::Rand rnd(51);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  auto probs = [&](DType dt) {
    Tensor t = rnd.floats(dt, {4, 6}, 0.01, 1.0);
    for (int64_t i = 0; i < t.size(); ++i)
      if (t.get_f64(i) <= 0) t.set_f64(i, 0.5);
    t.set_f64(3, 0.0);  // log(0): an infinite loss where a target selects it
    return t;
  };
  auto inputs = [&](std::vector<double> t, int64_t nv) {
    Tensor x = rnd.floats(DType::Float64, {5, 6}, -30, 30);
    Tensor x32 = rnd.floats(DType::Float32, {5, 6}, -30, 30);
    // Row 1: large values (exp overflows without the max shift); row 2: -inf
    // entries; row 3: all -inf; row 4: +inf and NaN.
    const double row1[] = {1000, 1001, 999.5, -1000, 1000, 1002};
    const double row2[] = {-inf, 0.5, -inf, 2.0, -1.0, 3.0};
    for (int j = 0; j < 6; ++j) {
      x.set_f64(6 + j, row1[j]);
      x.set_f64(12 + j, row2[j]);
      x.set_f64(18 + j, -inf);
      x32.set_f64(6 + j, row1[j] / 10);
      x32.set_f64(12 + j, row2[j]);
    }
    x.set_f64(24, inf);
    x.set_f64(27, nan);
    x32.set_f64(25, inf);
    return std::vector<Value>{x,
                              x32,
                              rnd.floats(DType::Float64, {2, 3, 4}, -50, 50),
                              rnd.ints(DType::Int32, {3, 5}, false),
                              probs(DType::Float64),
                              test::make(DType::Int64, {4}, t),
                              rnd.floats(DType::Float64, {4, 6}, 0, 1),
                              probs(DType::Float32),
                              test::make(DType::Int32, {4}, t),
                              test::make(DType::UInt8, {4}, t),
                              rnd.floats(DType::Float32, {4, 6}, 0, 1),
                              rnd.floats(DType::Float64, {nv})};
  };
  d.run(inputs({0, 5, 2, 3}, 7));
  d.run(inputs({1, 1, 0, 4}, 1));
  d.run(inputs({5, 0, 0, 0}, 0));
  // A class index out of range is a run-time error.
  CHECK(d.run_error(inputs({0, 6, 2, 3}, 3)) != "");
  CHECK(d.run_error(inputs({0, 1, -1, 3}, 3)) != "");
}

namespace {

std::string random_graph() {
  GraphBuilder g;
  g.shared({{"name", "rng"}, {"type", "rng"}, {"seed", 1234}});
  g.shared({{"name", "rng2"}, {"type", "rng"}, {"seed", 99}});
  g.input("x", "float64", {nullptr, 3}).input("lo", "float32", {3}).input("mu", "float64", {nullptr, 1});
  g.input("sd", "float64", json::array()).input("p", "float64", {3}).input("n", "int64", json::array());
  std::string size = g.node("shape", {"x"});
  g.node_n("random_uniform", {"rng", size, GraphBuilder::weak(0.0), GraphBuilder::weak(1.0)}, json::object(), {"r1", "u64"});
  g.node_n("random_uniform", {"r1", size, "lo", GraphBuilder::weak(2.0)}, {{"dtype", "float32"}}, {"r2", "u32"});
  g.node_n("random_normal", {"r2", size, "mu", "sd"}, json::object(), {"r3", "n64"});
  g.node_n("random_normal", {"r3", GraphBuilder::weak(0.5), GraphBuilder::weak(2.0)}, {{"size", {4, 2}}, {"dtype", "float32"}}, {"r4", "n32"});
  g.node_n("random_binomial", {"r4", size, "n", "p"}, json::object(), {"r5", "b64"});
  g.node_n("random_binomial", {"r5", GraphBuilder::lit(1, "int64"), "p"}, {{"size", {2, 3}}, {"dtype", "float64"}}, {"r6", "bf"});
  g.node_n("random_binomial", {"rng2", size, GraphBuilder::lit(3, "int8"), GraphBuilder::weak(0.25)}, {{"dtype", "int8"}}, {"s1", "b8"});
  g.node_n("random_uniform", {"s1", g.node("shape", {g.node("transpose", {"x"})}), "lo", "lo"}, json::object(), {"s2", "ueq"});
  for (const char* o : {"u64", "u32", "n64", "n32", "b64", "bf", "b8", "ueq", "r6"}) g.output(o);
  g.update("rng", "r6").update("rng2", "s2");
  return g.text();
}
const test::Prebuild k_random{random_graph}, k_random_run{random_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen random: uniform, normal, binomial draws and the state after them") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(random_graph(), "f", mode);
    test::Rand rnd(52);
    auto inputs = [&](int64_t rows, double sd, std::vector<double> p, double n) {
      return std::vector<Value>{rnd.floats(DType::Float64, {rows, 3}), test::make(DType::Float32, {3}, {-1.0, 0.0, 1.5}),
                                rnd.floats(DType::Float64, {rows, 1}), test::scalar(DType::Float64, sd),
                                test::make(DType::Float64, {3}, p), test::scalar(DType::Int64, n)};
    };
    // Several calls: each starts from the state the previous one left.
    d.run(inputs(4, 1.5, {0.0, 0.3, 1.0}, 5));
    d.run(inputs(2, 0.0, {0.5, 0.5, 0.9}, 0));
    d.run(inputs(0, 2.0, {0.1, 0.2, 0.3}, 7));
    d.run(inputs(5, 0.5, {0.7, 0.01, 0.99}, 12));
    // Bad parameters fail in both engines and leave the state untouched.
    CHECK(d.run_error(inputs(3, -1.0, {0.5, 0.5, 0.5}, 3)) != "");
    CHECK(d.run_error(inputs(3, 1.0, {0.5, 1.5, 0.5}, 3)) != "");
    CHECK(d.run_error(inputs(3, 1.0, {0.5, 0.5, 0.5}, -2)) != "");
    d.run(inputs(3, 1.0, {0.5, 0.5, 0.5}, 3));
  }
}
