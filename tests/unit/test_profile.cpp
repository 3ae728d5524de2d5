// tgc run --profile: counters compiled into the generated code (per node,
// scan bodies and ifelse branches included; per function), read back
// through the engine, and the report built from them. Code generated without
// profiling must be exactly what it was: profiling only adds lines.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "codegen/cpu_target.h"
#include "differential.h"
#include "test_util.h"
#include "driver/engine.h"
#include "driver/profile_report.h"
#include "frontend/loader.h"
#include "passes/pipeline.h"
#include "passes/schedule.h"

using namespace tgc;

namespace {

// A scan (A**k: its body runs k times per call), a view (transpose), an
// in-place add after a dot, and a lazy ifelse (only `then` runs when c != 0).
const char* const kGraph = R"({"format": "tgc-graph", "version": 1, "name": "counted",
 "inputs": [{"name": "A", "dtype": "float64", "shape": [null]}, {"name": "k", "dtype": "int32", "shape": []},
            {"name": "c", "dtype": "int32", "shape": []}, {"name": "M", "dtype": "float64", "shape": [3, 4]}],
 "nodes": [
  {"op": "ones_like", "inputs": ["A"], "outputs": ["one"]},
  {"op": "scan", "outputs_info": ["one"], "non_sequences": ["A"], "n_steps": "k",
   "body": {"inputs": ["prior", "A_in"], "nodes": [{"op": "mul", "inputs": ["prior", "A_in"], "outputs": ["next"]}],
            "outputs": ["next"]},
   "outputs": ["result"]},
  {"op": "subtensor", "inputs": ["result"], "idx": [-1], "outputs": ["final"]},
  {"op": "transpose", "inputs": ["M"], "outputs": ["Mt"]},
  {"op": "dot", "inputs": ["M", "Mt"], "outputs": ["G"]},
  {"op": "add", "inputs": ["G", {"value": 1.0}], "outputs": ["H"]},
  {"op": "exp", "inputs": ["M"], "outputs": ["eM"]},
  {"op": "neg", "inputs": ["M"], "outputs": ["nM"]},
  {"op": "ifelse", "inputs": ["c"], "then": ["eM"], "else": ["nM"], "outputs": ["sel"]},
  {"op": "sum", "inputs": ["sel"], "axis": [0], "outputs": ["s"]}
 ],
 "functions": [{"name": "f", "inputs": ["A", "k", "c", "M"], "outputs": ["final", "H", "s", "Mt"], "mode": "FAST_RUN"}]})";

FunctionGraph compile(const Module& m) {
  PipelineOptions po;
  po.mode = effective_mode(*m.find_function("f"), std::nullopt);
  return compile_function(m, *m.find_function("f"), po);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> r;
  std::istringstream is(text);
  for (std::string l; std::getline(is, l);) r.push_back(l);
  return r;
}

// True when every line of `a` appears in `b`, in order (b only adds lines).
bool is_subsequence(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t i = 0;
  for (size_t j = 0; j < b.size() && i < a.size(); ++j)
    if (a[i] == b[j]) ++i;
  return i == a.size();
}

// Paths of every node the generated code runs: each scope's schedule, scan
// bodies included.
void scheduled_paths(const std::vector<Var*>& roots, std::vector<std::string>& out) {
  Schedule s = schedule_scope(roots);
  for (const Node* n : s.order) {
    out.push_back(n->path);
    if (n->op == Op::Scan) scheduled_paths(n->scan->body->outputs, out);
  }
}

std::vector<Value> inputs(int64_t k, int c) {
  return {test::make(DType::Float64, {5}, {0.5, 1.0, 1.5, 2.0, 2.5}), test::scalar(DType::Int32, double(k)),
          test::scalar(DType::Int32, c),
          test::make(DType::Float64, {3, 4}, {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1})};
}

}  // namespace

