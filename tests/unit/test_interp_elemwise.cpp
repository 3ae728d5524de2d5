// Reference interpreter: elementwise ops (promotion, broadcasting, integer
// semantics, every result rule). Expected values are numpy 2's.
#include <cmath>
#include <limits>

#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

namespace {
// One binary op over inputs a and b of the given types.
std::string binary(const std::string& op, const std::string& ta, const std::string& tb) {
  return test::graph(R"([{"name": "a", )" + ta + R"(}, {"name": "b", )" + tb + "}]",
                     R"([{"op": ")" + op + R"(", "inputs": ["a", "b"], "outputs": ["y"]}])", R"(["a", "b"])", R"(["y"])");
}
std::string unary(const std::string& op, const std::string& ta, const std::string& attrs = "") {
  return test::graph(R"([{"name": "a", )" + ta + "}]",
                     R"([{"op": ")" + op + R"(", "inputs": ["a"], "outputs": ["y"])" + attrs + "}]", R"(["a"])",
                     R"(["y"])");
}
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("interp elemwise: numpy type promotion") {
  {
    Eval e(binary("add", R"("dtype": "int8", "shape": [2])", R"("dtype": "int16", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::Int8, {2}, {100, -100})}, {"b", test::tensor(DType::Int16, {2}, {1000, 2})}});
    CHECK(test::dtype_of(r[0]) == DType::Int16);
    CHECK(test::values(r[0]) == std::vector<double>{1100, -98});
  }
  {  // uint8 + int8 -> int16
    Eval e(binary("add", R"("dtype": "uint8", "shape": [1])", R"("dtype": "int8", "shape": [1])"));
    auto r = e.run({{"a", test::tensor(DType::UInt8, {1}, {200})}, {"b", test::tensor(DType::Int8, {1}, {-1})}});
    CHECK(test::dtype_of(r[0]) == DType::Int16);
    CHECK(test::values(r[0]) == std::vector<double>{199});
  }
  {  // int32 * float32 -> float64
    Eval e(binary("mul", R"("dtype": "int32", "shape": [1])", R"("dtype": "float32", "shape": [1])"));
    auto r = e.run({{"a", test::tensor(DType::Int32, {1}, {3})}, {"b", test::tensor(DType::Float32, {1}, {0.5})}});
    CHECK(test::dtype_of(r[0]) == DType::Float64);
    CHECK(test::values(r[0]) == std::vector<double>{1.5});
  }
  {  // uint64 with int64 -> float64
    Eval e(binary("sub", R"("dtype": "uint64", "shape": [1])", R"("dtype": "int64", "shape": [1])"));
    auto r = e.run({{"a", test::tensor(DType::UInt64, {1}, {1})}, {"b", test::i64({1}, {3})}});
    CHECK(test::dtype_of(r[0]) == DType::Float64);
    CHECK(test::values(r[0]) == std::vector<double>{-2});
  }
  {  // integer true_div gives float64
    Eval e(binary("true_div", R"("dtype": "int32", "shape": [2])", R"("dtype": "int32", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::Int32, {2}, {7, 1})}, {"b", test::tensor(DType::Int32, {2}, {2, 0})}});
    CHECK(test::dtype_of(r[0]) == DType::Float64);
    auto v = test::values(r[0]);
    CHECK(v[0] == 3.5);
    CHECK(std::isinf(v[1]));
  }
  {  // exp of int8 computes in float32 (tgc's stand-in for numpy's float16)
    Eval e(unary("exp", R"("dtype": "int8", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::Int8, {2}, {0, 1})}});
    CHECK(test::dtype_of(r[0]) == DType::Float32);
    CHECK(test::values(r[0]) == std::vector<double>{1.0, double(2.7182817459106445)});
  }
  {  // a comparison computes in the promoted type (int64 with float64: float64)
    Eval e(binary("gt", R"("dtype": "int64", "shape": [1])", R"("dtype": "float64", "shape": [1])"));
    auto r = e.run({{"a", test::i64({1}, {3})}, {"b", test::f64({1}, {2.5})}});
    CHECK(test::dtype_of(r[0]) == DType::Bool);
    CHECK(test::ints(r[0]) == std::vector<int64_t>{1});
  }
}

TEST_CASE("interp elemwise: weak scalars take the tensor's type (NEP 50)") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "int8", "shape": [2]}, {"name": "b", "dtype": "int32", "shape": [1]}])",
                     R"([{"op": "add", "inputs": ["a", {"value": 1}], "outputs": ["y"]},
                         {"op": "mul", "inputs": ["b", {"value": 1.5}], "outputs": ["z"]}])",
                     R"(["a", "b"])", R"(["y", "z"])"));
  auto r = e.run({{"a", test::tensor(DType::Int8, {2}, {127, 3})}, {"b", test::tensor(DType::Int32, {1}, {3})}});
  CHECK(test::dtype_of(r[0]) == DType::Int8);
  CHECK(test::values(r[0]) == std::vector<double>{-128, 4});  // 127 + 1 wraps in int8
  CHECK(test::dtype_of(r[1]) == DType::Float64);
  CHECK(test::values(r[1]) == std::vector<double>{4.5});
}

