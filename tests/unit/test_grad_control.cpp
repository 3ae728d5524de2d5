// Gradients through ifelse (both branches, and laziness: the untaken
// branch's gradient is never computed), consider_constant, the three
// disconnected_inputs policies, and second derivatives (grad of grad).
#include <doctest/doctest.h>

#include <cmath>

#include "frontend/loader.h"
#include "interp/interpreter.h"
#include "ir/diagnostics.h"
#include "ir/error.h"
#include "passes/pipeline.h"
#include "verify_grad.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

Value U(const Shape& s, double lo, double hi, uint64_t seed) { return test::uniform(s, lo, hi, seed); }
Value f64(double v) { return test::scalar(DType::Float64, v); }
Value i64(double v) { return test::scalar(DType::Int64, v); }

using test::run_interp;

std::vector<double> values(const Tensor& t) {
  std::vector<double> r;
  for (int64_t i = 0; i < t.size(); ++i) r.push_back(t.get_f64(i));
  return r;
}

// then: exp(x * y) + y^2; else: sin(x) * y - y^2 (y^2 computed outside both branches).
GraphBuilder ifelse_graph() {
  GraphBuilder g;
  g.input("c", "int64", json::array()).input("x", "float64", json::array({3})).input("y", "float64", json::array({3}));
  std::string s = g.node("sqr", {"y"}, {}, "ysq");
  std::string t = g.node("add", {g.node("exp", {g.node("mul", {"x", "y"})}), s}, {}, "then_v");
  std::string e = g.node("sub", {g.node("mul", {g.node("sin", {"x"}), "y"}), s}, {}, "else_v");
  std::string t2 = g.node("tanh", {"x"}, {}, "then_w");
  g.raw_node({{"op", "ifelse"}, {"inputs", {"c"}}, {"then", {t, t2}}, {"else", {e, "y"}}, {"outputs", {"ie_v", "ie_w"}}});
  g.node("add", {"ie_v", g.node("mul", {"ie_w", "x"})}, {}, "ie_out");
  return g;
}

// cost = ifelse(c, 2 x, exp(1000 x)) for a scalar x: the else branch's
// derivative at x = 1 is 1000 exp(1000) = inf, and an eager gradient would
// multiply it by the zero gradient the untaken branch receives (inf * 0 = NaN).
std::string lazy_graph() {
  GraphBuilder g;
  g.input("c", "int64", json::array()).input("x", "float64", json::array());
  std::string t = g.node("mul", {"x", GraphBuilder::weak(2.0)});
  std::string e = g.node("exp", {g.node("mul", {"x", GraphBuilder::weak(1000.0)})});
  g.raw_node({{"op", "ifelse"}, {"inputs", {"c"}}, {"then", {t}}, {"else", {e}}, {"outputs", {"cost"}}});
  g.node_n("grad", {"cost"}, {{"wrt", {"x"}}}, {"gx"});
  g.output("cost").output("gx");
  return g.text();
}

const bool registered = [] {
  test::prebuild_grad_graph(lazy_graph());
  return true;
}();

}  // namespace

TEST_CASE("grad control: ifelse, both branches") {
  GraphBuilder g = ifelse_graph();
  for (int c : {1, 0}) {
    std::vector<Value> in = {i64(c), U({3}, -1, 1, 1), U({3}, -1, 1, 2)};
    test::check_op_grad("ifelse branch " + std::to_string(c), g, "ie_out", {"x", "y"}, in);
  }
  // A condition of another dtype (float, true when nonzero).
  GraphBuilder h;
  h.input("c", "float64", json::array()).input("x", "float64", json::array({3}));
  std::string a = h.node("exp", {"x"}), b = h.node("cos", {"x"});
  h.raw_node({{"op", "ifelse"}, {"inputs", {"c"}}, {"then", {a}}, {"else", {b}}, {"outputs", {"o"}}});
  test::check_op_grad("ifelse float condition true", h, "o", {"x"}, {f64(0.5), U({3}, -1, 1, 3)});
  test::check_op_grad("ifelse float condition false", h, "o", {"x"}, {f64(0.0), U({3}, -1, 1, 4)});
}

