// Tests of what keeps compile time linear in the graph's size: nodes and
// variables in chunked pools, use tables found through marks in the
// variables, the node-list scan that tells which ops a function has, and the
// anchors that let the pipeline skip a global pass, and the topological walk
// that lets a pass do its per-node work as each node is placed.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <set>

#include "frontend/loader.h"
#include "ir/builder.h"
#include "ir/topo_walk.h"
#include "passes/function_graph.h"
#include "rewrite/driver.h"
#include "rewrite/database.h"
#include "rewrite/rewrite.h"

using namespace tgc;

namespace {

Var* vector_input(Graph& g, const char* name) {
  return g.new_var(name, Type::tensor(DType::Float64, {-1}), VarKind::Input);
}

Tensor scalar(double v) {
  Tensor t(DType::Float64, {});
  t.set_f64(0, v);
  return t;
}

}  // namespace

TEST_CASE("graph storage: nodes and variables keep their addresses while the graph grows") {
  Graph g;
  Var* x = vector_input(g, "x");
  Builder b(g, "nodes[0]");
  std::vector<Var*> made{x};
  for (int i = 0; i < 1000; ++i) made.push_back(i % 2 ? b.neg(made.back()) : b.add(made.back(), x));
  REQUIRE(g.nodes().size() == 1000);
  std::set<int> ids;
  for (size_t i = 1; i < made.size(); ++i) {
    const Node* n = made[i]->owner;
    REQUIRE(n != nullptr);
    CHECK(n->outputs[0] == made[i]);         // the owner still points back at its output
    CHECK(n->inputs[0] == made[i - 1]);      // and reads the value made before it
    CHECK(n == g.nodes()[i - 1]);            // nodes() lists them in the order made
    ids.insert(n->id);
    ids.insert(made[i]->id);
  }
  CHECK(ids.size() == 2000);  // node and variable ids are distinct
  // Keeping some nodes drops the others from the list and the op counts;
  // those kept are untouched and listed in the order given.
  std::vector<Node*> adds;
  for (Node* n : g.nodes())
    if (n->op == Op::Add) adds.insert(adds.begin(), n);
  g.keep_nodes(adds);
  CHECK(g.nodes() == adds);
  CHECK(g.has_op(Op::Add));
  CHECK_FALSE(g.has_op(Op::Neg));
  for (size_t i = 0; i < adds.size(); ++i) CHECK(adds[i] == made[1000 - 2 * i - 1]->owner);
}

TEST_CASE("graph storage: only declared variables carry a value and a path, and extraction copies them") {
  Graph g;
  Var* x = vector_input(g, "x");
  x->set_path("inputs[0]");
  Var* c = g.new_constant("c", scalar(2.0));
  c->set_path("nodes[0].inputs[1]");
  Var* y = Builder(g, "nodes[0]").mul(x, c);
  // A node's output has neither: its node's path says where it was declared.
  CHECK(y->path().empty());
  CHECK(y->value() == nullptr);
  CHECK(y->constant_tensor() == nullptr);
  y->set_path("");  // setting nothing leaves nothing
  y->set_value(nullptr);
  CHECK(y->path().empty());
  CHECK(y->value() == nullptr);
  REQUIRE(c->constant_tensor() != nullptr);
  CHECK(c->constant_tensor()->get_f64(0) == 2.0);
  CHECK(c->path() == "nodes[0].inputs[1]");
  CHECK(x->path() == "inputs[0]");
  CHECK(x->value() == nullptr);
  // A function's copy of the graph keeps the leaves' values and paths.
  Module m;
  Var* mx = vector_input(*m.root, "x");
  mx->set_path("inputs[0]");
  Var* mc = m.root->new_constant("c", scalar(3.0));
  mc->set_path("nodes[0].inputs[1]");
  Function f;
  f.name = "f";
  f.inputs = {mx};
  f.outputs = {Builder(*m.root, "nodes[0]").mul(mx, mc)};
  f.output_names = {"y"};
  m.inputs = {mx};
  m.functions.push_back(f);
  FunctionGraph fg = extract_function(m, m.functions[0], Mode::FastRun);
  Var* copied_x = fg.inputs[0];
  CHECK(copied_x != mx);
  CHECK(copied_x->path() == "inputs[0]");
  Var* copied_c = fg.outputs[0]->owner->inputs[1];
  REQUIRE(copied_c->constant_tensor() != nullptr);
  CHECK(copied_c->constant_tensor()->get_f64(0) == 3.0);
  CHECK(copied_c->path() == "nodes[0].inputs[1]");
  CHECK(fg.outputs[0]->path().empty());
}

