// Differential tests of the generated code: dot in its four forms and with a
// scalar, outer, batched_dot, gemm/gemv/ger/dot22 as written in the file, and
// the CSR ops. BLAS sums in another order than the interpreter's loops, so
// float results are compared with test::blas_tolerance() (float64 1e-10).
#include <doctest/doctest.h>

#include <limits>

#include "differential.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

json sl(json start, json stop, json step) { return GraphBuilder::slice(start, stop, step); }
const json N = nullptr;
const char* const kDtypes[] = {"float64", "float32", "int64"};

std::string linalg_graph() {
  GraphBuilder g;
  for (const char* dt : kDtypes) {
    std::string p = std::string(dt).substr(0, 1) + std::string(dt).substr(std::string(dt).size() - 2) + "_";  // f64_, f32_, i64_
    g.input(p + "A", dt, {3, 4}).input(p + "B", dt, {4, 5}).input(p + "v3", dt, {3}).input(p + "v4", dt, {4});
    g.input(p + "v5", dt, {5}).input(p + "s", dt, json::array());
    g.input(p + "X", dt, {2, 3, 4}).input(p + "Y", dt, {2, 4, 5}).input(p + "P", dt, {2, 4}).input(p + "Q", dt, {2, 3});
    std::string A = p + "A", B = p + "B", v3 = p + "v3", v4 = p + "v4", v5 = p + "v5", s = p + "s";
    std::string X = p + "X", Y = p + "Y", P = p + "P", Q = p + "Q";
    std::string At = g.node("transpose", {A}), Bt = g.node("transpose", {B});
    // The four forms, and a scalar operand on either side.
    g.output(g.node("dot", {v4, v4}));
    g.output(g.node("dot", {A, v4}));
    g.output(g.node("dot", {v3, A}));
    g.output(g.node("dot", {A, B}));
    g.output(g.node("dot", {s, A}));
    g.output(g.node("dot", {v4, s}));
    g.output(g.node("dot", {s, s}));
    // Transposed and strided operands (BLAS's transposed layouts, or a copy).
    g.output(g.node("dot", {Bt, v4}));
    g.output(g.node("dot", {v5, Bt}));
    g.output(g.node("dot", {At, A}));
    g.output(g.node("dot", {A, At}));
    g.output(g.node("dot", {Bt, At}));
    g.output(g.node("dot", {g.node("subtensor", {A}, {{"idx", {sl(N, N, -1), sl(N, N, 2)}}}), g.node("subtensor", {B}, {{"idx", {sl(N, N, 2)}}})}));
    g.output(g.node("dot", {g.node("subtensor", {v4}, {{"idx", {sl(N, N, -1)}}}), v4}));
    g.output(g.node("dot", {g.node("subtensor", {At}, {{"idx", {sl(N, N, -1)}}}), g.node("subtensor", {v3}, {{"idx", {sl(N, N, -1)}}})}));
    g.output(g.node("dot", {g.node("subtensor", {B}, {{"idx", {sl(N, N, N), 1}}}), B}));  // a column (stride 5) as a vector
    g.output(g.node("outer", {v3, v4}));
    g.output(g.node("outer", {g.node("subtensor", {v4}, {{"idx", {sl(N, N, -1)}}}), g.node("subtensor", {A}, {{"idx", {sl(N, N, N), 0}}})}));
    // batched_dot in the four rank combinations, and with a transposed batch.
    g.output(g.node("batched_dot", {X, Y}));
    g.output(g.node("batched_dot", {P, P}));
    g.output(g.node("batched_dot", {X, P}));
    g.output(g.node("batched_dot", {Q, X}));
    g.output(g.node("batched_dot", {g.node("transpose", {Y}, {{"axes", {0, 2, 1}}}), P}));
    g.output(g.node("batched_dot", {g.node("transpose", {X}, {{"axes", {0, 2, 1}}}), X}));
  }
  // Mixed dtypes: the operands are converted to the result type first.
  g.output(g.node("dot", {"f32_A", "f64_B"}));
  g.output(g.node("dot", {"i64_A", "f32_v4"}));
  g.output(g.node("outer", {"f32_v3", "i64_v4"}));
  g.output(g.node("batched_dot", {"f32_X", "i64_Y"}));
  // gemm/gemv/ger/dot22 written directly (what the BLAS rewrites produce).
  for (const char* dt : {"float64", "float32"}) {
    std::string p = std::string(dt) == "float64" ? "f64_" : "f32_";
    g.input(p + "Z", dt, {3, 5}).input(p + "z3", dt, {3}).input(p + "al", dt, json::array()).input(p + "be", dt, json::array());
    std::string Z = p + "Z", z3 = p + "z3", al = p + "al", be = p + "be";
    g.output(g.node("gemm", {Z, al, p + "A", p + "B", be}));
    g.output(g.node("gemm", {Z, al, g.node("transpose", {g.node("transpose", {p + "A"})}), p + "B", GraphBuilder::lit(0.0, dt)}));
    g.output(g.node("gemm", {g.node("transpose", {g.node("outer", {p + "v5", p + "v3"})}), al,
                             g.node("transpose", {g.node("outer", {p + "v4", p + "v3"})}), p + "B", be}));
    g.output(g.node("gemv", {z3, al, p + "A", p + "v4", be}));
    g.output(g.node("gemv", {p + "v4", al, g.node("transpose", {p + "A"}), p + "v3", be}));
    g.output(g.node("gemv", {z3, al, p + "A", g.node("subtensor", {p + "v4"}, {{"idx", {sl(N, N, -1)}}}), GraphBuilder::lit(0.0, dt)}));
    g.output(g.node("ger", {p + "A", al, p + "v3", p + "v4"}));
    g.output(g.node("ger", {g.node("transpose", {p + "B"}), al, p + "v5", g.node("subtensor", {p + "v4"}, {{"idx", {sl(N, N, -1)}}})}));
    g.output(g.node("dot22", {p + "A", p + "B"}));
    g.output(g.node("dot22", {g.node("transpose", {p + "B"}), g.node("transpose", {p + "A"})}));
  }
  g.output(g.node("gemm", {"f64_Z", "f32_al", "f32_A", "f64_B", "f32_be"}));
  // Empty inner dimension: products of zero terms.
  g.input("E1", "float64", {3, nullptr}).input("E2", "float64", {nullptr, 5}).input("e", "float64", {nullptr});
  g.input("E3", "float64", {nullptr, 5});
  g.output(g.node("dot", {"E1", "E2"}));
  g.output(g.node("dot", {"E1", "e"}));
  g.output(g.node("dot", {"e", "e"}));
  g.output(g.node("gemm", {"f64_Z", "f64_al", "E1", "E3", "f64_be"}));
  return g.text();
}
const test::Prebuild k_linalg{linalg_graph}, k_linalg_run{linalg_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen linalg: dot (four forms, scalar), outer, batched_dot, gemm, gemv, ger, dot22") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(linalg_graph(), "f", mode);
    test::Rand rnd(41);
    auto inputs = [&](int64_t k, bool nan_z, double beta, int64_t k2 = -1) {
      std::vector<Value> in;
      for (const char* dt : kDtypes) {
        DType t = *dtype_from_name(dt);
        auto m = [&](Shape s) { return is_float(t) ? rnd.floats(t, s) : rnd.ints(t, s, k == 0); };
        for (Shape s : {Shape{3, 4}, Shape{4, 5}, Shape{3}, Shape{4}, Shape{5}, Shape{}, Shape{2, 3, 4}, Shape{2, 4, 5},
                        Shape{2, 4}, Shape{2, 3}})
          in.push_back(m(s));
      }
      for (DType t : {DType::Float64, DType::Float32}) {
        Tensor Z = rnd.floats(t, {3, 5});
        if (nan_z) Z.set_f64(4, std::numeric_limits<double>::quiet_NaN());
        in.push_back(Z);
        in.push_back(rnd.floats(t, {3}));
        in.push_back(rnd.floats(t, {}));
        in.push_back(test::scalar(t, beta));
      }
      in.push_back(rnd.floats(DType::Float64, {3, k}));
      in.push_back(rnd.floats(DType::Float64, {k2 < 0 ? k : k2, 5}));
      in.push_back(rnd.floats(DType::Float64, {k}));
      in.push_back(rnd.floats(DType::Float64, {k, 5}));
      return in;
    };
    d.run(inputs(0, false, 0.5), test::blas_tolerance());
    d.run(inputs(2, false, -1.25), test::blas_tolerance());
    d.run(inputs(3, true, 0.0), test::blas_tolerance());  // beta == 0: z is not read (a NaN in it stays out)
    // Inner dimensions that differ at run time.
    CHECK(d.run_error(inputs(2, false, 1.0, 3)) != "");
  }
}