TEST_CASE("grad control: the gradient of the untaken ifelse branch is never computed") {
  std::string text = lazy_graph();
  // Taken branch: d(2x)/dx = 2, finite, also in the compiled engine with every rewrite.
  test::GradCheckOptions o;
  o.compiled = true;
  test::GradCheckReport r = test::check_grad("lazy ifelse, then branch", text, {i64(1), f64(1.0)}, o);
  REQUIRE(r.grads.size() == 1);
  CHECK(r.grads[0].get_f64(0) == 2.0);
  CHECK(r.compiled_checked);
  // In FAST_RUN through the interpreter, too.
  std::vector<Tensor> fr = run_interp(text, {i64(1), f64(1.0)}, Mode::FastRun);
  CHECK(values(fr[0]) == std::vector<double>{2.0});
  CHECK(values(fr[1]) == std::vector<double>{2.0});
  // The else branch taken at a point where it is finite: 1000 exp(1000 x).
  test::check_grad("lazy ifelse, else branch", text, {i64(0), f64(-0.01)});
}

TEST_CASE("grad control: consider_constant") {
  // cost = sum(x * exp(x)) with exp(x) held constant: the gradient is exp(x) (not (1 + x) exp(x)).
  GraphBuilder g;
  g.input("x", "float64", json::array({3}));
  std::string e = g.node("exp", {"x"}, {}, "e");
  std::string cost = g.node("sum", {g.node("mul", {"x", e})}, {{"axis", nullptr}}, "cost");
  g.node_n("grad", {cost}, {{"wrt", {"x"}}, {"consider_constant", {"e"}}}, {"gx"});
  g.output("cost").output("gx");
  Tensor x = test::uniform({3}, -1, 1, 5);
  std::vector<Tensor> r = run_interp(g.text(), {x});
  for (int64_t i = 0; i < 3; ++i) CHECK(r[1].get_f64(i) == doctest::Approx(std::exp(x.get_f64(i))).epsilon(1e-14));
  // verify_grad differentiates the whole cost, so it sees the difference
  // (this also shows that it catches a wrong gradient).
  test::GradCheckReport rep = test::verify_grad(g.text(), {x});
  CHECK(rep.error.empty());
  CHECK_FALSE(rep.ok);
  CHECK(rep.worst_scaled > 1);

  // Held constant in the middle of a chain: cost = sum(tanh(W x) * W x), z = W x constant in the second factor only.
  GraphBuilder h;
  h.input("W", "float64", json::array({2, 3})).input("x", "float64", json::array({3}));
  std::string z = h.node("dot", {"W", "x"}, {}, "z");
  std::string zc = h.node("mul", {z, GraphBuilder::weak(1.0)}, {}, "zc");
  std::string c2 = h.node("sum", {h.node("mul", {h.node("tanh", {z}), zc})}, {{"axis", nullptr}}, "cost");
  h.node_n("grad", {c2}, {{"wrt", {"W", "x"}}, {"consider_constant", {"zc"}}}, {"gW", "gx"});
  h.output("cost").output("gW").output("gx");
  Tensor W = test::uniform({2, 3}, -1, 1, 6);
  std::vector<Tensor> q = run_interp(h.text(), {W, x});
  // d/dW_ij = (1 - tanh(z_i)^2) zc_i x_j; d/dx_j = sum_i (1 - tanh(z_i)^2) zc_i W_ij.
  for (int i = 0; i < 2; ++i) {
    double zi = 0;
    for (int j = 0; j < 3; ++j) zi += W.get_f64(i * 3 + j) * x.get_f64(j);
    double d = (1 - std::tanh(zi) * std::tanh(zi)) * zi;
    for (int j = 0; j < 3; ++j) CHECK(q[1].get_f64(i * 3 + j) == doctest::Approx(d * x.get_f64(j)).epsilon(1e-13));
  }
}

