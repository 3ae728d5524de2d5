// Gradients of every differentiable op of ops.def, checked with verify_grad
// (central finite differences, Theano's float64 tolerances) on the
// reference interpreter: cost = sum(op(...) * P) for a fixed random P.
// Inputs stay away from kinks and ties (abs, relu, max, clip, floor, ...),
// where the derivative is not defined.
#include <doctest/doctest.h>

#include "verify_grad.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

Value U(const Shape& s, double lo, double hi, uint64_t seed, bool both_signs = false) {
  return test::uniform(s, lo, hi, seed, both_signs);
}
Value ints(const Shape& s, const std::vector<double>& v, DType dt = DType::Int64) { return test::make(dt, s, v); }

// Values away from integers and half-integers (floor, ceil, round, mod).
Value off_grid(const Shape& s, uint64_t seed) {
  Tensor t = test::uniform(s, -3, 3, seed);
  for (int64_t i = 0; i < t.size(); ++i) {
    double v = t.get_f64(i);
    double f = std::floor(v), r = v - f;  // r in [0, 1): map to [0.1, 0.4] U [0.6, 0.9]
    t.set_f64(i, f + (r < 0.5 ? 0.1 + 0.6 * r : 0.6 + 0.6 * (r - 0.5)));
  }
  return t;
}

GraphBuilder with_inputs(const std::vector<std::pair<std::string, json>>& ins, const std::string& dtype = "float64") {
  GraphBuilder g;
  for (const auto& [name, shape] : ins) g.input(name, dtype, shape);
  return g;
}

json S(std::initializer_list<json> dims) {
  json r = json::array();
  for (const json& d : dims) r.push_back(d);
  return r;
}

}  // namespace

TEST_CASE("grad ops: unary elementwise") {
  struct Case {
    const char* op;
    double lo, hi;
    bool both;
  };
  const Case cases[] = {
      {"neg", -2, 2, false},       {"abs", 0.3, 2, true},     {"exp", -2, 2, false},     {"exp2", -2, 2, false},
      {"log", 0.5, 3, false},      {"log2", 0.5, 3, false},   {"log10", 0.5, 3, false},  {"log1p", -0.5, 2, false},
      {"expm1", -2, 2, false},     {"sqrt", 0.5, 3, false},   {"sqr", -2, 2, false},     {"reciprocal", 0.5, 2, true},
      {"sin", -3, 3, false},       {"cos", -3, 3, false},     {"tan", -1.2, 1.2, false}, {"tanh", -2, 2, false},
      {"sigmoid", -3, 3, false},   {"softplus", -3, 3, false}, {"relu", 0.2, 2, true},  {"erf", -2, 2, false},
  };
  uint64_t seed = 1;
  for (const Case& c : cases) {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}});
    std::string y = g.node(c.op, {"x"});
    test::check_op_grad(c.op, g, y, {"x"}, {U({3, 4}, c.lo, c.hi, seed++, c.both)});
  }
  // Rounding ops and sgn are piecewise constant: their gradient is zero (not
  // disconnected, as in Theano: no error with disconnected_inputs "raise").
  for (const char* op : {"floor", "ceil", "round", "sgn"}) {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}});
    test::GradCheckReport r = test::check_op_grad(std::string(op) + " alone", g, g.node(op, {"x"}), {"x"}, {off_grid({3, 4}, seed++)});
    for (const Tensor& t : r.grads)
      for (int64_t i = 0; i < t.size(); ++i) CHECK(t.get_f64(i) == 0.0);
  }
  {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}, {"y", S({3, 4})}});
    std::string z = g.node("int_div", {"x", "y"});
    test::check_op_grad("int_div of floats", g, z, {"x", "y"}, {off_grid({3, 4}, seed++), U({3, 4}, 1.1, 1.9, seed++, true)});
    std::string w = g.node("add", {g.node("mul", {"x", "y"}), z});
    test::check_op_grad("x * y + int_div(x, y)", g, w, {"x", "y"}, {off_grid({3, 4}, seed++), U({3, 4}, 1.1, 1.9, seed++, true)});
  }
  // x * f(x) has derivative f(x).
  for (const char* op : {"floor", "ceil", "round", "sgn"}) {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}});
    std::string y = g.node("mul", {"x", g.node(op, {"x"})});
    test::check_op_grad(op, g, y, {"x"}, {off_grid({3, 4}, seed++)});
  }
}

