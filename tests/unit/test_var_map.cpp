// Tests of VarMap (ir/var_map.h): the flat table for one graph's variables
// and the hash map for every other variable give the same answers.
#include <doctest/doctest.h>

#include "ir/var_map.h"

using namespace tgc;

TEST_CASE("var map: variables of the dense graph and of other graphs") {
  Graph g, body(&g), dst;
  Type t = Type::tensor(DType::Float32, {});
  Var* a = g.new_var("a", t, VarKind::Input);
  Var* p = body.new_var("p", t, VarKind::Param);  // same id as a, another graph
  REQUIRE(a->id == p->id);
  VarMap m(&g);
  CHECK(m.find(a) == nullptr);
  CHECK(m.find(p) == nullptr);
  CHECK(m.find(nullptr) == nullptr);
  Var* ca = dst.new_var("a", t, VarKind::Input);
  Var* cp = dst.new_var("p", t, VarKind::Input);
  m[a] = ca;
  CHECK(m.find(a) == ca);
  CHECK(m.find(p) == nullptr);  // the id alone does not find a variable of another graph
  m[p] = cp;
  CHECK(m.find(p) == cp);
  CHECK(m.find(a) == ca);
  // A variable made after the map (its id past the flat table) still maps.
  Var* late = g.new_var("late", t, VarKind::Input);
  CHECK(m.find(late) == nullptr);
  m[late] = ca;
  CHECK(m.find(late) == ca);
  // Without a dense graph everything is hashed.
  VarMap h;
  h[a] = cp;
  CHECK(h.find(a) == cp);
  CHECK(h.find(p) == nullptr);
}

TEST_CASE("var table: values with a 'none', counted and visited in both tables") {
  Graph g, body(&g);
  Type t = Type::tensor(DType::Float32, {});
  Var* a = g.new_var("a", t, VarKind::Input);
  Var* b = g.new_var("b", t, VarKind::Input);
  Var* p = body.new_var("p", t, VarKind::Param);
  VarTable<int> slots(&g, -1);
  CHECK(slots.find(a) == -1);
  CHECK(slots.find(p) == -1);
  CHECK(slots.count() == 0);
  slots[a] = 0;  // 0 is a value, not "none"
  slots[p] = 3;
  CHECK(slots[b] == -1);  // reading through [] makes no value
  CHECK(slots.find(a) == 0);
  CHECK(slots.find(p) == 3);
  CHECK(slots.count() == 2);
  int sum = 0, seen = 0;
  slots.for_each_value([&](int v) {
    sum += v;
    ++seen;
  });
  CHECK(seen == 2);
  CHECK(sum == 3);
}

TEST_CASE("var table: a reference to a value stays valid as the table grows") {
  Graph g, body(&g);
  Type t = Type::tensor(DType::Float32, {});
  Var* a = g.new_var("a", t, VarKind::Input);
  Var* p = body.new_var("p", t, VarKind::Param);
  VarTable<int> tab(&g, -1);
  int& flat = tab[a];
  int& hashed = tab[p];
  flat = 1;
  hashed = 2;
  // Many more variables of other graphs and made later: the map rehashes.
  std::vector<Var*> more;
  for (int i = 0; i < 1000; ++i) more.push_back((i % 2 ? g : body).new_var("v", t, VarKind::Input));
  for (size_t i = 0; i < more.size(); ++i) tab[more[i]] = int(i);
  CHECK(&tab[a] == &flat);
  CHECK(&tab[p] == &hashed);
  CHECK(tab.find(a) == 1);
  CHECK(tab.find(p) == 2);
}