TEST_CASE("grad control: disconnected_inputs raise, warn, ignore") {
  auto text = [](const std::string& policy) {
    GraphBuilder g;
    g.input("x", "float64", json::array({3})).input("y", "float64", json::array({2, 2}));
    std::string cost = g.node("sum", {g.node("sqr", {"x"})}, {{"axis", nullptr}}, "cost");
    json attrs = {{"wrt", {"x", "y"}}};
    if (!policy.empty()) attrs["disconnected_inputs"] = policy;
    g.node_n("grad", {cost}, attrs, {"gx", "gy"});
    g.output("cost").output("gx").output("gy");
    return g.text();
  };
  std::vector<std::string> warnings;
  WarningSink old = set_warning_sink([&](const std::string& where, const std::string& what) { warnings.push_back(where + ": " + what); });
  Tensor x = test::uniform({3}, -1, 1, 7), y = test::uniform({2, 2}, -1, 1, 8);

  for (const std::string& policy : {std::string(), std::string("raise")}) {
    int code = 0;
    std::string msg;
    try {
      run_interp(text(policy), {x, y});
    } catch (const Error& e) {
      code = int(e.code());
      msg = e.located();
    }
    CHECK(code == 2);
    CHECK(msg.find("\"y\"") != std::string::npos);
    CHECK(msg.find("wrt[1]") != std::string::npos);
  }
  CHECK(warnings.empty());

  std::vector<Tensor> r = run_interp(text("warn"), {x, y});
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("\"y\"") != std::string::npos);
  CHECK(r[2].shape() == Shape{2, 2});
  CHECK(values(r[2]) == std::vector<double>(4, 0.0));
  for (int64_t i = 0; i < 3; ++i) CHECK(r[1].get_f64(i) == 2 * x.get_f64(i));

  warnings.clear();
  r = run_interp(text("ignore"), {x, y});
  CHECK(warnings.empty());
  CHECK(r[2].shape() == Shape{2, 2});
  CHECK(values(r[2]) == std::vector<double>(4, 0.0));
  set_warning_sink(old);
}

TEST_CASE("grad control: grad of grad") {
  {  // f(x) = x^3 sin(x): f' = 3x^2 sin x + x^3 cos x, f'' = 6x sin x + 6x^2 cos x - x^3 sin x
    GraphBuilder g;
    g.input("x", "float64", json::array());
    std::string f = g.node("mul", {g.node("pow", {"x", GraphBuilder::weak(3.0)}), g.node("sin", {"x"})}, {}, "f");
    g.node_n("grad", {f}, {{"wrt", {"x"}}}, {"gx"});
    g.node_n("grad", {"gx"}, {{"wrt", {"x"}}}, {"hx"});
    GraphBuilder first = g, second = g;
    first.output("f").output("gx");
    second.output("gx").output("hx");
    for (double x : {0.7, -1.3, 2.1}) {
      test::check_grad("first derivative at " + std::to_string(x), first.text(), {f64(x)});
      test::GradCheckReport r = test::check_grad("second derivative at " + std::to_string(x), second.text(), {f64(x)});
      REQUIRE(r.grads.size() == 1);
      double want = 6 * x * std::sin(x) + 6 * x * x * std::cos(x) - x * x * x * std::sin(x);
      CHECK(r.grads[0].get_f64(0) == doctest::Approx(want).epsilon(1e-12));
    }
  }
  {  // c2 = |d/dx sum(tanh(W x) * v)|^2, differentiated w.r.t. W, x and v
    GraphBuilder g;
    g.input("W", "float64", json::array({2, 3})).input("x", "float64", json::array({3})).input("v", "float64", json::array({2}));
    std::string c = g.node("sum", {g.node("mul", {g.node("tanh", {g.node("dot", {"W", "x"})}), "v"})}, {{"axis", nullptr}});
    g.node_n("grad", {c}, {{"wrt", {"x"}}}, {"gx"});
    std::string c2 = g.node("sum", {g.node("sqr", {"gx"})}, {{"axis", nullptr}}, "c2");
    g.node_n("grad", {c2}, {{"wrt", {"W", "x", "v"}}}, {"hW", "hx", "hv"});
    g.output("c2").output("hW").output("hx").output("hv");
    test::check_grad("grad of |grad|^2", g.text(), {U({2, 3}, -1, 1, 9), U({3}, -1, 1, 10), U({2}, -1, 1, 11)});
  }
  {  // through softmax, a reduction with keepdims, broadcasting and a subtensor
    GraphBuilder g;
    g.input("x", "float64", json::array({2, 4})).input("b", "float64", json::array({1, 4}));
    std::string sm = g.node("softmax", {g.node("add", {"x", "b"})});
    std::string part = g.node("subtensor", {sm}, {{"idx", json::parse(R"([{"start": null}, {"start": 1, "stop": 3}])")}});
    std::string c = g.node("sum", {g.node("mul", {part, g.node("max", {"x"}, {{"axis", 1}, {"keepdims", true}})})}, {{"axis", nullptr}});
    g.node_n("grad", {c}, {{"wrt", {"x", "b"}}}, {"gx", "gb"});
    std::string c2 = g.node("add", {g.node("sum", {g.node("sqr", {"gx"})}, {{"axis", nullptr}}),
                                    g.node("sum", {g.node("mul", {"gb", "b"})}, {{"axis", nullptr}})}, {}, "c2");
    g.node_n("grad", {c2}, {{"wrt", {"x", "b"}}}, {"hx", "hb"});
    g.output("c2").output("hx").output("hb");
    test::check_grad("grad of grad through softmax", g.text(), {U({2, 4}, -1, 1, 12), U({1, 4}, -1, 1, 13)});
  }
}

