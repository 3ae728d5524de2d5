// Back-propagation through time: gradients of scan graphs checked with
// verify_grad (Elman RNN, LSTM with merged gate weights, GRU, the seed's RNN
// with sequence and output taps, go_backwards, until, a shared state updated
// in the body, truncate_gradient, nested scans, non-contiguous sequences),
// and the backward scan's body checked for recomputed forward values.
#include <doctest/doctest.h>

#include <algorithm>
#include <unordered_set>

#include "frontend/loader.h"
#include "interp/interpreter.h"
#include "ir/composite.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "verify_grad.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

Value U(const Shape& s, double lo, double hi, uint64_t seed) { return test::uniform(s, lo, hi, seed); }

// verify_grad, and the compiled engine (FAST_RUN, every scan rewrite) against the interpreter.
test::GradCheckOptions compiled() {
  test::GradCheckOptions o;
  o.compiled = true;
  return o;
}

std::string graph(const std::string& inputs, const std::string& nodes, const std::string& outputs,
                  const std::string& extra = "") {
  json in = json::parse(inputs);
  json fin = json::array();
  for (const json& i : in) fin.push_back(i.at("name"));
  return R"({"format": "tgc-graph", "version": 1, "name": "grad_scan", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         (extra.empty() ? "" : ", " + extra) + R"(, "functions": [{"name": "f", "inputs": )" + fin.dump() +
         R"(, "outputs": )" + outputs + "}]}";
}

// h_t = tanh(x_t Wx + h_{t-1} Wh + b) over X (T, B, nin); `options` adds scan keys.
std::string elman_scan(const std::string& options = "") {
  return R"({"op": "scan", "sequences": ["X"], "outputs_info": ["h0"], "non_sequences": ["Wx", "Wh", "b"], "strict": true,)" +
         options + R"(
      "body": {"inputs": ["x_t", "h_tm1", "Wx_s", "Wh_s", "b_s"],
               "nodes": [{"op": "dot", "inputs": ["x_t", "Wx_s"], "outputs": ["xWx"]},
                         {"op": "dot", "inputs": ["h_tm1", "Wh_s"], "outputs": ["hWh"]},
                         {"op": "add", "inputs": ["xWx", "hWh", "b_s"], "outputs": ["pre"]},
                         {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
               "outputs": ["h_t"]},
      "outputs": ["H"]})";
}

const char* const kElmanInputs =
    R"([{"name": "X", "dtype": "float64", "shape": [null, null, null]}, {"name": "h0", "dtype": "float64", "shape": [null, null]},
        {"name": "Wx", "dtype": "float64", "shape": [null, null]}, {"name": "Wh", "dtype": "float64", "shape": [null, null]},
        {"name": "b", "dtype": "float64", "shape": [null]}])";

// The Elman RNN with cost = sum(H) (the brief's), or with a last-step term
// that makes the cost depend on the order of the steps.
std::string elman(const std::string& options = "", bool last_term = false) {
  std::string nodes = "[" + elman_scan(options) + R"(,
      {"op": "sum", "inputs": ["H"], "outputs": ["cost_all"]})";
  if (last_term)
    nodes += R"(,
      {"op": "subtensor", "inputs": ["H"], "idx": [-1], "outputs": ["h_last"]},
      {"op": "sqr", "inputs": ["h_last"], "outputs": ["h_last_sq"]},
      {"op": "sum", "inputs": ["h_last_sq"], "outputs": ["cost_last"]},
      {"op": "add", "inputs": ["cost_all", "cost_last"], "outputs": ["cost"]})";
  else
    nodes += R"(, {"op": "add", "inputs": ["cost_all"], "outputs": ["cost"]})";
  nodes += R"(,
      {"op": "grad", "inputs": ["cost"], "wrt": ["X", "h0", "Wx", "Wh", "b"], "outputs": ["gX", "gh0", "gWx", "gWh", "gb"]}])";
  return graph(kElmanInputs, nodes, R"(["cost", "gX", "gh0", "gWx", "gWh", "gb"])");
}

std::vector<Value> elman_inputs(int64_t T, uint64_t seed = 1) {
  const int64_t B = 2, nin = 3, nh = 4;
  return {U({T, B, nin}, -1, 1, seed), U({B, nh}, -0.5, 0.5, seed + 1), U({nin, nh}, -0.6, 0.6, seed + 2),
          U({nh, nh}, -0.6, 0.6, seed + 3), U({nh}, -0.3, 0.3, seed + 4)};
}

// LSTM with the four gates' weights merged into one matrix (the seed's
// advice): z = x_t W + h U + b, gates sliced out of z with subtensor.
std::string lstm() {
  const char* inputs =
      R"([{"name": "X", "dtype": "float64", "shape": [null, null, null]}, {"name": "h0", "dtype": "float64", "shape": [null, 3]},
          {"name": "c0", "dtype": "float64", "shape": [null, 3]}, {"name": "W", "dtype": "float64", "shape": [null, 12]},
          {"name": "U", "dtype": "float64", "shape": [3, 12]}, {"name": "b", "dtype": "float64", "shape": [12]}])";
  const char* nodes = R"([
      {"op": "scan", "sequences": ["X"], "outputs_info": ["h0", "c0"], "non_sequences": ["W", "U", "b"],
       "body": {"inputs": ["x_t", "h_tm1", "c_tm1", "W_s", "U_s", "b_s"],
                "nodes": [{"op": "dot", "inputs": ["x_t", "W_s"], "outputs": ["xW"]},
                          {"op": "dot", "inputs": ["h_tm1", "U_s"], "outputs": ["hU"]},
                          {"op": "add", "inputs": ["xW", "hU", "b_s"], "outputs": ["z"]},
                          {"op": "subtensor", "inputs": ["z"], "idx": [{"start": null}, {"start": 0, "stop": 3}], "outputs": ["zi"]},
                          {"op": "subtensor", "inputs": ["z"], "idx": [{"start": null}, {"start": 3, "stop": 6}], "outputs": ["zf"]},
                          {"op": "subtensor", "inputs": ["z"], "idx": [{"start": null}, {"start": 6, "stop": 9}], "outputs": ["zo"]},
                          {"op": "subtensor", "inputs": ["z"], "idx": [{"start": null}, {"start": 9, "stop": 12}], "outputs": ["zg"]},
                          {"op": "sigmoid", "inputs": ["zi"], "outputs": ["i"]},
                          {"op": "sigmoid", "inputs": ["zf"], "outputs": ["f"]},
                          {"op": "sigmoid", "inputs": ["zo"], "outputs": ["o"]},
                          {"op": "tanh", "inputs": ["zg"], "outputs": ["g"]},
                          {"op": "mul", "inputs": ["f", "c_tm1"], "outputs": ["fc"]},
                          {"op": "mul", "inputs": ["i", "g"], "outputs": ["ig"]},
                          {"op": "add", "inputs": ["fc", "ig"], "outputs": ["c_t"]},
                          {"op": "tanh", "inputs": ["c_t"], "outputs": ["tc"]},
                          {"op": "mul", "inputs": ["o", "tc"], "outputs": ["h_t"]}],
                "outputs": ["h_t", "c_t"]},
       "outputs": ["H", "C"]},
      {"op": "sum", "inputs": ["H"], "outputs": ["sH"]},
      {"op": "subtensor", "inputs": ["C"], "idx": [-1], "outputs": ["c_last"]},
      {"op": "sqr", "inputs": ["c_last"], "outputs": ["c_sq"]},
      {"op": "sum", "inputs": ["c_sq"], "outputs": ["sC"]},
      {"op": "add", "inputs": ["sH", "sC"], "outputs": ["cost"]},
      {"op": "grad", "inputs": ["cost"], "wrt": ["X", "h0", "c0", "W", "U", "b"],
       "outputs": ["gX", "gh0", "gc0", "gW", "gU", "gb"]}])";
  return graph(inputs, nodes, R"(["cost", "gX", "gh0", "gc0", "gW", "gU", "gb"])");
}