TEST_CASE("grad ops: binary elementwise with broadcasting of each input") {
  struct Case {
    const char* op;
    double xlo, xhi;
    bool xboth;
    double ylo, yhi;
    bool yboth;
  };
  const Case cases[] = {
      {"add", -2, 2, false, -2, 2, false},     {"sub", -2, 2, false, -2, 2, false},
      {"mul", -2, 2, false, -2, 2, false},     {"true_div", -2, 2, false, 0.5, 2, true},
      {"pow", 0.5, 2, false, -2, 2, false},    {"maximum", -2, 2, false, -2, 2, false},
      {"minimum", -2, 2, false, -2, 2, false}, {"mod", -5, 5, false, 1.1, 1.9, true},
  };
  // (x shape, y shape): equal, each broadcast, both broadcast, scalar, lower rank, unknown sizes.
  const std::vector<std::pair<json, json>> shapes = {
      {S({3, 4}), S({3, 4})}, {S({1, 4}), S({3, 4})}, {S({3, 4}), S({3, 1})}, {S({3, 1}), S({1, 4})},
      {json::array(), S({3, 4})}, {S({3, 4}), json::array({4})}, {S({nullptr, 4}), S({1, nullptr})},
  };
  auto concrete = [](const json& s) {
    Shape r;
    for (const json& d : s) r.push_back(d.is_null() ? (r.empty() ? 3 : 4) : d.get<int64_t>());
    return r;
  };
  uint64_t seed = 100;
  for (const Case& c : cases)
    for (const auto& [xs, ys] : shapes) {
      GraphBuilder g = with_inputs({{"x", xs}, {"y", ys}});
      std::string z = g.node(c.op, {"x", "y"});
      std::string label = std::string(c.op) + " x" + xs.dump() + " y" + ys.dump();
      test::check_op_grad(label, g, z, {"x", "y"},
                          {U(concrete(xs), c.xlo, c.xhi, seed, c.xboth), U(concrete(ys), c.ylo, c.yhi, seed + 1, c.yboth)});
      seed += 2;
    }
  // n-ary add and mul, three inputs broadcast differently.
  for (const char* op : {"add", "mul"}) {
    GraphBuilder g = with_inputs({{"a", S({3, 1})}, {"b", S({1, 4})}, {"c", S({3, 4})}});
    std::string z = g.node(op, {"a", "b", "c"});
    test::check_op_grad(std::string(op) + " of three", g, z, {"a", "b", "c"},
                        {U({3, 1}, -2, 2, 1), U({1, 4}, -2, 2, 2), U({3, 4}, -2, 2, 3)});
  }
}

TEST_CASE("grad ops: switch, clip, cast") {
  {  // switch(c, a, b): a broadcast along rows, b along columns, c along columns
    GraphBuilder g;
    g.input("c", "bool", S({3, 1})).input("a", "float64", S({1, 4})).input("b", "float64", S({3, 4}));
    std::string z = g.node("switch", {"c", "a", "b"});
    test::check_op_grad("switch", g, z, {"a", "b"},
                        {test::make(DType::Bool, {3, 1}, {1, 0, 1}), U({1, 4}, -2, 2, 1), U({3, 4}, -2, 2, 2)});
  }
  {  // clip with elements below, inside and above; the bounds get the gradient of the clipped elements
    GraphBuilder g = with_inputs({{"x", S({3, 4})}, {"lo", json::array()}, {"hi", json::array()}});
    std::string z = g.node("clip", {"x", "lo", "hi"});
    test::check_op_grad("clip", g, z, {"x", "lo", "hi"},
                        {U({3, 4}, -3, 3, 3), test::scalar(DType::Float64, -1.0), test::scalar(DType::Float64, 1.5)});
  }
  {  // cast to float32 and back: the derivative of a rounding to float32 is 1 (a large eps, so rounding is negligible)
    GraphBuilder g = with_inputs({{"x", S({3, 4})}});
    std::string z = g.node("cast", {"x"}, {{"dtype", "float32"}});
    test::GradCheckOptions o;
    o.eps = 1e-2;
    test::check_op_grad("cast float64 -> float32", g, z, {"x"}, {U({3, 4}, -2, 2, 4)}, o);
  }
  {  // an integer cast to float is not differentiated; the float factor is
    GraphBuilder g;
    g.input("i", "int32", S({3})).input("x", "float64", S({3}));
    std::string z = g.node("mul", {g.node("cast", {"i"}, {{"dtype", "float64"}}), g.node("cast", {"x"}, {{"dtype", "float64"}})});
    test::check_op_grad("cast int32 -> float64", g, z, {"x"}, {ints({3}, {2, -1, 5}, DType::Int32), U({3}, -2, 2, 5)});
  }
}

