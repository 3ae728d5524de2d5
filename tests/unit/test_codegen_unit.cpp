// The generated translation unit as a whole: what its functions share.
#include <doctest/doctest.h>

#include "codegen/cpu_target.h"
#include "passes/pipeline.h"
#include "test_util.h"

using namespace tgc;

namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

FunctionGraph compile(const Module& m, const std::string& fn) {
  PipelineOptions po;
  po.mode = effective_mode(*m.find_function(fn), std::nullopt);
  return compile_function(m, *m.find_function(fn), po);
}

}  // namespace

TEST_CASE("codegen unit: functions of one file share the array of a constant they both read") {
  // f and g each read the same 9-element constant (written twice in the
  // file); h reads a different one. The unit holds two arrays.
  Module m = test::load(R"({"format": "tgc-graph", "version": 1, "name": "consts",
    "inputs": [{"name": "x", "dtype": "float32", "shape": [9]}],
    "constants": [{"name": "c", "dtype": "float32", "shape": [9], "value": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
                  {"name": "d", "dtype": "float32", "shape": [9], "value": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
                  {"name": "e", "dtype": "float32", "shape": [9], "value": [9, 8, 7, 6, 5, 4, 3, 2, 1]}],
    "nodes": [{"op": "mul", "inputs": ["x", "c"], "outputs": ["y"]},
              {"op": "add", "inputs": ["x", "d"], "outputs": ["z"]},
              {"op": "sub", "inputs": ["x", "e"], "outputs": ["w"]}],
    "functions": [{"name": "f", "inputs": ["x"], "outputs": ["y"]}, {"name": "g", "inputs": ["x"], "outputs": ["z"]},
                  {"name": "h", "inputs": ["x"], "outputs": ["w"]}]})");
  FunctionGraph f = compile(m, "f"), g = compile(m, "g"), h = compile(m, "h");
  GeneratedUnit u = generate_cpu(m, {&f, &g, &h});
  CHECK(count_of(u.source.str(), "const float kConst") == 2);
  CHECK(count_of(u.source.str(), "kConst0") == 3);  // defined once, read by f and g
  CHECK(count_of(u.source.str(), "kConst1") == 2);  // defined once, read by h
}
