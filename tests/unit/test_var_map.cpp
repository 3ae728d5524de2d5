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