std::string gru() {
  const char* inputs =
      R"([{"name": "X", "dtype": "float64", "shape": [null, null]}, {"name": "h0", "dtype": "float64", "shape": [3]},
          {"name": "Wr", "dtype": "float64", "shape": [2, 3]}, {"name": "Ur", "dtype": "float64", "shape": [3, 3]},
          {"name": "Wz", "dtype": "float64", "shape": [2, 3]}, {"name": "Uz", "dtype": "float64", "shape": [3, 3]},
          {"name": "Wn", "dtype": "float64", "shape": [2, 3]}, {"name": "Un", "dtype": "float64", "shape": [3, 3]}])";
  const char* nodes = R"([
      {"op": "scan", "sequences": ["X"], "outputs_info": ["h0"], "non_sequences": ["Wr", "Ur", "Wz", "Uz", "Wn", "Un"],
       "body": {"inputs": ["x", "h", "Wr_s", "Ur_s", "Wz_s", "Uz_s", "Wn_s", "Un_s"],
                "nodes": [{"op": "dot", "inputs": ["x", "Wr_s"], "outputs": ["xr"]},
                          {"op": "dot", "inputs": ["h", "Ur_s"], "outputs": ["hr"]},
                          {"op": "add", "inputs": ["xr", "hr"], "outputs": ["ar"]},
                          {"op": "sigmoid", "inputs": ["ar"], "outputs": ["r"]},
                          {"op": "dot", "inputs": ["x", "Wz_s"], "outputs": ["xz"]},
                          {"op": "dot", "inputs": ["h", "Uz_s"], "outputs": ["hz"]},
                          {"op": "add", "inputs": ["xz", "hz"], "outputs": ["az"]},
                          {"op": "sigmoid", "inputs": ["az"], "outputs": ["z"]},
                          {"op": "mul", "inputs": ["r", "h"], "outputs": ["rh"]},
                          {"op": "dot", "inputs": ["x", "Wn_s"], "outputs": ["xn"]},
                          {"op": "dot", "inputs": ["rh", "Un_s"], "outputs": ["hn"]},
                          {"op": "add", "inputs": ["xn", "hn"], "outputs": ["an"]},
                          {"op": "tanh", "inputs": ["an"], "outputs": ["n"]},
                          {"op": "sub", "inputs": [{"value": 1.0}, "z"], "outputs": ["omz"]},
                          {"op": "mul", "inputs": ["omz", "n"], "outputs": ["a"]},
                          {"op": "mul", "inputs": ["z", "h"], "outputs": ["c"]},
                          {"op": "add", "inputs": ["a", "c"], "outputs": ["h_t"]}],
                "outputs": ["h_t"]},
       "outputs": ["H"]},
      {"op": "sum", "inputs": ["H"], "outputs": ["sH"]},
      {"op": "subtensor", "inputs": ["H"], "idx": [-1], "outputs": ["h_last"]},
      {"op": "sqr", "inputs": ["h_last"], "outputs": ["h_sq"]},
      {"op": "sum", "inputs": ["h_sq"], "outputs": ["sL"]},
      {"op": "add", "inputs": ["sH", "sL"], "outputs": ["cost"]},
      {"op": "grad", "inputs": ["cost"], "wrt": ["X", "h0", "Wr", "Ur", "Wz", "Uz", "Wn", "Un"],
       "outputs": ["gX", "gh0", "gWr", "gUr", "gWz", "gUz", "gWn", "gUn"]}])";
  return graph(inputs, nodes, R"(["cost", "gX", "gh0", "gWr", "gUr", "gWz", "gUz", "gWn", "gUn"])");
}

// The seed's RNN: x(n) = tanh(W x(n-1) + W_in_1 u(n) + W_in_2 u(n-4) + W_feedback y(n-1)), y(n) = W_out x(n-3).
std::string seed_rnn() {
  const char* inputs =
      R"([{"name": "u", "dtype": "float64", "shape": [null, null]}, {"name": "x0", "dtype": "float64", "shape": [null, null]},
          {"name": "y0", "dtype": "float64", "shape": [null]}, {"name": "W", "dtype": "float64", "shape": [null, null]},
          {"name": "W_in_1", "dtype": "float64", "shape": [null, null]}, {"name": "W_in_2", "dtype": "float64", "shape": [null, null]},
          {"name": "W_feedback", "dtype": "float64", "shape": [null, null]}, {"name": "W_out", "dtype": "float64", "shape": [null, null]}])";
  const char* nodes = R"([
      {"op": "scan", "sequences": [{"input": "u", "taps": [-4, 0]}],
       "outputs_info": [{"initial": "x0", "taps": [-3, -1]}, {"initial": "y0"}],
       "non_sequences": ["W", "W_in_1", "W_in_2", "W_feedback", "W_out"], "strict": true,
       "body": {"inputs": ["u_tm4", "u_t", "x_tm3", "x_tm1", "y_tm1", "W_s", "W_in_1_s", "W_in_2_s", "W_feedback_s", "W_out_s"],
                "nodes": [{"op": "dot", "inputs": ["x_tm1", "W_s"], "outputs": ["rec"]},
                          {"op": "dot", "inputs": ["u_t", "W_in_1_s"], "outputs": ["in_1"]},
                          {"op": "dot", "inputs": ["u_tm4", "W_in_2_s"], "outputs": ["in_2"]},
                          {"op": "dot", "inputs": ["y_tm1", "W_feedback_s"], "outputs": ["fb"]},
                          {"op": "add", "inputs": ["rec", "in_1", "in_2", "fb"], "outputs": ["pre"]},
                          {"op": "tanh", "inputs": ["pre"], "outputs": ["x_t"]},
                          {"op": "dot", "inputs": ["x_tm3", "W_out_s"], "outputs": ["y_t"]}],
                "outputs": ["x_t", "y_t"]},
       "outputs": ["x_vals", "y_vals"]},
      {"op": "sum", "inputs": ["x_vals"], "outputs": ["sx"]},
      {"op": "sqr", "inputs": ["y_vals"], "outputs": ["ysq"]},
      {"op": "sum", "inputs": ["ysq"], "outputs": ["sy"]},
      {"op": "add", "inputs": ["sx", "sy"], "outputs": ["cost"]},
      {"op": "grad", "inputs": ["cost"], "wrt": ["u", "x0", "y0", "W", "W_in_1", "W_in_2", "W_feedback", "W_out"],
       "outputs": ["gu", "gx0", "gy0", "gW", "gW_in_1", "gW_in_2", "gW_feedback", "gW_out"]}])";
  return graph(inputs, nodes, R"(["cost", "gu", "gx0", "gy0", "gW", "gW_in_1", "gW_in_2", "gW_feedback", "gW_out"])");
}