TEST_CASE("interp elemwise: broadcasting follows static types") {
  {  // (2, 1) + (3,) -> (2, 3)
    Eval e(binary("add", R"("dtype": "float64", "shape": [2, 1])", R"("dtype": "float64", "shape": [3])"));
    auto r = e.run({{"a", test::f64({2, 1}, {1, 2})}, {"b", test::f64({3}, {10, 20, 30})}});
    CHECK(test::shape_of(r[0]) == Shape{2, 3});
    CHECK(test::values(r[0]) == std::vector<double>{11, 21, 31, 12, 22, 32});
  }
  {  // (?, 3) + (1, 3): the static 1 broadcasts against any run-time size
    Eval e(binary("mul", R"("dtype": "float64", "shape": [null, 3])", R"("dtype": "float64", "shape": [1, 3])"));
    auto r = e.run({{"a", test::f64({2, 3}, {1, 2, 3, 4, 5, 6})}, {"b", test::f64({1, 3}, {1, 10, 100})}});
    CHECK(test::values(r[0]) == std::vector<double>{1, 20, 300, 4, 50, 600});
  }
  {  // a run-time size of 1 in a dimension of unknown static size does not broadcast
    Eval e(binary("add", R"("dtype": "float64", "shape": [null])", R"("dtype": "float64", "shape": [null])"));
    std::string err = e.error({{"a", test::f64({1}, {1})}, {"b", test::f64({3}, {1, 2, 3})}});
    CHECK(err.find("nodes[0]: add: shapes do not broadcast") == 0);
    // Equal sizes are fine.
    auto r = e.run({{"a", test::f64({3}, {1, 1, 1})}, {"b", test::f64({3}, {1, 2, 3})}});
    CHECK(test::values(r[0]) == std::vector<double>{2, 3, 4});
  }
  {  // a bound value must fit its declared type
    Eval e(binary("add", R"("dtype": "float64", "shape": [2])", R"("dtype": "float64", "shape": [2])"));
    CHECK(e.error({{"a", test::f64({3}, {1, 2, 3})}, {"b", test::f64({2}, {1, 2})}}).find("inputs[0]") == 0);
  }
}

