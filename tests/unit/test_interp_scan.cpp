// Reference interpreter: scan, with the seed examples of Theano's scan
// documentation. Expected values by hand, or from a numpy transcription of
// the recurrence (the RNN).
#include "test_interp_util.h"

using namespace tgc;
using test::Eval;

TEST_CASE("interp scan: A**k with n_steps") {
  Eval e(test::graph(R"([{"name": "A", "dtype": "float64", "shape": [null]}, {"name": "k", "dtype": "int32", "shape": []}])",
                     R"([{"op": "ones_like", "inputs": ["A"], "outputs": ["one"]},
                         {"op": "scan", "outputs_info": ["one"], "non_sequences": ["A"], "n_steps": "k",
                          "body": {"inputs": ["prior", "A_in"],
                                   "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}],
                                   "outputs": ["next"]},
                          "outputs": ["result"]},
                         {"op": "subtensor", "inputs": ["result"], "idx": [-1], "outputs": ["final"]}])",
                     R"(["A", "k"])", R"(["final", "result"])"));
  std::vector<double> a;
  for (int i = 0; i < 10; ++i) a.push_back(i);
  auto r = e.run({{"A", test::f64({10}, a)}, {"k", test::tensor(DType::Int32, {}, {2})}});
  CHECK(test::values(r[0]) == std::vector<double>{0, 1, 4, 9, 16, 25, 36, 49, 64, 81});
  CHECK(test::shape_of(r[1]) == Shape{2, 10});
  r = e.run({{"A", test::f64({10}, a)}, {"k", test::tensor(DType::Int32, {}, {4})}});
  CHECK(test::values(r[0]) == std::vector<double>{0, 1, 16, 81, 256, 625, 1296, 2401, 4096, 6561});
  // n_steps < 0 is a run-time error; 0 steps leave nothing to read at [-1].
  CHECK(e.error({{"A", test::f64({10}, a)}, {"k", test::tensor(DType::Int32, {}, {-1})}}) ==
        "nodes[1]: scan: n_steps must not be negative, got -1");
  CHECK(e.error({{"A", test::f64({10}, a)}, {"k", test::tensor(DType::Int32, {}, {0})}}).find("nodes[2]: subtensor: index -1") == 0);
}

TEST_CASE("interp scan: polynomial over two sequences of different lengths") {
  Eval e(test::graph(R"([{"name": "coefficients", "dtype": "float32", "shape": [null]}, {"name": "x", "dtype": "float32", "shape": []}])",
                     R"([{"op": "arange", "inputs": [{"value": 0}, {"value": 10000}, {"value": 1}], "outputs": ["powers"]},
                         {"op": "scan", "sequences": ["coefficients", "powers"], "non_sequences": ["x"],
                          "body": {"inputs": ["c", "p", "xv"],
                                   "nodes": [{"op": "pow", "inputs": ["xv", "p"], "outputs": ["xp"]},
                                             {"op": "mul", "inputs": ["c", "xp"], "outputs": ["term"]}],
                                   "outputs": ["term"]},
                          "outputs": ["components"]},
                         {"op": "sum", "inputs": ["components"], "outputs": ["poly"]}])",
                     R"(["coefficients", "x"])", R"(["poly", "components"])"));
  auto r = e.run({{"coefficients", test::tensor(DType::Float32, {3}, {1, 0, 2})}, {"x", test::tensor(DType::Float32, {}, {3})}});
  CHECK(test::values(r[0]) == std::vector<double>{19});  // 1 * 3**0 + 0 * 3**1 + 2 * 3**2
  CHECK(test::values(r[1]) == std::vector<double>{1, 0, 18});
}