std::vector<Value> seed_rnn_inputs() {
  const int64_t L = 9, nin = 2, n = 3, nout = 2;  // 5 steps
  return {U({L, nin}, -1, 1, 31), U({3, n}, -0.5, 0.5, 32), U({nout}, -0.5, 0.5, 33), U({n, n}, -0.5, 0.5, 34),
          U({nin, n}, -0.5, 0.5, 35), U({nin, n}, -0.5, 0.5, 36), U({nout, n}, -0.5, 0.5, 37), U({n, nout}, -0.5, 0.5, 38)};
}

const bool registered = [] {
  test::prebuild_grad_graph(elman());
  test::prebuild_grad_graph(lstm());
  test::prebuild_grad_graph(seed_rnn());
  return true;
}();

FunctionGraph compile(const std::string& text, Mode mode) {
  static std::vector<std::unique_ptr<Module>> keep;  // the graphs refer to the module's values
  keep.push_back(std::make_unique<Module>(frontend::load_graph_text(text, "grad_scan.json", TGC_TEST_DATA_DIR)));
  PipelineOptions po;
  po.mode = mode;
  return compile_function(*keep.back(), *keep.back()->find_function("f"), po);
}

using test::run_interp;

void check_close(const Tensor& got, const Tensor& want, const std::string& what, double tol = 1e-10) {
  REQUIRE_MESSAGE(got.shape() == want.shape(), what);
  for (int64_t i = 0; i < got.size(); ++i)
    CHECK_MESSAGE(std::fabs(got.get_f64(i) - want.get_f64(i)) <= tol * std::max(1.0, std::fabs(want.get_f64(i))),
                  what << " element " << i << ": " << got.get_f64(i) << ", expected " << want.get_f64(i));
}

}  // namespace

TEST_CASE("grad scan: Elman RNN") {
  test::GradCheckOptions o;
  o.compiled = true;
  test::GradCheckReport r = test::check_grad("Elman RNN", elman(), elman_inputs(4), o);
  CHECK(r.compiled_checked);
  test::check_grad("Elman RNN, one step", elman("", true), elman_inputs(1, 7));
}

TEST_CASE("grad scan: zero steps") {
  // With zero forward steps the backward scan runs zero steps too, and its
  // per-step outputs (the sequence's gradient rows) have no step to take
  // their row shape from. grad_scan gives them the shape of the rows they
  // are added to, so the gradient is zero rather than a shape error.
  // Minimal: y_t = x_t * w over a matrix x with no rows; cost = sum(Y).
  std::string minimal = graph(
      R"([{"name": "x", "dtype": "float64", "shape": [null, null]}, {"name": "w", "dtype": "float64", "shape": []}])",
      R"([{"op": "scan", "sequences": ["x"], "non_sequences": ["w"],
           "body": {"inputs": ["x_t", "w_s"], "nodes": [{"op": "mul", "inputs": ["x_t", "w_s"], "outputs": ["y_t"]}], "outputs": ["y_t"]},
           "outputs": ["Y"]},
          {"op": "sum", "inputs": ["Y"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["x", "w"], "outputs": ["gx", "gw"]}])",
      R"(["cost", "gx", "gw"])");
  std::vector<Tensor> m = run_interp(minimal, {Tensor(DType::Float64, {0, 3}), test::scalar(DType::Float64, 2.0)});
  CHECK(m[1].shape() == Shape{0, 3});
  CHECK(m[2].get_f64(0) == 0.0);
  // The Elman RNN with no steps: the cost and every gradient are zero.
  std::vector<Tensor> z = run_interp(elman(), elman_inputs(0, 9));
  CHECK(z[0].get_f64(0) == 0.0);
  for (size_t k = 1; k < z.size(); ++k)
    for (int64_t i = 0; i < z[k].size(); ++i) CHECK(z[k].get_f64(i) == 0.0);
}

TEST_CASE("grad scan: go_backwards") {
  test::check_grad("Elman RNN go_backwards", elman(R"( "go_backwards": true,)", true), elman_inputs(4, 11), compiled());
}

TEST_CASE("grad scan: LSTM with merged gate weights") {
  const int64_t T = 3, B = 2, nin = 2, nh = 3;
  test::GradCheckOptions o;
  o.compiled = true;
  test::check_grad("LSTM", lstm(),
                   {U({T, B, nin}, -1, 1, 21), U({B, nh}, -0.5, 0.5, 22), U({B, nh}, -0.5, 0.5, 23),
                    U({nin, 4 * nh}, -0.5, 0.5, 24), U({nh, 4 * nh}, -0.5, 0.5, 25), U({4 * nh}, -0.3, 0.3, 26)},
                   o);
}

TEST_CASE("grad scan: GRU") {
  std::vector<Value> in = {U({4, 2}, -1, 1, 41), U({3}, -0.5, 0.5, 42)};
  for (uint64_t s = 43; s < 49; ++s) in.push_back(U(s % 2 ? Shape{2, 3} : Shape{3, 3}, -0.6, 0.6, s));
  test::check_grad("GRU", gru(), in, compiled());
}

TEST_CASE("grad scan: the seed's RNN, sequence taps [-4, 0] and output taps [-3, -1]") {
  test::GradCheckOptions o;
  o.compiled = true;
  test::check_grad("seed RNN", seed_rnn(), seed_rnn_inputs(), o);
}

TEST_CASE("grad scan: until (powers of a float, stopping above a limit)") {
  std::string text = graph(
      R"([{"name": "x0", "dtype": "float64", "shape": []}, {"name": "a", "dtype": "float64", "shape": []},
          {"name": "max_value", "dtype": "float64", "shape": []}])",
      R"([{"op": "scan", "outputs_info": [{"initial": "x0"}], "non_sequences": ["a", "max_value"], "n_steps": 1024,
           "body": {"inputs": ["prev", "a_s", "limit"],
                    "nodes": [{"op": "mul", "inputs": ["prev", "a_s"], "outputs": ["p"]},
                              {"op": "gt", "inputs": ["p", "limit"], "outputs": ["done"]}],
                    "outputs": ["p"], "until": "done"},
           "outputs": ["values"]},
          {"op": "sqr", "inputs": ["values"], "outputs": ["vsq"]},
          {"op": "sum", "inputs": ["vsq"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["x0", "a"], "outputs": ["gx0", "ga"]}])",
      R"(["cost", "gx0", "ga"])");
  auto f = [](double v) { return test::scalar(DType::Float64, v); };
  // 1.3 * 1.7^k for k = 1..6: the sixth (31.4) is the first above 20.
  test::GradCheckReport r = test::check_grad("until", text, {f(1.3), f(1.7), f(20.0)}, compiled());
  // cost = sum_k (x0 a^k)^2 over k = 1..6: d/dx0 = 2 x0 sum a^2k.
  double s = 0;
  for (int k = 1; k <= 6; ++k) s += std::pow(1.7, 2 * k);
  REQUIRE(r.grads.size() == 2);
  CHECK(r.grads[0].get_f64(0) == doctest::Approx(2 * 1.3 * s).epsilon(1e-12));
  test::check_grad("until, stopping at the first step", text, {f(1.3), f(1.7), f(1.0)});
}

