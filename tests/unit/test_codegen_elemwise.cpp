// Differential tests of the generated code: elementwise ops and cast against
// the reference interpreter (see differential.h).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

const char* const kFloatUnary[] = {"neg",  "abs",   "sgn",  "exp",  "exp2",  "log",        "log2",     "log10",
                                   "log1p", "expm1", "sqrt", "sqr",  "reciprocal", "sin", "cos",      "tan",
                                   "tanh", "sigmoid", "softplus", "relu", "erf", "floor", "ceil", "round",
                                   "isnan", "isinf"};
const char* const kArith[] = {"add", "sub", "mul", "true_div", "int_div", "mod", "pow", "maximum", "minimum"};
const char* const kCompare[] = {"lt", "gt", "le", "ge", "eq", "neq"};
const char* const kLogic[] = {"and", "or", "xor"};
const char* const kIntUnary[] = {"neg", "abs", "sgn", "sqr", "reciprocal", "relu", "floor", "ceil", "round",
                                 "isnan", "isinf", "invert", "exp", "sqrt", "sin", "tanh", "log1p"};

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// x with the special values every float op must agree on.
Tensor special_floats(DType dt, test::Rand& r) {
  Tensor t = r.floats(dt, {4, 5});
  const double sp[] = {kNaN, kInf, -kInf, -0.0, 0.5, 1.5, 2.5, -2.5, -0.5, 1e-300, 40.0, -40.0, 710.0, -745.5};
  for (size_t i = 0; i < sizeof sp / sizeof sp[0]; ++i) t.set_f64(int64_t(i), sp[i]);
  return t;
}

}  // namespace

TEST_CASE("codegen elemwise: every float op, float64 and float32, with row/column/scalar broadcasting") {
  GraphBuilder g;
  for (const char* dt : {"float64", "float32"}) {
    std::string p = dt[5] == '6' ? "d_" : "f_";
    g.input(p + "x", dt, {4, 5}).input(p + "y", dt, {4, 5}).input(p + "r", dt, {1, 5}).input(p + "c", dt, {4, 1});
    g.input(p + "s", dt, json::array());
    std::string x = p + "x", y = p + "y", row = p + "r", col = p + "c", s = p + "s";
    for (const char* op : kFloatUnary) g.output(g.node(op, {x}));
    for (const char* op : kArith) {
      g.output(g.node(op, {x, y}));
      g.output(g.node(op, {x, row}));
      g.output(g.node(op, {col, x}));
      g.output(g.node(op, {s, x}));
      g.output(g.node(op, {row, col}));  // (1,5) x (4,1) -> (4,5)
    }
    for (const char* op : kCompare) {
      g.output(g.node(op, {x, y}));
      g.output(g.node(op, {row, x}));
      g.output(g.node(op, {x, s}));
    }
    g.output(g.node("add", {x, y, row, col, s}));
    g.output(g.node("mul", {col, x, y}));
    g.output(g.node("add", {s}));
    g.output(g.node("clip", {x, col, row}));
    g.output(g.node("clip", {x, GraphBuilder::weak(-1.0), GraphBuilder::weak(1.5)}));
    g.output(g.node("switch", {g.node("gt", {x, y}), x, y}));
    g.output(g.node("switch", {g.node("lt", {row, GraphBuilder::weak(0.0)}), col, s}));  // broadcast condition
    g.output(g.node("switch", {x, row, y}));  // a float condition: nonzero (NaN is true)
  }
  test::Differential d(g.text(), "f");
  test::Rand rnd(1);
  for (int round = 0; round < 2; ++round) {
    std::vector<Value> in;
    for (DType dt : {DType::Float64, DType::Float32}) {
      in.push_back(special_floats(dt, rnd));
      in.push_back(rnd.floats(dt, {4, 5}));
      in.push_back(rnd.floats(dt, {1, 5}));
      in.push_back(rnd.floats(dt, {4, 1}));
      in.push_back(round == 0 ? test::scalar(dt, 0.0) : rnd.floats(dt, {}));
    }
    d.run(in);
  }
}
