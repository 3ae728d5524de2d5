// Differential tests of the generated code: scan. The seed examples (in the
// mode their files give, FAST_RUN), then the corners of the loop: taps at the
// sequence boundaries, go_backwards with n_steps, until on the first step,
// zero steps, outputs read only at [-1] / [-2] (ring buffers), shared-state
// counters, a random state updated in the body, nested scans, non-contiguous
// sequences and non-sequences, and the n_steps errors.
#include <doctest/doctest.h>

#include "differential.h"
#include "scan_seeds.h"

using namespace tgc;
using test::GraphBuilder;
using json = nlohmann::json;

namespace {

Tensor f64(test::Rand& r, Shape s, double lo = -1, double hi = 1) { return r.floats(DType::Float64, s, lo, hi); }

std::function<std::string()> text(const char* t) {
  return [t] { return std::string(t); };
}
const test::Prebuild kSeeds[] = {
    test::Prebuild{text(test::seeds::kScanPow), "power"},
    test::Prebuild{text(test::seeds::kScanPolynomial), "calculate_polynomial"},
    test::Prebuild{text(test::seeds::kScanRnnTaps), "rnn"},
    test::Prebuild{text(test::seeds::kScanSetValueAtPosition), "assign_values_at_positions"},
    test::Prebuild{text(test::seeds::kScanSharedCounter), "f"},
    test::Prebuild{text(test::seeds::kScanTriangular), "triangular_sequence"},
    test::Prebuild{text(test::seeds::kScanUntilPowerOf2), "f"},
    test::Prebuild{text(test::seeds::kScanGibbsRbm), "gibbs10"},
    test::Prebuild{text(test::seeds::kScanGradRnn), "cost_and_grads"},
    test::Prebuild{text(test::seeds::kReduceFoldlFoldr), "f"},
};

}  // namespace

TEST_CASE("codegen scan: seed examples") {
  test::Rand rnd(71);
  SUBCASE("A**k") {
    test::Differential d(test::seeds::kScanPow, "power");
    for (double k : {0.0, 1.0, 2.0, 5.0}) {
      test::DiffRun r = d.run({f64(rnd, {10}, -2, 2), test::scalar(DType::Int32, k)});
      CHECK(r.failed == (k == 0));  // zero steps: result[-1] does not exist
    }
    CHECK(d.run_error({f64(rnd, {10}), test::scalar(DType::Int32, -1)}) == "nodes[1]");
  }
  SUBCASE("polynomial over two sequences of different lengths") {
    test::Differential d(test::seeds::kScanPolynomial, "calculate_polynomial");
    d.run({f64(rnd, {3}), test::scalar(DType::Float64, 3.0)});
    d.run({f64(rnd, {7}, -3, 3), test::scalar(DType::Float64, -1.5)});
    d.run({f64(rnd, {0}), test::scalar(DType::Float64, 2.0)});
  }
  SUBCASE("RNN with taps [-4, 0] on the sequence and [-3, -1] on the state") {
    test::Differential d(test::seeds::kScanRnnTaps, "rnn");
    for (int64_t steps : {9, 4, 5}) {  // 4 rows of u: zero steps
      d.run({f64(rnd, {steps, 2}), f64(rnd, {3, 3}), f64(rnd, {2}), f64(rnd, {3, 3}), f64(rnd, {2, 3}), f64(rnd, {2, 3}),
             f64(rnd, {2, 3}), f64(rnd, {3, 2})});
    }
    // x0 must hold the 3 initial steps the taps read.
    CHECK(d.run_error({f64(rnd, {9, 2}), f64(rnd, {2, 3}), f64(rnd, {2}), f64(rnd, {3, 3}), f64(rnd, {2, 3}),
                       f64(rnd, {2, 3}), f64(rnd, {2, 3}), f64(rnd, {3, 2})}) == "nodes[0]");
  }
  SUBCASE("set a value at a position per step") {
    test::Differential d(test::seeds::kScanSetValueAtPosition, "assign_values_at_positions");
    d.run({test::make(DType::Int32, {3, 2}, {1, 1, 2, 4, -1, 0}), rnd.floats(DType::Float32, {3}),
           rnd.floats(DType::Float32, {5, 5})});
    CHECK(d.run_error({test::make(DType::Int32, {2, 2}, {1, 1, 5, 0}), rnd.floats(DType::Float32, {2}),
                       rnd.floats(DType::Float32, {5, 5})}) != "");
  }
  SUBCASE("shared counter") {
    test::Differential d(test::seeds::kScanSharedCounter, "f");
    for (int k = 0; k < 3; ++k) d.run({});
  }
  SUBCASE("triangular numbers") {
    test::Differential d(test::seeds::kScanTriangular, "triangular_sequence");
    for (double n : {15.0, 1.0, 0.0, -3.0}) d.run({test::scalar(DType::Int32, n)});
  }
  SUBCASE("until a power of 2 exceeds a limit") {
    test::Differential d(test::seeds::kScanUntilPowerOf2, "f");
    for (double m : {45.0, 0.5, 2.0, 1e18}) d.run({test::scalar(DType::Float64, m)});  // 6, 1, 2 and 60 steps
  }
  SUBCASE("Gibbs sampling with a random state updated in the body") {
    test::Differential d(test::seeds::kScanGibbsRbm, "gibbs10");
    for (int k = 0; k < 3; ++k) d.run({rnd.range(DType::Float64, {4}, 0, 1)});
  }
  SUBCASE("gradient of an RNN through scan") {
    test::Differential d(test::seeds::kScanGradRnn, "cost_and_grads");
    d.run({f64(rnd, {6, 2, 3}), f64(rnd, {2, 4}), f64(rnd, {3, 4}), f64(rnd, {4, 4}), f64(rnd, {4})},
          test::blas_tolerance());
  }
  SUBCASE("reduce, foldl, foldr") {
    test::Differential d(test::seeds::kReduceFoldlFoldr, "f");
    d.run({f64(rnd, {6})});
    d.run({f64(rnd, {1})});
  }
}