TEST_CASE("interp elemwise: integer overflow wraps") {
  {
    Eval e(binary("sub", R"("dtype": "uint8", "shape": [2])", R"("dtype": "uint8", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::UInt8, {2}, {0, 5})}, {"b", test::tensor(DType::UInt8, {2}, {1, 250})}});
    CHECK(test::values(r[0]) == std::vector<double>{255, 11});
  }
  {
    Eval e(binary("mul", R"("dtype": "int32", "shape": [2])", R"("dtype": "int32", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::Int32, {2}, {65536, 46341})},
                    {"b", test::tensor(DType::Int32, {2}, {65536, 46341})}});
    CHECK(test::values(r[0]) == std::vector<double>{0, -2147479015});
  }
  {
    Eval e(binary("add", R"("dtype": "int64", "shape": [1])", R"("dtype": "int64", "shape": [1])"));
    Tensor a(DType::Int64, {1});
    a.data<int64_t>()[0] = std::numeric_limits<int64_t>::max();
    auto r = e.run({{"a", a}, {"b", test::i64({1}, {1})}});
    CHECK(test::as_tensor(r[0]).data<int64_t>()[0] == std::numeric_limits<int64_t>::min());
  }
  {
    Eval e(unary("neg", R"("dtype": "int8", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::Int8, {2}, {-128, 5})}});
    CHECK(test::values(r[0]) == std::vector<double>{-128, -5});
  }
  {  // pow wraps too: 2**7 in int8
    Eval e(binary("pow", R"("dtype": "int8", "shape": [2])", R"("dtype": "int8", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::Int8, {2}, {2, 3})}, {"b", test::tensor(DType::Int8, {2}, {7, 4})}});
    CHECK(test::values(r[0]) == std::vector<double>{-128, 81});
  }
}

TEST_CASE("interp elemwise: floor division and modulo, by zero too") {
  {
    Eval e(test::graph(R"([{"name": "a", "dtype": "int32", "shape": [6]}, {"name": "b", "dtype": "int32", "shape": [6]}])",
                       R"([{"op": "int_div", "inputs": ["a", "b"], "outputs": ["q"]},
                           {"op": "mod", "inputs": ["a", "b"], "outputs": ["m"]}])",
                       R"(["a", "b"])", R"(["q", "m"])"));
    auto r = e.run({{"a", test::tensor(DType::Int32, {6}, {7, -7, 7, -7, 5, -5})},
                    {"b", test::tensor(DType::Int32, {6}, {2, 2, -2, -2, 0, 0})}});
    CHECK(test::values(r[0]) == std::vector<double>{3, -4, -4, 3, 0, 0});
    CHECK(test::values(r[1]) == std::vector<double>{1, 1, -1, -1, 0, 0});
  }
  {  // int8: -128 // -1 wraps to -128
    Eval e(binary("int_div", R"("dtype": "int8", "shape": [1])", R"("dtype": "int8", "shape": [1])"));
    auto r = e.run({{"a", test::tensor(DType::Int8, {1}, {-128})}, {"b", test::tensor(DType::Int8, {1}, {-1})}});
    CHECK(test::values(r[0]) == std::vector<double>{-128});
  }
  {  // floats: 7.5 // -2 = -4, 7.5 % -2 = -0.5, -7.5 % 2 = 0.5, 1 // 0 = inf, 1 % 0 = nan
    Eval e(test::graph(R"([{"name": "a", "dtype": "float64", "shape": [3]}, {"name": "b", "dtype": "float64", "shape": [3]}])",
                       R"([{"op": "int_div", "inputs": ["a", "b"], "outputs": ["q"]},
                           {"op": "mod", "inputs": ["a", "b"], "outputs": ["m"]}])",
                       R"(["a", "b"])", R"(["q", "m"])"));
    auto r = e.run({{"a", test::f64({3}, {7.5, -7.5, 1})}, {"b", test::f64({3}, {-2, 2, 0})}});
    auto q = test::values(r[0]), m = test::values(r[1]);
    CHECK(q[0] == -4.0);
    CHECK(q[1] == -4.0);
    CHECK(std::isinf(q[2]));
    CHECK(m[0] == -0.5);
    CHECK(m[1] == 0.5);
    CHECK(std::isnan(m[2]));
  }
}

TEST_CASE("interp elemwise: unary ops") {
  {
    Eval e(unary("round", R"("dtype": "float64", "shape": [5])"));
    auto r = e.run({{"a", test::f64({5}, {0.5, 1.5, 2.5, -0.5, -1.7})}});
    auto v = test::values(r[0]);
    CHECK(v == std::vector<double>{0, 2, 2, -0.0, -2});
    CHECK(std::signbit(v[3]));
  }
  {
    Eval e(unary("sigmoid", R"("dtype": "float64", "shape": [3])"));
    auto r = e.run({{"a", test::f64({3}, {0, -1000, 1000})}});
    CHECK(test::values(r[0]) == std::vector<double>{0.5, 0.0, 1.0});
  }
  {
    Eval e(unary("softplus", R"("dtype": "float64", "shape": [3])"));
    auto r = e.run({{"a", test::f64({3}, {0, 1000, -1000})}});
    CHECK(test::close(test::values(r[0]), {0.6931471805599453, 1000.0, 0.0}));
  }
  {
    Eval e(unary("invert", R"("dtype": "uint8", "shape": [2])"));
    auto r = e.run({{"a", test::tensor(DType::UInt8, {2}, {0, 15})}});
    CHECK(test::values(r[0]) == std::vector<double>{255, 240});
  }
  {
    Eval e(unary("isnan", R"("dtype": "float32", "shape": [3])"));
    auto r = e.run({{"a", test::tensor(DType::Float32, {3}, {1, kNaN, INFINITY})}});
    CHECK(test::dtype_of(r[0]) == DType::Bool);
    CHECK(test::ints(r[0]) == std::vector<int64_t>{0, 1, 0});
  }
  {
    Eval e(unary("sgn", R"("dtype": "int16", "shape": [3])"));
    auto r = e.run({{"a", test::tensor(DType::Int16, {3}, {-7, 0, 9})}});
    CHECK(test::values(r[0]) == std::vector<double>{-1, 0, 1});
  }
  {  // integer reciprocal: 1 / x truncated, 1 / 0 gives 0
    Eval e(unary("reciprocal", R"("dtype": "int32", "shape": [4])"));
    auto r = e.run({{"a", test::tensor(DType::Int32, {4}, {1, -1, 2, 0})}});
    CHECK(test::values(r[0]) == std::vector<double>{1, -1, 0, 0});
  }
}

TEST_CASE("interp elemwise: n-ary add and mul fold left") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "int64", "shape": [2]}, {"name": "b", "dtype": "int64", "shape": [1]},
                         {"name": "c", "dtype": "int64", "shape": [2]}])",
                     R"([{"op": "add", "inputs": ["a", "b", "c"], "outputs": ["s"]},
                         {"op": "mul", "inputs": ["a", "b", "c"], "outputs": ["p"]},
                         {"op": "add", "inputs": ["a"], "outputs": ["one"]}])",
                     R"(["a", "b", "c"])", R"(["s", "p", "one"])"));
  auto r = e.run({{"a", test::i64({2}, {1, 2})}, {"b", test::i64({1}, {10})}, {"c", test::i64({2}, {100, 200})}});
  CHECK(test::values(r[0]) == std::vector<double>{111, 212});
  CHECK(test::values(r[1]) == std::vector<double>{1000, 4000});
  CHECK(test::values(r[2]) == std::vector<double>{1, 2});
}

