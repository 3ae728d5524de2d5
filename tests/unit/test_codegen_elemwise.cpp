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

std::string float_ops_graph() {
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
  return g.text();
}
const test::Prebuild k_float_ops{float_ops_graph};

}  // namespace

TEST_CASE("codegen elemwise: every float op, float64 and float32, with row/column/scalar broadcasting") {
  test::Differential d(float_ops_graph(), "f");
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

namespace {
const char* const kPairs[][2] = {{"int8", "uint8"},   {"int32", "float32"}, {"uint64", "int64"}, {"bool", "int8"},
                                 {"int16", "float32"}, {"uint32", "int32"},  {"float32", "float64"}, {"uint16", "int64"},
                                 {"bool", "float32"}, {"uint8", "uint64"}};
const char* const kAllDtypes[] = {"bool",   "int8",   "int16",  "int32",   "int64",  "uint8",
                                  "uint16", "uint32", "uint64", "float32", "float64"};
const char* const kIntDtypes[] = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"};
DType dtype_of(const std::string& s) { return *dtype_from_name(s); }

std::string int_ops_graph() {
  GraphBuilder g;
  for (const std::string dt : kIntDtypes) {
    bool is_b = dt == "bool";
    std::string p = dt + "_";
    g.input(p + "a", dt, {4, 5}).input(p + "b", dt, {4, 5}).input(p + "r", dt, {1, 5}).input(p + "c", dt, {4, 1});
    g.input(p + "s", dt, json::array());
    std::string a = p + "a", b = p + "b", row = p + "r", col = p + "c", s = p + "s";
    for (const char* op : kIntUnary) {
      if (is_b && std::string(op) == "neg") continue;  // refused for bool, as numpy
      g.output(g.node(op, {a}));
    }
    for (const char* op : kArith) {
      if (is_b && std::string(op) == "sub") continue;
      g.output(g.node(op, {a, b}));
    }
    for (const char* op : kCompare) g.output(g.node(op, {a, b}));
    for (const char* op : kLogic) g.output(g.node(op, {a, b}));
    // Broadcasting is dtype-independent in the generated loops (the float
    // test covers every form); here a few forms per dtype for the scalar ops
    // whose integer semantics differ most.
    g.output(g.node("int_div", {a, row}));
    g.output(g.node("mod", {col, a}));
    g.output(g.node("pow", {a, s}));
    g.output(g.node("xor", {row, col}));
    g.output(g.node("add", {a, b, row, col}));
    g.output(g.node("mul", {a, b, s}));
    g.output(g.node("clip", {a, col, row}));
    g.output(g.node("switch", {a, b, row}));
    g.output(g.node("switch", {col, s, a}));
  }
  return g.text();
}
const test::Prebuild k_int_ops{int_ops_graph};

}  // namespace

TEST_CASE("codegen elemwise: integer and bool ops with wrap-around, floor division, modulo by zero, pow") {
  test::Differential d(int_ops_graph(), "f");
  test::Rand rnd(2);
  for (int round = 0; round < 3; ++round) {
    std::vector<Value> in;
    for (const std::string dt : kIntDtypes) {
      DType t = dtype_of(dt);
      bool wide = round != 1;  // round 1: small values only (pow without wrap, exact floor division)
      in.push_back(rnd.ints(t, {4, 5}, wide));
      in.push_back(rnd.ints(t, {4, 5}, wide));
      in.push_back(rnd.ints(t, {1, 5}, wide));
      in.push_back(rnd.ints(t, {4, 1}, wide));
      in.push_back(round == 2 ? test::scalar(t, 0) : rnd.ints(t, {}, wide));
    }
    d.run(in);
  }
}

namespace {

std::string promotion_graph() {
  GraphBuilder g;
  int k = 0;
  for (auto& pr : kPairs) {
    std::string a = "a" + std::to_string(k), b = "b" + std::to_string(k);
    ++k;
    g.input(a, pr[0], {3, 4}).input(b, pr[1], {1, 4});  // b broadcasts as a row
    for (const char* op : {"add", "sub", "mul", "true_div", "int_div", "mod", "pow", "maximum", "minimum", "lt", "eq", "ge"}) {
      g.output(g.node(op, {a, b}));
    }
    bool logic = !(std::string(pr[0]).rfind("float", 0) == 0 || std::string(pr[1]).rfind("float", 0) == 0);
    if (logic && std::string(pr[0]) != "uint64" && std::string(pr[1]) != "uint64")
      for (const char* op : kLogic) g.output(g.node(op, {a, b}));
    g.output(g.node("switch", {g.node("gt", {a, b}), a, b}));
    g.output(g.node("clip", {a, b, GraphBuilder::weak(5)}));
  }
  // Weak (Python) scalars take the tensor's dtype where they fit (NEP 50).
  g.input("i8", "int8", {6}).input("u8", "uint8", {6}).input("i32", "int32", {6}).input("f32", "float32", {6});
  g.input("bl", "bool", {6}).input("u64", "uint64", {6});
  using W = GraphBuilder;
  g.output(g.node("add", {"i8", W::weak(100)}));
  g.output(g.node("mul", {"u8", W::weak(3)}));
  g.output(g.node("sub", {W::weak(7), "u8"}));
  g.output(g.node("add", {"i32", W::weak(1.5)}));
  g.output(g.node("mul", {"f32", W::weak(2.5)}));
  g.output(g.node("pow", {"i8", W::weak(2)}));
  g.output(g.node("pow", {W::weak(2), "i32"}));
  g.output(g.node("int_div", {"i8", W::weak(-3)}));
  g.output(g.node("mod", {"i8", W::weak(-3)}));
  g.output(g.node("int_div", {"u64", W::weak(7)}));
  g.output(g.node("mod", {W::weak(1000), "u64"}));
  g.output(g.node("true_div", {"i8", W::weak(2)}));
  g.output(g.node("true_div", {W::weak(1), "f32"}));
  g.output(g.node("add", {"bl", W::weak(true)}));
  g.output(g.node("add", {"bl", W::weak(1)}));
  g.output(g.node("mul", {"bl", W::weak(0.5)}));
  g.output(g.node("lt", {"u8", W::weak(200)}));
  g.output(g.node("eq", {"f32", W::weak(0.1)}));
  g.output(g.node("maximum", {"i8", W::weak(-128)}));
  g.output(g.node("and", {"i32", W::weak(6)}));
  g.output(g.node("xor", {"u8", W::weak(255)}));
  g.output(g.node("or", {"bl", W::weak(false)}));
  g.output(g.node("mod", {"f32", W::weak(-0.75)}));
  g.output(g.node("int_div", {"f32", W::weak(0.0)}));
  g.output(g.node("mod", {"i32", W::weak(0)}));
  return g.text();
}
const test::Prebuild k_promotion{promotion_graph};

}  // namespace

TEST_CASE("codegen elemwise: mixed dtypes (numpy promotion) and weak scalar constants") {
  test::Differential d(promotion_graph(), "f");
  test::Rand rnd(3);
  for (int round = 0; round < 2; ++round) {
    std::vector<Value> in;
    for (auto& pr : kPairs) {
      for (int j = 0; j < 2; ++j) {
        DType t = dtype_of(pr[j]);
        Shape sh = j == 0 ? Shape{3, 4} : Shape{1, 4};
        in.push_back(is_float(t) ? rnd.floats(t, sh) : rnd.ints(t, sh, round == 0));
      }
    }
    in.push_back(rnd.ints(DType::Int8, {6}));
    in.push_back(rnd.ints(DType::UInt8, {6}));
    in.push_back(rnd.ints(DType::Int32, {6}, round == 0));
    in.push_back(rnd.floats(DType::Float32, {6}));
    in.push_back(rnd.bools({6}));
    in.push_back(rnd.ints(DType::UInt64, {6}));
    d.run(in);
  }
}

namespace {

std::string casts_graph() {
  GraphBuilder g;
  for (const char* from : kAllDtypes) {
    std::string x = std::string("x_") + from;
    g.input(x, from, {16});
    for (const char* to : kAllDtypes) g.output(g.node("cast", {x}, {{"dtype", to}}));
  }
  // Casts of strided views.
  g.input("m", "float64", {3, 4});
  g.output(g.node("cast", {g.node("transpose", {"m"})}, {{"dtype", "int16"}}));
  g.output(g.node("cast", {g.node("subtensor", {"m"}, {{"idx", {GraphBuilder::slice(nullptr, nullptr, -1), GraphBuilder::slice(nullptr, nullptr, -2)}}})}, {{"dtype", "uint8"}}));
  return g.text();
}
const test::Prebuild k_casts{casts_graph};

}  // namespace

TEST_CASE("codegen cast: every pair of dtypes, with NaN, infinities and out-of-range floats") {
  test::Differential d(casts_graph(), "f");
  test::Rand rnd(4);
  std::vector<Value> in;
  for (const char* from : kAllDtypes) {
    DType t = dtype_of(from);
    Tensor x(t, {16});
    if (is_float(t)) {
      x = rnd.floats(t, {16}, -300, 300);
      const double sp[] = {kNaN, kInf, -kInf, -0.0, 3e9, -3e9, 1e19, -1e19, 2e19, 300.7, -300.7, 70000.5, -1.5, 0.999, 255.9};
      for (size_t i = 0; i < sizeof sp / sizeof sp[0]; ++i) x.set_f64(int64_t(i), sp[i]);
    } else {
      x = rnd.ints(t, {16});
    }
    in.push_back(x);
  }
  in.push_back(rnd.floats(DType::Float64, {3, 4}, -70000, 70000));
  d.run(in);
}

namespace {

std::string views_graph() {
  GraphBuilder g;
  using W = GraphBuilder;
  g.input("x", "float64", {4, 5}).input("y", "float64", {5, 4}).input("v", "float64", {5}).input("c", "float64", {4, 1});
  g.input("z", "float64", {2, 3, 4}).input("w", "float64", {4, 2, 3}).input("i", "int8", {4, 5}).input("b", "bool", {5, 4});
  g.input("f", "float32", json::array({nullptr, nullptr}));
  auto sl = GraphBuilder::slice;
  json N = nullptr;
  std::string xt = g.node("transpose", {"x"});
  g.output(g.node("add", {xt, "y"}));
  g.output(g.node("mul", {g.node("dimshuffle", {"v"}, {{"pattern", {"x", 0}}}), "x"}));
  g.output(g.node("sub", {g.node("dimshuffle", {"v"}, {{"pattern", {0, "x"}}}), "y"}));
  std::string rev = g.node("subtensor", {"x"}, {{"idx", {sl(N, N, -1), sl(N, N, -2)}}});  // (4, 3)
  g.output(g.node("mul", {rev, g.node("subtensor", {"x"}, {{"idx", {sl(N, N, N), sl(N, N, 2)}}})}));
  g.output(g.node("exp", {g.node("subtensor", {"x"}, {{"idx", {sl(1, 3, N), sl(N, N, -1)}}})}));
  g.output(g.node("add", {xt, g.node("subtensor", {"y"}, {{"idx", {sl(N, N, -1)}}})}));
  g.output(g.node("maximum", {g.node("transpose", {"z"}, {{"axes", {2, 0, 1}}}), "w"}));
  g.output(g.node("add", {g.node("transpose", {"z"}, {{"axes", {1, 2, 0}}}), g.node("dimshuffle", {"c"}, {{"pattern", {1, 0, "x"}}})}));
  g.output(g.node("add", {g.node("subtensor", {"x"}, {{"idx", {1}}}), g.node("subtensor", {"v"}, {{"idx", {sl(N, N, -1)}}})}));
  g.output(g.node("add", {g.node("dimshuffle", {"c"}, {{"pattern", {0}}}), g.node("subtensor", {"x"}, {{"idx", {sl(N, N, N), -1}}})}));
  std::string vv = g.node("transpose", {g.node("subtensor", {"x"}, {{"idx", {sl(N, N, -1), sl(1, N, N)}}})});  // (4, 4)
  g.output(g.node("true_div", {vv, W::weak(3.0)}));
  g.output(g.node("add", {xt, g.node("dimshuffle", {"z"}, {{"pattern", {0, 1, "x", 2}}})}));  // 2-d and 3-d views into a 4-d loop
  g.output(g.node("add", {g.node("transpose", {"i"}), W::weak(100)}));  // int8 wrap-around through a view
  g.output(g.node("int_div", {g.node("subtensor", {"i"}, {{"idx", {sl(N, N, -1)}}}), W::weak(-3)}));
  g.output(g.node("invert", {g.node("transpose", {"b"})}));
  g.output(g.node("and", {"b", g.node("gt", {xt, W::weak(0.0)})}));
  g.output(g.node("switch", {g.node("transpose", {"b"}), "x", g.node("transpose", {"y"})}));
  std::string ft = g.node("transpose", {"f"});
  g.output(g.node("mul", {ft, g.node("subtensor", {ft}, {{"idx", {sl(N, N, -1), sl(N, N, -1)}}})}));
  g.output(g.node("add", {g.node("sqr", {ft}), W::weak(1)}));
  // Column slices: an inner stride of 1 known only at run time takes the
  // loop's unit-stride copy; with a stride-2 operand, the strided one.
  std::string cols = g.node("subtensor", {"x"}, {{"idx", {sl(N, N, N), sl(1, 4, N)}}});  // (4, 3)
  g.output(g.node("tanh", {g.node("add", {cols, g.node("subtensor", {"y"}, {{"idx", {sl(1, N, N), sl(0, 3, N)}}})})}));
  g.output(g.node("mul", {cols, g.node("subtensor", {"x"}, {{"idx", {sl(N, N, N), sl(N, N, 2)}}}), g.node("subtensor", {"x"}, {{"idx", {sl(N, N, N), sl(2, 5, N)}}})}));
  // Views as function outputs.
  g.output(xt).output(rev);
  return g.text();
}
const test::Prebuild k_views{views_graph}, k_views_run{views_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen elemwise: views (dimshuffle, transpose, negative-step subtensor) feed the strided loops") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(views_graph(), "f", mode);
    test::Rand rnd(5);
    for (int round = 0; round < 2; ++round) {
      d.run({rnd.floats(DType::Float64, {4, 5}), rnd.floats(DType::Float64, {5, 4}), rnd.floats(DType::Float64, {5}),
             rnd.floats(DType::Float64, {4, 1}), rnd.floats(DType::Float64, {2, 3, 4}), rnd.floats(DType::Float64, {4, 2, 3}),
             rnd.ints(DType::Int8, {4, 5}), rnd.bools({5, 4}), rnd.floats(DType::Float32, {3 + round, 6})});
    }
  }
}

namespace {

// Chains of elementwise ops that FAST_RUN fuses into single loops (and runs
// in place where an intermediate dies): broadcasting, views, mixed dtypes,
// integer wrap-around and bools inside one fused expression.
std::string chains_graph() {
  GraphBuilder g;
  using W = GraphBuilder;
  g.input("x", "float64", {4, 5}).input("y", "float64", {4, 5}).input("r", "float64", {1, 5}).input("c", "float64", {4, 1});
  g.input("i8", "int8", {4, 5}).input("i16", "int16", {5, 4}).input("f", "float32", {4, 5}).input("i32", "int32", {5});
  std::string t1 = g.node("tanh", {g.node("add", {g.node("mul", {"x", "r"}), "c"})});
  std::string t2 = g.node("true_div", {g.node("exp", {g.node("neg", {g.node("abs", {"x"})})}), g.node("add", {W::weak(1.0), g.node("sqr", {"y"})})});
  g.output(g.node("sub", {t1, t2}));
  g.output(g.node("mul", {g.node("switch", {g.node("gt", {"x", W::weak(0.0)}), g.node("log1p", {"x"}), g.node("expm1", {"x"})}), W::weak(0.5)}));
  g.output(g.node("mod", {g.node("int_div", {g.node("add", {g.node("mul", {"i8", W::weak(3)}), W::weak(100)}), W::weak(7)}), W::weak(-5)}));
  g.output(g.node("add", {g.node("cast", {g.node("mul", {"x", W::weak(1000.0)})}, {{"dtype", "int16"}}), g.node("transpose", {"i16"})}));
  std::string xt = g.node("transpose", {"x"});
  g.output(g.node("maximum", {g.node("add", {xt, g.node("dimshuffle", {"c"}, {{"pattern", {1, 0}}})}), g.node("subtensor", {g.node("transpose", {"y"})}, {{"idx", {GraphBuilder::slice(nullptr, nullptr, -1)}}})}));
  g.output(g.node("and", {g.node("gt", {"x", "y"}), g.node("invert", {g.node("lt", {"x", W::weak(0.0)})})}));
  g.output(g.node("add", {g.node("mul", {"f", W::weak(2.0)}), g.node("dimshuffle", {"i32"}, {{"pattern", {"x", 0}}})}));  // float32 x int32 -> float64
  g.output(g.node("sigmoid", {g.node("sub", {g.node("mul", {"f", "f"}), g.node("cast", {"i8"}, {{"dtype", "float32"}})})}));
  std::string shared_sub = g.node("mul", {"x", "y"});  // read by two chains and an output
  g.output(shared_sub);
  g.output(g.node("sqrt", {g.node("abs", {shared_sub})}));
  g.output(g.node("clip", {g.node("add", {shared_sub, "r"}), W::weak(-1.0), W::weak(1.0)}));
  g.output(g.node("pow", {g.node("abs", {"x"}), g.node("add", {"c", W::weak(0.5)})}));
  return g.text();
}
const test::Prebuild k_chains{chains_graph}, k_chains_run{chains_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen elemwise: chains of ops (fused into one loop by FAST_RUN)") {
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(chains_graph(), "f", mode);
    test::Rand rnd(6);
    for (int round = 0; round < 2; ++round)
      d.run({rnd.floats(DType::Float64, {4, 5}), rnd.floats(DType::Float64, {4, 5}), rnd.floats(DType::Float64, {1, 5}),
             rnd.floats(DType::Float64, {4, 1}), rnd.ints(DType::Int8, {4, 5}), rnd.ints(DType::Int16, {5, 4}),
             rnd.floats(DType::Float32, {4, 5}), rnd.ints(DType::Int32, {5}, false)});
  }
}
