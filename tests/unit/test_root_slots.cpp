// Tests of RootSlots (rewrite/driver.h): replacing a root rewrites every
// place that holds it (outputs, update values, a body's outputs), before and
// after the index is made, and the safeguard when the lists were changed
// behind the index.
#include <doctest/doctest.h>

#include "passes/function_graph.h"
#include "rewrite/driver.h"

using namespace tgc;

namespace {
// A function whose outputs are (a, a, b) and whose one update value is a.
struct Fixture {
  FunctionGraph fg;
  Var *a, *b, *s, *c, *d;
  Fixture() {
    fg.graph = std::make_unique<Graph>();
    Graph& g = *fg.graph;
    Type t = Type::tensor(DType::Float32, {2});
    a = g.new_var("a", t, VarKind::Input);
    b = g.new_var("b", t, VarKind::Input);
    s = g.new_var("s", t, VarKind::Shared);
    c = g.new_var("c", t, VarKind::Input);
    d = g.new_var("d", t, VarKind::Input);
    fg.outputs = {a, a, b};
    fg.updates = {{s, a}};
  }
};
}  // namespace

TEST_CASE("root slots: a root's every place is replaced, by scans and by the index") {
  for (int scans : {32, 0}) {  // 0: the index is made on the first move
    CAPTURE(scans);
    Fixture f;
    RootSlots slots(f.fg, *f.fg.graph, scans);
    slots.move(f.a, f.c);
    CHECK(f.fg.outputs == std::vector<Var*>{f.c, f.c, f.b});
    CHECK(f.fg.updates[0].second == f.c);
    CHECK(f.fg.updates[0].first == f.s);  // the shared variable itself is no root
    // A replacement of a replacement: the index follows the value it moved.
    slots.move(f.c, f.d);
    CHECK(f.fg.outputs == std::vector<Var*>{f.d, f.d, f.b});
    CHECK(f.fg.updates[0].second == f.d);
    slots.move(f.b, f.a);
    CHECK(f.fg.outputs == std::vector<Var*>{f.d, f.d, f.a});
  }
}

TEST_CASE("root slots: lists changed behind the index are scanned") {
  Fixture f;
  RootSlots slots(f.fg, *f.fg.graph, 0);
  slots.move(f.b, f.d);  // makes the index: a at outputs 0 and 1 and the update, d at output 2
  // The outputs reordered since: the index's places for a hold other values.
  f.fg.outputs = {f.c, f.d, f.a};
  slots.move(f.a, f.b);
  CHECK(f.fg.outputs == std::vector<Var*>{f.c, f.d, f.b});
  CHECK(f.fg.updates[0].second == f.b);
  // Indexed again (b's places move to a), then the outputs replaced: the
  // index knows no place for b.
  slots.move(f.b, f.a);
  CHECK(f.fg.outputs == std::vector<Var*>{f.c, f.d, f.a});
  f.fg.outputs = {f.d, f.b};
  slots.move(f.b, f.c);
  CHECK(f.fg.outputs == std::vector<Var*>{f.d, f.c});
  CHECK(f.fg.updates[0].second == f.a);
}

TEST_CASE("root slots: a scan body's roots are its outputs") {
  Fixture f;
  Graph body(f.fg.graph.get());
  Type t = Type::tensor(DType::Float32, {});
  Var* p = body.new_var("p", t, VarKind::Param);
  Var* q = body.new_var("q", t, VarKind::Param);
  body.outputs = {p, q, p};
  RootSlots slots(f.fg, body, 0);
  slots.move(p, q);
  CHECK(body.outputs == std::vector<Var*>{q, q, q});
  CHECK(f.fg.outputs == std::vector<Var*>{f.a, f.a, f.b});  // the function's roots are another scope's
}