TEST_CASE("grad ops: dimshuffle, reshape, flatten, transpose") {
  {
    GraphBuilder g = with_inputs({{"x", S({3, 1, 4})}});
    std::string z = g.node("dimshuffle", {"x"}, {{"pattern", json::array({2, "x", 0})}});
    test::check_op_grad("dimshuffle [2, x, 0] dropping a broadcastable dim", g, z, {"x"}, {U({3, 1, 4}, -2, 2, 1)});
  }
  {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}});
    std::string z = g.node("dimshuffle", {"x"}, {{"pattern", json::array({"x", 1, "x", 0})}});
    test::check_op_grad("dimshuffle [x, 1, x, 0]", g, z, {"x"}, {U({3, 4}, -2, 2, 2)});
  }
  {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}});
    std::string z = g.node("reshape", {"x"}, {{"shape", json::array({2, -1})}});
    test::check_op_grad("reshape attribute", g, z, {"x"}, {U({3, 4}, -2, 2, 3)});
  }
  {
    GraphBuilder g;
    g.input("x", "float64", S({nullptr, nullptr})).input("s", "int64", json::array({3}));
    std::string z = g.node("reshape", {"x", "s"});
    test::check_op_grad("reshape by an input", g, z, {"x"}, {U({3, 4}, -2, 2, 4), ints({3}, {2, 3, 2})});
  }
  {
    GraphBuilder g = with_inputs({{"x", S({2, 3, 2})}});
    std::string z = g.node("flatten", {"x"}, {{"ndim", 2}});
    std::string w = g.node("flatten", {"x"});
    test::check_op_grad("flatten ndim 2", g, z, {"x"}, {U({2, 3, 2}, -2, 2, 5)});
    test::check_op_grad("flatten", g, w, {"x"}, {U({2, 3, 2}, -2, 2, 6)});
  }
  {
    GraphBuilder g = with_inputs({{"x", S({2, 3, 4})}});
    std::string a = g.node("transpose", {"x"});
    std::string b = g.node("transpose", {"x"}, {{"axes", json::array({1, 2, 0})}});
    std::string c = g.node("transpose", {"x"}, {{"axes", json::array({-1, 0, 1})}});
    test::check_op_grad("transpose", g, a, {"x"}, {U({2, 3, 4}, -2, 2, 7)});
    test::check_op_grad("transpose [1, 2, 0]", g, b, {"x"}, {U({2, 3, 4}, -2, 2, 8)});
    test::check_op_grad("transpose [-1, 0, 1]", g, c, {"x"}, {U({2, 3, 4}, -2, 2, 9)});
  }
}

