// Reference interpreter: shape ops. Expected values are numpy 2's.
#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

namespace {
std::vector<double> iota(int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}
}  // namespace

TEST_CASE("interp shape: dimshuffle, transpose, flatten, reshape") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [2, 3]}, {"name": "t", "dtype": "int32", "shape": [2, 3, 4]},
                         {"name": "r", "dtype": "float64", "shape": [1, 3]}])",
                     R"([{"op": "dimshuffle", "inputs": ["x"], "outputs": ["d"], "pattern": [1, "x", 0]},
                         {"op": "dimshuffle", "inputs": ["r"], "outputs": ["dropped"], "pattern": [1]},
                         {"op": "transpose", "inputs": ["t"], "outputs": ["tr"]},
                         {"op": "transpose", "inputs": ["t"], "outputs": ["tr2"], "axes": [1, 0, -1]},
                         {"op": "flatten", "inputs": ["t"], "outputs": ["f2"], "ndim": 2},
                         {"op": "flatten", "inputs": ["x"], "outputs": ["f1"]},
                         {"op": "reshape", "inputs": ["x"], "outputs": ["rs"], "shape": [3, -1]}])",
                     R"(["x", "t", "r"])", R"(["d", "dropped", "tr", "tr2", "f2", "f1", "rs"])"));
  auto r = e.run({{"x", test::f64({2, 3}, iota(6))},
                  {"t", test::tensor(DType::Int32, {2, 3, 4}, iota(24))},
                  {"r", test::f64({1, 3}, {7, 8, 9})}});
  CHECK(test::shape_of(r[0]) == Shape{3, 1, 2});
  CHECK(test::values(r[0]) == std::vector<double>{0, 3, 1, 4, 2, 5});
  CHECK(test::shape_of(r[1]) == Shape{3});
  CHECK(test::values(r[1]) == std::vector<double>{7, 8, 9});
  CHECK(test::shape_of(r[2]) == Shape{4, 3, 2});
  CHECK(test::values(r[2]) == std::vector<double>{0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21,
                                                  2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23});
  CHECK(test::shape_of(r[3]) == Shape{3, 2, 4});
  CHECK(test::values(r[3]) == std::vector<double>{0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7,
                                                  16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23});
  CHECK(test::dtype_of(r[3]) == DType::Int32);
  CHECK(test::shape_of(r[4]) == Shape{2, 12});
  CHECK(test::values(r[4]) == iota(24));
  CHECK(test::shape_of(r[5]) == Shape{6});
  CHECK(test::shape_of(r[6]) == Shape{3, 2});
  CHECK(test::values(r[6]) == iota(6));
}

TEST_CASE("interp shape: reshape with a run-time shape") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [null, 3]}, {"name": "s", "dtype": "int64", "shape": [2]}])",
                     R"([{"op": "reshape", "inputs": ["x", "s"], "outputs": ["y"]}])", R"(["x", "s"])", R"(["y"])"));
  auto r = e.run({{"x", test::f64({2, 3}, iota(6))}, {"s", test::i64({2}, {-1, 2})}});
  CHECK(test::shape_of(r[0]) == Shape{3, 2});
  CHECK(e.error({{"x", test::f64({2, 3}, iota(6))}, {"s", test::i64({2}, {4, 2})}}).find("nodes[0]: reshape: cannot reshape") == 0);
  CHECK(e.error({{"x", test::f64({2, 3}, iota(6))}, {"s", test::i64({2}, {-1, -1})}}).find("reshape: invalid shape") != std::string::npos);
  CHECK(e.error({{"x", test::f64({2, 3}, iota(6))}, {"s", test::i64({2}, {-1, 4})}}).find("cannot reshape") != std::string::npos);
  // numpy refuses -1 when the other sizes multiply to zero (ambiguous).
  CHECK(e.error({{"x", test::f64({0, 3}, {})}, {"s", test::i64({2}, {0, -1})}}).find("cannot reshape") != std::string::npos);
}

