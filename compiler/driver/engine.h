// The two ways `tgc run` executes a function: generated code built into a
// shared library (compiled), or the reference interpreter (reference).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/profile_report.h"
#include "ir/graph.h"
#include "passes/function_graph.h"

namespace tgc::driver {

class Engine {
 public:
  virtual ~Engine() = default;
  // Replaces a shared variable's value (before the first call).
  virtual void set_shared(const Var* shared, const Value& v) = 0;
  virtual Value get_shared(const Var* shared) = 0;
  // One call: the outputs, with the function's updates applied afterwards.
  // Throws Error(Runtime) on a run-time failure, leaving the state unchanged.
  virtual std::vector<Value> call(const std::vector<Value>& inputs) = 0;
  // The counters of the calls so far, when the engine was made with
  // EngineOptions::profile (the compiled engine only).
  virtual std::optional<FunctionProfile> profile() { return std::nullopt; }
};

struct EngineOptions {
  bool profile = false;      // compiled engine: generated code with per-node counters
  bool trace_build = false;  // report cache hits and build time on stderr
};

std::unique_ptr<Engine> make_reference_engine(const Module& m, const FunctionGraph& fg);
std::unique_ptr<Engine> make_compiled_engine(const Module& m, const FunctionGraph& fg, const EngineOptions& opt);

// Checks a value against a variable's declared type; throws run_error naming `what`.
void check_value_type(const Var* v, const Value& value, const std::string& what);

}  // namespace tgc::driver
