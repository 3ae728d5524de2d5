// Differential tests of the generated code: basic and advanced indexing, the
// inc/set family with broadcasting, and index errors.
#include <doctest/doctest.h>

#include <limits>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

json sl(json start, json stop, json step) { return GraphBuilder::slice(start, stop, step); }
json var(const std::string& name) { return GraphBuilder::var(name); }
const json N = nullptr;
const int64_t kMax = std::numeric_limits<int64_t>::max();
const int64_t kMin = std::numeric_limits<int64_t>::min();

Tensor i64(int64_t v) {
  Tensor t(DType::Int64, {});
  t.data<int64_t>()[0] = v;
  return t;
}
Tensor ilist(DType dt, const std::vector<int64_t>& v) {
  Tensor t(dt, {int64_t(v.size())});
  for (size_t k = 0; k < v.size(); ++k) t.set_f64(int64_t(k), double(v[k]));
  return t;
}

std::string indexing_graph() {
  GraphBuilder g;
  using W = GraphBuilder;
  g.input("x", "float64", {5, 6}).input("t", "int16", json::array({nullptr, 4, 5})).input("i", "int64", json::array());
  g.input("j", "int32", json::array()).input("st", "int64", json::array()).input("y", "float32", {6});
  g.input("il", "int64", {nullptr}).input("il32", "int32", {nullptr}).input("yv", "float64", json::array({nullptr, 6}));
  g.input("v", "uint8", {7});
  std::string xt = g.node("transpose", {"x"});
  // subtensor: constant, variable and negative indices and slices.
  for (json idx : {json{2}, json{-1}, json{var("i")}, json{var("j"), -2}, json{sl(1, 4, N)}, json{sl(-3, N, N)},
                   json{sl(N, N, -1)}, json{sl(N, N, var("st"))}, json{sl(var("i"), N, N)}, json{sl(N, N, N), sl(N, N, -2)},
                   json{sl(4, 1, -1), 1}, json{sl(-100, 100, N)}, json{sl(N, N, -7)}, json{sl(var("i"), var("j"), var("st"))},
                   json{sl(3, 1, N)}, json{sl(N, -1, -2), sl(-2, -7, -1)}, json{sl(N, N, kMax)}, json{sl(N, N, -kMax)},
                   json{sl(kMin, kMax, N)}, json{sl(kMax, kMin, -1)}, json{sl(N, N, kMin)}, json{sl(2, N, kMin)}})
    g.output(g.node("subtensor", {"x"}, {{"idx", idx}}));
  for (json idx : {json{1, sl(N, N, N), sl(N, N, -1)}, json{sl(N, N, N), 2}, json{-1, -1, -1}, json{sl(N, N, -1), var("j")}})
    g.output(g.node("subtensor", {"t"}, {{"idx", idx}}));
  g.output(g.node("subtensor", {xt}, {{"idx", {sl(1, N, 2), sl(N, N, -1)}}}));
  g.output(g.node("subtensor", {g.node("subtensor", {"x"}, {{"idx", {sl(N, N, -1)}}})}, {{"idx", {sl(N, N, 2), 3}}}));
  g.output(g.node("subtensor", {"v"}, {{"idx", {sl(N, N, var("st"))}}}));
  // inc/set_subtensor with broadcasting and casts.
  g.output(g.node("set_subtensor", {"x", W::weak(9.5)}, {{"idx", {sl(1, 3, N)}}}));
  g.output(g.node("inc_subtensor", {"x", "y"}, {{"idx", {sl(N, N, 2)}}}));
  g.output(g.node("inc_subtensor", {"x", g.node("subtensor", {"x"}, {{"idx", {sl(N, N, -1), 0}}})}, {{"idx", {sl(N, N, N), 2}}}));
  g.output(g.node("set_subtensor", {"x", "y"}, {{"idx", {var("i"), sl(N, N, -1)}}}));
  g.output(g.node("set_subtensor", {"x", W::weak(-1.0)}, {{"idx", {var("i"), var("j")}}}));
  g.output(g.node("inc_subtensor", {"x", W::weak(1.0)}, {{"idx", {sl(N, N, -2), sl(N, N, var("st"))}}}));
  g.output(g.node("inc_subtensor", {"t", W::weak(30000)}, {{"idx", {0}}}));
  g.output(g.node("set_subtensor", {"t", W::lit(1.75, "float64")}, {{"idx", {sl(N, N, N), -1, sl(1, N, N)}}}));
  g.output(g.node("set_subtensor", {xt, "y"}, {{"idx", {sl(N, N, N), 0}}}));
  g.output(g.node("inc_subtensor", {xt, g.node("dimshuffle", {"y"}, {{"pattern", {0, "x"}}})}, {{"idx", {sl(N, N, -1)}}}));
  g.output(g.node("inc_subtensor", {"v", W::weak(200)}, {{"idx", {sl(N, N, 3)}}}));
  // advanced indexing: repeated and negative indices, int32 and int64 lists, views.
  g.output(g.node("advanced_subtensor1", {"x", "il"}));
  g.output(g.node("advanced_subtensor1", {"t", "il32"}));
  g.output(g.node("advanced_subtensor1", {xt, "il"}));
  g.output(g.node("advanced_subtensor1", {"v", "il32"}));
  g.output(g.node("advanced_subtensor1", {g.node("subtensor", {"x"}, {{"idx", {sl(N, N, -1), sl(N, N, 2)}}}), "il"}));
  g.output(g.node("advanced_inc_subtensor1", {"x", "y", "il"}));
  g.output(g.node("advanced_inc_subtensor1", {"x", "yv", "il"}));
  g.output(g.node("advanced_inc_subtensor1", {"x", W::weak(1.0), "il32"}));
  g.output(g.node("advanced_set_subtensor1", {"x", "yv", "il"}));
  g.output(g.node("advanced_set_subtensor1", {"x", "y", "il32"}));
  g.output(g.node("advanced_inc_subtensor1", {"v", W::weak(100), "il32"}));
  g.output(g.node("advanced_set_subtensor1", {"t", W::lit(-5, "int16"), "il"}));
  g.output(g.node("advanced_inc_subtensor1", {xt, "il", g.node("subtensor", {"il32"}, {{"idx", {sl(N, 1, N)}}})}));
  return g.text();
}
const test::Prebuild k_indexing{indexing_graph}, k_indexing_run{indexing_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen indexing: subtensor, inc/set_subtensor, advanced_*subtensor1, and index errors") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(indexing_graph(), "f", mode);
    test::Rand rnd(21);
    auto inputs = [&](int64_t i, int64_t j, int64_t st, std::vector<int64_t> il, std::vector<int64_t> il32) {
      return std::vector<Value>{rnd.floats(DType::Float64, {5, 6}), rnd.ints(DType::Int16, {3, 4, 5}), i64(i),
                                test::scalar(DType::Int32, double(j)), i64(st), rnd.floats(DType::Float32, {6}),
                                ilist(DType::Int64, il), ilist(DType::Int32, il32),
                                rnd.floats(DType::Float64, {int64_t(il.size()), 6}), rnd.ints(DType::UInt8, {7})};
    };
    d.run(inputs(1, 3, 2, {0, 4, -1, 4, 4, -5}, {2, -3, 2, 0}));
    d.run(inputs(-2, -1, -1, {3}, {0}));
    d.run(inputs(4, 0, 3, {-1, -1}, {-3, -3, -3, -3}));
    d.run(inputs(0, 5, -2, {}, {1, 1}));
    // Index errors, one at a time: the same node fails in both engines.
    CHECK(d.run_error(inputs(5, 3, 2, {0}, {0})) != "");          // x[i]: 5 is out of range for 5 rows
    CHECK(d.run_error(inputs(-6, 3, 2, {0}, {0})) != "");         // x[i]: -6
    CHECK(d.run_error(inputs(1, 6, 2, {0}, {0})) != "");          // x[i, j]: column 6 of 6
    CHECK(d.run_error(inputs(1, -7, 2, {0}, {0})) != "");         // x[j, -2]: -7
    CHECK(d.run_error(inputs(1, 3, 0, {0}, {0})) != "");          // slice step 0
    CHECK(d.run_error(inputs(1, 3, 2, {0, 5}, {0})) != "");       // advanced index 5 of 5 rows
    CHECK(d.run_error(inputs(1, 3, 2, {-6}, {0})) != "");         // advanced index -6
    CHECK(d.run_error(inputs(1, 3, 2, {0}, {0, 3})) != "");       // int32 list: 3 of 3 rows of t
  }
}

