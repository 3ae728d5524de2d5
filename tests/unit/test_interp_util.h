// Helpers for the reference-interpreter tests: build a graph from JSON parts,
// bind named inputs, evaluate a function's outputs, read values back.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "interp/interpreter.h"
#include "ir/error.h"
#include "test_util.h"

namespace tgc::test {

// A graph file with one function "f" (inputs and outputs are JSON lists of
// names); `extra` adds top-level keys such as "shared" or "constants".
inline std::string graph(const std::string& inputs, const std::string& nodes, const std::string& fn_inputs,
                         const std::string& fn_outputs, const std::string& extra = "") {
  return R"({"format": "tgc-graph", "version": 1, "name": "t", "inputs": )" + inputs + R"(, "nodes": )" + nodes +
         (extra.empty() ? "" : ", " + extra) + R"(, "functions": [{"name": "f", "inputs": )" + fn_inputs +
         R"(, "outputs": )" + fn_outputs + "}]}";
}

// A tensor from values given as doubles (converted with numpy's cast rules).
inline Tensor tensor(DType dt, Shape shape, const std::vector<double>& v) {
  Tensor t(dt, std::move(shape));
  REQUIRE(int64_t(v.size()) == t.size());
  for (size_t i = 0; i < v.size(); ++i) t.set_f64(int64_t(i), v[i]);
  return t;
}
inline Tensor f64(Shape shape, const std::vector<double>& v) { return tensor(DType::Float64, std::move(shape), v); }
inline Tensor i64(Shape shape, const std::vector<double>& v) { return tensor(DType::Int64, std::move(shape), v); }

inline const Tensor& as_tensor(const Value& v) {
  const Tensor* t = std::get_if<Tensor>(&v);
  REQUIRE(t != nullptr);
  return *t;
}
inline std::vector<double> values(const Value& v) {
  const Tensor& t = as_tensor(v);
  std::vector<double> r;
  for (int64_t i = 0; i < t.size(); ++i) r.push_back(t.get_f64(i));
  return r;
}
inline std::vector<int64_t> ints(const Value& v) {
  const Tensor& t = as_tensor(v);
  std::vector<int64_t> r;
  for (int64_t i = 0; i < t.size(); ++i) r.push_back(t.get_i64(i));
  return r;
}
inline Shape shape_of(const Value& v) { return as_tensor(v).shape(); }
inline DType dtype_of(const Value& v) { return as_tensor(v).dtype(); }

// Element-wise closeness with a relative tolerance (NaN equals NaN).
inline bool close(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-12) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i])) return false;
      continue;
    }
    if (a[i] == b[i]) continue;
    if (std::fabs(a[i] - b[i]) > tol * std::max(1.0, std::fabs(b[i]))) return false;
  }
  return true;
}

// A loaded graph whose function "f" can be evaluated with named inputs.
struct Eval {
  Module m;
  explicit Eval(const std::string& text) : m(load(text)) {}

  interp::Bindings bind(const std::vector<std::pair<std::string, Value>>& ins) const {
    interp::Bindings b;
    for (const auto& [name, value] : ins) {
      const Var* var = nullptr;
      for (const Var* v : m.inputs)
        if (v->name == name) var = v;
      for (const Var* v : m.shared)
        if (v->name == name) var = v;
      REQUIRE_MESSAGE(var != nullptr, "no input named " << name);
      b.emplace(var, value);
    }
    return b;
  }
  std::vector<Value> run(const std::vector<std::pair<std::string, Value>>& ins = {}, const std::string& fn = "f") const {
    return interp::evaluate(m.find_function(fn)->outputs, bind(ins));
  }
  // The located message of the run-time error evaluation throws ("" when none).
  std::string error(const std::vector<std::pair<std::string, Value>>& ins = {}, const std::string& fn = "f") const {
    try {
      run(ins, fn);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::Runtime);
      return e.located();
    }
    return "";
  }
};

}  // namespace tgc::test