// A scan with until starts its stores with rows for 64 steps and grows them
// as it runs; outputs the body computes straight into their store row
// (OutPlan::direct) must grow it before each step too. Regression: they once
// wrote past the store (heap corruption) after step 64. Minimal graph:
// x_t = x_tm1 + 1 until x_t > 1000, n_steps 100, x0 = 0 (100 steps), in
// FAST_COMPILE; and the seed with max_value = 1e300 (997 steps).
TEST_CASE("codegen scan: until running past 64 steps") {
  {
    test::Differential d(test::seeds::kScanUntilPowerOf2, "f");
    for (double m : {1e30, 1e300}) d.run({test::scalar(DType::Float64, m)});
  }
  const char* minimal = R"({"format": "tgc-graph", "version": 1, "name": "until_long",
    "inputs": [{"name": "x0", "dtype": "float64", "shape": []}],
    "nodes": [{"op": "scan", "outputs_info": ["x0"], "n_steps": 100,
               "body": {"inputs": ["p"],
                        "nodes": [{"op": "add", "inputs": ["p", {"value": 1.0}], "outputs": ["q"]},
                                  {"op": "gt", "inputs": ["q", {"value": 1000.0}], "outputs": ["done"]}],
                        "outputs": ["q"], "until": "done"},
               "outputs": ["xs"]}],
    "functions": [{"name": "f", "inputs": ["x0"], "outputs": ["xs"]}]})";
  test::Differential d(minimal, "f", Mode::FastCompile);
  d.run({test::scalar(DType::Float64, 0.0)});
}