TEST_CASE("profile: code generated without profiling is unchanged") {
  Module m = test::load(kGraph);
  FunctionGraph fg = compile(m);
  GeneratedUnit plain = generate_cpu(m, {&fg});
  GeneratedUnit off = generate_cpu(m, {&fg}, CodegenOptions{});
  CodegenOptions with;
  with.profile = true;
  GeneratedUnit on = generate_cpu(m, {&fg}, with);
  CHECK(plain.source == off.source);
  CHECK(plain.header == off.header);
  const std::string off_source = off.source.str(), on_source = on.source.str();
  for (const std::string* text : {&off_source, static_cast<const std::string*>(&off.header)}) {
    CHECK(text->find("prof") == std::string::npos);
    CHECK(text->find("clock") == std::string::npos);
  }
  CHECK(on_source.find("#include <tgc/profile.h>") != std::string::npos);
  CHECK(on_source.find(on.prefix + "_profile(") != std::string::npos);
  CHECK(on.header.find(on.prefix + "_profile_buffers(") != std::string::npos);
  // Profiling only adds lines: every line of the plain code is there, in order.
  CHECK(is_subsequence(lines_of(off_source), lines_of(on_source)));
  CHECK(is_subsequence(lines_of(off.header), lines_of(on.header)));
  CHECK(lines_of(on_source).size() > lines_of(off_source).size());
  // Deterministic.
  CHECK(generate_cpu(m, {&fg}, with).source == on.source);
}