TEST_CASE("grad scan: a shared state updated in the body (gradient through its final value)") {
  // s_t = tanh(s_{t-1} * w + x_t), y_t = s_t * x_t; cost = sum(Y) + sum(s_after^2).
  std::string text = graph(
      R"([{"name": "X", "dtype": "float64", "shape": [null, 3]}, {"name": "w", "dtype": "float64", "shape": [3]}])",
      R"([{"op": "scan", "sequences": ["X"], "outputs_info": [null], "non_sequences": ["w"],
           "body": {"inputs": ["x_t", "w_s"],
                    "nodes": [{"op": "mul", "inputs": ["s", "w_s"], "outputs": ["sw"]},
                              {"op": "add", "inputs": ["sw", "x_t"], "outputs": ["pre"]},
                              {"op": "tanh", "inputs": ["pre"], "outputs": ["s_next"]},
                              {"op": "mul", "inputs": ["s_next", "x_t"], "outputs": ["y_t"]}],
                    "outputs": ["y_t"], "updates": {"s": "s_next"}},
           "outputs": ["Y"], "updates_out": {"s": "s_after"}},
          {"op": "sum", "inputs": ["Y"], "outputs": ["sY"]},
          {"op": "sqr", "inputs": ["s_after"], "outputs": ["ssq"]},
          {"op": "sum", "inputs": ["ssq"], "outputs": ["sS"]},
          {"op": "add", "inputs": ["sY", "sS"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["s", "w", "X"], "outputs": ["gs", "gw", "gX"]}])",
      R"(["cost", "gs", "gw", "gX"])",
      R"("shared": [{"name": "s", "dtype": "float64", "shape": [3], "value": [0.5, -0.2, 0.1]}])");
  test::check_grad("shared state", text, {U({4, 3}, -1, 1, 51), U({3}, -0.8, 0.8, 52)}, compiled());
  // Only through the final value.
  std::string last_only = graph(
      R"([{"name": "X", "dtype": "float64", "shape": [null, 3]}, {"name": "w", "dtype": "float64", "shape": [3]}])",
      R"([{"op": "scan", "sequences": ["X"], "non_sequences": ["w"],
           "body": {"inputs": ["x_t", "w_s"],
                    "nodes": [{"op": "mul", "inputs": ["s", "w_s"], "outputs": ["sw"]},
                              {"op": "add", "inputs": ["sw", "x_t"], "outputs": ["pre"]},
                              {"op": "tanh", "inputs": ["pre"], "outputs": ["s_next"]}],
                    "outputs": [], "updates": {"s": "s_next"}},
           "outputs": [], "updates_out": {"s": "s_after"}},
          {"op": "sqr", "inputs": ["s_after"], "outputs": ["ssq"]},
          {"op": "sum", "inputs": ["ssq"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["s", "w", "X"], "outputs": ["gs", "gw", "gX"]}])",
      R"(["cost", "gs", "gw", "gX"])",
      R"("shared": [{"name": "s", "dtype": "float64", "shape": [3], "value": [0.5, -0.2, 0.1]}])");
  test::check_grad("shared state, final value only", last_only, {U({4, 3}, -1, 1, 53), U({3}, -0.8, 0.8, 54)});
}

TEST_CASE("grad scan: truncate_gradient (Theano's: only the last k steps back-propagate)") {
  const int64_t T = 5, k = 2;
  std::vector<Value> in = elman_inputs(T, 61);
  std::vector<Tensor> got = run_interp(elman(R"( "truncate_gradient": 2,)"), in);
  // The definition, written out: the first T - k steps run as a scan of
  // their own whose last state is held constant; the cost counts only the
  // last k steps (their outputs are all the backward loop visits).
  std::string first = elman_scan();
  first.replace(first.find(R"("sequences": ["X"])"), 18, R"("sequences": ["X_a"])");
  first.replace(first.find(R"("outputs": ["H"])"), 16, R"("outputs": ["H_a"])");
  std::string second = elman_scan();
  second.replace(second.find(R"("sequences": ["X"])"), 18, R"("sequences": ["X_b"])");
  second.replace(second.find(R"("outputs_info": ["h0"])"), 22, R"("outputs_info": ["h_mid"])");
  second.replace(second.find(R"("outputs": ["H"])"), 16, R"("outputs": ["H_b"])");
  std::string ref = graph(kElmanInputs, R"([
      {"op": "subtensor", "inputs": ["X"], "idx": [{"stop": -2}], "outputs": ["X_a"]},
      {"op": "subtensor", "inputs": ["X"], "idx": [{"start": -2}], "outputs": ["X_b"]},)" +
                                            first + "," + second + R"(,
      {"op": "subtensor", "inputs": ["H_a"], "idx": [-1], "outputs": ["h_mid"]},
      {"op": "sum", "inputs": ["H_b"], "outputs": ["cost"]},
      {"op": "grad", "inputs": ["cost"], "wrt": ["X", "h0", "Wx", "Wh", "b"], "outputs": ["gX", "gh0", "gWx", "gWh", "gb"],
       "consider_constant": ["h_mid"], "disconnected_inputs": "ignore"}])",
                          R"(["cost", "gX", "gh0", "gWx", "gWh", "gb"])");
  static_assert(T - k == 3);
  std::vector<Tensor> want = run_interp(ref, in);
  const char* names[] = {"cost", "gX", "gh0", "gWx", "gWh", "gb"};
  for (size_t i = 1; i < want.size(); ++i) check_close(got[i], want[i], names[i]);
  // Rows of X before the last k steps get nothing, h0 nothing.
  for (int64_t i = 0; i < (T - k) * 2 * 3; ++i) CHECK(got[1].get_f64(i) == 0.0);
  for (int64_t i = 0; i < got[2].size(); ++i) CHECK(got[2].get_f64(i) == 0.0);
  // With k >= T nothing is truncated: the full gradient, checked numerically.
  test::check_grad("truncate_gradient 5 on 5 steps", elman(R"( "truncate_gradient": 5,)", true), elman_inputs(5, 62));
  test::check_grad("truncate_gradient 9 on 3 steps", elman(R"( "truncate_gradient": 9,)", true), elman_inputs(3, 63));
}