TEST_CASE("interp elemwise: comparisons, logic, maximum with NaN") {
  Eval e(test::graph(R"([{"name": "a", "dtype": "float64", "shape": [3]}, {"name": "b", "dtype": "float64", "shape": [3]},
                         {"name": "i", "dtype": "int8", "shape": [2]}, {"name": "j", "dtype": "int8", "shape": [2]},
                         {"name": "p", "dtype": "bool", "shape": [2]}, {"name": "q", "dtype": "bool", "shape": [2]}])",
                     R"([{"op": "le", "inputs": ["a", "b"], "outputs": ["le"]},
                         {"op": "neq", "inputs": ["a", "b"], "outputs": ["ne"]},
                         {"op": "maximum", "inputs": ["a", "b"], "outputs": ["mx"]},
                         {"op": "minimum", "inputs": ["a", "b"], "outputs": ["mn"]},
                         {"op": "and", "inputs": ["i", "j"], "outputs": ["band"]},
                         {"op": "or", "inputs": ["i", "j"], "outputs": ["bor"]},
                         {"op": "xor", "inputs": ["p", "q"], "outputs": ["lx"]}])",
                     R"(["a", "b", "i", "j", "p", "q"])", R"(["le", "ne", "mx", "mn", "band", "bor", "lx"])"));
  auto r = e.run({{"a", test::f64({3}, {1, kNaN, 3})},
                  {"b", test::f64({3}, {1, 2, -3})},
                  {"i", test::tensor(DType::Int8, {2}, {12, -1})},
                  {"j", test::tensor(DType::Int8, {2}, {10, 3})},
                  {"p", test::tensor(DType::Bool, {2}, {1, 1})},
                  {"q", test::tensor(DType::Bool, {2}, {0, 1})}});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{1, 0, 0});
  CHECK(test::ints(r[1]) == std::vector<int64_t>{0, 1, 1});
  CHECK(test::close(test::values(r[2]), {1, kNaN, 3}));
  CHECK(test::close(test::values(r[3]), {1, kNaN, -3}));
  CHECK(test::values(r[4]) == std::vector<double>{8, 3});
  CHECK(test::values(r[5]) == std::vector<double>{14, -1});
  CHECK(test::ints(r[6]) == std::vector<int64_t>{1, 0});
}

