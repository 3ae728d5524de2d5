#include "rewrite_check.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "grad/grad.h"
#include "interp/interpreter.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/function_graph.h"
#include "rewrite/database.h"
#include "rewrite/driver.h"
#include "test_util.h"

namespace tgc::test {

namespace {

const RewriteInfo& find_rule(const std::string& name) {
  for (const RewriteInfo& r : all_rewrites())
    if (r.name == name) return r;
  FAIL("no rewrite named " << name);
  throw 0;
}

FunctionGraph prepare(const Module& m, const std::string& fn) {
  const Function* f = m.find_function(fn);
  REQUIRE(f != nullptr);
  FunctionGraph fg = extract_function(m, *f, Mode::FastRun);
  expand_grads(fg);
  return fg;
}

int apply(FunctionGraph& fg, const RewriteInfo& r) {
  RewriteTrace trace;
  if (r.local) apply_local_rules(fg, {&r}, trace);
  else if (r.global(fg, trace)) retype_function(fg);
  verify(*fg.graph, fg.roots());
  int n = 0;
  for (const RewriteEvent& e : trace.events) n += e.rule == r.name ? 1 : 0;
  return n;
}

Value random_value(const Var* v, std::mt19937_64& rng, double lo, double hi, int64_t dim) {
  if (v->type.kind == TypeKind::Rng) return rng_from_seed(rng());
  Shape s = v->type.shape;
  for (int64_t& d : s)
    if (d < 0) d = dim;
  Tensor t(v->type.dtype, s);
  std::uniform_real_distribution<double> u(lo, hi);
  std::uniform_int_distribution<int> ui(0, 4);
  for (int64_t i = 0; i < t.size(); ++i) t.set_f64(i, is_float(v->type.dtype) ? u(rng) : double(ui(rng)));
  return t;
}

std::vector<Value> run(const FunctionGraph& fg, const std::vector<Value>& inputs) {
  interp::Bindings b;
  for (size_t k = 0; k < fg.inputs.size(); ++k) b[fg.inputs[k]] = inputs[k];
  return interp::evaluate(fg.roots(), b);
}

}  // namespace

std::string printed(const std::vector<Var*>& outputs) { return debugprint(outputs); }

RewriteRun apply_rule(const std::string& graph_json, const std::string& fn, const std::string& rule) {
  Module m = load(graph_json);
  FunctionGraph fg = prepare(m, fn);
  RewriteRun r;
  r.before = debugprint(fg.roots());
  r.fired = apply(fg, find_rule(rule));
  r.after = debugprint(fg.roots());
  return r;
}

void check_rule_numerically(const std::string& graph_json, const std::string& fn, const std::string& rule, double lo,
                            double hi, int64_t dim, double rtol, double atol, uint64_t seed) {
  Module m = load(graph_json);
  FunctionGraph before = prepare(m, fn);
  FunctionGraph after = prepare(m, fn);
  apply(after, find_rule(rule));
  std::mt19937_64 rng(seed);
  std::vector<Value> inputs;
  for (const Var* v : before.inputs) inputs.push_back(random_value(v, rng, lo, hi, dim));
  std::vector<Value> a = run(before, inputs), b = run(after, inputs);
  REQUIRE(a.size() == b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    const Tensor* x = std::get_if<Tensor>(&a[k]);
    const Tensor* y = std::get_if<Tensor>(&b[k]);
    if (!x || !y) continue;
    INFO("output " << k << " of " << fn << " after " << rule);
    REQUIRE(x->dtype() == y->dtype());
    REQUIRE(x->shape() == y->shape());
    for (int64_t i = 0; i < x->size(); ++i) {
      double p = x->get_f64(i), q = y->get_f64(i);
      if (std::isnan(p) && std::isnan(q)) continue;
      INFO("element " << i << ": " << p << " before, " << q << " after");
      CHECK(std::fabs(p - q) <= atol + rtol * std::fabs(p));
    }
  }
}

}  // namespace tgc::test