namespace {
// x_t = x_tm3 + x_tm1 + 100 u_tm4 + 10 u_t, y_t = x_tm3 + y_tm1 (scalars, easy to follow by hand).
std::string taps_graph() {
  return test::graph(R"([{"name": "u", "dtype": "float64", "shape": [null]}, {"name": "x0", "dtype": "float64", "shape": [null]},
                         {"name": "y0", "dtype": "float64", "shape": []}])",
                     R"([{"op": "scan", "sequences": [{"input": "u", "taps": [-4, 0]}],
                          "outputs_info": [{"initial": "x0", "taps": [-3, -1]}, "y0"],
                          "body": {"inputs": ["u_tm4", "u_t", "x_tm3", "x_tm1", "y_tm1"],
                                   "nodes": [{"op": "mul", "inputs": ["u_tm4", {"value": 100.0}], "outputs": ["a"]},
                                             {"op": "mul", "inputs": ["u_t", {"value": 10.0}], "outputs": ["b"]},
                                             {"op": "add", "inputs": ["x_tm3", "x_tm1", "a", "b"], "outputs": ["x_t"]},
                                             {"op": "add", "inputs": ["x_tm3", "y_tm1"], "outputs": ["y_t"]}],
                                   "outputs": ["x_t", "y_t"]},
                          "outputs": ["x_vals", "y_vals"]}])",
                     R"(["u", "x0", "y0"])", R"(["x_vals", "y_vals"])");
}
}  // namespace

TEST_CASE("interp scan: sequence taps [-4, 0] and output taps [-3, -1]") {
  Eval e(taps_graph());
  Tensor u = test::f64({9}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  // u has 9 entries, taps span 4: 5 steps; step t reads u[t] as u_tm4 and u[t + 4] as u_t.
  // x buffer [1, 2, 3, x_0, ...]: step t reads buffer[t] as x_tm3 and buffer[t + 2] as x_tm1.
  auto r = e.run({{"u", u}, {"x0", test::f64({3}, {1, 2, 3})}, {"y0", test::f64({}, {0.5})}});
  CHECK(test::values(r[0]) == std::vector<double>{44, 196, 459, 873, 1549});
  CHECK(test::values(r[1]) == std::vector<double>{1.5, 3.5, 6.5, 50.5, 246.5});
  // Theano uses initial[:3]: a longer initial value gives the same result.
  r = e.run({{"u", u}, {"x0", test::f64({4}, {1, 2, 3, 99})}, {"y0", test::f64({}, {0.5})}});
  CHECK(test::values(r[0]) == std::vector<double>{44, 196, 459, 873, 1549});
  CHECK(e.error({{"u", u}, {"x0", test::f64({2}, {1, 2})}, {"y0", test::f64({}, {0.5})}}) ==
        "nodes[0]: scan: output 0 reads 3 steps back, but its initial value has shape (2,)");
  // A sequence shorter than its taps span allows 0 steps.
  r = e.run({{"u", test::f64({3}, {0, 1, 2})}, {"x0", test::f64({3}, {1, 2, 3})}, {"y0", test::f64({}, {0.5})}});
  CHECK(test::shape_of(r[0]) == Shape{0});
  CHECK(test::shape_of(r[1]) == Shape{0});
}

TEST_CASE("interp scan: the seed's RNN (taps [-4, 0], outputs [-3, -1] and [-1])") {
  Eval e(test::graph(R"([{"name": "u", "dtype": "float64", "shape": [null, null]}, {"name": "x0", "dtype": "float64", "shape": [null, null]},
                         {"name": "y0", "dtype": "float64", "shape": [null]}, {"name": "W", "dtype": "float64", "shape": [null, null]},
                         {"name": "W_in_1", "dtype": "float64", "shape": [null, null]}, {"name": "W_in_2", "dtype": "float64", "shape": [null, null]},
                         {"name": "W_feedback", "dtype": "float64", "shape": [null, null]}, {"name": "W_out", "dtype": "float64", "shape": [null, null]}])",
                     R"([{"op": "scan", "sequences": [{"input": "u", "taps": [-4, 0]}],
                          "outputs_info": [{"initial": "x0", "taps": [-3, -1]}, {"initial": "y0"}],
                          "non_sequences": ["W", "W_in_1", "W_in_2", "W_feedback", "W_out"], "strict": true,
                          "body": {"inputs": ["u_tm4", "u_t", "x_tm3", "x_tm1", "y_tm1", "W", "W_in_1", "W_in_2", "W_feedback", "W_out"],
                                   "nodes": [{"op": "dot", "inputs": ["x_tm1", "W"], "outputs": ["rec"]},
                                             {"op": "dot", "inputs": ["u_t", "W_in_1"], "outputs": ["in_1"]},
                                             {"op": "dot", "inputs": ["u_tm4", "W_in_2"], "outputs": ["in_2"]},
                                             {"op": "dot", "inputs": ["y_tm1", "W_feedback"], "outputs": ["fb"]},
                                             {"op": "add", "inputs": ["rec", "in_1", "in_2", "fb"], "outputs": ["pre"]},
                                             {"op": "tanh", "inputs": ["pre"], "outputs": ["x_t"]},
                                             {"op": "dot", "inputs": ["x_tm3", "W_out"], "outputs": ["y_t"]}],
                                   "outputs": ["x_t", "y_t"]},
                          "outputs": ["x_vals", "y_vals"]}])",
                     R"(["u", "x0", "y0", "W", "W_in_1", "W_in_2", "W_feedback", "W_out"])", R"(["x_vals", "y_vals"])"));
  std::vector<double> u;
  for (int i = 0; i < 18; ++i) u.push_back(i / 10.0);
  auto r = e.run({{"u", test::f64({9, 2}, u)},
                  {"x0", test::f64({3, 2}, {0.1, -0.2, 0.3, 0.4, -0.5, 0.6})},
                  {"y0", test::f64({2}, {0.05, -0.05})},
                  {"W", test::f64({2, 2}, {0.5, -0.1, 0.2, 0.3})},
                  {"W_in_1", test::f64({2, 2}, {0.1, 0.2, -0.3, 0.1})},
                  {"W_in_2", test::f64({2, 2}, {0.05, 0, 0, 0.05})},
                  {"W_feedback", test::f64({2, 2}, {1, 0.5, -0.5, 1})},
                  {"W_out", test::f64({2, 2}, {0.7, 0.1, -0.2, 0.9})}});
  CHECK(test::shape_of(r[0]) == Shape{5, 2});
  CHECK(test::close(test::values(r[0]), {-0.2402128646861802, 0.4300842114019795, -0.059020913972843946, 0.3478946907876495,
                                         -0.26820762823366484, 0.7443974995140709, -0.7531629922386652, 0.7487658079555365,
                                         -0.749810220552668, 0.7898066854407407}));
  CHECK(test::close(test::values(r[1]), {0.11, -0.17, 0.13, 0.39, -0.47, 0.49, -0.254165847560722, 0.36305450379316356,
                                         -0.11089357793852066, 0.3072031303116002}));
}

