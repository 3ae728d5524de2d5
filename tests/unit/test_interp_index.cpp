// Reference interpreter: basic and advanced indexing. Expected values are
// numpy 2's (x = numpy.arange(24.).reshape(4, 6)).
#include <limits>

#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

namespace {
Tensor x46() {
  std::vector<double> v;
  for (int i = 0; i < 24; ++i) v.push_back(i);
  return test::f64({4, 6}, v);
}
const char* kX = R"({"name": "x", "dtype": "float64", "shape": [4, 6]})";
}  // namespace

TEST_CASE("interp index: integers and slices, negative steps") {
  Eval e(test::graph(std::string("[") + kX + "]",
                     R"([{"op": "subtensor", "inputs": ["x"], "outputs": ["a"], "idx": [1]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["b"], "idx": [-1, {"start": 1, "step": 2}]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["c"], "idx": [{"step": -1}, 0]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["d"], "idx": [{"start": 3, "stop": 0, "step": -2}, {"start": -2}]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["e"], "idx": [{"start": 5, "stop": 2}]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["f"], "idx": [{"step": 100}, {"start": -100, "stop": 100, "step": -100}]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["g"], "idx": [2, 3]},
                         {"op": "subtensor", "inputs": ["x"], "outputs": ["h"], "idx": [{"start": -1, "stop": -5, "step": -1}, {"stop": -4}]}])",
                     R"(["x"])", R"(["a", "b", "c", "d", "e", "f", "g", "h"])"));
  auto r = e.run({{"x", x46()}});
  CHECK(test::values(r[0]) == std::vector<double>{6, 7, 8, 9, 10, 11});
  CHECK(test::values(r[1]) == std::vector<double>{19, 21, 23});
  CHECK(test::values(r[2]) == std::vector<double>{18, 12, 6, 0});
  CHECK(test::shape_of(r[3]) == Shape{2, 2});
  CHECK(test::values(r[3]) == std::vector<double>{22, 23, 10, 11});
  CHECK(test::shape_of(r[4]) == Shape{0, 6});
  // x[::100, -100:100:-100]: row 0; from column max(-100 + 6, ...) clamped to 5 backwards, stopping at 100 -> nothing
  CHECK(test::shape_of(r[5]) == Shape{1, 0});
  CHECK(test::shape_of(r[6]) == Shape{});
  CHECK(test::values(r[6]) == std::vector<double>{15});
  // x[-1:-5:-1, :-4]
  CHECK(test::values(r[7]) == std::vector<double>{18, 19, 12, 13, 6, 7, 0, 1});
}

TEST_CASE("interp index: variable indices and their errors") {
  Eval e(test::graph(std::string("[") + kX + R"(, {"name": "i", "dtype": "int32", "shape": []}, {"name": "s", "dtype": "int64", "shape": []}])",
                     R"([{"op": "subtensor", "inputs": ["x"], "outputs": ["a"], "idx": [{"var": "i"}, {"start": {"var": "i"}, "step": {"var": "s"}}]}])",
                     R"(["x", "i", "s"])", R"(["a"])"));
  auto i32 = [](double v) { return test::tensor(DType::Int32, {}, {v}); };
  auto step = [](int64_t v) {
    Tensor t(DType::Int64, {});
    t.data<int64_t>()[0] = v;
    return t;
  };
  auto r = e.run({{"x", x46()}, {"i", i32(2)}, {"s", test::i64({}, {1})}});
  CHECK(test::values(r[0]) == std::vector<double>{14, 15, 16, 17});
  r = e.run({{"x", x46()}, {"i", i32(-4)}, {"s", test::i64({}, {-3})}});  // x[-4, -4::-3] = x[0, [2, -]]
  CHECK(test::values(r[0]) == std::vector<double>{2});
  CHECK(e.error({{"x", x46()}, {"i", i32(4)}, {"s", test::i64({}, {1})}}) ==
        "nodes[0]: subtensor: index 4 is out of bounds for dimension 0 with size 4");
  CHECK(e.error({{"x", x46()}, {"i", i32(-5)}, {"s", test::i64({}, {1})}}).find("index -5 is out of bounds") != std::string::npos);
  CHECK(e.error({{"x", x46()}, {"i", i32(0)}, {"s", test::i64({}, {0})}}).find("slice step cannot be zero") != std::string::npos);
  // Extreme steps stay well defined.
  r = e.run({{"x", x46()}, {"i", i32(1)}, {"s", step(std::numeric_limits<int64_t>::min())}});
  CHECK(test::values(r[0]) == std::vector<double>{7});
  r = e.run({{"x", x46()}, {"i", i32(1)}, {"s", step(std::numeric_limits<int64_t>::max())}});
  CHECK(test::values(r[0]) == std::vector<double>{7});
}

