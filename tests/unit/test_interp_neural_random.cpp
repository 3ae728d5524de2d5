// Reference interpreter: softmax, log_softmax, categorical_crossentropy
// (expected values from scipy.special / numpy) and the random ops.
#include <cmath>

#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

TEST_CASE("interp neural: softmax and log_softmax are stable") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [2, 3]}, {"name": "b", "dtype": "int8", "shape": [2]}])",
                     R"([{"op": "softmax", "inputs": ["x"], "outputs": ["s"]},
                         {"op": "log_softmax", "inputs": ["x"], "outputs": ["l"]},
                         {"op": "softmax", "inputs": ["b"], "outputs": ["sb"]}])",
                     R"(["x", "b"])", R"(["s", "l", "sb"])"));
  auto r = e.run({{"x", test::f64({2, 3}, {1, 2, 3, 1000, 1000, -1000})}, {"b", test::tensor(DType::Int8, {2}, {0, 0})}});
  CHECK(test::close(test::values(r[0]), {0.09003057317038046, 0.24472847105479764, 0.6652409557748218, 0.5, 0.5, 0}));
  CHECK(test::close(test::values(r[1]), {-2.4076059644443806, -1.4076059644443804, -0.4076059644443804,
                                         -0.6931471805599453, -0.6931471805599453, -2000.6931471805599}));
  CHECK(test::dtype_of(r[2]) == DType::Float32);
  CHECK(test::values(r[2]) == std::vector<double>{0.5, 0.5});
}

TEST_CASE("interp neural: categorical_crossentropy") {
  Eval e(test::graph(R"([{"name": "p", "dtype": "float64", "shape": [2, 2]}, {"name": "t", "dtype": "int32", "shape": [null]},
                         {"name": "tm", "dtype": "float64", "shape": [2, 2]}])",
                     R"([{"op": "categorical_crossentropy", "inputs": ["p", "t"], "outputs": ["ci"]},
                         {"op": "categorical_crossentropy", "inputs": ["p", "tm"], "outputs": ["cm"]}])",
                     R"(["p", "t", "tm"])", R"(["ci", "cm"])"));
  std::vector<std::pair<std::string, Value>> ins = {{"p", test::f64({2, 2}, {0.1, 0.9, 0.5, 0.5})},
                                                    {"t", test::tensor(DType::Int32, {2}, {1, 0})},
                                                    {"tm", test::f64({2, 2}, {0, 1, 1, 0})}};
  auto r = e.run(ins);
  CHECK(test::close(test::values(r[0]), {0.10536051565782628, 0.6931471805599453}));
  CHECK(test::close(test::values(r[1]), {0.10536051565782628, 0.6931471805599453}));
  ins[1].second = test::tensor(DType::Int32, {2}, {2, 0});
  CHECK(e.error(ins).find("categorical_crossentropy: class index 2 of row 0 is out of range for 2 classes") != std::string::npos);
  ins[1].second = test::tensor(DType::Int32, {2}, {0, -1});
  CHECK(e.error(ins).find("class index -1 of row 1") != std::string::npos);
  ins[1].second = test::tensor(DType::Int32, {3}, {0, 0, 0});
  CHECK(e.error(ins).find("p has 2 rows but t has 3") != std::string::npos);
}

namespace {
const char* kRng = R"("shared": [{"name": "rng", "type": "rng", "seed": 42}])";
}

TEST_CASE("interp random: uniform draws the Philox stream and advances the state") {
  Eval e(test::graph("[]",
                     R"([{"op": "random_uniform", "inputs": ["rng", {"value": -1.0}, {"value": 2.0}], "size": [2, 3], "outputs": ["r1", "u"]},
                         {"op": "random_uniform", "inputs": ["r1", {"value": [2, 3]}, {"value": -1.0}, {"value": 2.0}], "outputs": ["r2", "u2"]},
                         {"op": "random_uniform", "inputs": ["rng", {"value": 0.0}, {"value": 1.0}], "size": [4], "outputs": ["r3", "f"], "dtype": "float32"}])",
                     "[]", R"(["u", "u2", "r1", "r2", "f"])", kRng));
  auto r = e.run();
  auto r_again = e.run();
  CHECK(test::values(r[0]) == test::values(r_again[0]));  // same seed, same numbers
  RngState s0 = rng_from_seed(42);
  auto u = test::values(r[0]);
  REQUIRE(u.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(u[i] >= -1.0);
    CHECK(u[i] < 2.0);
    CHECK(u[i] == sample_uniform_f64(s0, i, -1.0, 2.0));  // sample i uses block counter + i
  }
  // The second draw continues the stream: the state advanced by 6 blocks.
  auto u2 = test::values(r[1]);
  CHECK(u2[0] == sample_uniform_f64(rng_advance(s0, 6), 0, -1.0, 2.0));
  CHECK(u2 != u);
  const RngState& s1 = std::get<RngState>(r[2]);
  const RngState& s2 = std::get<RngState>(r[3]);
  CHECK(s1.ctr_lo == 6);
  CHECK(s2.ctr_lo == 12);
  CHECK(s1.key[0] == 42);
  CHECK(test::dtype_of(r[4]) == DType::Float32);
  CHECK(test::values(r[4])[3] == double(sample_uniform_f32(s0, 3, 0.0f, 1.0f)));
}