TEST_CASE("grad ops: alloc, fill, join, stack") {
  {
    GraphBuilder g = with_inputs({{"v", json::array({4})}});
    std::string z = g.node("alloc", {"v", GraphBuilder::weak(3), GraphBuilder::weak(4)});
    test::check_op_grad("alloc of a vector", g, z, {"v"}, {U({4}, -2, 2, 1)});
  }
  {
    GraphBuilder g = with_inputs({{"v", S({3, 1})}});
    std::string z = g.node("alloc", {"v", GraphBuilder::weak(2), GraphBuilder::weak(3), GraphBuilder::weak(4)});
    test::check_op_grad("alloc of a column", g, z, {"v"}, {U({3, 1}, -2, 2, 2)});
  }
  {
    GraphBuilder g = with_inputs({{"s", json::array()}});
    std::string z = g.node("alloc", {"s", GraphBuilder::weak(2), GraphBuilder::weak(3)});
    test::check_op_grad("alloc of a scalar", g, z, {"s"}, {test::scalar(DType::Float64, 0.7)});
  }
  {
    GraphBuilder g = with_inputs({{"m", S({3, 4})}, {"s", json::array()}, {"r", S({1, 4})}});
    std::string z = g.node("add", {g.node("fill", {"m", "s"}), g.node("fill", {"m", "r"})});
    test::check_op_grad("fill", g, z, {"s", "r"}, {U({3, 4}, -2, 2, 3), test::scalar(DType::Float64, 0.3), U({1, 4}, -2, 2, 4)});
  }
  {
    GraphBuilder g = with_inputs({{"a", S({2, 3})}, {"b", S({1, 3})}, {"c", S({nullptr, 3})}});
    std::string z = g.node("join", {"a", "b", "c"}, {{"axis", 0}});
    test::check_op_grad("join axis 0", g, z, {"a", "b", "c"}, {U({2, 3}, -2, 2, 5), U({1, 3}, -2, 2, 6), U({3, 3}, -2, 2, 7)});
  }
  {
    GraphBuilder g = with_inputs({{"a", S({2, 1})}, {"b", S({2, 3})}});
    std::string z = g.node("join", {"a", "b"}, {{"axis", -1}});
    test::check_op_grad("join axis -1", g, z, {"a", "b"}, {U({2, 1}, -2, 2, 8), U({2, 3}, -2, 2, 9)});
  }
  {
    GraphBuilder g = with_inputs({{"a", json::array({3})}, {"b", json::array({3})}, {"c", json::array({3})}});
    std::string z = g.node("stack", {"a", "b", "c"}, {{"axis", 0}});
    test::check_op_grad("stack axis 0", g, z, {"a", "b", "c"}, {U({3}, -2, 2, 10), U({3}, -2, 2, 11), U({3}, -2, 2, 12)});
  }
  {
    GraphBuilder g = with_inputs({{"a", S({2, 3})}, {"b", S({2, 3})}});
    std::string z = g.node("stack", {"a", "b"}, {{"axis", 1}});
    std::string w = g.node("stack", {"a", "b"}, {{"axis", -1}});
    test::check_op_grad("stack axis 1", g, z, {"a", "b"}, {U({2, 3}, -2, 2, 13), U({2, 3}, -2, 2, 14)});
    test::check_op_grad("stack axis -1", g, w, {"a", "b"}, {U({2, 3}, -2, 2, 15), U({2, 3}, -2, 2, 16)});
  }
}

