// Reference interpreter: dot and its BLAS forms, batched_dot, sparse. Expected
// values computed by hand and checked with numpy.
#include <cmath>
#include <limits>

#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

namespace {
// A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]]
Tensor mat_a() { return test::f64({2, 3}, {1, 2, 3, 4, 5, 6}); }
Tensor mat_b() { return test::f64({3, 2}, {1, 0, 0, 1, 1, 1}); }

CsrMatrix csr(std::vector<double> data, std::vector<double> indices, std::vector<double> indptr, int64_t rows,
              int64_t cols) {
  CsrMatrix s;
  s.data = test::f64({int64_t(data.size())}, data);
  s.indices = test::tensor(DType::Int32, {int64_t(indices.size())}, indices);
  s.indptr = test::i64({int64_t(indptr.size())}, indptr);
  s.rows = rows;
  s.cols = cols;
  return s;
}
}  // namespace

TEST_CASE("interp linalg: every dot form") {
  Eval e(test::graph(R"([{"name": "A", "dtype": "float64", "shape": [2, 3]}, {"name": "B", "dtype": "float64", "shape": [3, 2]},
                         {"name": "v3", "dtype": "float64", "shape": [3]}, {"name": "v2", "dtype": "float64", "shape": [2]},
                         {"name": "s", "dtype": "float64", "shape": []}, {"name": "i", "dtype": "int32", "shape": [2]}])",
                     R"([{"op": "dot", "inputs": ["v3", "v3"], "outputs": ["vv"]},
                         {"op": "dot", "inputs": ["A", "v3"], "outputs": ["mv"]},
                         {"op": "dot", "inputs": ["v2", "A"], "outputs": ["vm"]},
                         {"op": "dot", "inputs": ["A", "B"], "outputs": ["mm"]},
                         {"op": "dot", "inputs": ["s", "A"], "outputs": ["sm"]},
                         {"op": "dot", "inputs": ["i", "i"], "outputs": ["ii"]},
                         {"op": "outer", "inputs": ["v2", "v3"], "outputs": ["o"]},
                         {"op": "dot22", "inputs": ["A", "B"], "outputs": ["d22"]}])",
                     R"(["A", "B", "v3", "v2", "s", "i"])", R"(["vv", "mv", "vm", "mm", "sm", "ii", "o", "d22"])"));
  auto r = e.run({{"A", mat_a()}, {"B", mat_b()}, {"v3", test::f64({3}, {1, 1, 1})}, {"v2", test::f64({2}, {1, 2})},
                  {"s", test::f64({}, {2})}, {"i", test::tensor(DType::Int32, {2}, {65536, 3})}});
  CHECK(test::shape_of(r[0]) == Shape{});
  CHECK(test::values(r[0]) == std::vector<double>{3});
  CHECK(test::values(r[1]) == std::vector<double>{6, 15});
  CHECK(test::values(r[2]) == std::vector<double>{9, 12, 15});
  CHECK(test::shape_of(r[3]) == Shape{2, 2});
  CHECK(test::values(r[3]) == std::vector<double>{4, 5, 10, 11});
  CHECK(test::values(r[4]) == std::vector<double>{2, 4, 6, 8, 10, 12});
  CHECK(test::dtype_of(r[5]) == DType::Int32);
  CHECK(test::values(r[5]) == std::vector<double>{9});  // 65536**2 wraps to 0 in int32, plus 9
  CHECK(test::values(r[6]) == std::vector<double>{1, 1, 1, 2, 2, 2});
  CHECK(test::values(r[7]) == std::vector<double>{4, 5, 10, 11});
}

TEST_CASE("interp linalg: inner dimensions are checked at run time") {
  Eval e(test::graph(R"([{"name": "A", "dtype": "float64", "shape": [null, null]}, {"name": "v", "dtype": "float64", "shape": [null]}])",
                     R"([{"op": "dot", "inputs": ["A", "v"], "outputs": ["y"]}])", R"(["A", "v"])", R"(["y"])"));
  CHECK(e.error({{"A", mat_a()}, {"v", test::f64({2}, {1, 2})}}) == "nodes[0]: dot: inner dimensions differ: (2, 3) and (2,)");
}

TEST_CASE("interp linalg: batched_dot") {
  std::vector<double> a12, b6, m6;
  for (int i = 0; i < 12; ++i) a12.push_back(i);
  for (int i = 0; i < 6; ++i) b6.push_back(i + 1), m6.push_back(i);
  Eval e(test::graph(R"([{"name": "a", "dtype": "float64", "shape": [2, 2, 3]}, {"name": "b", "dtype": "float64", "shape": [2, 3, 1]},
                         {"name": "m", "dtype": "float64", "shape": [2, 3]}, {"name": "v", "dtype": "float64", "shape": [2, 2]},
                         {"name": "w", "dtype": "float64", "shape": [2, 2]}])",
                     R"([{"op": "batched_dot", "inputs": ["a", "b"], "outputs": ["mm"]},
                         {"op": "batched_dot", "inputs": ["a", "m"], "outputs": ["mv"]},
                         {"op": "batched_dot", "inputs": ["v", "a"], "outputs": ["vm"]},
                         {"op": "batched_dot", "inputs": ["v", "w"], "outputs": ["vv"]}])",
                     R"(["a", "b", "m", "v", "w"])", R"(["mm", "mv", "vm", "vv"])"));
  auto r = e.run({{"a", test::f64({2, 2, 3}, a12)}, {"b", test::f64({2, 3, 1}, b6)}, {"m", test::f64({2, 3}, m6)},
                  {"v", test::f64({2, 2}, {1, 2, 3, 4})}, {"w", test::f64({2, 2}, {5, 6, 7, 8})}});
  CHECK(test::shape_of(r[0]) == Shape{2, 2, 1});
  CHECK(test::values(r[0]) == std::vector<double>{8, 26, 107, 152});
  CHECK(test::shape_of(r[1]) == Shape{2, 2});
  CHECK(test::values(r[1]) == std::vector<double>{5, 14, 86, 122});
  CHECK(test::shape_of(r[2]) == Shape{2, 3});
  CHECK(test::values(r[2]) == std::vector<double>{6, 9, 12, 54, 61, 68});
  CHECK(test::shape_of(r[3]) == Shape{2});
  CHECK(test::values(r[3]) == std::vector<double>{17, 53});
}