namespace {

std::string unsigned_index_graph() {
  GraphBuilder g;
  g.input("x", "float64", {4, 3}).input("u", "uint64", {nullptr}).input("k", "uint64", json::array());
  g.input("k2", "uint64", json::array());
  g.output(g.node("advanced_subtensor1", {"x", "u"}));
  g.output(g.node("subtensor", {"x"}, {{"idx", {var("k")}}}));
  g.output(g.node("subtensor", {"x"}, {{"idx", {sl(var("k2"), N, N), sl(N, var("k2"), var("k2"))}}}));
  return g.text();
}
const test::Prebuild k_unsigned_index{unsigned_index_graph};

}  // namespace

TEST_CASE("codegen indexing: unsigned index values beyond the int64 range are out of range") {
  test::Differential d(unsigned_index_graph(), "f");
  test::Rand rnd(22);
  auto u64 = [](std::vector<uint64_t> v) {
    Tensor t(DType::UInt64, {int64_t(v.size())});
    for (size_t k = 0; k < v.size(); ++k) t.data<uint64_t>()[k] = v[k];
    return t;
  };
  auto k64 = [](uint64_t v) {
    Tensor t(DType::UInt64, {});
    t.data<uint64_t>()[0] = v;
    return t;
  };
  d.run({rnd.floats(DType::Float64, {4, 3}), u64({0, 3, 1}), k64(2), k64(1)});
  // In a slice, a huge unsigned bound or step clamps (numpy): x[k2:, :k2:k2] is empty.
  d.run({rnd.floats(DType::Float64, {4, 3}), u64({0, 3, 1}), k64(2), k64(~uint64_t(0))});
  // As a point index it is out of range.
  CHECK(d.run_error({rnd.floats(DType::Float64, {4, 3}), u64({0}), k64(~uint64_t(0)), k64(1)}) == "nodes[1]");
  CHECK(d.run_error({rnd.floats(DType::Float64, {4, 3}), u64({0, ~uint64_t(0)}), k64(2), k64(1)}) == "nodes[0]");
  CHECK(d.run_error({rnd.floats(DType::Float64, {4, 3}), u64({0}), k64(~uint64_t(0) - 1), k64(1)}) == "nodes[1]");
}