TEST_CASE("grad ops: subtensor, inc_subtensor, set_subtensor") {
  auto one = [](json idx, const std::string& label) {
    GraphBuilder g = with_inputs({{"x", S({5, 6})}});
    std::string z = g.node("subtensor", {"x"}, {{"idx", std::move(idx)}});
    test::check_op_grad(label, g, z, {"x"}, {U({5, 6}, -2, 2, 1)});
  };
  one(json::parse(R"([{"start": 1, "stop": 4}, {"step": 2}])"), "subtensor slices");
  one(json::parse(R"([{"step": -1}, {"start": 5, "stop": 0, "step": -2}])"), "subtensor negative steps");
  one(json::parse(R"([{"start": -2, "stop": null, "step": -3}])"), "subtensor negative start and step");
  one(json::parse(R"([-1])"), "subtensor point -1");
  one(json::parse(R"([1, {"start": -3}])"), "subtensor point and slice");
  {
    GraphBuilder g;
    g.input("x", "float64", S({5, 6})).input("i", "int64", json::array()).input("j", "int32", json::array());
    std::string z = g.node("subtensor", {"x"}, {{"idx", json::parse(R"([{"var": "i"}, {"start": {"var": "j"}, "step": -1}])")}});
    test::check_op_grad("subtensor variable indices", g, z, {"x"},
                        {U({5, 6}, -2, 2, 2), ints({}, {-2}), ints({}, {4}, DType::Int32)});
    std::string w = g.node("subtensor", {"x"}, {{"idx", json::parse(R"([{"start": {"var": "j"}, "stop": {"var": "i"}, "step": -2}])")}});
    test::check_op_grad("subtensor variable slice bounds", g, w, {"x"},
                        {U({5, 6}, -2, 2, 3), ints({}, {0}), ints({}, {4}, DType::Int32)});
  }
  for (const char* op : {"inc_subtensor", "set_subtensor"}) {
    {
      GraphBuilder g = with_inputs({{"x", S({4, 6})}, {"y", S({2, 6})}});
      std::string z = g.node(op, {"x", "y"}, {{"idx", json::parse(R"([{"start": 1, "stop": 3}])")}});
      test::check_op_grad(std::string(op) + " rows", g, z, {"x", "y"}, {U({4, 6}, -2, 2, 4), U({2, 6}, -2, 2, 5)});
    }
    {  // y broadcast over the rows of the region
      GraphBuilder g = with_inputs({{"x", S({4, 6})}, {"y", S({1, 3})}});
      std::string z = g.node(op, {"x", "y"}, {{"idx", json::parse(R"([{"step": -2}, {"start": 0, "stop": 6, "step": 2}])")}});
      test::check_op_grad(std::string(op) + " broadcast y, negative step", g, z, {"x", "y"}, {U({4, 6}, -2, 2, 6), U({1, 3}, -2, 2, 7)});
    }
    {
      GraphBuilder g;
      g.input("x", "float64", S({4, 6})).input("y", "float64", json::array({6})).input("i", "int64", json::array());
      std::string z = g.node(op, {"x", "y"}, {{"idx", json::parse(R"([{"var": "i"}])")}});
      test::check_op_grad(std::string(op) + " variable point", g, z, {"x", "y"}, {U({4, 6}, -2, 2, 8), U({6}, -2, 2, 9), ints({}, {-3})});
    }
  }
}

TEST_CASE("grad ops: advanced_subtensor1, advanced_inc_subtensor1, advanced_set_subtensor1") {
  {
    GraphBuilder g;
    g.input("x", "float64", S({4, 3})).input("il", "int64", json::array({nullptr}));
    std::string z = g.node("advanced_subtensor1", {"x", "il"});
    test::check_op_grad("advanced_subtensor1 repeated indices", g, z, {"x"}, {U({4, 3}, -2, 2, 1), ints({6}, {0, 2, 0, 3, 2, -4})});
  }
  {
    GraphBuilder g;
    g.input("x", "float64", S({4, 3})).input("y", "float64", S({5, 3})).input("il", "int64", json::array({nullptr}));
    std::string z = g.node("advanced_inc_subtensor1", {"x", "y", "il"});
    test::check_op_grad("advanced_inc_subtensor1 repeated indices", g, z, {"x", "y"},
                        {U({4, 3}, -2, 2, 2), U({5, 3}, -2, 2, 3), ints({5}, {1, 3, 1, 0, 1})});
  }
  {
    GraphBuilder g;
    g.input("x", "float64", S({4, 3})).input("y", "float64", S({1, 3})).input("il", "int64", json::array({nullptr}));
    std::string z = g.node("advanced_inc_subtensor1", {"x", "y", "il"});
    test::check_op_grad("advanced_inc_subtensor1 broadcast y", g, z, {"x", "y"},
                        {U({4, 3}, -2, 2, 4), U({1, 3}, -2, 2, 5), ints({3}, {2, 0, 2})});
  }
  {
    GraphBuilder g;
    g.input("x", "float64", S({4, 3})).input("y", "float64", S({3, 3})).input("il", "int64", json::array({nullptr}));
    std::string z = g.node("advanced_set_subtensor1", {"x", "y", "il"});
    test::check_op_grad("advanced_set_subtensor1", g, z, {"x", "y"},
                        {U({4, 3}, -2, 2, 6), U({3, 3}, -2, 2, 7), ints({3}, {3, 0, 1})});
  }
  {  // the last write wins: rows of y overwritten by a later one get no gradient
    GraphBuilder g;
    g.input("x", "float64", S({4, 3})).input("y", "float64", S({5, 3})).input("il", "int64", json::array({nullptr}));
    std::string z = g.node("advanced_set_subtensor1", {"x", "y", "il"});
    test::check_op_grad("advanced_set_subtensor1 repeated indices", g, z, {"x", "y"},
                        {U({4, 3}, -2, 2, 8), U({5, 3}, -2, 2, 9), ints({5}, {1, 3, 1, -4, 0})});
  }
}