// Outputs with no initial value (outputs_info null) are computed straight
// into their store row too: the first step records the row shape (here
// unknown until run time) and reserves the rows; with until they grow as the
// loop runs; with only [-1] read (FAST_RUN's scan_save_mem) they are a ring.
// Zero steps give an empty stacked output.
TEST_CASE("codegen scan: outputs without initial value written straight into their rows") {
  const char* graph = R"({"format": "tgc-graph", "version": 1, "name": "direct0",
    "inputs": [{"name": "X", "dtype": "float32", "shape": [null, null, null]},
               {"name": "lim", "dtype": "float32", "shape": []}],
    "nodes": [{"op": "scan", "sequences": ["X"], "outputs_info": [null, null, "acc0"],
               "body": {"inputs": ["x", "a"],
                        "nodes": [{"op": "tanh", "inputs": ["x"], "outputs": ["t"]},
                                  {"op": "mul", "inputs": ["t", {"value": 2.0}], "outputs": ["t2"]},
                                  {"op": "sum", "inputs": ["t2"], "outputs": ["s"]},
                                  {"op": "add", "inputs": ["a", "s"], "outputs": ["a2"]},
                                  {"op": "gt", "inputs": ["a2", "lim"], "outputs": ["done"]}],
                        "outputs": ["t", "t2", "a2"], "until": "done"},
               "outputs": ["T", "T2", "A"]},
              {"op": "sum", "inputs": ["X"], "axis": [0, 1, 2], "outputs": ["acc0"]},
              {"op": "subtensor", "inputs": ["T2"], "idx": [-1], "outputs": ["last"]}],
    "functions": [{"name": "f", "inputs": ["X", "lim"], "outputs": ["T", "A", "last"]},
                  {"name": "g", "inputs": ["X", "lim"], "outputs": ["T2"]}]})";
  test::Rand rnd(31);
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    for (const char* fn : {"f", "g"}) {
      CAPTURE(fn);
      test::Differential d(graph, fn, mode);
      // acc0 = sum(X) is about 0.7 per element and each step adds about 1.2
      // per element of a row, so: 100 steps; a stop near step 40; a stop on
      // the first step.
      d.run({rnd.floats(DType::Float32, {100, 3, 5}, 0.5, 1.0), test::scalar(DType::Float32, 1e9)});
      d.run({rnd.floats(DType::Float32, {100, 2, 4}, 0.5, 1.0), test::scalar(DType::Float32, 950.0)});
      d.run({rnd.floats(DType::Float32, {1, 2, 2}, 0.5, 1.0), test::scalar(DType::Float32, -1e9)});
    }
    // Zero steps: T2 stacks no rows (and `last` has none to read).
    test::Differential g(graph, "g", mode);
    g.run({rnd.floats(DType::Float32, {0, 2, 2}, 0.5, 1.0), test::scalar(DType::Float32, 0.0)});
    test::Differential f(graph, "f", mode);
    CHECK(f.run_error({rnd.floats(DType::Float32, {0, 2, 2}, 0.5, 1.0), test::scalar(DType::Float32, 0.0)}) != "");
  }
}

// Sequences that are views: reversed and strided along the steps (rows
// still dense: read in place) and transposed (rows not dense: copied to a
// contiguous buffer before the loop).
TEST_CASE("codegen scan: sequences that are views of their input") {
  const char* graph = R"({"format": "tgc-graph", "version": 1, "name": "seqviews",
    "inputs": [{"name": "X", "dtype": "float64", "shape": [null, null, 3]},
               {"name": "Y", "dtype": "float64", "shape": [3, null]}],
    "nodes": [{"op": "subtensor", "inputs": ["X"], "idx": [{"start": null, "stop": null, "step": -1}], "outputs": ["Xr"]},
              {"op": "subtensor", "inputs": ["X"], "idx": [{"start": null, "stop": null, "step": 2}], "outputs": ["X2"]},
              {"op": "transpose", "inputs": ["Y"], "outputs": ["Yt"]},
              {"op": "scan", "sequences": ["Xr", "X2", "Yt"], "outputs_info": [null],
               "body": {"inputs": ["a", "b", "y"],
                        "nodes": [{"op": "mul", "inputs": ["a", "b"], "outputs": ["ab"]},
                                  {"op": "sum", "inputs": ["ab"], "axis": 0, "outputs": ["s"]},
                                  {"op": "add", "inputs": ["s", "y"], "outputs": ["r"]}],
                        "outputs": ["r"]},
               "outputs": ["R"]}],
    "functions": [{"name": "f", "inputs": ["X", "Y"], "outputs": ["R"]}]})";
  test::Rand rnd(41);
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(graph, "f", mode);
    d.run({rnd.floats(DType::Float64, {7, 2, 3}), rnd.floats(DType::Float64, {3, 9})});  // 4 steps (X[::2])
    d.run({rnd.floats(DType::Float64, {1, 2, 3}), rnd.floats(DType::Float64, {3, 5})});  // 1 step
  }
}

