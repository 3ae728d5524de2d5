// Reference interpreter: assert, lazy ifelse, deep graphs, bindings.
#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

TEST_CASE("interp control: assert") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [2]}, {"name": "i", "dtype": "int64", "shape": []}])",
                     R"([{"op": "gt", "inputs": ["i", {"value": 0}], "outputs": ["pos"]},
                         {"op": "assert", "inputs": ["x", "pos", "i"], "outputs": ["y"], "message": "i must be positive"}])",
                     R"(["x", "i"])", R"(["y"])"));
  CHECK(test::values(e.run({{"x", test::f64({2}, {1, 2})}, {"i", test::i64({}, {3})}})[0]) == std::vector<double>{1, 2});
  CHECK(e.error({{"x", test::f64({2}, {1, 2})}, {"i", test::i64({}, {-3})}}) == "nodes[1]: assertion failed: i must be positive");
  CHECK(e.error({{"x", test::f64({2}, {1, 2})}, {"i", test::i64({}, {0})}}) == "nodes[1]: assertion failed: i must be positive");
}

TEST_CASE("interp control: ifelse evaluates only the selected branch") {
  // then: assert(x, i > 0); else: x + x[i]. Each branch has a trap the other avoids.
  Eval e(test::graph(R"([{"name": "c", "dtype": "int8", "shape": []}, {"name": "x", "dtype": "float64", "shape": [3]},
                         {"name": "i", "dtype": "int64", "shape": []}])",
                     R"([{"op": "gt", "inputs": ["i", {"value": 0}], "outputs": ["pos"]},
                         {"op": "assert", "inputs": ["x", "pos"], "outputs": ["checked"], "message": "i must be positive"},
                         {"op": "subtensor", "inputs": ["x"], "idx": [{"var": "i"}], "outputs": ["xi"]},
                         {"op": "add", "inputs": ["x", "xi"], "outputs": ["shifted"]},
                         {"op": "mul", "inputs": ["x", {"value": 10.0}], "outputs": ["big"]},
                         {"op": "ifelse", "inputs": ["c"], "then": ["checked", "x"], "else": ["shifted", "big"], "outputs": ["y", "z"]}])",
                     R"(["c", "x", "i"])", R"(["y", "z"])"));
  auto c = [](double v) { return test::tensor(DType::Int8, {}, {v}); };
  Tensor x = test::f64({3}, {1, 2, 3});
  // Else taken: the failing assert of the then branch is never reached.
  auto r = e.run({{"c", c(0)}, {"x", x}, {"i", test::i64({}, {-1})}});
  CHECK(test::values(r[0]) == std::vector<double>{4, 5, 6});
  CHECK(test::values(r[1]) == std::vector<double>{10, 20, 30});
  // Then taken: the out-of-range index of the else branch is never reached.
  r = e.run({{"c", c(-2)}, {"x", x}, {"i", test::i64({}, {10})}});
  CHECK(test::values(r[0]) == std::vector<double>{1, 2, 3});
  CHECK(test::values(r[1]) == std::vector<double>{1, 2, 3});
  // The selected branch's own failures still happen.
  CHECK(e.error({{"c", c(1)}, {"x", x}, {"i", test::i64({}, {-1})}}) == "nodes[1]: assertion failed: i must be positive");
  CHECK(e.error({{"c", c(0)}, {"x", x}, {"i", test::i64({}, {10})}}).find("nodes[2]: subtensor: index 10 is out of bounds") == 0);
}

TEST_CASE("interp control: a 20,000-node chain does not overflow the stack") {
  const int n = 20000;
  std::string nodes = "[";
  for (int k = 0; k < n; ++k) {
    std::string in = k == 0 ? "x" : "v" + std::to_string(k - 1);
    nodes += (k ? ", " : "") + std::string(R"({"op": "add", "inputs": [")") + in + R"(", {"value": 1}], "outputs": ["v)" +
             std::to_string(k) + R"("]})";
  }
  nodes += "]";
  Eval e(test::graph(R"([{"name": "x", "dtype": "int64", "shape": [2]}])", nodes, R"(["x"])",
                     R"(["v)" + std::to_string(n - 1) + R"("])"));
  CHECK(test::ints(e.run({{"x", test::i64({2}, {0, 5})}})[0]) == std::vector<int64_t>{20000, 20005});
}

TEST_CASE("interp control: constants, shared values and unused nodes") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [2]}])",
                     R"([{"op": "add", "inputs": ["x", "W", "k"], "outputs": ["y"]},
                         {"op": "assert", "inputs": ["x", {"value": false}], "outputs": ["never"], "message": "unused"}])",
                     R"(["x"])", R"(["y", "x"])",
                     R"("shared": [{"name": "W", "dtype": "float64", "shape": [2], "value": [10, 20]}],
                        "constants": [{"name": "k", "dtype": "float64", "value": 0.5}])"));
  // W is not bound: its initial value is used. The assert is not needed, so it never runs.
  auto r = e.run({{"x", test::f64({2}, {1, 2})}});
  CHECK(test::values(r[0]) == std::vector<double>{11.5, 22.5});
  CHECK(test::values(r[1]) == std::vector<double>{1, 2});
  // A bound shared value wins over the initial one.
  r = e.run({{"x", test::f64({2}, {1, 2})}, {"W", test::f64({2}, {0, 0})}});
  CHECK(test::values(r[0]) == std::vector<double>{1.5, 2.5});
}

TEST_CASE("interp control: grad must be expanded before evaluation") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": []}])",
                     R"([{"op": "sqr", "inputs": ["x"], "outputs": ["c"]},
                         {"op": "grad", "inputs": ["c"], "wrt": ["x"], "outputs": ["g"]}])",
                     R"(["x"])", R"(["g"])"));
  try {
    e.run({{"x", test::f64({}, {3})}});
    FAIL("expected an internal error");
  } catch (const Error& err) {
    CHECK(err.code() == ExitCode::Internal);
  }
}