TEST_CASE("grad ops: sum, prod, mean, max, min with axes and keepdims") {
  const std::vector<std::pair<json, bool>> axes = {
      {nullptr, false}, {nullptr, true}, {1, false}, {-1, true}, {json::array({0, 2}), false}, {json::array({0, -1}), true},
  };
  uint64_t seed = 1;
  for (const char* op : {"sum", "prod", "mean", "max", "min"})
    for (const auto& [axis, keep] : axes) {
      GraphBuilder g = with_inputs({{"x", S({3, 4, 2})}});
      std::string z = g.node(op, {"x"}, {{"axis", axis}, {"keepdims", keep}});
      std::string label = std::string(op) + " axis " + axis.dump() + (keep ? " keepdims" : "");
      bool prod = std::string(op) == "prod";
      test::check_op_grad(label, g, z, {"x"}, {U({3, 4, 2}, prod ? 0.6 : -2, prod ? 1.4 : 2, seed++, prod)});
    }
  // prod with zeros: d/dx_i prod(x) = prod of the others, also where x_i = 0
  // (one zero in a group: only it gets a gradient; two: none does).
  for (const auto& [axis, keep] : axes) {
    GraphBuilder g = with_inputs({{"x", S({3, 4, 2})}});
    std::string z = g.node("prod", {"x"}, {{"axis", axis}, {"keepdims", keep}});
    Tensor x = test::uniform({3, 4, 2}, 0.6, 1.4, seed++, true);
    x.set_f64(5, 0.0);
    x.set_f64(12, 0.0);
    x.set_f64(14, 0.0);
    test::check_op_grad("prod with zeros, axis " + axis.dump(), g, z, {"x"}, {x});
  }
}

TEST_CASE("grad ops: dot in all four forms, dot22, outer, batched_dot") {
  struct Case {
    Shape a, b;
  };
  auto js = [](const Shape& s) {
    json r = json::array();
    for (int64_t d : s) r.push_back(d);
    return r;
  };
  uint64_t seed = 1;
  for (const Case& c : {Case{{3, 4}, {4, 2}}, Case{{3, 4}, {4}}, Case{{4}, {4, 2}}, Case{{4}, {4}}}) {
    GraphBuilder g = with_inputs({{"a", js(c.a)}, {"b", js(c.b)}});
    std::string z = g.node("dot", {"a", "b"});
    test::check_op_grad("dot " + js(c.a).dump() + " " + js(c.b).dump(), g, z, {"a", "b"}, {U(c.a, -2, 2, seed), U(c.b, -2, 2, seed + 1)});
    seed += 2;
  }
  {
    GraphBuilder g = with_inputs({{"a", S({3, 4})}, {"b", S({4, 2})}});
    std::string z = g.node("dot22", {"a", "b"});
    test::check_op_grad("dot22", g, z, {"a", "b"}, {U({3, 4}, -2, 2, seed), U({4, 2}, -2, 2, seed + 1)});
    seed += 2;
  }
  {
    GraphBuilder g = with_inputs({{"a", json::array({3})}, {"b", json::array({4})}});
    std::string z = g.node("outer", {"a", "b"});
    test::check_op_grad("outer", g, z, {"a", "b"}, {U({3}, -2, 2, seed), U({4}, -2, 2, seed + 1)});
    seed += 2;
  }
  for (const Case& c : {Case{{2, 3, 4}, {2, 4, 5}}, Case{{2, 3}, {2, 3}}, Case{{2, 3, 4}, {2, 4}}, Case{{2, 3}, {2, 3, 4}}}) {
    GraphBuilder g = with_inputs({{"a", js(c.a)}, {"b", js(c.b)}});
    std::string z = g.node("batched_dot", {"a", "b"});
    test::check_op_grad("batched_dot " + js(c.a).dump() + " " + js(c.b).dump(), g, z, {"a", "b"},
                        {U(c.a, -2, 2, seed), U(c.b, -2, 2, seed + 1)});
    seed += 2;
  }
}