namespace {

// Scans of the corner cases, each driven by inputs of its own so that an
// error run makes exactly one node fail.
std::string scan_corners_graph() {
  GraphBuilder g;
  g.input("u", "float64", {nullptr, 2}).input("h0", "float64", {2});
  g.input("v", "float64", {nullptr}).input("s0", "float64", json::array()).input("nB", "int64", json::array());
  g.input("c0", "float64", json::array()).input("thr", "float64", json::array());
  g.input("d0", "float64", {3, 2}).input("nD", "int32", json::array());
  g.input("nE", "int64", json::array());
  g.input("M", "float64", {nullptr, nullptr});
  g.input("Mt", "float64", {3, nullptr}).input("xs", "float64", {nullptr}).input("W2", "float64", {2, 3});
  g.shared({{"name", "cnt"}, {"dtype", "int64"}, {"shape", json::array()}, {"value", 0}});
  g.shared({{"name", "acc"}, {"dtype", "float64"}, {"shape", {2}}, {"value", {0.5, -1.0}}});
  g.shared({{"name", "rng"}, {"type", "rng"}, {"seed", 2024}});
  g.constant({{"name", "zero"}, {"dtype", "float64"}, {"value", 0.0}});
  // A: sequence taps [-2, 0, 1] (steps = len(u) - 3), a recurrent state.
  g.raw_node(json::parse(R"({"op": "scan", "sequences": [{"input": "u", "taps": [-2, 0, 1]}],
    "outputs_info": [{"initial": "h0"}],
    "body": {"inputs": ["u_m2", "u_0", "u_p1", "h_tm1"],
             "nodes": [{"op": "mul", "inputs": ["u_m2", {"value": 0.5}], "outputs": ["a"]},
                       {"op": "sub", "inputs": ["u_0", "u_p1"], "outputs": ["b"]},
                       {"op": "mul", "inputs": ["h_tm1", {"value": 0.9}], "outputs": ["c"]},
                       {"op": "add", "inputs": ["a", "b", "c"], "outputs": ["pre"]},
                       {"op": "tanh", "inputs": ["pre"], "outputs": ["h_t"]}],
             "outputs": ["h_t"]},
    "outputs": ["hA"]})"));
  // B: go_backwards with n_steps and sequence taps [-1, 0]; one output without recurrence.
  g.raw_node(json::parse(R"({"op": "scan", "sequences": [{"input": "v", "taps": [-1, 0]}],
    "outputs_info": [null, {"initial": "s0"}], "n_steps": "nB", "go_backwards": true,
    "body": {"inputs": ["v_m1", "v_0", "s_tm1"],
             "nodes": [{"op": "mul", "inputs": ["v_m1", "v_0"], "outputs": ["p"]},
                       {"op": "add", "inputs": ["s_tm1", "v_0"], "outputs": ["s_t"]}],
             "outputs": ["p", "s_t"]},
    "outputs": ["pB", "sB"]})"));
  // C: until, possibly true on the first step.
  g.raw_node(json::parse(R"({"op": "scan", "outputs_info": [{"initial": "c0"}], "non_sequences": ["thr"], "n_steps": 50,
    "body": {"inputs": ["prev", "limit"],
             "nodes": [{"op": "mul", "inputs": ["prev", {"value": 3.0}], "outputs": ["next"]},
                       {"op": "gt", "inputs": ["next", "limit"], "outputs": ["done"]}],
             "outputs": ["next"], "until": "done"},
    "outputs": ["cC"]})"));
  // D: taps [-3, -1] (3 initial steps), read only at [-1] and [-2] (a ring),
  // and the same recurrence read in full (a store of every step).
  for (const char* k : {"ring", "full"}) {
    json scan = json::parse(R"({"op": "scan", "outputs_info": [{"initial": "d0", "taps": [-3, -1]}], "n_steps": "nD",
      "body": {"inputs": ["d_tm3", "d_tm1"],
               "nodes": [{"op": "mul", "inputs": ["d_tm1", {"value": 0.5}], "outputs": ["h"]},
                         {"op": "add", "inputs": ["d_tm3", "h"], "outputs": ["d_t"]}],
               "outputs": ["d_t"]}})");
    scan["outputs"] = {std::string("d_") + k};
    g.raw_node(scan);
  }
  g.output(g.node("subtensor", {"d_ring"}, {{"idx", {-1}}}, "d_last"));
  g.output(g.node("subtensor", {"d_ring"}, {{"idx", {-2}}}, "d_prev"));
  g.output("d_full");
  // E: shared-state counters, updated in the body, n_steps from an input.
  g.raw_node(json::parse(R"({"op": "scan", "outputs_info": [], "n_steps": "nE",
    "body": {"inputs": [],
             "nodes": [{"op": "add", "inputs": ["cnt", {"value": 1, "dtype": "int64"}], "outputs": ["cnt_next"]},
                       {"op": "cast", "inputs": ["cnt"], "dtype": "float64", "outputs": ["cf"]},
                       {"op": "add", "inputs": ["acc", "cf"], "outputs": ["acc_next"]}],
             "outputs": [], "updates": {"cnt": "cnt_next", "acc": "acc_next"}},
    "outputs": [], "updates_out": {"cnt": "cnt_after", "acc": "acc_after"}})"));
  // F: a random state updated in the body; the draws stack up.
  g.raw_node(json::parse(R"({"op": "scan", "outputs_info": [null], "n_steps": 4,
    "body": {"inputs": [],
             "nodes": [{"op": "random_uniform", "inputs": ["rng", {"value": -1.0}, {"value": 1.0}], "size": [3],
                        "outputs": ["rng_n", "smp"]}],
             "outputs": ["smp"], "updates": {"rng": "rng_n"}},
    "outputs": ["draws"], "updates_out": {"rng": "rng_after"}})"));
  // G: nested scans: a running sum along each row of M.
  g.raw_node(json::parse(R"({"op": "scan", "sequences": ["M"], "outputs_info": [null],
    "body": {"inputs": ["row"],
             "nodes": [{"op": "scan", "sequences": ["row"], "outputs_info": ["zero"],
                        "body": {"inputs": ["x", "s"],
                                 "nodes": [{"op": "add", "inputs": ["s", "x"], "outputs": ["s_next"]}],
                                 "outputs": ["s_next"]},
                        "outputs": ["cs"]}],
             "outputs": ["cs"]},
    "outputs": ["G"]})"));
  // H: non-contiguous sequences (a transposed matrix, a reversed vector) and non-sequence.
  g.node("transpose", {"Mt"}, json::object(), "Mt_T");
  g.node("subtensor", {"xs"}, {{"idx", {GraphBuilder::slice(nullptr, nullptr, -1)}}}, "xs_rev");
  g.node("transpose", {"W2"}, json::object(), "W2_T");
  g.raw_node(json::parse(R"({"op": "scan", "sequences": ["Mt_T", "xs_rev"], "outputs_info": [null], "non_sequences": ["W2_T"],
    "body": {"inputs": ["r", "xr", "W"],
             "nodes": [{"op": "dot", "inputs": ["r", "W"], "outputs": ["rw"]},
                       {"op": "add", "inputs": ["rw", "xr"], "outputs": ["o"]}],
             "outputs": ["o"]},
    "outputs": ["H"]})"));
  for (const char* o : {"hA", "pB", "sB", "cC", "cnt_after", "acc_after", "draws", "G", "H"}) g.output(o);
  g.update("cnt", "cnt_after").update("acc", "acc_after").update("rng", "rng_after");
  return g.text();
}

