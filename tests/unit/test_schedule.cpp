// Tests of schedule_scope (passes/schedule.h): every reachable node placed
// once in a topological order, the lazy regions of ifelse, and the by-id
// lookups of a node's region and position.
#include <doctest/doctest.h>

#include <algorithm>

#include "passes/function_graph.h"
#include "passes/schedule.h"
#include "test_util.h"

using namespace tgc;

TEST_CASE("schedule: regions of ifelse branches, positions in the order") {
  Module m = test::load(R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "c", "dtype": "bool", "shape": []}, {"name": "x", "dtype": "float64", "shape": [3]}],
    "nodes": [{"op": "exp", "inputs": ["x"], "outputs": ["e"]},
              {"op": "log", "inputs": ["x"], "outputs": ["l"]},
              {"op": "neg", "inputs": ["x"], "outputs": ["shared_use"]},
              {"op": "mul", "inputs": ["e", "shared_use"], "outputs": ["t"]},
              {"op": "ifelse", "inputs": ["c"], "then": ["t"], "else": ["l"], "outputs": ["z"]},
              {"op": "add", "inputs": ["z", "shared_use"], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["c", "x"], "outputs": ["y"]}]})");
  FunctionGraph fg = extract_function(m, *m.find_function("f"), Mode::FastRun);
  Schedule s = schedule_scope(fg.roots());
  auto node = [&](const std::string& out) -> const Node* {
    for (const Node* n : fg.graph->nodes())
      if (n->outputs[0]->name == out) return n;
    return nullptr;
  };
  const Node* ifelse = node("z");
  REQUIRE(ifelse);
  auto [then_r, else_r] = s.branches.at(ifelse);
  // Only the branch that reads them holds exp, mul and log; neg, read after
  // the ifelse too, runs outside both.
  CHECK(s.region_of(node("e")) == then_r);
  CHECK(s.region_of(node("t")) == then_r);
  CHECK(s.region_of(node("l")) == else_r);
  CHECK(s.region_of(node("shared_use")) == 0);
  CHECK(s.region_of(node("y")) == 0);
  // Every node once, each at its position, readers after what they read.
  REQUIRE(s.order.size() == 6);
  for (size_t i = 0; i < s.order.size(); ++i) {
    CHECK(s.position(s.order[i]) == int(i));
    for (const Var* in : s.order[i]->inputs)
      if (in->owner) CHECK(s.position(in->owner) < int(i));
  }
  // A node of the graph no root reaches has no region and no position.
  Graph& g = *fg.graph;
  Node* stray = g.add_node(Op::Neg, {fg.inputs[1]}, {}, "stray");
  CHECK(s.region_of(stray) == -1);
  CHECK(s.position(stray) == -1);
}

TEST_CASE("schedule: without an ifelse, the walk's order in one region; each leaf read once listed") {
  Module m = test::load(R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "x", "dtype": "float64", "shape": [3]}, {"name": "unused", "dtype": "float64", "shape": [3]}],
    "nodes": [{"op": "mul", "inputs": ["x", {"value": 2.0}], "outputs": ["a"]},
              {"op": "exp", "inputs": ["x"], "outputs": ["b"]},
              {"op": "add", "inputs": ["a", "b"], "outputs": ["c"]},
              {"op": "sub", "inputs": ["c", "x"], "outputs": ["y"]}],
    "functions": [{"name": "f", "inputs": ["x", "unused"], "outputs": ["y"]}]})");
  FunctionGraph fg = extract_function(m, *m.find_function("f"), Mode::FastRun);
  Schedule s = schedule_scope(fg.roots());
  REQUIRE(s.regions.size() == 1);
  CHECK(s.regions[0].nodes == s.order);
  REQUIRE(s.order.size() == 4);
  CHECK(s.order.back()->outputs[0] == fg.outputs[0]);
  for (size_t i = 0; i < s.order.size(); ++i) {
    CHECK(s.position(s.order[i]) == int(i));
    CHECK(s.region_of(s.order[i]) == 0);
    for (const Var* in : s.order[i]->inputs)
      if (in->owner) CHECK(s.position(in->owner) < int(i));
  }
  // x, read by three nodes, and the constant 2.0; not the input no node reads.
  REQUIRE(s.leaves.size() == 2);
  CHECK(std::count(s.leaves.begin(), s.leaves.end(), fg.inputs[0]) == 1);
  CHECK(std::count(s.leaves.begin(), s.leaves.end(), fg.inputs[1]) == 0);
  CHECK(std::count_if(s.leaves.begin(), s.leaves.end(), [](const Var* v) { return v->is_constant(); }) == 1);
}