TEST_CASE("interp scan: go_backwards with n_steps=3 on 8 elements, and foldr") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [8]}])",
                     R"([{"op": "scan", "sequences": ["x"], "n_steps": 3, "go_backwards": true,
                          "body": {"inputs": ["xt"], "nodes": [{"op": "mul", "inputs": ["xt", {"value": 10.0}], "outputs": ["y"]}],
                                   "outputs": ["y"]},
                          "outputs": ["ys"]},
                         {"op": "foldr", "sequences": ["x"], "outputs_info": [{"value": 0.0}],
                          "body": {"inputs": ["xt", "acc"],
                                   "nodes": [{"op": "mul", "inputs": ["acc", {"value": 10.0}], "outputs": ["s"]},
                                             {"op": "add", "inputs": ["s", "xt"], "outputs": ["a"]}],
                                   "outputs": ["a"]},
                          "outputs": ["folded"]}])",
                     R"(["x"])", R"(["ys", "folded"])"));
  auto r = e.run({{"x", test::f64({8}, {0, 1, 2, 3, 4, 5, 6, 7})}});
  CHECK(test::values(r[0]) == std::vector<double>{70, 60, 50});  // visits x[7], x[6], x[5]
  CHECK(test::values(r[1]) == std::vector<double>{76543210});    // digits from the end
}

