// Tests of plan_scope_memory (passes/memory_plan.h): slots are reused, two
// values whose lifetimes overlap never share one, a view has none and keeps
// its base alive while it is read, and outputs live to the end.
#include <doctest/doctest.h>

#include <climits>
#include <map>

#include "passes/function_graph.h"
#include "passes/memory_plan.h"
#include "test_util.h"

using namespace tgc;

TEST_CASE("memory plan: reuse without overlap, views keep their bases alive") {
  Module m = test::load(R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "float64", "shape": [8]}],
    "nodes": [{"op": "exp", "inputs": ["x"], "outputs": ["a"]},
              {"op": "neg", "inputs": ["a"], "outputs": ["b"]},
              {"op": "dimshuffle", "inputs": ["b"], "pattern": ["x", 0], "outputs": ["d"]},
              {"op": "log", "inputs": ["x"], "outputs": ["c"]},
              {"op": "add", "inputs": ["c", "x"], "outputs": ["e"]},
              {"op": "tanh", "inputs": ["e"], "outputs": ["g"]},
              {"op": "sqr", "inputs": ["g"], "outputs": ["h"]},
              {"op": "sum", "inputs": ["d"], "outputs": ["f"]},
              {"op": "mul", "inputs": ["h", "f"], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["x"], "outputs": ["y", "c"]}]})");
  FunctionGraph fg = extract_function(m, *m.find_function("f"), Mode::FastRun);
  Schedule s = schedule_scope(fg.roots());
  ViewInfo views(fg.graph.get());
  MemoryPlan plan(fg.graph.get());
  plan_scope_memory(s, views, fg.roots(), plan);

  auto var = [&](const std::string& name) -> const Var* {
    for (const Node* n : s.order)
      if (n->outputs[0]->name == name) return n->outputs[0];
    return nullptr;
  };
  REQUIRE(var("d"));
  CHECK(views.is_view(var("d")));
  CHECK(plan.slot_of(var("d")) < 0);  // a view has no storage of its own
  CHECK(plan.slot_of(fg.inputs[0]) < 0);

  // Lifetimes computed here from the schedule: from the defining position to
  // the last read, a read of the view d reading b, and the roots to the end.
  std::map<const Var*, std::pair<int, int>> life;
  for (size_t i = 0; i < s.order.size(); ++i)
    for (const Var* o : s.order[i]->outputs) life[o] = {int(i), int(i)};
  auto read = [&](const Var* v, int pos) {
    if (v == var("d")) v = var("b");
    if (life.count(v)) life[v].second = std::max(life[v].second, pos);
  };
  for (size_t i = 0; i < s.order.size(); ++i)
    for (const Var* in : s.order[i]->inputs) read(in, int(i));
  for (const Var* r : fg.roots()) read(r, INT_MAX);
  CHECK(life[var("b")].second == s.position(var("f")->owner));  // alive until the sum reads d

  int with_slot = 0;
  for (const auto& [v, span] : life) {
    if (v == var("d")) continue;
    REQUIRE(plan.slot_of(v) >= 0);
    ++with_slot;
    for (const auto& [w, other] : life) {
      if (w == v || w == var("d") || plan.slot_of(w) != plan.slot_of(v)) continue;
      bool overlap = span.first <= other.second && other.first <= span.second;
      CHECK_MESSAGE(!overlap, v->name << " and " << w->name << " share slot " << plan.slot_of(v));
    }
  }
  CHECK(with_slot == 8);
  CHECK(plan.n_slots < with_slot);  // some slot was reused
}
