#include "driver/debug_mode.h"

#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "ir/error.h"

namespace tgc::driver {

namespace {

std::string num(double x) {
  char b[40];
  std::snprintf(b, sizeof b, "%.9g", x);
  return b;
}

}  // namespace

std::string compare_values(const Value& before, const Value& after, bool stabilizing) {
  const Tensor* a = std::get_if<Tensor>(&before);
  const Tensor* b = std::get_if<Tensor>(&after);
  if (!a || !b) {
    const RngState* ra = std::get_if<RngState>(&before);
    const RngState* rb = std::get_if<RngState>(&after);
    if (ra && rb && (ra->ctr_lo != rb->ctr_lo || ra->ctr_hi != rb->ctr_hi || ra->key[0] != rb->key[0] || ra->key[1] != rb->key[1]))
      return "random states differ";
    return "";
  }
  if (a->dtype() != b->dtype()) return "dtype " + std::string(dtype_name(a->dtype())) + " became " + std::string(dtype_name(b->dtype()));
  if (a->shape() != b->shape()) return "shape " + shape_str(a->shape()) + " became " + shape_str(b->shape());
  bool f32 = a->dtype() == DType::Float32, fl = is_float(a->dtype());
  double rtol = f32 ? 1e-5 : 1e-6, atol = f32 ? 1e-5 : 1e-8;
  for (int64_t i = 0; i < a->size(); ++i) {
    if (!fl) {
      if (a->get_i64(i) != b->get_i64(i))
        return "element " + std::to_string(i) + ": " + std::to_string(a->get_i64(i)) + " became " + std::to_string(b->get_i64(i));
      continue;
    }
    double x = a->get_f64(i), y = b->get_f64(i);
    if (std::isnan(x) && std::isnan(y)) continue;
    if (!std::isfinite(x) && stabilizing && std::isfinite(y)) continue;
    if (std::isinf(x) && x == y) continue;
    if (!(std::fabs(x - y) <= atol + rtol * std::fabs(x)))
      return "element " + std::to_string(i) + ": " + num(x) + " became " + num(y);
  }
  return "";
}

void check_rewrites(const RewriteTrace& trace, const FunctionGraph& fg, const interp::Bindings& bindings) {
  // Every replaced value and its replacement that live in the top-level scope.
  std::vector<Var*> vars;
  std::unordered_set<const Var*> seen;
  auto add = [&](Var* v) {
    if (v && v->scope == fg.graph.get() && seen.insert(v).second) vars.push_back(v);
  };
  for (const RewriteEvent& e : trace.events)
    for (size_t k = 0; k < e.before.size() && k < e.after.size(); ++k) {
      add(e.before[k]);
      add(e.after[k]);
    }
  if (vars.empty()) return;
  std::vector<Value> vals = interp::evaluate(vars, bindings);
  std::unordered_map<const Var*, const Value*> val;
  for (size_t k = 0; k < vars.size(); ++k) val[vars[k]] = &vals[k];
  for (const RewriteEvent& e : trace.events)
    for (size_t k = 0; k < e.before.size() && k < e.after.size(); ++k) {
      auto a = val.find(e.before[k]), b = val.find(e.after[k]);
      if (a == val.end() || b == val.end()) continue;
      std::string diff = compare_values(*a->second, *b->second, true);
      if (!diff.empty())
        throw Error(ExitCode::Internal, e.path,
                    "DEBUG mode: rewrite " + e.rule + " changed a value (" + e.detail + "): " + diff);
    }
}

void check_outputs(const std::vector<Value>& got, const std::vector<Value>& want, const FunctionGraph& fg,
                   const std::string& what) {
  for (size_t k = 0; k < got.size() && k < want.size(); ++k) {
    // The compiled code runs the stabilized graph: a finite value where the
    // literal graph overflows is the stabilization working.
    std::string diff = compare_values(want[k], got[k], true);
    if (!diff.empty())
      throw Error(ExitCode::Internal, fg.path,
                  "DEBUG mode: " + what + ": output \"" + fg.output_names[k] + "\" differs from the reference: " + diff);
  }
}

}  // namespace tgc::driver