const test::Prebuild kCorners{scan_corners_graph}, kCornersRun{scan_corners_graph, "f", Mode::FastRun};

}  // namespace

TEST_CASE("codegen scan: boundaries, go_backwards, until, zero steps, rings, shared states, nesting, strided sequences") {
  // As written (FAST_COMPILE: every op reaches the code generator), then as
  // FAST_RUN rewrites it (fusion, BLAS, in-place updates).
  for (Mode mode : {Mode::FastCompile, Mode::FastRun}) {
    CAPTURE(mode_name(mode));
    test::Differential d(scan_corners_graph(), "f", mode);
    test::Rand rnd(72);
    struct In {
      int64_t u_len = 6, v_len = 8, nB = 3, nD = 4, nE = 3, m_rows = 3, m_cols = 4, h_cols = 5;
      double c0 = 1.0, thr = 100.0;
    };
    auto inputs = [&](const In& s) {
      return std::vector<Value>{f64(rnd, {s.u_len, 2}),
                                f64(rnd, {2}),
                                f64(rnd, {s.v_len}),
                                f64(rnd, {}),
                                test::scalar(DType::Int64, double(s.nB)),
                                test::scalar(DType::Float64, s.c0),
                                test::scalar(DType::Float64, s.thr),
                                f64(rnd, {3, 2}),
                                test::scalar(DType::Int32, double(s.nD)),
                                test::scalar(DType::Int64, double(s.nE)),
                                f64(rnd, {s.m_rows, s.m_cols}),
                                f64(rnd, {3, s.h_cols}),
                                f64(rnd, {s.h_cols}),
                                f64(rnd, {2, 3})};
    };
    In base;
    test::DiffRun r0 = d.run(inputs(base), test::blas_tolerance());
    REQUIRE_FALSE(r0.failed);
    In a = base;
    a.u_len = 3;   // taps [-2, 0, 1] on 3 rows: zero steps
    a.v_len = 4;   // go_backwards with n_steps == all the sequence allows (len - 1)
    a.nB = 3;
    a.thr = 0.5;   // until true on the first step
    a.nD = 2;      // the ring holds fewer steps than the taps' depth
    a.nE = 0;      // zero steps: the shared states keep their values
    a.m_rows = 0;  // nested: zero outer steps
    a.h_cols = 1;
    test::DiffRun ra = d.run(inputs(a), test::blas_tolerance());
    REQUIRE_FALSE(ra.failed);
    auto shape = [&](const test::DiffRun& r, const char* name) { return std::get<Tensor>(r.outputs[d.output_index(name)]).shape(); };
    CHECK(shape(ra, "hA") == Shape{0, 2});
    CHECK(shape(ra, "pB") == Shape{3});
    CHECK(shape(ra, "cC") == Shape{1});
    CHECK(shape(ra, "d_full") == Shape{2, 2});
    CHECK(shape(ra, "draws") == Shape{4, 3});
    In b = base;
    b.u_len = 4;
    b.nB = 0;      // zero steps of a go_backwards scan
    b.c0 = -2.0;   // until never true: all 50 steps
    b.nD = 1;
    b.m_cols = 0;  // nested: zero inner steps
    b.h_cols = 0;
    // nD == 1: d_ring[-2] does not exist.
    CHECK(d.run_error(inputs(b)) != "");
    b.nD = 7;
    d.run(inputs(b), test::blas_tolerance());
    // n_steps errors: negative, and more than the sequence allows.
    In e = base;
    e.nB = -1;
    CHECK(d.run_error(inputs(e)) != "");
    e.nB = 8;  // 8 rows with taps [-1, 0] allow 7 steps
    CHECK(d.run_error(inputs(e)) != "");
    e = base;
    e.nD = 0;  // zero steps: d_ring[-1] does not exist
    CHECK(d.run_error(inputs(e)) != "");
    e = base;
    e.nE = -4;
    CHECK(d.run_error(inputs(e)) != "");
    // The state the successful calls left (counters, accumulator, generator) is compared after every call.
    d.run(inputs(base), test::blas_tolerance());
  }
}