TEST_CASE("interp shape: shape, shape_i, alloc, fill, zeros_like, ones_like") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float32", "shape": [null, 3]}, {"name": "v", "dtype": "float64", "shape": [3]},
                         {"name": "n", "dtype": "int64", "shape": []}])",
                     R"([{"op": "shape", "inputs": ["x"], "outputs": ["s"]},
                         {"op": "shape_i", "inputs": ["x"], "outputs": ["s1"], "i": 1},
                         {"op": "alloc", "inputs": ["v", "n", {"value": 3}], "outputs": ["a"]},
                         {"op": "alloc", "inputs": [{"value": 1.5}, "n"], "outputs": ["a0"]},
                         {"op": "fill", "inputs": ["x", {"value": 7, "dtype": "int32"}], "outputs": ["f"]},
                         {"op": "zeros_like", "inputs": ["x"], "outputs": ["z"], "dtype": "int32"},
                         {"op": "ones_like", "inputs": ["x"], "outputs": ["o"]}])",
                     R"(["x", "v", "n"])", R"(["s", "s1", "a", "a0", "f", "z", "o"])"));
  auto r = e.run({{"x", test::tensor(DType::Float32, {2, 3}, iota(6))}, {"v", test::f64({3}, {1, 2, 3})}, {"n", test::i64({}, {2})}});
  CHECK(test::dtype_of(r[0]) == DType::Int64);
  CHECK(test::ints(r[0]) == std::vector<int64_t>{2, 3});
  CHECK(test::shape_of(r[1]) == Shape{});
  CHECK(test::ints(r[1]) == std::vector<int64_t>{3});
  CHECK(test::shape_of(r[2]) == Shape{2, 3});
  CHECK(test::values(r[2]) == std::vector<double>{1, 2, 3, 1, 2, 3});
  CHECK(test::values(r[3]) == std::vector<double>{1.5, 1.5});
  CHECK(test::dtype_of(r[4]) == DType::Int32);
  CHECK(test::values(r[4]) == std::vector<double>{7, 7, 7, 7, 7, 7});
  CHECK(test::dtype_of(r[5]) == DType::Int32);
  CHECK(test::values(r[5]) == std::vector<double>(6, 0));
  CHECK(test::dtype_of(r[6]) == DType::Float32);
  CHECK(test::values(r[6]) == std::vector<double>(6, 1));
  // A negative dimension is a run-time error.
  CHECK(e.error({{"x", test::tensor(DType::Float32, {2, 3}, iota(6))}, {"v", test::f64({3}, {1, 2, 3})}, {"n", test::i64({}, {-1})}})
            .find("alloc: negative dimension -1") != std::string::npos);
}

TEST_CASE("interp shape: alloc broadcasts only static size-1 dimensions") {
  Eval e(test::graph(R"([{"name": "v", "dtype": "float64", "shape": [null]}])",
                     R"([{"op": "alloc", "inputs": ["v", {"value": 2}, {"value": 3}], "outputs": ["a"]}])", R"(["v"])",
                     R"(["a"])"));
  CHECK(e.error({{"v", test::f64({1}, {5})}}).find("does not broadcast") != std::string::npos);
  CHECK(test::values(e.run({{"v", test::f64({3}, {1, 2, 3})}})[0]) == std::vector<double>{1, 2, 3, 1, 2, 3});
}