TEST_CASE("graph storage: copied node attributes are shared until one copy is written") {
  Graph g;
  Var* x = g.new_var("x", Type::tensor(DType::Float64, {2, 3}), VarKind::Input);
  Attrs a;
  a.axis_all = false;
  a.axes = {1};
  Node* sum = g.add_node(Op::Sum, {x}, a, "nodes[0]");
  // A node rebuilt from another's attributes (extraction, cloning, rules)
  // shares them: the same Attrs object, equal without comparing fields.
  Node* copy = g.add_node(Op::Sum, {x}, sum->attrs, "nodes[1]");
  CHECK(&*copy->attrs == &*sum->attrs);
  CHECK(copy->attrs == sum->attrs);
  // Writing one copy leaves the other as it was.
  copy->attrs.edit().keepdims = true;
  CHECK(&*copy->attrs != &*sum->attrs);
  CHECK(copy->attrs->keepdims);
  CHECK_FALSE(sum->attrs->keepdims);
  CHECK(sum->attrs->axes == std::vector<int>{1});
  CHECK_FALSE(copy->attrs == sum->attrs);
  // So does assigning whole attributes to a shared copy.
  NodeAttrs shared = sum->attrs;
  Attrs other = *sum->attrs;
  other.axes = {0};
  shared = other;
  CHECK(shared->axes == std::vector<int>{0});
  CHECK(sum->attrs->axes == std::vector<int>{1});
  // Default attributes store nothing, and any two compare equal.
  Node* neg = g.add_node(Op::Neg, {x}, Attrs{}, "nodes[2]");
  CHECK(neg->attrs == NodeAttrs());
  CHECK(&*neg->attrs == &*NodeAttrs());
}

TEST_CASE("graph storage: a use table answers alike through variable marks and through its map") {
  Graph g, other;
  Var* x = vector_input(g, "x");
  Builder b(g, "nodes[0]");
  Var* s = b.add(x, x);
  Var* t = b.neg(s);
  Var* y = vector_input(other, "y");  // a value of another scope

  std::optional<UseTable> owner;
  owner.emplace(g);  // owns g's marks
  UseTable& first = *owner;
  auto fill = [&](UseTable& table) {
    for (Node* n : g.nodes())
      for (size_t k = 0; k < n->inputs.size(); ++k) table.add_use(n->inputs[k], {n, int(k)});
    table.roots_of(t) += 1;
    table.add_use(y, {t->owner, 0});
  };
  fill(first);
  {
    UseTable second(g);  // the marks are taken: this one keeps its entries in a map
    fill(second);
    for (UseTable* table : {&first, &second}) {
      CHECK(table->uses(x).size() == 2);
      CHECK(table->uses(s).size() == 1);
      CHECK(table->uses(s)[0].node == t->owner);
      CHECK(table->uses(t).empty());
      CHECK(table->roots(t) == 1);
      CHECK(table->roots(s) == 0);
      CHECK(table->uses(y).size() == 1);
    }
    second.add_use(x, {t->owner, 0});  // the second table's changes stay its own
    CHECK(second.uses(x).size() == 3);
    CHECK(first.uses(x).size() == 2);
  }
  // A table made after the first is gone owns the marks again and starts empty.
  owner.reset();
  UseTable third(g);
  CHECK(third.uses(x).empty());
  CHECK(third.roots(t) == 0);
  third.add_use(s, {t->owner, 0});
  CHECK(third.uses(s).size() == 1);
  // A list grows in the table's arena and keeps its uses in order.
  for (int k = 1; k < 100; ++k) third.add_use(s, {t->owner, k});
  REQUIRE(third.uses(s).size() == 100);
  for (int k = 0; k < 100; ++k) CHECK(third.uses(s)[size_t(k)].index == k);
  CHECK(third.uses(x).empty());
}