TEST_CASE("interp random: normal and binomial, parameters broadcast") {
  Eval e(test::graph(R"([{"name": "mean", "dtype": "float64", "shape": [3]}, {"name": "n", "dtype": "int64", "shape": []},
                         {"name": "p", "dtype": "float64", "shape": []}])",
                     R"([{"op": "random_normal", "inputs": ["rng", "mean", {"value": 2.0}], "size": [2, 3], "outputs": ["r1", "g"], "dtype": "float32"},
                         {"op": "random_binomial", "inputs": ["rng", "n", "p"], "size": [100], "outputs": ["r2", "b"]}])",
                     R"(["mean", "n", "p"])", R"(["g", "b", "r1", "r2"])", kRng));
  std::vector<std::pair<std::string, Value>> ins = {
      {"mean", test::f64({3}, {0, 10, 100})}, {"n", test::i64({}, {5})}, {"p", test::f64({}, {0.3})}};
  auto r = e.run(ins);
  RngState s0 = rng_from_seed(42);
  auto g = test::values(r[0]);
  CHECK(test::dtype_of(r[0]) == DType::Float32);
  CHECK(g[4] == double(float(sample_normal(s0, 4, 10.0, 2.0))));  // element (1, 1) has mean 10
  auto b = test::ints(r[1]);
  CHECK(test::dtype_of(r[1]) == DType::Int64);
  int64_t total = 0;
  for (int64_t k : b) {
    CHECK(k >= 0);
    CHECK(k <= 5);
    total += k;
  }
  CHECK(total > 100);  // mean 1.5 per sample: 150 expected over 100 samples
  CHECK(total < 200);
  CHECK(std::get<RngState>(r[2]).ctr_lo == 6);
  CHECK(std::get<RngState>(r[3]).ctr_lo == 300);  // 100 samples * binomial_blocks(5) = 3 blocks each
  CHECK(b[7] == sample_binomial(s0, 7, 3, 5, 0.3));

  ins[2].second = test::f64({}, {1.5});
  CHECK(e.error(ins).find("nodes[1]: random_binomial: p must lie in [0, 1]") == 0);
  ins[2].second = test::f64({}, {std::nan("")});
  CHECK(e.error(ins).find("p must lie in [0, 1]") != std::string::npos);
  ins[2].second = test::f64({}, {0.5});
  ins[1].second = test::i64({}, {-1});
  CHECK(e.error(ins).find("n must not be negative") != std::string::npos);
  ins[1].second = test::i64({}, {0});
  for (int64_t k : test::ints(e.run(ins)[1])) CHECK(k == 0);
}

TEST_CASE("interp random: run-time sizes and parameter errors") {
  Eval e(test::graph(R"([{"name": "size", "dtype": "int64", "shape": [1]}, {"name": "sd", "dtype": "float64", "shape": [null]}])",
                     R"([{"op": "random_normal", "inputs": ["rng", "size", {"value": 0.0}, "sd"], "outputs": ["r1", "g"]}])",
                     R"(["size", "sd"])", R"(["g"])", kRng));
  CHECK(test::shape_of(e.run({{"size", test::i64({1}, {3})}, {"sd", test::f64({3}, {1, 1, 1})}})[0]) == Shape{3});
  CHECK(e.error({{"size", test::i64({1}, {-3})}, {"sd", test::f64({3}, {1, 1, 1})}}).find("negative size") != std::string::npos);
  CHECK(e.error({{"size", test::i64({1}, {3})}, {"sd", test::f64({3}, {1, -1, 1})}}).find("std must not be negative") !=
        std::string::npos);
  // A run-time size 1 in a dimension of unknown static size does not broadcast.
  CHECK(e.error({{"size", test::i64({1}, {3})}, {"sd", test::f64({1}, {1})}}).find("does not broadcast") != std::string::npos);
  CHECK(test::shape_of(e.run({{"size", test::i64({1}, {0})}, {"sd", test::f64({0}, {})}})[0]) == Shape{0});
}