TEST_CASE("interp elemwise: switch, clip and cast") {
  {  // switch(c, a, b): c nonzero; int32 with float32 -> float64
    Eval e(test::graph(R"([{"name": "c", "dtype": "int64", "shape": [3]}, {"name": "a", "dtype": "int32", "shape": [3]},
                           {"name": "b", "dtype": "float32", "shape": [3]}])",
                       R"([{"op": "switch", "inputs": ["c", "a", "b"], "outputs": ["y"]}])", R"(["c", "a", "b"])",
                       R"(["y"])"));
    auto r = e.run({{"c", test::i64({3}, {0, 2, -1})},
                    {"a", test::tensor(DType::Int32, {3}, {1, 2, 3})},
                    {"b", test::tensor(DType::Float32, {3}, {10, 20, 30})}});
    CHECK(test::dtype_of(r[0]) == DType::Float64);
    CHECK(test::values(r[0]) == std::vector<double>{10, 2, 3});
  }
  {  // clip(x, lo, hi) = minimum(maximum(x, lo), hi), NaN propagates
    Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [4]}])",
                       R"([{"op": "clip", "inputs": ["x", {"value": 0.0}, {"value": 1.0}], "outputs": ["y"]}])",
                       R"(["x"])", R"(["y"])"));
    auto r = e.run({{"x", test::f64({4}, {-5, 0.5, 5, kNaN})}});
    CHECK(test::close(test::values(r[0]), {0, 0.5, 1, kNaN}));
  }
  {  // cast truncates toward zero; NaN gives the most negative int64; nonzero is true
    Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [3]}])",
                       R"([{"op": "cast", "inputs": ["x"], "outputs": ["i"], "dtype": "int64"},
                           {"op": "cast", "inputs": ["x"], "outputs": ["u"], "dtype": "uint8"},
                           {"op": "cast", "inputs": ["x"], "outputs": ["b"], "dtype": "bool"}])",
                       R"(["x"])", R"(["i", "u", "b"])"));
    auto r = e.run({{"x", test::f64({3}, {1.7, -1.7, kNaN})}});
    CHECK(test::ints(r[0]) == std::vector<int64_t>{1, -1, std::numeric_limits<int64_t>::min()});
    CHECK(test::values(r[1]) == std::vector<double>{1, 255, 0});
    CHECK(test::ints(r[2]) == std::vector<int64_t>{1, 1, 1});
  }
}