TEST_CASE("grad control: gradients have the dtype of their variables") {
  GraphBuilder g;
  g.input("x", "float32", json::array({3})).input("y", "float64", json::array({3})).input("i", "int32", json::array({3}));
  std::string c = g.node("sum", {g.node("mul", {"x", "y", g.node("cast", {"i"}, {{"dtype", "float64"}})})}, {{"axis", nullptr}}, "cost");
  g.node_n("grad", {c}, {{"wrt", {"x", "y"}}}, {"gx", "gy"});
  g.output("cost").output("gx").output("gy");
  Tensor x = test::make(DType::Float32, {3}, {0.5, -1.5, 2});
  Tensor y = test::make(DType::Float64, {3}, {0.25, 3, -1});
  Tensor i = test::make(DType::Int32, {3}, {2, -1, 4});
  std::vector<Tensor> r = run_interp(g.text(), {x, y, i});
  CHECK(r[1].dtype() == DType::Float32);
  CHECK(r[2].dtype() == DType::Float64);
  CHECK(values(r[1]) == std::vector<double>{0.5, -3, -4});
  CHECK(values(r[2]) == std::vector<double>{1, 1.5, 8});
}

TEST_CASE("grad control: nested ifelse") {
  // o = c1 ? (c2 ? exp(x) : x * y) : sin(y)
  GraphBuilder g;
  g.input("c1", "int64", json::array()).input("c2", "int64", json::array());
  g.input("x", "float64", json::array({3})).input("y", "float64", json::array({3}));
  std::string a = g.node("exp", {"x"}), b = g.node("mul", {"x", "y"}), s = g.node("sin", {"y"});
  g.raw_node({{"op", "ifelse"}, {"inputs", {"c2"}}, {"then", {a}}, {"else", {b}}, {"outputs", {"inner"}}});
  g.raw_node({{"op", "ifelse"}, {"inputs", {"c1"}}, {"then", {"inner"}}, {"else", {s}}, {"outputs", {"o"}}});
  for (int c1 : {0, 1})
    for (int c2 : {0, 1})
      test::check_op_grad("nested ifelse " + std::to_string(c1) + std::to_string(c2), g, "o", {"x", "y"},
                          {i64(c1), i64(c2), U({3}, -1, 1, 20), U({3}, -1, 1, 21)});
}

TEST_CASE("grad control: gradients w.r.t. an intermediate value and w.r.t. the cost itself; a non-scalar cost") {
  GraphBuilder g;
  g.input("x", "float64", json::array({3}));
  std::string h = g.node("tanh", {"x"}, {}, "h");
  std::string c = g.node("sum", {g.node("sqr", {h})}, {{"axis", nullptr}}, "cost");
  g.node_n("grad", {c}, {{"wrt", {"h", "cost"}}}, {"gh", "gc"});
  g.output("cost").output("gh").output("gc");
  Tensor x = test::uniform({3}, -1, 1, 22);
  std::vector<Tensor> r = run_interp(g.text(), {x});
  for (int64_t i = 0; i < 3; ++i) CHECK(r[1].get_f64(i) == doctest::Approx(2 * std::tanh(x.get_f64(i))).epsilon(1e-14));
  CHECK(values(r[2]) == std::vector<double>{1.0});

  GraphBuilder v;
  v.input("x", "float64", json::array({3}));
  v.node_n("grad", {v.node("sqr", {"x"}, {}, "vec")}, {{"wrt", {"x"}}}, {"gx"});
  v.output("gx");
  int code = 0;
  try {
    run_interp(v.text(), {x});
  } catch (const Error& e) {
    code = int(e.code());
  }
  CHECK(code == 2);
}
