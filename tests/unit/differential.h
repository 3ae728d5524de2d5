// Differential testing of the code generator: one graph, one function, run by
// the reference interpreter and by the compiled engine (generated C++ built
// into a shared library) in-process; every output and every shared variable
// must agree.
//
//   - dtype and shape equal;
//   - integer and bool outputs (and random states) bit-for-bit equal;
//   - floats: |a - b| <= atol + rtol * |b| (b: the reference), NaN equals
//     NaN, infinities must match exactly;
//   - a run-time error (ExitCode::Runtime) must happen in both engines or in
//     neither, at the same location (the JSON path before the first ": ").
//
// Builds go to a cache directory under the build tree (beside the test
// executable), so a test run never touches the user's tgc cache.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/function_graph.h"

namespace tgc::test {

struct Tolerance {
  double rtol64 = 1e-12, atol64 = 1e-12;
  double rtol32 = 1e-5, atol32 = 1e-6;
};
// For results whose summation order differs between BLAS and the
// interpreter's plain loops (which also accumulate float32 products in
// double): float64 within 1e-10, float32 within 1e-4 (relative) / 1e-5.
inline Tolerance blas_tolerance() {
  Tolerance t;
  t.rtol64 = t.atol64 = 1e-10;
  t.rtol32 = 1e-4;
  t.atol32 = 1e-5;
  return t;
}

// What a call gave: the reference outputs, or the location of the run-time
// error both engines reported.
struct DiffRun {
  std::vector<Value> outputs;  // reference outputs (empty on error)
  bool failed = false;
  std::string where;    // location of the error (both agree), e.g. "nodes[3]"
  std::string message;  // the reference engine's located message
};

class Differential {
 public:
  // Loads `json`, compiles function `fn` (in `mode` when given, else the
  // function's mode, else FAST_RUN) and creates both engines.
  Differential(const std::string& json, const std::string& fn, std::optional<Mode> mode = std::nullopt);
  ~Differential();
  Differential(const Differential&) = delete;
  Differential& operator=(const Differential&) = delete;

  // One call of both engines with the same inputs (in the function's input
  // order; a CSR input is one CsrMatrix value). CHECKs that they agree,
  // outputs and shared variables afterwards.
  DiffRun run(const std::vector<Value>& inputs, const Tolerance& tol = {});
  // Like run, and CHECKs that both engines failed; returns the location.
  std::string run_error(const std::vector<Value>& inputs);

  const Module& module() const;
  const FunctionGraph& graph() const;
  // Index of the function output named `name` (REQUIREs it exists).
  size_t output_index(const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Graphs registered with a Prebuild (at namespace scope, beside the test that
// uses them) are built ahead, all together and several at a time, when the
// first Differential of the process is created: building the generated code
// dominates the run time of these tests, and the builds are independent (the
// tests then find their libraries in the cache). TGC_TEST_PREBUILD=0 turns
// this off, e.g. to run a single test case without building the others.
struct Prebuild {
  explicit Prebuild(std::function<std::string()> text, std::string fn = "f", std::optional<Mode> mode = std::nullopt);
};

// One-shot: compile, run once, check.
DiffRun differential(const std::string& json, const std::string& fn, const std::vector<Value>& inputs,
                     const Tolerance& tol = {});

// Compares two values (reference first); returns "" when they agree, else a
// description of the first disagreement.
std::string compare_values(const Value& ref, const Value& got, const Tolerance& tol);

// The directory builds of these tests go to (also exported as TGC_CACHE_DIR).
std::string test_cache_dir();

// Fixed-seed random inputs.
class Rand {
 public:
  explicit Rand(uint64_t seed = 0x5eed) : g_(seed) {}
  // Uniform in [lo, hi), with about one element in eight replaced by 0 and
  // one in eight by a small integer (so floor/round/mod see exact values).
  Tensor floats(DType dt, const Shape& shape, double lo = -4, double hi = 4);
  // Small values (negative included), zeros, and about one element in four
  // near the type's limits (min, min + 1, max - 1, max) where `extremes`.
  Tensor ints(DType dt, const Shape& shape, bool extremes = true);
  // Integers uniform in [lo, hi] converted to dt.
  Tensor range(DType dt, const Shape& shape, int64_t lo, int64_t hi);
  Tensor bools(const Shape& shape);
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g_); }
  int64_t integer(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(g_); }
  std::mt19937_64& engine() { return g_; }

 private:
  std::mt19937_64 g_;
};

// A tensor from doubles (numpy's cast rules), a scalar, a CSR matrix.
Tensor make(DType dt, const Shape& shape, const std::vector<double>& values);
Tensor scalar(DType dt, double v);
CsrMatrix csr(DType dt, DType index_dt, int64_t rows, int64_t cols, const std::vector<int64_t>& indptr,
              const std::vector<int64_t>& indices, const std::vector<double>& data);

// Builds a graph file with one function "f" node by node.
class GraphBuilder {
 public:
  using json = nlohmann::json;
  // A declared input, also an input of "f" (in call order).
  GraphBuilder& input(const std::string& name, const std::string& dtype, json shape);
  // A CSR input of "f".
  GraphBuilder& csr_input(const std::string& name, const std::string& dtype);
  // A raw entry of "shared" or "constants".
  GraphBuilder& shared(json decl);
  GraphBuilder& constant(json decl);
  // Adds a node with attributes; returns its output's name (`out`, or a fresh "v<k>").
  std::string node(const std::string& op, json inputs, json attrs = json::object(), std::string out = "");
  // Adds a node with several named outputs.
  void node_n(const std::string& op, json inputs, json attrs, const std::vector<std::string>& outs);
  // Adds a raw node object.
  void raw_node(json node) { nodes_.push_back(std::move(node)); }
  // An output of "f" (each name once: the loader refuses repeats).
  GraphBuilder& output(const std::string& name);
  GraphBuilder& update(const std::string& shared_name, const std::string& value);
  // The function's mode: FAST_COMPILE by default, so that every op reaches
  // the code generator as written (only merge and constant folding run);
  // "FAST_RUN" tests the rewritten graph (fusion, BLAS, in-place) instead.
  GraphBuilder& mode(const std::string& m);
  size_t n_outputs() const { return outputs_.size(); }
  std::string text() const;

  // Inline constants: {"value": v} and {"value": v, "dtype": dt}.
  static json weak(json v) { return json{{"value", std::move(v)}}; }
  static json lit(json v, const std::string& dtype) { return json{{"value", std::move(v)}, {"dtype", dtype}}; }
  // An `idx` entry: a slice (null: omitted), or an index variable.
  static json slice(json start, json stop, json step);
  static json var(const std::string& name) { return json{{"var", name}}; }

 private:
  json inputs_ = json::array(), shared_ = json::array(), constants_ = json::array(), nodes_ = json::array();
  json fn_inputs_ = json::array(), outputs_ = json::array(), updates_ = json::object();
  std::string mode_ = "FAST_COMPILE";
  int counter_ = 0;
};

}  // namespace tgc::test