namespace {

std::string sparse_graph() {
  GraphBuilder g;
  g.csr_input("S", "float64").csr_input("T", "float32");
  g.input("D", "float64", {nullptr, 3}).input("dv", "float64", {nullptr}).input("D32", "float32", {nullptr, 2});
  g.input("dv32", "float32", {nullptr}).input("Di", "int32", {nullptr, 3}).input("Dt", "float64", {3, nullptr});
  g.output(g.node("sparse_dot", {"S", "D"}));
  g.output(g.node("sparse_dot", {"S", "dv"}));
  g.output(g.node("sparse_dot", {"T", "D32"}));
  g.output(g.node("sparse_dot", {"T", "dv32"}));
  g.output(g.node("sparse_dot", {"T", "D"}));    // float32 x float64 -> float64
  g.output(g.node("sparse_dot", {"S", "Di"}));   // int32 dense operand
  g.output(g.node("sparse_dot", {"S", g.node("transpose", {"Dt"})}));  // strided dense operand
  g.output(g.node("sparse_dot", {"S", g.node("subtensor", {"dv"}, {{"idx", {sl(N, N, -1)}}})}));
  g.output(g.node("to_dense", {"S"}));
  g.output(g.node("to_dense", {"T"}));
  return g.text();
}
const test::Prebuild k_sparse{sparse_graph};

}  // namespace