TEST_CASE("graph storage: rebuild_node changes a node in place, keeping its outputs and readers, or refuses another type") {
  Graph g;
  Var* x = vector_input(g, "x");
  Var* y = vector_input(g, "y");
  Builder b(g, "nodes[0]");
  Var* a = b.unary(Op::Exp, x);
  Var* r = b.neg(a);
  Node* n = a->owner;
  // a = exp(x) becomes a = add(x, y): the same variable, still read by r.
  REQUIRE(g.rebuild_node(*n, Op::Add, {x, y}, NodeAttrs{}));
  CHECK(a->owner == n);
  CHECK(n->outputs.size() == 1);
  CHECK(n->outputs[0] == a);
  CHECK(n->op == Op::Add);
  REQUIRE(n->inputs.size() == 2);
  CHECK(n->inputs[1] == y);
  CHECK(r->owner->inputs[0] == a);
  CHECK(g.has_op(Op::Add));
  CHECK_FALSE(g.has_op(Op::Exp));  // the op counts follow the node
  // Another static type (a sum is 0-d): refused, the node stays as it was.
  Attrs all;
  CHECK_FALSE(g.rebuild_node(*n, Op::Sum, {x}, all));
  CHECK(n->op == Op::Add);
  CHECK(n->inputs.size() == 2);
  CHECK(a->type == Type::tensor(DType::Float64, {-1}));
  // Another dtype is the caller's bug.
  CHECK_THROWS(g.rebuild_node(*n, Op::Lt, {x, y}, NodeAttrs{}));
  CHECK(n->op == Op::Add);
}

TEST_CASE("graph storage: mark_ops_present sees the ops of scan bodies, and erased nodes leave the counts") {
  Module m = frontend::load_graph_text(R"({"format": "tgc-graph", "version": 1, "name": "t",
    "inputs": [{"name": "a", "dtype": "float64", "shape": [null]}, {"name": "k", "dtype": "int64", "shape": []}],
    "nodes": [{"op": "scan", "outputs_info": ["a"], "n_steps": "k",
      "body": {"inputs": ["p"], "nodes": [{"op": "tanh", "inputs": ["p"], "outputs": ["q"]}], "outputs": ["q"]},
      "outputs": ["R"]}],
    "functions": [{"name": "f", "inputs": ["a", "k"], "outputs": ["R"]}]})",
                                         "t.json", ".");
  std::vector<bool> present(size_t(num_ops()), false);
  mark_ops_present(*m.root, present);
  CHECK(present[size_t(Op::Scan)]);
  CHECK(present[size_t(Op::Tanh)]);  // only in the body
  CHECK_FALSE(present[size_t(Op::Dot)]);
  CHECK(m.root->has_op(Op::Scan));
  CHECK_FALSE(m.root->has_op(Op::Tanh));  // the body's own count
  // scans_in lists the order's scans while the scope has any.
  std::vector<Node*> order = topo_order(m.functions[0].outputs);
  std::vector<Node*> scans = scans_in(*m.root, order);
  REQUIRE(scans.size() == 1);
  CHECK(scans[0]->op == Op::Scan);
  CHECK(scans_in(*scans[0]->scan->body, topo_order(scans[0]->scan->body->outputs)).empty());
  // Dropping a node takes it out of the counts.
  std::vector<Node*> kept;
  for (Node* n : m.root->nodes())
    if (n->op != Op::Scan) kept.push_back(n);
  m.root->keep_nodes(kept);
  CHECK_FALSE(m.root->has_op(Op::Scan));
  CHECK(scans_in(*m.root, order).empty());  // the counts say none: the order is not read
  std::vector<bool> after(size_t(num_ops()), false);
  mark_ops_present(*m.root, after);
  CHECK_FALSE(after[size_t(Op::Scan)]);
  CHECK_FALSE(after[size_t(Op::Tanh)]);
}

TEST_CASE("graph storage: every global rewrite names the ops it can act on") {
  auto find = [](const std::string& name) -> const RewriteInfo& {
    for (const RewriteInfo& r : all_rewrites())
      if (r.name == name) return r;
    FAIL("no rewrite " << name);
    throw;
  };
  for (const RewriteInfo& r : all_rewrites()) {
    if (!r.global) continue;
    CAPTURE(r.name);
    size_t n = 0;
    for (bool on : r.anchors) n += on;
    CHECK(n > 0);  // a global with no anchor would never run
  }
  // Scan rules skip a function without scans; merge never skips.
  for (const char* name : {"scan_merge", "scan_save_mem", "scan_pushout_seq", "scan_inplace"}) {
    const RewriteInfo& r = find(name);
    CAPTURE(name);
    CHECK(r.anchored_on(Op::Scan));
    CHECK_FALSE(r.anchored_on(Op::Add));
  }
  CHECK(find("merge").anchored_on(Op::Add));
  CHECK(find("merge").anchored_on(Op::Scan));
  CHECK(find("inplace_random").anchored_on(Op::RandomNormal));
  CHECK_FALSE(find("inplace_random").anchored_on(Op::Add));
  CHECK(find("elemwise_fusion").anchored_on(Op::Composite));
  CHECK(find("reduce_fusion").anchored_on(Op::Sum));
}

