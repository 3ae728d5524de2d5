// Reference interpreter: reductions. Expected values are numpy 2's
// (x = numpy.arange(24, dtype=int32).reshape(2, 3, 4)).
#include <cmath>
#include <limits>

#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

namespace {
Tensor x234() {
  std::vector<double> v;
  for (int i = 0; i < 24; ++i) v.push_back(i);
  return test::tensor(DType::Int32, {2, 3, 4}, v);
}
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("interp reduce: sum, prod, max, mean over axis lists, keepdims") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "int32", "shape": [2, 3, 4]}])",
                     R"([{"op": "sum", "inputs": ["x"], "outputs": ["s"]},
                         {"op": "sum", "inputs": ["x"], "outputs": ["s02"], "axis": [0, 2]},
                         {"op": "sum", "inputs": ["x"], "outputs": ["sk"], "axis": -1, "keepdims": true},
                         {"op": "max", "inputs": ["x"], "outputs": ["m"], "axis": [-1, 0]},
                         {"op": "prod", "inputs": ["x"], "outputs": ["p"], "axis": 2},
                         {"op": "mean", "inputs": ["x"], "outputs": ["mean"], "axis": 1},
                         {"op": "min", "inputs": ["x"], "outputs": ["mn"], "keepdims": true}])",
                     R"(["x"])", R"(["s", "s02", "sk", "m", "p", "mean", "mn"])"));
  auto r = e.run({{"x", x234()}});
  CHECK(test::dtype_of(r[0]) == DType::Int64);  // int32 sums accumulate in int64
  CHECK(test::shape_of(r[0]) == Shape{});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{276});
  CHECK(test::ints(r[1]) == std::vector<int64_t>{60, 92, 124});
  CHECK(test::shape_of(r[2]) == Shape{2, 3, 1});
  CHECK(test::ints(r[2]) == std::vector<int64_t>{6, 22, 38, 54, 70, 86});
  CHECK(test::dtype_of(r[3]) == DType::Int32);
  CHECK(test::ints(r[3]) == std::vector<int64_t>{15, 19, 23});
  CHECK(test::ints(r[4]) == std::vector<int64_t>{0, 840, 7920, 32760, 93024, 212520});
  CHECK(test::dtype_of(r[5]) == DType::Float64);
  CHECK(test::values(r[5]) == std::vector<double>{4, 5, 6, 7, 16, 17, 18, 19});
  CHECK(test::shape_of(r[6]) == Shape{1, 1, 1});
  CHECK(test::ints(r[6]) == std::vector<int64_t>{0});
}

TEST_CASE("interp reduce: accumulator dtypes and wrap-around") {
  Eval e(test::graph(R"([{"name": "b", "dtype": "int8", "shape": [3]}, {"name": "u", "dtype": "uint8", "shape": [2]},
                         {"name": "f", "dtype": "float32", "shape": [2]}])",
                     R"([{"op": "prod", "inputs": ["b"], "outputs": ["p"]},
                         {"op": "sum", "inputs": ["b"], "outputs": ["s8"], "dtype": "int8"},
                         {"op": "prod", "inputs": ["u"], "outputs": ["pu"]},
                         {"op": "mean", "inputs": ["f"], "outputs": ["mf"]}])",
                     R"(["b", "u", "f"])", R"(["p", "s8", "pu", "mf"])"));
  auto r = e.run({{"b", test::tensor(DType::Int8, {3}, {100, 100, 100})},
                  {"u", test::tensor(DType::UInt8, {2}, {200, 200})},
                  {"f", test::tensor(DType::Float32, {2}, {1, 2})}});
  CHECK(test::dtype_of(r[0]) == DType::Int64);
  CHECK(test::ints(r[0]) == std::vector<int64_t>{1000000});
  CHECK(test::dtype_of(r[1]) == DType::Int8);
  CHECK(test::ints(r[1]) == std::vector<int64_t>{44});  // 300 wraps to 44 in int8
  CHECK(test::dtype_of(r[2]) == DType::UInt64);
  CHECK(test::ints(r[2]) == std::vector<int64_t>{40000});
  CHECK(test::dtype_of(r[3]) == DType::Float32);
  CHECK(test::values(r[3]) == std::vector<double>{1.5});
}