TEST_CASE("interp shape: arange") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "int64", "shape": []}, {"name": "b", "dtype": "int64", "shape": []},
                         {"name": "c", "dtype": "int64", "shape": []}])",
                     R"([{"op": "arange", "inputs": ["a", "b", "c"], "outputs": ["r"]},
                         {"op": "arange", "inputs": [{"value": 1.0}, {"value": 2.0}, {"value": 0.25}], "outputs": ["f"], "dtype": "float64"},
                         {"op": "arange", "inputs": [{"value": 0.0}, {"value": 1.0}, {"value": 0.3}], "outputs": ["g"], "dtype": "float32"}])",
                     R"(["a", "b", "c"])", R"(["r", "f", "g"])"));
  auto r = e.run({{"a", test::i64({}, {0})}, {"b", test::i64({}, {5})}, {"c", test::i64({}, {2})}});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{0, 2, 4});
  CHECK(test::values(r[1]) == std::vector<double>{1, 1.25, 1.5, 1.75});
  // ceil(1 / 0.3) = 4 elements, each start + i * step in float64, then rounded to float32
  CHECK(test::values(r[2]) == std::vector<double>{0, double(0.3f), double(0.6f), double(0.9f)});
  r = e.run({{"a", test::i64({}, {5})}, {"b", test::i64({}, {0})}, {"c", test::i64({}, {1})}});
  CHECK(test::shape_of(r[0]) == Shape{0});
  r = e.run({{"a", test::i64({}, {5})}, {"b", test::i64({}, {0})}, {"c", test::i64({}, {-2})}});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{5, 3, 1});
  CHECK(e.error({{"a", test::i64({}, {0})}, {"b", test::i64({}, {5})}, {"c", test::i64({}, {0})}}).find("step must not be zero") !=
        std::string::npos);
}

TEST_CASE("interp shape: join and stack") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "int32", "shape": [2, 2]}, {"name": "b", "dtype": "float32", "shape": [1, 2]},
                         {"name": "c", "dtype": "int32", "shape": [2, 1]}, {"name": "u", "dtype": "int64", "shape": [2]},
                         {"name": "w", "dtype": "int64", "shape": [2]}])",
                     R"([{"op": "join", "inputs": ["a", "b"], "outputs": ["j0"], "axis": 0},
                         {"op": "join", "inputs": ["a", "c", "a"], "outputs": ["j1"], "axis": -1},
                         {"op": "stack", "inputs": ["u", "w"], "outputs": ["s0"], "axis": 0},
                         {"op": "stack", "inputs": ["u", "w"], "outputs": ["s1"], "axis": -1}])",
                     R"(["a", "b", "c", "u", "w"])", R"(["j0", "j1", "s0", "s1"])"));
  auto r = e.run({{"a", test::tensor(DType::Int32, {2, 2}, {1, 2, 3, 4})},
                  {"b", test::tensor(DType::Float32, {1, 2}, {0.5, 0.25})},
                  {"c", test::tensor(DType::Int32, {2, 1}, {9, 8})},
                  {"u", test::i64({2}, {1, 2})},
                  {"w", test::i64({2}, {3, 4})}});
  CHECK(test::dtype_of(r[0]) == DType::Float64);
  CHECK(test::shape_of(r[0]) == Shape{3, 2});
  CHECK(test::values(r[0]) == std::vector<double>{1, 2, 3, 4, 0.5, 0.25});
  CHECK(test::shape_of(r[1]) == Shape{2, 5});
  CHECK(test::values(r[1]) == std::vector<double>{1, 2, 9, 1, 2, 3, 4, 8, 3, 4});
  CHECK(test::shape_of(r[2]) == Shape{2, 2});
  CHECK(test::values(r[2]) == std::vector<double>{1, 2, 3, 4});
  CHECK(test::values(r[3]) == std::vector<double>{1, 3, 2, 4});

  Eval bad(test::graph(R"([{"name": "a", "dtype": "float64", "shape": [null, null]}, {"name": "b", "dtype": "float64", "shape": [null, null]}])",
                       R"([{"op": "join", "inputs": ["a", "b"], "outputs": ["j"], "axis": 0}])", R"(["a", "b"])", R"(["j"])"));
  CHECK(bad.error({{"a", test::f64({2, 2}, iota(4))}, {"b", test::f64({2, 3}, iota(6))}}).find("join: input 1 has shape (2, 3)") !=
        std::string::npos);
  CHECK(test::shape_of(bad.run({{"a", test::f64({2, 2}, iota(4))}, {"b", test::f64({0, 2}, {})}})[0]) == Shape{2, 2});
}