TEST_CASE("profile: counters of the compiled engine") {
  ::setenv("TGC_CACHE_DIR", test::test_cache_dir().c_str(), 1);
  Module m = test::load(kGraph);
  FunctionGraph fg = compile(m);
  driver::EngineOptions eo;
  eo.profile = true;
  std::unique_ptr<driver::Engine> e = driver::make_compiled_engine(m, fg, eo);
  std::unique_ptr<driver::Engine> plain = driver::make_compiled_engine(m, fg, driver::EngineOptions{});
  CHECK_FALSE(plain->profile().has_value());
  CHECK_FALSE(driver::make_reference_engine(m, fg)->profile().has_value());

  const int kCalls = 3;
  const int64_t kSteps = 4;
  std::vector<Value> got, want;
  for (int k = 0; k < kCalls; ++k) {
    got = e->call(inputs(kSteps, 1));
    want = plain->call(inputs(kSteps, 1));
  }
  // The counters change nothing the function computes.
  REQUIRE(got.size() == want.size());
  for (size_t k = 0; k < got.size(); ++k) CHECK(test::compare_values(want[k], got[k], test::Tolerance{}) == "");

  std::optional<driver::FunctionProfile> p = e->profile();
  REQUIRE(p.has_value());
  CHECK(p->function == "f");
  CHECK(p->calls == uint64_t(kCalls));
  CHECK(p->ns > 0);

  // Every scheduled node has a record, once (scan body nodes included).
  std::vector<std::string> want_paths, got_paths;
  scheduled_paths(fg.roots(), want_paths);
  for (const driver::NodeProfile& n : p->nodes) got_paths.push_back(n.path);
  std::sort(want_paths.begin(), want_paths.end());
  std::sort(got_paths.begin(), got_paths.end());
  CHECK(got_paths == want_paths);

  uint64_t top_ns = 0;
  int n_scan_body = 0, n_branch = 0, n_branch_ran = 0;
  for (size_t k = 0; k < p->nodes.size(); ++k) {
    const driver::NodeProfile& n = p->nodes[k];
    CAPTURE(n.path);
    CHECK(n.index == int(k));
    CHECK(n.parent < int(k));
    CHECK(!n.op.empty());
    CHECK(!n.apply.empty());
    if (n.calls > 0) CHECK(n.ns > 0);
    if (n.parent < 0) {
      CHECK(n.depth == 0);
      CHECK(n.calls == uint64_t(kCalls));  // the top level runs once per call
      top_ns += n.ns;
      continue;
    }
    const driver::NodeProfile& parent = p->nodes[size_t(n.parent)];
    CHECK(n.depth == parent.depth + 1);
    if (parent.op_type == "scan") {
      ++n_scan_body;
      CHECK(n.calls == uint64_t(kCalls * kSteps));  // once per step
    } else {
      REQUIRE(parent.op_type == "ifelse");
      ++n_branch;
      CHECK((n.calls == 0 || n.calls == uint64_t(kCalls)));  // lazy: only the taken branch
      n_branch_ran += n.calls > 0 ? 1 : 0;
    }
  }
  CHECK(n_scan_body == 1);
  CHECK(n_branch == 2);
  CHECK(n_branch_ran == 1);
  CHECK(top_ns <= p->ns);  // nodes run inside the function's time

  // Self times: a container's time covers the nodes inside it.
  std::vector<uint64_t> self = driver::self_times(*p);
  uint64_t self_sum = 0;
  for (size_t k = 0; k < self.size(); ++k) {
    CHECK(self[k] <= p->nodes[k].ns);
    self_sum += self[k];
  }
  CHECK(self_sum == top_ns);

  // Output sizes at the last call: dot (3, 3) float64 created, the add after
  // it in place, transpose a view of M; the body's mul writes one step of A.
  auto find = [&](const std::string& op_type) -> const driver::NodeProfile& {
    auto it = std::find_if(p->nodes.begin(), p->nodes.end(), [&](const driver::NodeProfile& n) { return n.op_type == op_type; });
    REQUIRE(it != p->nodes.end());
    return *it;
  };
  CHECK(find("dot22").outputs == "c");
  CHECK(find("dot22").bytes[0] == 72);
  CHECK(find("add").outputs == "i");
  CHECK(find("add").bytes[1] == 72);
  CHECK(find("transpose").outputs == "v");
  CHECK(find("transpose").bytes[2] == 96);
  CHECK(find("ifelse").outputs == "v");
  CHECK(find("mul").bytes[0] + find("mul").bytes[1] == 40);
  CHECK(find("neg").calls == 0);

  // Memory: the identities of the summary, against the buffers.
  driver::MemorySummary mem = driver::memory_summary(*p);
  int64_t caps = 0, scratch = 0;
  for (const driver::BufferProfile& b : p->buffers) {
    CHECK(b.bytes >= 0);
    caps += b.bytes;
    if (b.n_values == 0) scratch += b.bytes;
  }
  CHECK(!p->buffers.empty());
  CHECK(mem.with_plan == caps);
  CHECK(mem.scratch == scratch);
  CHECK(mem.without_plan == mem.created + mem.inplace + mem.view + mem.scratch);
  CHECK(mem.saved_view + mem.saved_inplace + mem.saved_reuse == mem.without_plan - mem.with_plan);
  CHECK(mem.saved_view == mem.view);
  CHECK(mem.saved_inplace == mem.inplace);
  CHECK(mem.view >= driver::allocated_size(96) * 2);  // transpose and ifelse at least
  CHECK(mem.inplace >= driver::allocated_size(72));
  CHECK(mem.saved_reuse >= 0);
  CHECK(mem.with_plan <= mem.without_plan);

  // More calls add up; the report names every section.
  e->call(inputs(kSteps, 0));
  std::optional<driver::FunctionProfile> q = e->profile();
  REQUIRE(q.has_value());
  CHECK(q->calls == uint64_t(kCalls + 1));
  CHECK(q->ns >= p->ns);
  CHECK(find("neg").calls == 0);
  for (const driver::NodeProfile& n : q->nodes)
    if (n.op_type == "neg" || n.op_type == "exp") CHECK(n.calls == (n.op_type == "neg" ? 1u : uint64_t(kCalls)));

  std::string report = driver::profile_report(*q);
  for (const char* s : {"Function summary:", "Single Op-wise summary", "Op-wise summary", "Apply-wise summary:",
                        "Max without reuse, inplace and view", "Max with the plan", "Memory saved by view",
                        "Memory saved by inplace", "Memory saved by buffer reuse", "<dot22>", "dot22(M, Mt)",
                        "(self)"})
    CHECK_MESSAGE(report.find(s) != std::string::npos, s);
  // The top N and the rest.
  std::string short_report = driver::profile_report(*q, 3);
  CHECK(short_report.find("... (remaining " + std::to_string(q->nodes.size() - 3) + " nodes account for") !=
        std::string::npos);
}