TEST_CASE("grad scan: nested scans") {
  // Outer scan over the rows of X (T, n); its body runs an inner scan over
  // the row's elements: a_j = tanh(a_{j-1} * w + e_j), from a_0 = h_{t-1};
  // h_t = the inner scan's last value.
  std::string text = graph(
      R"([{"name": "X", "dtype": "float64", "shape": [null, null]}, {"name": "h0", "dtype": "float64", "shape": []},
          {"name": "w", "dtype": "float64", "shape": []}])",
      R"([{"op": "scan", "sequences": ["X"], "outputs_info": ["h0", null], "non_sequences": ["w"],
           "body": {"inputs": ["row", "h_tm1", "w_o"],
                    "nodes": [{"op": "scan", "sequences": ["row"], "outputs_info": ["h_tm1"], "non_sequences": ["w_o"],
                               "body": {"inputs": ["e", "a_prev", "w_i"],
                                        "nodes": [{"op": "mul", "inputs": ["a_prev", "w_i"], "outputs": ["aw"]},
                                                  {"op": "add", "inputs": ["aw", "e"], "outputs": ["pre"]},
                                                  {"op": "tanh", "inputs": ["pre"], "outputs": ["a"]}],
                                        "outputs": ["a"]},
                               "outputs": ["A"]},
                              {"op": "subtensor", "inputs": ["A"], "idx": [-1], "outputs": ["h_t"]},
                              {"op": "sum", "inputs": ["A"], "outputs": ["s_t"]}],
                    "outputs": ["h_t", "s_t"]},
           "outputs": ["H", "S"]},
          {"op": "sum", "inputs": ["H"], "outputs": ["sH"]},
          {"op": "sum", "inputs": ["S"], "outputs": ["sS"]},
          {"op": "add", "inputs": ["sH", "sS"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["X", "h0", "w"], "outputs": ["gX", "gh0", "gw"]}])",
      R"(["cost", "gX", "gh0", "gw"])");
  test::check_grad("nested scans", text,
                   {U({3, 4}, -1, 1, 71), test::scalar(DType::Float64, 0.2), test::scalar(DType::Float64, 0.7)}, compiled());
}

TEST_CASE("grad scan: sequences that are not contiguous") {
  // The sequence is M transposed (columns of M), and M[::-2] (every other row, backwards).
  for (const char* view : {R"({"op": "transpose", "inputs": ["M"], "outputs": ["S"]})",
                           R"({"op": "subtensor", "inputs": ["M"], "idx": [{"step": -2}], "outputs": ["S"]})"}) {
    std::string text = graph(
        R"([{"name": "M", "dtype": "float64", "shape": [null, null]}, {"name": "h0", "dtype": "float64", "shape": [null]},
            {"name": "W", "dtype": "float64", "shape": [null, null]}])",
        std::string("[") + view + R"(,
            {"op": "scan", "sequences": ["S"], "outputs_info": ["h0"], "non_sequences": ["W"],
             "body": {"inputs": ["s_t", "h_tm1", "W_s"],
                      "nodes": [{"op": "dot", "inputs": ["h_tm1", "W_s"], "outputs": ["hW"]},
                                {"op": "add", "inputs": ["hW", "s_t"], "outputs": ["pre"]},
                                {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
                      "outputs": ["h_t"]},
             "outputs": ["H"]},
            {"op": "sqr", "inputs": ["H"], "outputs": ["Hsq"]},
            {"op": "sum", "inputs": ["Hsq"], "outputs": ["cost"]},
            {"op": "grad", "inputs": ["cost"], "wrt": ["M", "h0", "W"], "outputs": ["gM", "gh0", "gW"]}])",
        R"(["cost", "gM", "gh0", "gW"])");
    test::check_grad(view, text, {U({5, 5}, -1, 1, 81), U({5}, -0.5, 0.5, 82), U({5, 5}, -0.5, 0.5, 83)});
  }
}

namespace {

// The backward scan of `text`'s gradient, compiled in FAST_RUN (every
// rewrite): its body must compute none of the ops in `forward_only` (not in
// a fused loop either), and every product in it must involve a gradient (a
// value depending on one of the backward scan's recurrent states): a product
// of forward values only is a recomputed forward dot (x_t Wx, h Wh).
void check_no_recomputation(const std::string& label, const std::string& text, const std::vector<Op>& forward_only) {
  INFO(label);
  FunctionGraph fg = compile(text, Mode::FastRun);
  const Node* bwd = nullptr;
  int n_scans = 0;
  for (const auto& n : fg.graph->nodes())
    if (n->op == Op::Scan) {
      ++n_scans;
      if (n->scan->go_backwards) bwd = n;
    }
  REQUIRE_MESSAGE(bwd != nullptr, "no backward scan among " << n_scans << " scans");
  const Graph& body = *bwd->scan->body;

  std::unordered_set<const Var*> carries;  // values depending on a recurrent state
  size_t first_rec = 0, n_rec = 0;
  for (const auto& taps : bwd->scan->seq_taps) first_rec += taps.size();
  for (const auto& taps : bwd->scan->out_taps) n_rec += taps.size();
  REQUIRE(n_rec > 0);
  for (size_t p = first_rec; p < first_rec + n_rec; ++p) carries.insert(body.params[p]);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& n : body.nodes()) {
      bool any = false;
      for (const Var* in : n->inputs) any = any || carries.count(in);
      if (any)
        for (const Var* o : n->outputs) grew = carries.insert(o).second || grew;
    }
  }
  auto forbidden = [&](Op op) { return std::find(forward_only.begin(), forward_only.end(), op) != forward_only.end(); };
  int products = 0;
  for (const auto& n : body.nodes()) {
    CHECK_MESSAGE(!forbidden(n->op), "the backward body recomputes " << op_name(n->op) << " at " << n->path);
    CHECK_MESSAGE(n->op != Op::Scan, "a scan inside the backward body at " << n->path);
    if (n->op == Op::Composite && n->attrs->program)
      for (const ScalarInstr& in : n->attrs->program->instrs)
        CHECK_MESSAGE(!forbidden(in.op), "a fused loop of the backward body computes " << op_name(in.op) << " at " << n->path
                                                                                      << ": " << n->attrs->program->str());
    bool product = n->op == Op::Dot || n->op == Op::Dot22 || n->op == Op::Gemm || n->op == Op::Gemv ||
                   n->op == Op::Ger || n->op == Op::Outer || n->op == Op::BatchedDot;
    if (!product) continue;
    ++products;
    // The factors of the product (gemm z + a x y: x and y; gemv: A and x; ger: x and y).
    bool blas = n->op == Op::Gemm || n->op == Op::Gemv || n->op == Op::Ger;
    const Var* a = n->inputs[blas ? 2 : 0];
    const Var* c = n->inputs[blas ? 3 : 1];
    CHECK_MESSAGE((carries.count(a) || carries.count(c)), "a product of forward values only (a recomputed forward dot) at "
                                                              << n->path << "\n" << debugprint(fg.outputs));
  }
  // At least g Wh^T stays in the loop (x^T g and h^T g may be pushed out of it).
  CHECK(products >= 1);
}

}  // namespace