TEST_CASE("interp linalg: gemm, gemv, ger") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eval e(test::graph(R"([{"name": "A", "dtype": "float64", "shape": [2, 3]}, {"name": "B", "dtype": "float64", "shape": [3, 2]},
                         {"name": "z", "dtype": "float64", "shape": [2, 2]}, {"name": "zv", "dtype": "float64", "shape": [2]},
                         {"name": "v3", "dtype": "float64", "shape": [3]}, {"name": "v2", "dtype": "float64", "shape": [2]}])",
                     R"([{"op": "gemm", "inputs": ["z", {"value": 2.0}, "A", "B", {"value": 3.0}], "outputs": ["g"]},
                         {"op": "gemm", "inputs": ["z", {"value": 2.0}, "A", "B", {"value": 0.0}], "outputs": ["g0"]},
                         {"op": "gemv", "inputs": ["zv", {"value": 1.0}, "A", "v3", {"value": -1.0}], "outputs": ["gv"]},
                         {"op": "ger", "inputs": ["A", {"value": 2.0}, "v2", "v3"], "outputs": ["gr"]}])",
                     R"(["A", "B", "z", "zv", "v3", "v2"])", R"(["g", "g0", "gv", "gr"])"));
  auto ins = std::vector<std::pair<std::string, Value>>{{"A", mat_a()}, {"B", mat_b()}, {"z", test::f64({2, 2}, {1, 1, 1, 1})},
                                                        {"zv", test::f64({2}, {1, 1})}, {"v3", test::f64({3}, {1, 1, 1})},
                                                        {"v2", test::f64({2}, {1, 2})}};
  auto r = e.run(ins);
  CHECK(test::values(r[0]) == std::vector<double>{11, 13, 23, 25});  // 3 * 1 + 2 * [[4, 5], [10, 11]]
  CHECK(test::values(r[1]) == std::vector<double>{8, 10, 20, 22});
  CHECK(test::values(r[2]) == std::vector<double>{5, 14});
  CHECK(test::values(r[3]) == std::vector<double>{3, 4, 5, 8, 9, 10});
  // beta == 0: z is not read (BLAS), so NaN in z does not reach the result.
  ins[2].second = test::f64({2, 2}, {nan, nan, nan, nan});
  r = e.run(ins);
  CHECK(test::values(r[1]) == std::vector<double>{8, 10, 20, 22});
  CHECK(std::isnan(test::values(r[0])[0]));
}

TEST_CASE("interp sparse: sparse_dot, to_dense, validation") {
  Eval e(test::graph(R"([{"name": "S", "format": "csr", "dtype": "float64", "shape": [null, null]},
                         {"name": "B", "dtype": "float64", "shape": [3, 2]}, {"name": "v", "dtype": "float64", "shape": [3]}])",
                     R"([{"op": "sparse_dot", "inputs": ["S", "B"], "outputs": ["sm"]},
                         {"op": "sparse_dot", "inputs": ["S", "v"], "outputs": ["sv"]},
                         {"op": "to_dense", "inputs": ["S"], "outputs": ["d"]}])",
                     R"(["S", "B", "v"])", R"(["sm", "sv", "d"])"));
  // S = [[1, 0, 2], [0, 0, 3]]
  auto ins = std::vector<std::pair<std::string, Value>>{
      {"S", csr({1, 2, 3}, {0, 2, 2}, {0, 2, 3}, 2, 3)}, {"B", mat_b()}, {"v", test::f64({3}, {1, 1, 1})}};
  auto r = e.run(ins);
  CHECK(test::shape_of(r[0]) == Shape{2, 2});
  CHECK(test::values(r[0]) == std::vector<double>{3, 2, 3, 3});
  CHECK(test::values(r[1]) == std::vector<double>{3, 3});
  CHECK(test::values(r[2]) == std::vector<double>{1, 0, 2, 0, 0, 3});
  ins[0].second = csr({1, 2, 3}, {0, 3, 2}, {0, 2, 3}, 2, 3);
  CHECK(e.error(ins).find("column index 3 out of range") != std::string::npos);
  ins[0].second = csr({1, 2, 3}, {0, 2, 2}, {0, 3, 2}, 2, 3);
  CHECK(e.error(ins).find("indptr must not decrease") != std::string::npos);
  ins[0].second = csr({1, 2, 3}, {0, 2, 2}, {0, 2}, 2, 3);
  CHECK(e.error(ins).find("indptr has 2 entries for 2 rows") != std::string::npos);
  ins[0].second = csr({1, 2, 3}, {0, 2, 2}, {0, 2, 3}, 2, 4);
  CHECK(e.error(ins) == "nodes[0]: sparse_dot: inner dimensions differ: the sparse matrix has 4 columns, the dense "
                        "operand has shape (3, 2)");
  // Repeated entries add up.
  ins[0].second = csr({1, 1}, {0, 0}, {0, 2}, 1, 3);
  CHECK(test::values(e.run(ins)[2]) == std::vector<double>{2, 0, 0});
}