TEST_CASE("grad ops: gemm, gemv, ger, sparse_dot") {
  {
    GraphBuilder g = with_inputs({{"z", S({3, 2})}, {"alpha", json::array()}, {"x", S({3, 4})}, {"y", S({4, 2})}, {"beta", json::array()}});
    std::string r = g.node("gemm", {"z", "alpha", "x", "y", "beta"});
    test::check_op_grad("gemm", g, r, {"z", "alpha", "x", "y", "beta"},
                        {U({3, 2}, -2, 2, 1), test::scalar(DType::Float64, 0.7), U({3, 4}, -2, 2, 2), U({4, 2}, -2, 2, 3),
                         test::scalar(DType::Float64, -1.3)});
  }
  {
    GraphBuilder g = with_inputs({{"z", json::array({3})}, {"alpha", json::array()}, {"A", S({3, 4})}, {"x", json::array({4})}, {"beta", json::array()}});
    std::string r = g.node("gemv", {"z", "alpha", "A", "x", "beta"});
    test::check_op_grad("gemv", g, r, {"z", "alpha", "A", "x", "beta"},
                        {U({3}, -2, 2, 4), test::scalar(DType::Float64, 1.4), U({3, 4}, -2, 2, 5), U({4}, -2, 2, 6),
                         test::scalar(DType::Float64, 0.6)});
  }
  {
    GraphBuilder g = with_inputs({{"A", S({3, 4})}, {"alpha", json::array()}, {"x", json::array({3})}, {"y", json::array({4})}});
    std::string r = g.node("ger", {"A", "alpha", "x", "y"});
    test::check_op_grad("ger", g, r, {"A", "alpha", "x", "y"},
                        {U({3, 4}, -2, 2, 7), test::scalar(DType::Float64, -0.8), U({3}, -2, 2, 8), U({4}, -2, 2, 9)});
  }
  {  // S (3 x 4, CSR) times D (4 x 2): the gradient w.r.t. the dense operand
    GraphBuilder g;
    g.csr_input("S", "float64").input("D", "float64", S({nullptr, 2}));
    std::string r = g.node("sparse_dot", {"S", "D"});
    CsrMatrix s = test::csr(DType::Float64, DType::Int32, 3, 4, {0, 2, 2, 5}, {0, 3, 1, 2, 3}, {1.5, -0.5, 2.0, 0.25, -1.0});
    test::check_op_grad("sparse_dot", g, r, {"D"}, {s, U({4, 2}, -2, 2, 10)});
  }
}

TEST_CASE("grad ops: softmax, log_softmax, categorical_crossentropy, assert") {
  for (const char* op : {"softmax", "log_softmax"}) {
    GraphBuilder g = with_inputs({{"x", S({3, 4})}, {"v", json::array({5})}});
    std::string z = g.node(op, {"x"});
    std::string w = g.node(op, {"v"});
    test::check_op_grad(std::string(op) + " of a matrix", g, z, {"x"}, {U({3, 4}, -2, 2, 1), U({5}, -2, 2, 2)});
    test::check_op_grad(std::string(op) + " of a vector", g, w, {"v"}, {U({3, 4}, -2, 2, 3), U({5}, -2, 2, 4)});
  }
  {  // integer targets: w.r.t. the probabilities directly, and through a softmax
    GraphBuilder g;
    g.input("p", "float64", S({3, 4})).input("t", "int64", json::array({3}));
    std::string z = g.node("categorical_crossentropy", {"p", "t"});
    test::check_op_grad("categorical_crossentropy int targets", g, z, {"p"}, {U({3, 4}, 0.1, 1, 5), ints({3}, {0, 3, 1})});
  }
  {
    GraphBuilder g;
    g.input("x", "float64", S({3, 4})).input("t", "int32", json::array({3}));
    std::string z = g.node("categorical_crossentropy", {g.node("softmax", {"x"}), "t"});
    test::check_op_grad("categorical_crossentropy of softmax", g, z, {"x"}, {U({3, 4}, -2, 2, 6), ints({3}, {2, 2, 0}, DType::Int32)});
  }
  {  // matrix targets: w.r.t. both
    GraphBuilder g = with_inputs({{"p", S({3, 4})}, {"t", S({3, 4})}});
    std::string z = g.node("categorical_crossentropy", {"p", "t"});
    test::check_op_grad("categorical_crossentropy matrix targets", g, z, {"p", "t"}, {U({3, 4}, 0.1, 1, 7), U({3, 4}, 0, 1, 8)});
  }
  {  // assert passes the gradient of x through
    GraphBuilder g;
    g.input("x", "float64", S({3})).input("c", "bool", json::array());
    std::string z = g.node("assert", {g.node("exp", {"x"}), "c"}, {{"message", "c must hold"}});
    test::check_op_grad("assert", g, z, {"x"}, {U({3}, -2, 2, 9), test::make(DType::Bool, {}, {1})});
  }
}