TEST_CASE("graph storage: topo_walk places each node after its producers, as topo_order lists them") {
  Graph g;
  Var* x = vector_input(g, "x");
  Builder b(g, "nodes[0]");
  // A diamond with a shared subexpression, a dead node, and two roots.
  Var* s = b.add(x, x);
  Var* l = b.neg(s);
  Var* r = b.op(Op::Exp, {s});
  Var* d = b.add(l, r);
  b.op(Op::Tanh, {x});  // read by no root: never placed
  Var* t = b.mul(d, s);
  std::vector<Var*> roots{t, l};
  std::vector<Node*> placed;
  std::set<const Node*> seen;
  topo_walk(roots, [&](Node* n) {
    for (const Var* in : n->inputs)
      if (in->owner) CHECK(seen.count(in->owner) == 1);  // every producer came first
    CHECK(seen.insert(n).second);                         // and each node once
    placed.push_back(n);
  });
  CHECK(placed.size() == 5);
  CHECK(placed == topo_order(roots));
  // The callback may walk another scope, and the outer walk is unaffected.
  Graph other;
  Var* y = vector_input(other, "y");
  Builder ob(other, "nodes[0]");
  std::vector<Var*> inner_roots{ob.neg(ob.op(Op::Exp, {y}))};
  size_t inner = 0;
  std::vector<Node*> outer;
  topo_walk(roots, [&](Node* n) {
    topo_walk(inner_roots, [&](Node*) { ++inner; });
    outer.push_back(n);
  });
  CHECK(outer == placed);
  CHECK(inner == 2 * placed.size());
  // A node with two outputs read by different nodes (the readers find it
  // placed through either output) is placed once, before both.
  Graph h;
  Var* c = h.new_var("c", Type::tensor(DType::Bool, {}), VarKind::Input);
  Var* p = vector_input(h, "p");
  Builder hb(h, "nodes[0]");
  Attrs two;
  two.n_branch = 2;
  std::vector<Var*> branches = hb.op_n(Op::IfElse, {c, p, hb.neg(p), hb.neg(p), p}, two);
  REQUIRE(branches.size() == 2);
  Var* sum = hb.add(branches[1], hb.op(Op::Exp, {branches[0]}));
  std::vector<Var*> h_roots{sum, branches[1]};
  std::vector<Node*> h_placed;
  topo_walk(h_roots, [&](Node* n) { h_placed.push_back(n); });
  CHECK(h_placed.size() == 5);
  CHECK(std::count(h_placed.begin(), h_placed.end(), branches[0]->owner) == 1);
  CHECK(h_placed == topo_order(h_roots));
  // A cycle is an error naming the node that closes it.
  s->owner->inputs[0] = t;
  CHECK_THROWS_WITH_AS(topo_walk(roots, [](Node*) {}), doctest::Contains("cycle"), Error);
}

TEST_CASE("graph storage: the final walk drops dead nodes, keeping the live ones, in topological order, and their op counts") {
  Module m;
  Var* x = vector_input(*m.root, "x");
  Builder b(*m.root, "nodes[0]");
  Var* live = b.add(b.neg(x), x);  // the output
  Function f;
  f.name = "f";
  f.inputs = {x};
  f.outputs = {live};
  f.output_names = {"y"};
  m.inputs = {x};
  m.functions.push_back(f);
  FunctionGraph fg = extract_function(m, m.functions[0], Mode::FastRun);
  // Extraction copies only the live part; make dead nodes in the copy too.
  Builder fb(*fg.graph, "test");
  fb.op(Op::Exp, {fg.inputs[0]});   // read by nothing
  fb.op(Op::Tanh, {fg.outputs[0]});  // reads a live value, read by nothing
  REQUIRE(fg.graph->nodes().size() == 4);
  CHECK(fg.graph->has_op(Op::Tanh));
  final_walk(fg, true);
  CHECK(fg.graph->nodes() == topo_order(fg.roots()));
  CHECK(fg.graph->nodes().size() == 2);
  CHECK(fg.graph->has_op(Op::Neg));
  CHECK(fg.graph->has_op(Op::Add));
  CHECK_FALSE(fg.graph->has_op(Op::Exp));
  CHECK_FALSE(fg.graph->has_op(Op::Tanh));
}