TEST_CASE("interp index: set_subtensor and inc_subtensor") {
  Eval e(test::graph(std::string("[") + kX + R"(, {"name": "row", "dtype": "float64", "shape": [6]},
                       {"name": "y1", "dtype": "float64", "shape": [1, 6]}, {"name": "q", "dtype": "float64", "shape": [null]},
                       {"name": "k", "dtype": "int32", "shape": [2]}])",
                     R"([{"op": "set_subtensor", "inputs": ["x", "row"], "outputs": ["a"], "idx": [1]},
                         {"op": "inc_subtensor", "inputs": ["x", {"value": 100.0}], "outputs": ["b"], "idx": [{"stop": 4, "step": 2}, 0]},
                         {"op": "inc_subtensor", "inputs": ["x", "y1"], "outputs": ["c"], "idx": [{"start": -1, "step": -2}]},
                         {"op": "inc_subtensor", "inputs": ["x", "q"], "outputs": ["d"], "idx": [0]},
                         {"op": "set_subtensor", "inputs": ["k", {"value": 2.7}], "outputs": ["e"], "idx": [0]}])",
                     R"(["x", "row", "y1", "q", "k"])", R"(["a", "b", "c", "d", "e"])"));
  std::vector<std::pair<std::string, Value>> ins = {{"x", x46()},
                                                    {"row", test::f64({6}, {-1, -2, -3, -4, -5, -6})},
                                                    {"y1", test::f64({1, 6}, {1, 1, 1, 1, 1, 1})},
                                                    {"q", test::f64({6}, {1, 2, 3, 4, 5, 6})},
                                                    {"k", test::tensor(DType::Int32, {2}, {5, 5})}};
  auto r = e.run(ins);
  auto a = test::values(r[0]);
  CHECK(std::vector<double>(a.begin() + 6, a.begin() + 12) == std::vector<double>{-1, -2, -3, -4, -5, -6});
  CHECK(a[0] == 0);
  CHECK(a[12] == 12);
  auto b = test::values(r[1]);
  CHECK(b[0] == 100);
  CHECK(b[6] == 6);
  CHECK(b[12] == 112);
  CHECK(b[13] == 13);
  auto c = test::values(r[2]);  // rows 3 and 1 get +1
  CHECK(c[18] == 19);
  CHECK(c[6] == 7);
  CHECK(c[12] == 12);
  CHECK(c[0] == 0);
  CHECK(test::values(r[3])[5] == 11);
  CHECK(test::dtype_of(r[4]) == DType::Int32);  // y is cast to x's dtype (2.7 -> 2)
  CHECK(test::values(r[4]) == std::vector<double>{2, 5});
  // A run-time size 1 in a dimension of unknown static size does not broadcast.
  ins[3].second = test::f64({1}, {1});
  CHECK(e.error(ins).find("inc_subtensor: the value of shape (1,) does not broadcast to (6,)") != std::string::npos);
}

TEST_CASE("interp index: advanced_subtensor1 and repeated indices") {
  Eval e(test::graph(std::string("[") + kX + R"(, {"name": "v", "dtype": "int64", "shape": [4]},
                       {"name": "y", "dtype": "int64", "shape": [3]}, {"name": "il", "dtype": "int64", "shape": [null]},
                       {"name": "m", "dtype": "float64", "shape": [3, 2]}, {"name": "w", "dtype": "float64", "shape": [2]}])",
                     R"([{"op": "advanced_subtensor1", "inputs": ["x", {"value": [3, -1, 0, 3]}], "outputs": ["a"]},
                         {"op": "advanced_inc_subtensor1", "inputs": ["v", "y", {"value": [1, 1, 3]}], "outputs": ["inc"]},
                         {"op": "advanced_set_subtensor1", "inputs": ["v", "y", {"value": [1, 1, 3]}], "outputs": ["set"]},
                         {"op": "advanced_inc_subtensor1", "inputs": ["m", "w", {"value": [0, 2, 0]}], "outputs": ["bm"]},
                         {"op": "advanced_subtensor1", "inputs": ["x", "il"], "outputs": ["b"]}])",
                     R"(["x", "v", "y", "m", "w", "il"])", R"(["a", "inc", "set", "bm", "b"])"));
  std::vector<std::pair<std::string, Value>> ins = {{"x", x46()},
                                                    {"v", test::i64({4}, {0, 0, 0, 0})},
                                                    {"y", test::i64({3}, {1, 2, 3})},
                                                    {"m", test::f64({3, 2}, {0, 0, 0, 0, 0, 0})},
                                                    {"w", test::f64({2}, {1, 10})},
                                                    {"il", test::i64({2}, {1, -4})}};
  auto r = e.run(ins);
  CHECK(test::shape_of(r[0]) == Shape{4, 6});
  auto a = test::values(r[0]);
  CHECK(a[0] == 18);
  CHECK(a[6] == 18);
  CHECK(a[12] == 0);
  CHECK(a[23] == 23);
  CHECK(test::values(r[1]) == std::vector<double>{0, 3, 0, 3});  // numpy.add.at
  CHECK(test::values(r[2]) == std::vector<double>{0, 2, 0, 3});  // last write wins
  CHECK(test::values(r[3]) == std::vector<double>{2, 20, 0, 0, 1, 10});
  CHECK(test::values(r[4])[6] == 0);
  ins[5].second = test::i64({2}, {1, 4});
  CHECK(e.error(ins).find("advanced_subtensor1: index 4 is out of bounds") != std::string::npos);
}