TEST_CASE("interp scan: until stops after the step where it is true") {
  Eval e(test::graph(R"([{"name": "max_value", "dtype": "float64", "shape": []}])",
                     R"([{"op": "scan", "outputs_info": [{"value": 1.0}], "non_sequences": ["max_value"], "n_steps": 1024,
                          "body": {"inputs": ["prev", "mv"],
                                   "nodes": [{"op": "mul", "inputs": ["prev", {"value": 2.0}], "outputs": ["p2"]},
                                             {"op": "gt", "inputs": ["p2", "mv"], "outputs": ["stop"]}],
                                   "outputs": ["p2"], "until": "stop"},
                          "outputs": ["values"]}])",
                     R"(["max_value"])", R"(["values"])"));
  CHECK(test::values(e.run({{"max_value", test::f64({}, {45})}})[0]) == std::vector<double>{2, 4, 8, 16, 32, 64});
  CHECK(test::values(e.run({{"max_value", test::f64({}, {1})}})[0]) == std::vector<double>{2});  // true on the first step
  CHECK(test::shape_of(e.run({{"max_value", test::f64({}, {INFINITY})}})[0]) == Shape{1024});  // n_steps bounds it
}

TEST_CASE("interp scan: zero steps") {
  Eval e(test::graph(R"([{"name": "n", "dtype": "int64", "shape": []}, {"name": "v", "dtype": "float32", "shape": [3]},
                         {"name": "s", "dtype": "float64", "shape": [null, 2]}])",
                     R"([{"op": "scan", "outputs_info": ["v", null], "non_sequences": ["s"], "n_steps": "n",
                          "body": {"inputs": ["prev", "s_in"],
                                   "nodes": [{"op": "add", "inputs": ["prev", {"value": 1.0}], "outputs": ["nxt"]},
                                             {"op": "mul", "inputs": ["s_in", {"value": 2.0}], "outputs": ["twice"]}],
                                   "outputs": ["nxt", "twice"]},
                          "outputs": ["rec", "plain"]}])",
                     R"(["n", "v", "s"])", R"(["rec", "plain"])"));
  std::vector<std::pair<std::string, Value>> ins = {
      {"n", test::i64({}, {0})}, {"v", test::tensor(DType::Float32, {3}, {1, 2, 3})}, {"s", test::f64({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8})}};
  auto r = e.run(ins);
  CHECK(test::shape_of(r[0]) == Shape{0, 3});  // the step shape of the initial value
  CHECK(test::dtype_of(r[0]) == DType::Float32);
  CHECK(test::shape_of(r[1]) == Shape{0, 0, 2});  // the static step type, unknown sizes as 0
  ins[0].second = test::i64({}, {2});
  r = e.run(ins);
  CHECK(test::values(r[0]) == std::vector<double>{2, 3, 4, 3, 4, 5});
  CHECK(test::shape_of(r[1]) == Shape{2, 4, 2});
  // A sequence of length 0 runs 0 steps.
  Eval m(test::graph(R"([{"name": "x", "dtype": "int32", "shape": [null]}])",
                     R"([{"op": "map", "sequences": ["x"], "body": {"inputs": ["e"], "nodes": [{"op": "neg", "inputs": ["e"], "outputs": ["y"]}], "outputs": ["y"]},
                          "outputs": ["ys"]}])",
                     R"(["x"])", R"(["ys"])"));
  CHECK(test::shape_of(m.run({{"x", test::tensor(DType::Int32, {0}, {})}})[0]) == Shape{0});
  CHECK(test::values(m.run({{"x", test::tensor(DType::Int32, {2}, {4, -5})}})[0]) == std::vector<double>{-4, 5});
}