TEST_CASE("grad scan: the backward scan never recomputes a stored forward value") {
  // The seed (scan-grad-speed) saw Theano recompute an output of the
  // forward pass during the backward pass. Here the backward body reads h_t
  // (and, for gated units, the gates: stored activations) from the forward
  // scan's outputs: no tanh, no sigmoid, no forward dot.
  check_no_recomputation("Elman RNN", elman(), {Op::Tanh});
  check_no_recomputation("LSTM", lstm(), {Op::Tanh, Op::Sigmoid});
  check_no_recomputation("GRU", gru(), {Op::Tanh, Op::Sigmoid});
}

namespace {

// A small vector RNN h_t = tanh(x_t W + h_{t-1} U) with extra scan keys.
std::string small_rnn(const std::string& options, const std::string& seq = R"("x")", const std::string& extra_nodes = "",
                      const std::string& body_inputs = R"("x_t", "h_tm1", "W_s", "U_s")",
                      const std::string& pre = R"({"op": "add", "inputs": ["xW", "hU"], "outputs": ["pre"]})") {
  return graph(
      R"([{"name": "x", "dtype": "float64", "shape": [null, 2]}, {"name": "h0", "dtype": "float64", "shape": [3]},
          {"name": "W", "dtype": "float64", "shape": [2, 3]}, {"name": "U", "dtype": "float64", "shape": [3, 3]}])",
      R"([{"op": "scan", "sequences": [)" + seq + R"(], "outputs_info": ["h0"], "non_sequences": ["W", "U"],)" + options + R"(
           "body": {"inputs": [)" + body_inputs + R"(],
                    "nodes": [{"op": "dot", "inputs": ["x_t", "W_s"], "outputs": ["xW"]},
                              {"op": "dot", "inputs": ["h_tm1", "U_s"], "outputs": ["hU"]},
                              )" + pre + R"(,
                              {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
                    "outputs": ["h_t"]},
           "outputs": ["H"]},
          {"op": "sqr", "inputs": ["H"], "outputs": ["Hsq"]},
          {"op": "sum", "inputs": ["Hsq"], "outputs": ["cost0"]})" + extra_nodes + R"(,
          {"op": "grad", "inputs": ["cost"], "wrt": ["x", "h0", "W", "U"], "outputs": ["gx", "gh0", "gW", "gU"]}])",
      R"(["cost", "gx", "gh0", "gW", "gU"])");
}
const char* const kCostIsCost0 = R"(, {"op": "add", "inputs": ["cost0"], "outputs": ["cost"]})";

std::vector<Value> small_inputs(int64_t len, uint64_t seed) {
  return {U({len, 2}, -1, 1, seed), U({3}, -0.5, 0.5, seed + 1), U({2, 3}, -0.6, 0.6, seed + 2), U({3, 3}, -0.6, 0.6, seed + 3)};
}

}  // namespace

TEST_CASE("grad scan: n_steps shorter than the sequence, forward and backwards") {
  test::check_grad("n_steps 3 of 5", small_rnn(R"( "n_steps": 3,)", R"("x")", kCostIsCost0), small_inputs(5, 91));
  test::check_grad("n_steps 3 of 5, go_backwards", small_rnn(R"( "n_steps": 3, "go_backwards": true,)", R"("x")", kCostIsCost0),
                   small_inputs(5, 92), compiled());
}

TEST_CASE("grad scan: sequence taps [-1, 1], also with go_backwards") {
  const std::string seq = R"({"input": "x", "taps": [-1, 1]})";
  const std::string ins = R"("x_tm1", "x_t", "h_tm1", "W_s", "U_s")";
  const std::string pre = R"({"op": "add", "inputs": ["xW", "hU", "xW2"], "outputs": ["pre"]},
                              {"op": "dot", "inputs": ["x_tm1", "W_s"], "outputs": ["xW2s"]},
                              {"op": "sqr", "inputs": ["xW2s"], "outputs": ["xW2"]})";
  test::check_grad("taps [-1, 1]", small_rnn("", seq, kCostIsCost0, ins, pre), small_inputs(6, 93));
  test::check_grad("taps [-1, 1], go_backwards", small_rnn(R"( "go_backwards": true,)", seq, kCostIsCost0, ins, pre),
                   small_inputs(6, 94), compiled());
}

TEST_CASE("grad scan: a non-sequence also used outside the scan, and the last step only") {
  const char* extra = R"(,
          {"op": "sqr", "inputs": ["W"], "outputs": ["Wsq"]},
          {"op": "sum", "inputs": ["Wsq"], "outputs": ["sW"]},
          {"op": "subtensor", "inputs": ["H"], "idx": [-1], "outputs": ["h_last"]},
          {"op": "dot", "inputs": ["h_last", "U"], "outputs": ["hU_last"]},
          {"op": "sum", "inputs": ["hU_last"], "outputs": ["sL"]},
          {"op": "add", "inputs": ["sW", "sL"], "outputs": ["cost"]})";
  test::check_grad("non-sequence outside, last step", small_rnn("", R"("x")", extra), small_inputs(4, 95));
}

TEST_CASE("grad scan: output taps [-2] only, and a per-step output reading the state") {
  // x_t = x_{t-2} * a + e_t (taps [-2]: two initial steps); y_t = x_t * e_t (no recurrence).
  std::string text = graph(
      R"([{"name": "e", "dtype": "float64", "shape": [null, 2]}, {"name": "x0", "dtype": "float64", "shape": [2, 2]},
          {"name": "a", "dtype": "float64", "shape": [2]}])",
      R"([{"op": "scan", "sequences": ["e"], "outputs_info": [{"initial": "x0", "taps": [-2]}, null], "non_sequences": ["a"],
           "body": {"inputs": ["e_t", "x_tm2", "a_s"],
                    "nodes": [{"op": "mul", "inputs": ["x_tm2", "a_s"], "outputs": ["xa"]},
                              {"op": "add", "inputs": ["xa", "e_t"], "outputs": ["x_t"]},
                              {"op": "mul", "inputs": ["x_t", "e_t"], "outputs": ["y_t"]}],
                    "outputs": ["x_t", "y_t"]},
           "outputs": ["X", "Y"]},
          {"op": "sin", "inputs": ["X"], "outputs": ["sX"]},
          {"op": "sum", "inputs": ["sX"], "outputs": ["c1"]},
          {"op": "sqr", "inputs": ["Y"], "outputs": ["Ysq"]},
          {"op": "sum", "inputs": ["Ysq"], "outputs": ["c2"]},
          {"op": "add", "inputs": ["c1", "c2"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["e", "x0", "a"], "outputs": ["ge", "gx0", "ga"]}])",
      R"(["cost", "ge", "gx0", "ga"])");
  test::check_grad("taps [-2]", text, {U({5, 2}, -1, 1, 96), U({2, 2}, -1, 1, 97), U({2}, 0.3, 0.9, 98)}, compiled());
}