TEST_CASE("codegen sparse: sparse_dot with vectors and matrices, to_dense, int32 and int64 indices") {
  test::Differential d(sparse_graph(), "f");
  test::Rand rnd(42);
  // S: 4 x 5 with an empty row and a repeated (row, column) entry (they add up).
  auto S = [](DType idx) {
    return test::csr(DType::Float64, idx, 4, 5, {0, 2, 2, 5, 6}, {0, 3, 1, 1, 4, 2}, {1.5, -2.0, 0.25, 3.0, -1.0, 7.0});
  };
  auto T = [](DType idx) { return test::csr(DType::Float32, idx, 3, 5, {0, 1, 3, 3}, {4, 0, 4}, {2.0, -0.5, 1.25}); };
  auto inputs = [&](DType si, DType ti, int64_t cols) {
    return std::vector<Value>{S(si),
                              T(ti),
                              rnd.floats(DType::Float64, {cols, 3}),
                              rnd.floats(DType::Float64, {cols}),
                              rnd.floats(DType::Float32, {cols, 2}),
                              rnd.floats(DType::Float32, {cols}),
                              rnd.ints(DType::Int32, {cols, 3}, false),
                              rnd.floats(DType::Float64, {3, cols})};
  };
  d.run(inputs(DType::Int32, DType::Int64, 5));
  d.run(inputs(DType::Int64, DType::Int32, 5));
  // The dense operand's rows must match the sparse matrix's columns.
  CHECK(d.run_error(inputs(DType::Int32, DType::Int32, 4)) != "");
  // An invalid CSR input is an input error in both engines ("input S").
  std::vector<Value> bad = inputs(DType::Int32, DType::Int32, 5);
  std::get<CsrMatrix>(bad[0]).indices.set_f64(2, 5.0);  // column 5 of 5
  CHECK(d.run_error(bad) == "input S");
  bad = inputs(DType::Int32, DType::Int64, 5);
  std::get<CsrMatrix>(bad[1]).indptr.set_f64(1, 3.0);  // indptr must not decrease: 0, 3, 3, 3 ends at 3 == nnz
  std::get<CsrMatrix>(bad[1]).indptr.set_f64(2, 2.0);
  CHECK(d.run_error(bad) == "input T");
}