TEST_CASE("grad ops: a broadcastable dimension added by dimshuffle, then joined, reshaped or selected by ifelse") {
  // The gradient reaching the dimshuffle has size 1 in the added dimension
  // at run time, but not always statically (join, reshape, flatten, ifelse
  // gradients do not keep it).
  {
    GraphBuilder g = with_inputs({{"v", json::array({3})}, {"M", S({nullptr, 3})}});
    std::string z = g.node("join", {g.node("dimshuffle", {"v"}, {{"pattern", json::array({"x", 0})}}), "M"}, {{"axis", 0}});
    test::check_op_grad("join of a dimshuffled row", g, z, {"v", "M"}, {U({3}, -2, 2, 1), U({2, 3}, -2, 2, 2)});
  }
  {
    GraphBuilder g = with_inputs({{"v", json::array({3})}});
    std::string d = g.node("dimshuffle", {"v"}, {{"pattern", json::array({0, "x"})}});
    std::string z = g.node("reshape", {d}, {{"shape", json::array({-1})}});
    std::string w = g.node("flatten", {d});
    test::check_op_grad("reshape of a dimshuffled column", g, z, {"v"}, {U({3}, -2, 2, 3)});
    test::check_op_grad("flatten of a dimshuffled column", g, w, {"v"}, {U({3}, -2, 2, 4)});
  }
  {
    GraphBuilder g;
    g.input("c", "int64", json::array()).input("v", "float64", json::array({3})).input("M", "float64", S({nullptr, 3}));
    std::string d = g.node("dimshuffle", {"v"}, {{"pattern", json::array({"x", 0})}});
    g.raw_node({{"op", "ifelse"}, {"inputs", {"c"}}, {"then", {d}}, {"else", {"M"}}, {"outputs", {"o"}}});
    test::check_op_grad("ifelse of a dimshuffled row", g, "o", {"v"}, {test::scalar(DType::Int64, 1), U({3}, -2, 2, 5), U({1, 3}, -2, 2, 6)});
  }
}

TEST_CASE("grad ops: scalar values broadcast into a region, softmax over a 3-d tensor") {
  for (const char* op : {"inc_subtensor", "set_subtensor"}) {
    GraphBuilder g = with_inputs({{"x", S({4, 6})}, {"y", json::array()}});
    std::string z = g.node(op, {"x", "y"}, {{"idx", json::parse(R"([{"start": 1, "stop": 3}, {"step": 2}])")}});
    test::check_op_grad(std::string(op) + " of a scalar", g, z, {"x", "y"}, {U({4, 6}, -2, 2, 1), test::scalar(DType::Float64, 0.4)});
  }
  for (const char* op : {"advanced_inc_subtensor1", "advanced_set_subtensor1"}) {
    GraphBuilder g;
    g.input("x", "float64", S({4, 3})).input("y", "float64", json::array()).input("il", "int64", json::array({nullptr}));
    std::string z = g.node(op, {"x", "y", "il"});
    test::check_op_grad(std::string(op) + " of a scalar", g, z, {"x", "y"},
                        {U({4, 3}, -2, 2, 2), test::scalar(DType::Float64, -0.3), ints({4}, {2, 0, 2, 3})});
  }
  for (const char* op : {"softmax", "log_softmax"}) {
    GraphBuilder g = with_inputs({{"x", S({2, 3, 4})}});
    test::check_op_grad(std::string(op) + " of a 3-d tensor", g, g.node(op, {"x"}), {"x"}, {U({2, 3, 4}, -2, 2, 3)});
  }
}