TEST_CASE("grad scan: until over a sequence, stopping before its end") {
  // acc_t = acc_{t-1} + x_t^2 * w, until acc_t > 2.
  std::string text = graph(
      R"([{"name": "x", "dtype": "float64", "shape": [null]}, {"name": "w", "dtype": "float64", "shape": []}])",
      R"([{"op": "scan", "sequences": ["x"], "outputs_info": [{"value": 0.0, "dtype": "float64"}], "non_sequences": ["w"],
           "body": {"inputs": ["x_t", "acc", "w_s"],
                    "nodes": [{"op": "sqr", "inputs": ["x_t"], "outputs": ["xx"]},
                              {"op": "mul", "inputs": ["xx", "w_s"], "outputs": ["xxw"]},
                              {"op": "add", "inputs": ["acc", "xxw"], "outputs": ["acc_t"]},
                              {"op": "gt", "inputs": ["acc_t", {"value": 2.0}], "outputs": ["stop"]}],
                    "outputs": ["acc_t"], "until": "stop"},
           "outputs": ["A"]},
          {"op": "sum", "inputs": ["A"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["x", "w"], "outputs": ["gx", "gw"]}])",
      R"(["cost", "gx", "gw"])");
  Tensor x = test::make(DType::Float64, {6}, {0.9, -0.7, 1.1, 0.8, -1.2, 0.6});  // acc passes 2 at the 4th step
  test::GradCheckReport r = test::check_grad("until over a sequence", text, {x, test::scalar(DType::Float64, 0.8)}, compiled());
  REQUIRE(r.grads.size() == 2);
  CHECK(r.grads[0].get_f64(4) == 0.0);
  CHECK(r.grads[0].get_f64(5) == 0.0);
}

TEST_CASE("grad scan: a scan inside an ifelse branch") {
  const char* extra = R"(,
          {"op": "sum", "inputs": ["W"], "outputs": ["sW"]},
          {"op": "ifelse", "inputs": ["c"], "then": ["cost0"], "else": ["sW"], "outputs": ["cost"]})";
  std::string text = small_rnn("", R"("x")", extra);
  // Add the condition input.
  text.replace(text.find(R"([{"name": "x")"), 1, R"([{"name": "c", "dtype": "int64", "shape": []}, )");
  text.replace(text.find(R"(["x","h0","W","U"])"), 18, R"(["c","x","h0","W","U"])");
  for (int c : {1, 0}) {
    std::vector<Value> in = small_inputs(4, 99);
    in.insert(in.begin(), test::scalar(DType::Int64, c));
    if (c == 0) {  // only W is connected through the else branch; the others get zeros
      std::vector<Tensor> got = run_interp(text, in);
      for (size_t k : {1, 2, 4})
        for (int64_t i = 0; i < got[k].size(); ++i) CHECK(got[k].get_f64(i) == 0.0);
      for (int64_t i = 0; i < got[3].size(); ++i) CHECK(got[3].get_f64(i) == 1.0);
    } else {
      test::check_grad("scan in ifelse", text, in);
    }
  }
}

TEST_CASE("grad scan: grad of grad through a scan") {
  const char* extra = R"(, {"op": "add", "inputs": ["cost0"], "outputs": ["c1"]},
          {"op": "grad", "inputs": ["c1"], "wrt": ["W", "U"], "outputs": ["g1W", "g1U"]},
          {"op": "sqr", "inputs": ["g1W"], "outputs": ["g1Wsq"]},
          {"op": "sum", "inputs": ["g1Wsq"], "outputs": ["s1"]},
          {"op": "mul", "inputs": ["g1U", "U"], "outputs": ["g1UU"]},
          {"op": "sum", "inputs": ["g1UU"], "outputs": ["s2"]},
          {"op": "add", "inputs": ["s1", "s2"], "outputs": ["cost"]})";
  test::check_grad("grad of grad through a scan", small_rnn("", R"("x")", extra), small_inputs(3, 100), compiled());
}

TEST_CASE("grad scan: map, foldl and foldr") {
  std::string text = graph(
      R"([{"name": "v", "dtype": "float64", "shape": [null]}, {"name": "w", "dtype": "float64", "shape": []}])",
      R"([{"op": "map", "sequences": ["v"], "non_sequences": ["w"],
           "body": {"inputs": ["m_t", "m_w"], "nodes": [{"op": "mul", "inputs": ["m_t", "m_w"], "outputs": ["m_o"]},
                                                        {"op": "sin", "inputs": ["m_o"], "outputs": ["m_s"]}], "outputs": ["m_s"]},
           "outputs": ["mapped"]},
          {"op": "foldl", "sequences": ["mapped"], "outputs_info": [{"value": 0.5, "dtype": "float64"}], "non_sequences": ["w"],
           "body": {"inputs": ["l_t", "l_acc", "l_w"], "nodes": [{"op": "mul", "inputs": ["l_acc", "l_w"], "outputs": ["l_m"]},
                                                                 {"op": "add", "inputs": ["l_m", "l_t"], "outputs": ["l_next"]}],
                    "outputs": ["l_next"]},
           "outputs": ["left"]},
          {"op": "foldr", "sequences": ["v"], "outputs_info": [{"value": 0.0, "dtype": "float64"}],
           "body": {"inputs": ["r_t", "r_acc"], "nodes": [{"op": "tanh", "inputs": ["r_acc"], "outputs": ["r_th"]},
                                                          {"op": "mul", "inputs": ["r_th", "r_t"], "outputs": ["r_m"]},
                                                          {"op": "add", "inputs": ["r_m", "r_t"], "outputs": ["r_next"]}],
                    "outputs": ["r_next"]},
           "outputs": ["right"]},
          {"op": "mul", "inputs": ["left", "right"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["v", "w"], "outputs": ["gv", "gw"]}])",
      R"(["cost", "gv", "gw"])");
  test::check_grad("map, foldl, foldr", text, {U({5}, -1, 1, 101), test::scalar(DType::Float64, 0.9)}, compiled());
}