TEST_CASE("interp reduce: NaN, empty reductions, 0-d inputs") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "s", "dtype": "float64", "shape": []}])",
                     R"([{"op": "max", "inputs": ["x"], "outputs": ["mx"]},
                         {"op": "sum", "inputs": ["x"], "outputs": ["sm"]},
                         {"op": "prod", "inputs": ["x"], "outputs": ["pr"]},
                         {"op": "mean", "inputs": ["x"], "outputs": ["mean"]},
                         {"op": "all", "inputs": ["x"], "outputs": ["al"]},
                         {"op": "any", "inputs": ["x"], "outputs": ["an"]},
                         {"op": "sum", "inputs": ["s"], "outputs": ["s0"], "axis": 0},
                         {"op": "argmax", "inputs": ["s"], "outputs": ["a0"]}])",
                     R"(["x", "s"])", R"(["mx", "sm", "pr", "mean", "al", "an", "s0", "a0"])"));
  auto r = e.run({{"x", test::f64({3}, {1, kNaN, 3})}, {"s", test::f64({}, {2.5})}});
  CHECK(std::isnan(test::values(r[0])[0]));
  CHECK(test::ints(r[4]) == std::vector<int64_t>{1});
  CHECK(test::values(r[6]) == std::vector<double>{2.5});
  CHECK(test::ints(r[7]) == std::vector<int64_t>{0});
  // Empty: max has no identity; sum 0, prod 1, mean NaN, all true, any false.
  Eval e2(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])",
                      R"([{"op": "sum", "inputs": ["x"], "outputs": ["sm"]}, {"op": "prod", "inputs": ["x"], "outputs": ["pr"]},
                          {"op": "mean", "inputs": ["x"], "outputs": ["mean"]}, {"op": "all", "inputs": ["x"], "outputs": ["al"]},
                          {"op": "any", "inputs": ["x"], "outputs": ["an"]}])",
                      R"(["x"])", R"(["sm", "pr", "mean", "al", "an"])"));
  r = e2.run({{"x", test::f64({0}, {})}});
  CHECK(test::values(r[0]) == std::vector<double>{0});
  CHECK(test::values(r[1]) == std::vector<double>{1});
  CHECK(std::isnan(test::values(r[2])[0]));
  CHECK(test::ints(r[3]) == std::vector<int64_t>{1});
  CHECK(test::ints(r[4]) == std::vector<int64_t>{0});
  CHECK(e.error({{"x", test::f64({0}, {})}, {"s", test::f64({}, {1})}}).find("nodes[0]: max: zero-size array") == 0);
}

TEST_CASE("interp reduce: argmax and argmin") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "int64", "shape": [2, 3]}, {"name": "f", "dtype": "float32", "shape": [4]}])",
                     R"([{"op": "argmax", "inputs": ["a"], "outputs": ["flat"]},
                         {"op": "argmax", "inputs": ["a"], "outputs": ["ax1"], "axis": 1},
                         {"op": "argmin", "inputs": ["a"], "outputs": ["ax0"], "axis": -2, "keepdims": true},
                         {"op": "argmax", "inputs": ["f"], "outputs": ["nmax"]},
                         {"op": "argmin", "inputs": ["f"], "outputs": ["nmin"]}])",
                     R"(["a", "f"])", R"(["flat", "ax1", "ax0", "nmax", "nmin"])"));
  auto r = e.run({{"a", test::i64({2, 3}, {1, 5, 5, 7, 0, 7})}, {"f", test::tensor(DType::Float32, {4}, {1, kNaN, 3, kNaN})}});
  CHECK(test::dtype_of(r[0]) == DType::Int64);
  CHECK(test::ints(r[0]) == std::vector<int64_t>{3});  // the flattened C-order index of the first 7
  CHECK(test::ints(r[1]) == std::vector<int64_t>{1, 0});
  CHECK(test::shape_of(r[2]) == Shape{1, 3});
  CHECK(test::ints(r[2]) == std::vector<int64_t>{0, 1, 0});
  CHECK(test::ints(r[3]) == std::vector<int64_t>{1});  // a NaN is the extreme
  CHECK(test::ints(r[4]) == std::vector<int64_t>{1});
  Eval empty(test::graph(R"([{"name": "a", "dtype": "int64", "shape": [2, null]}])",
                         R"([{"op": "argmax", "inputs": ["a"], "outputs": ["m"], "axis": 1}])", R"(["a"])", R"(["m"])"));
  CHECK(empty.error({{"a", test::i64({2, 0}, {})}}) == "nodes[0]: argmax: attempt to get argmax of an empty sequence");
}

TEST_CASE("interp reduce: all and any") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "int32", "shape": [2, 2]}])",
                     R"([{"op": "all", "inputs": ["a"], "outputs": ["all1"], "axis": 1},
                         {"op": "any", "inputs": ["a"], "outputs": ["any"]},
                         {"op": "any", "inputs": ["a"], "outputs": ["any0"], "axis": 0}])",
                     R"(["a"])", R"(["all1", "any", "any0"])"));
  auto r = e.run({{"a", test::tensor(DType::Int32, {2, 2}, {0, 1, 2, 3})}});
  CHECK(test::dtype_of(r[0]) == DType::Bool);
  CHECK(test::ints(r[0]) == std::vector<int64_t>{0, 1});
  CHECK(test::ints(r[1]) == std::vector<int64_t>{1});
  CHECK(test::ints(r[2]) == std::vector<int64_t>{1, 1});
}