TEST_CASE("interp scan: shared-state counter (the seed's a = shared(1))") {
  Eval e(test::graph("[]",
                     R"([{"op": "scan", "outputs_info": [], "n_steps": 10,
                          "body": {"inputs": [], "nodes": [{"op": "add", "inputs": ["a", {"value": 1, "dtype": "int64"}], "outputs": ["a_next"]}],
                                   "outputs": [], "updates": {"a": "a_next"}},
                          "outputs": [], "updates_out": {"a": "a_after"}},
                         {"op": "add", "inputs": ["a", {"value": 1, "dtype": "int64"}], "outputs": ["b"]},
                         {"op": "add", "inputs": ["a_after", {"value": 1, "dtype": "int64"}], "outputs": ["c"]}])",
                     "[]", R"(["b", "c", "a_after"])", R"("shared": [{"name": "a", "dtype": "int64", "shape": [], "value": 1}])"));
  auto r = e.run();
  CHECK(test::ints(r[0]) == std::vector<int64_t>{2});
  CHECK(test::ints(r[1]) == std::vector<int64_t>{12});
  CHECK(test::ints(r[2]) == std::vector<int64_t>{11});
  // The next call, with the update applied: b = 12, c = 22, a = 21.
  r = e.run({{"a", test::i64({}, {11})}});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{12});
  CHECK(test::ints(r[1]) == std::vector<int64_t>{22});
  CHECK(test::ints(r[2]) == std::vector<int64_t>{21});
}

TEST_CASE("interp scan: shared state after zero steps, and a random state in the body") {
  Eval e(test::graph(R"([{"name": "n", "dtype": "int64", "shape": []}])",
                     R"([{"op": "scan", "n_steps": "n",
                          "body": {"inputs": [],
                                   "nodes": [{"op": "add", "inputs": ["a", {"value": 1, "dtype": "int64"}], "outputs": ["a_next"]},
                                             {"op": "random_uniform", "inputs": ["rng", {"value": 0.0}, {"value": 1.0}], "size": [2], "outputs": ["rng_next", "u"]}],
                                   "outputs": ["u"], "updates": {"a": "a_next", "rng": "rng_next"}},
                          "outputs": ["us"], "updates_out": {"a": "a_after", "rng": "rng_after"}}])",
                     R"(["n"])", R"(["a_after", "us", "rng_after"])",
                     R"("shared": [{"name": "a", "dtype": "int64", "shape": [], "value": 1}, {"name": "rng", "type": "rng", "seed": 3}])"));
  auto r = e.run({{"n", test::i64({}, {0})}});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{1});
  CHECK(test::shape_of(r[1]) == Shape{0, 2});
  CHECK(std::get<RngState>(r[2]).ctr_lo == 0);
  r = e.run({{"n", test::i64({}, {3})}});
  CHECK(test::ints(r[0]) == std::vector<int64_t>{4});
  auto u = test::values(r[1]);
  CHECK(u[2] == sample_uniform_f64(rng_advance(rng_from_seed(3), 2), 0, 0.0, 1.0));  // step 1 continues the stream
  CHECK(u[0] != u[2]);
  CHECK(std::get<RngState>(r[2]).ctr_lo == 6);
}

TEST_CASE("interp scan: nested scan (cumulative sum of each row)") {
  Eval e(test::graph(R"([{"name": "M", "dtype": "float64", "shape": [3, 4]}])",
                     R"([{"op": "scan", "sequences": ["M"],
                          "body": {"inputs": ["row"],
                                   "nodes": [{"op": "scan", "sequences": ["row"], "outputs_info": [{"value": 0.0}],
                                              "body": {"inputs": ["e", "acc"], "nodes": [{"op": "add", "inputs": ["acc", "e"], "outputs": ["s"]}],
                                                       "outputs": ["s"]},
                                              "outputs": ["cums"]}],
                                   "outputs": ["cums"]},
                          "outputs": ["all"]}])",
                     R"(["M"])", R"(["all"])"));
  auto r = e.run({{"M", test::f64({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})}});
  CHECK(test::shape_of(r[0]) == Shape{3, 4});
  CHECK(test::values(r[0]) == std::vector<double>{0, 1, 3, 6, 4, 9, 15, 22, 8, 17, 27, 38});
}