TEST_CASE("grad scan: the seed's A**k and polynomial") {
  // result = A**k by k multiplications (no sequence, n_steps given); cost = sum(result[-1] * A).
  std::string pow_text = graph(
      R"([{"name": "A", "dtype": "float64", "shape": [null]}, {"name": "k", "dtype": "int32", "shape": []}])",
      R"([{"op": "ones_like", "inputs": ["A"], "outputs": ["one"]},
          {"op": "scan", "outputs_info": ["one"], "non_sequences": ["A"], "n_steps": "k",
           "body": {"inputs": ["prior", "A_in"], "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}],
                    "outputs": ["next"]},
           "outputs": ["result"]},
          {"op": "subtensor", "inputs": ["result"], "idx": [-1], "outputs": ["final"]},
          {"op": "mul", "inputs": ["final", "A"], "outputs": ["fa"]},
          {"op": "sum", "inputs": ["fa"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["A"], "outputs": ["gA"]}])",
      R"(["cost", "gA"])");
  Tensor A = test::uniform({4}, 0.5, 1.5, 111, true);
  test::GradCheckReport r = test::check_grad("A**k", pow_text, {A, test::scalar(DType::Int32, 4)});
  REQUIRE(r.grads.size() == 1);
  for (int64_t i = 0; i < 4; ++i)  // d/dA A^5 = 5 A^4
    CHECK(r.grads[0].get_f64(i) == doctest::Approx(5 * std::pow(A.get_f64(i), 4)).epsilon(1e-12));

  // sum_i c_i x^i over the sequences (coefficients, arange): an integer sequence is not differentiated.
  std::string poly = graph(
      R"([{"name": "coefficients", "dtype": "float64", "shape": [null]}, {"name": "x", "dtype": "float64", "shape": []}])",
      R"([{"op": "arange", "inputs": [{"value": 0}, {"value": 10000}, {"value": 1}], "outputs": ["powers"]},
          {"op": "scan", "sequences": ["coefficients", "powers"], "non_sequences": ["x"],
           "body": {"inputs": ["c", "p", "xv"],
                    "nodes": [{"op": "pow", "inputs": ["xv", "p"], "outputs": ["xp"]},
                              {"op": "mul", "inputs": ["c", "xp"], "outputs": ["term"]}],
                    "outputs": ["term"]},
           "outputs": ["components"]},
          {"op": "sum", "inputs": ["components"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["coefficients", "x"], "outputs": ["gc", "gx"]}])",
      R"(["cost", "gc", "gx"])");
  r = test::check_grad("polynomial", poly, {test::make(DType::Float64, {3}, {1, 0.5, 2}), test::scalar(DType::Float64, 1.3)});
  REQUIRE(r.grads.size() == 2);
  CHECK(r.grads[1].get_f64(0) == doctest::Approx(0.5 + 2 * 2 * 1.3).epsilon(1e-12));
}

TEST_CASE("grad scan: a random mask drawn in the body, and an outer value captured without non_sequences") {
  // h_t = tanh(x_t W + h_{t-1} Wh) * mask_t, mask_t ~ binomial(1, 0.7) from the
  // body's random state; Wh is read from outside (strict: false captures it).
  std::string text = graph(
      R"([{"name": "X", "dtype": "float64", "shape": [null, 2]}, {"name": "h0", "dtype": "float64", "shape": [3]},
          {"name": "W", "dtype": "float64", "shape": [2, 3]}, {"name": "Wh", "dtype": "float64", "shape": [3, 3]}])",
      R"([{"op": "scan", "sequences": ["X"], "outputs_info": ["h0"], "non_sequences": ["W"],
           "body": {"inputs": ["x_t", "h_tm1", "W_s"],
                    "nodes": [{"op": "dot", "inputs": ["x_t", "W_s"], "outputs": ["xW"]},
                              {"op": "dot", "inputs": ["h_tm1", "Wh"], "outputs": ["hW"]},
                              {"op": "add", "inputs": ["xW", "hW"], "outputs": ["pre"]},
                              {"op": "tanh", "inputs": ["pre"], "outputs": ["act"]},
                              {"op": "random_binomial", "inputs": ["rng", {"value": 1, "dtype": "int64"}, {"value": 0.7}],
                               "size": [3], "dtype": "float64", "outputs": ["rng_next", "mask"]},
                              {"op": "mul", "inputs": ["act", "mask"], "outputs": ["h_t"]}],
                    "outputs": ["h_t"], "updates": {"rng": "rng_next"}},
           "outputs": ["H"], "updates_out": {"rng": "rng_after"}},
          {"op": "sqr", "inputs": ["H"], "outputs": ["Hsq"]},
          {"op": "sum", "inputs": ["Hsq"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["X", "h0", "W", "Wh"], "outputs": ["gX", "gh0", "gW", "gWh"]}])",
      R"(["cost", "gX", "gh0", "gW", "gWh"])", R"("shared": [{"name": "rng", "type": "rng", "seed": 5}])");
  test::check_grad("random mask in the body", text,
                   {U({5, 2}, -1, 1, 121), U({3}, -0.5, 0.5, 122), U({2, 3}, -0.6, 0.6, 123), U({3, 3}, -0.6, 0.6, 124)}, compiled());
}

TEST_CASE("grad scan: truncate_gradient with go_backwards is the forward truncation over the reversed sequence") {
  std::vector<Value> in = elman_inputs(5, 131);
  std::vector<Tensor> back = run_interp(elman(R"( "go_backwards": true, "truncate_gradient": 2,)", true), in);
  const Tensor& X = std::get<Tensor>(in[0]);
  Tensor Xr(DType::Float64, X.shape());
  const int64_t row = X.size() / 5;
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t j = 0; j < row; ++j) Xr.set_f64(t * row + j, X.get_f64((4 - t) * row + j));
  std::vector<Value> rin = in;
  rin[0] = Xr;
  std::vector<Tensor> fwd = run_interp(elman(R"( "truncate_gradient": 2,)", true), rin);
  for (size_t k = 2; k < back.size(); ++k) check_close(back[k], fwd[k], "gradient " + std::to_string(k));
  Tensor gXr(DType::Float64, X.shape());
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t j = 0; j < row; ++j) gXr.set_f64(t * row + j, fwd[1].get_f64((4 - t) * row + j));
  check_close(back[1], gXr, "gX");
}

TEST_CASE("grad scan: one value as sequence, non-sequence and initial state; two scans chained") {
  // h_t = tanh(x_t * h_{t-1} + sum(V) * 0.1) with sequences [V], non_sequences [V], outputs_info [V[0]]:
  // V is read three ways.
  std::string text = graph(
      R"([{"name": "V", "dtype": "float64", "shape": [null, 3]}])",
      R"([{"op": "subtensor", "inputs": ["V"], "idx": [0], "outputs": ["v0"]},
          {"op": "scan", "sequences": ["V"], "outputs_info": ["v0"], "non_sequences": ["V"],
           "body": {"inputs": ["x_t", "h_tm1", "V_s"],
                    "nodes": [{"op": "mul", "inputs": ["x_t", "h_tm1"], "outputs": ["xh"]},
                              {"op": "sum", "inputs": ["V_s"], "outputs": ["sv"]},
                              {"op": "mul", "inputs": ["sv", {"value": 0.1}], "outputs": ["svs"]},
                              {"op": "add", "inputs": ["xh", "svs"], "outputs": ["pre"]},
                              {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
                    "outputs": ["h_t"]},
           "outputs": ["H"]},
          {"op": "scan", "sequences": ["H"], "outputs_info": [{"value": [0.0, 0.0, 0.0]}],
           "body": {"inputs": ["h_t", "a_tm1"],
                    "nodes": [{"op": "sin", "inputs": ["a_tm1"], "outputs": ["sa"]},
                              {"op": "mul", "inputs": ["sa", "h_t"], "outputs": ["m"]},
                              {"op": "add", "inputs": ["m", "h_t"], "outputs": ["a_t"]}],
                    "outputs": ["a_t"]},
           "outputs": ["A"]},
          {"op": "sqr", "inputs": ["A"], "outputs": ["Asq"]},
          {"op": "sum", "inputs": ["Asq"], "outputs": ["cost"]},
          {"op": "grad", "inputs": ["cost"], "wrt": ["V"], "outputs": ["gV"]}])",
      R"(["cost", "gV"])");
  test::check_grad("one value read three ways, two scans", text, {U({4, 3}, -1, 1, 141)}, compiled());
}