TEST_CASE("interp scan: run-time errors") {
  Eval e(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "n", "dtype": "int32", "shape": []}])",
                     R"([{"op": "scan", "sequences": ["x"], "n_steps": "n",
                          "body": {"inputs": ["xt"], "nodes": [{"op": "neg", "inputs": ["xt"], "outputs": ["y"]}], "outputs": ["y"]},
                          "outputs": ["ys"]}])",
                     R"(["x", "n"])", R"(["ys"])"));
  Tensor x = test::f64({5}, {1, 2, 3, 4, 5});
  CHECK(test::values(e.run({{"x", x}, {"n", test::tensor(DType::Int32, {}, {2})}})[0]) == std::vector<double>{-1, -2});
  CHECK(e.error({{"x", x}, {"n", test::tensor(DType::Int32, {}, {6})}}) ==
        "nodes[0]: scan: n_steps is 6 but the sequences allow only 5 steps");
  CHECK(e.error({{"x", x}, {"n", test::tensor(DType::Int32, {}, {-1})}}) == "nodes[0]: scan: n_steps must not be negative, got -1");

  // Every step must have the shape of the first (and of the initial value).
  Eval grow(test::graph(R"([{"name": "x0", "dtype": "float64", "shape": [null]}])",
                        R"([{"op": "scan", "outputs_info": ["x0"], "n_steps": 3,
                             "body": {"inputs": ["prev"], "nodes": [{"op": "join", "inputs": ["prev", {"value": [1.0]}], "axis": 0, "outputs": ["y"]}],
                                      "outputs": ["y"]},
                             "outputs": ["ys"]}])",
                        R"(["x0"])", R"(["ys"])"));
  CHECK(grow.error({{"x0", test::f64({1}, {0})}}) ==
        "nodes[0]: scan: output 0 has shape (2,) at step 0, but its initial value has shape (1,)");
  // Checked before the first step, so that zero steps cannot give a shape the types contradict.
  Eval fixed(test::graph(R"([{"name": "x0", "dtype": "float64", "shape": [null]}, {"name": "n", "dtype": "int64", "shape": []}])",
                         R"([{"op": "scan", "outputs_info": ["x0"], "n_steps": "n",
                              "body": {"inputs": ["prev"], "nodes": [{"op": "alloc", "inputs": [{"value": 0.0}, {"value": 2}], "outputs": ["y"]}],
                                       "outputs": ["y"]},
                              "outputs": ["ys"]}])",
                         R"(["x0", "n"])", R"(["ys"])"));
  CHECK(fixed.error({{"x0", test::f64({3}, {0, 0, 0})}, {"n", test::i64({}, {0})}}) ==
        "nodes[0]: scan: output 0 has initial steps of shape (3,), but the body gives float64 (2,)");
  CHECK(test::shape_of(fixed.run({{"x0", test::f64({2}, {0, 0})}, {"n", test::i64({}, {0})}})[0]) == Shape{0, 2});
  Eval ragged(test::graph(R"([{"name": "x", "dtype": "int64", "shape": [null]}])",
                          R"([{"op": "map", "sequences": ["x"],
                               "body": {"inputs": ["t"], "nodes": [{"op": "arange", "inputs": [{"value": 0}, "t", {"value": 1}], "outputs": ["y"]}],
                                        "outputs": ["y"]},
                               "outputs": ["ys"]}])",
                          R"(["x"])", R"(["ys"])"));
  CHECK(ragged.error({{"x", test::i64({2}, {1, 2})}}) == "nodes[0]: scan: output 0 has shape (2,) at step 1, but step 0 had shape (1,)");
  // A failure inside the body is located at the body node.
  Eval inner(test::graph(R"([{"name": "x", "dtype": "float64", "shape": [null]}])",
                         R"([{"op": "map", "sequences": ["x"],
                              "body": {"inputs": ["t"], "nodes": [{"op": "gt", "inputs": ["t", {"value": 0.0}], "outputs": ["ok"]},
                                                                  {"op": "assert", "inputs": ["t", "ok"], "outputs": ["y"], "message": "positive"}],
                                       "outputs": ["y"]},
                              "outputs": ["ys"]}])",
                         R"(["x"])", R"(["ys"])"));
  CHECK(inner.error({{"x", test::f64({2}, {1, -1})}}) == "nodes[0].body.nodes[1]: assertion failed: positive");
}
