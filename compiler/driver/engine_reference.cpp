// The reference engine: the reference interpreter on the optimized graph,
// with shared variables held as host values.
#include <unordered_map>

#include "driver/engine.h"
#include "interp/interpreter.h"
#include "ir/error.h"

namespace tgc::driver {

void check_value_type(const Var* v, const Value& value, const std::string& what) {
  const Type& t = v->type;
  if (t.kind == TypeKind::Rng) {
    if (!std::holds_alternative<RngState>(value)) throw run_error(what, "expected a random state");
    return;
  }
  if (t.kind == TypeKind::Csr) {
    const auto* c = std::get_if<CsrMatrix>(&value);
    if (!c) throw run_error(what, "expected a CSR matrix");
    if (c->data.dtype() != t.dtype)
      throw run_error(what, "expected data of dtype " + std::string(dtype_name(t.dtype)) + ", got " +
                                std::string(dtype_name(c->data.dtype())));
    return;
  }
  const auto* x = std::get_if<Tensor>(&value);
  if (!x) throw run_error(what, "expected a dense tensor");
  if (x->dtype() != t.dtype)
    throw run_error(what, "expected dtype " + std::string(dtype_name(t.dtype)) + ", got " + std::string(dtype_name(x->dtype())));
  bool ok = x->ndim() == t.ndim();
  for (int d = 0; ok && d < t.ndim(); ++d) ok = t.shape[size_t(d)] < 0 || t.shape[size_t(d)] == x->shape()[size_t(d)];
  if (!ok) throw run_error(what, "expected shape " + shape_str(t.shape) + ", got " + shape_str(x->shape()));
}

namespace {

class ReferenceEngine : public Engine {
 public:
  ReferenceEngine(const Module& m, const FunctionGraph& fg) : fg_(fg) {
    for (const Var* s : fg.shared) state_[s] = *s->value();
  }

  void set_shared(const Var* s, const Value& v) override { state_[find(s)] = v; }
  Value get_shared(const Var* s) override { return state_.at(find(s)); }

  std::vector<Value> call(const std::vector<Value>& inputs) override {
    interp::Bindings b;
    for (size_t k = 0; k < fg_.inputs.size(); ++k) b[fg_.inputs[k]] = inputs[k];
    for (auto& [s, v] : state_) b[s] = v;
    std::vector<Var*> want = fg_.roots();
    std::vector<Value> got = interp::evaluate(want, b);
    size_t n = fg_.outputs.size();
    for (size_t k = 0; k < fg_.updates.size(); ++k) state_[fg_.updates[k].first] = got[n + k];
    got.resize(n);
    return got;
  }

 private:
  // The function graph's copy of a module shared variable (matched by name).
  const Var* find(const Var* s) const {
    for (const Var* v : fg_.shared)
      if (v == s || v->name == s->name) return v;
    throw internal_error("reference engine: unknown shared variable " + s->name);
  }

  const FunctionGraph& fg_;
  std::unordered_map<const Var*, Value> state_;
};

}  // namespace

std::unique_ptr<Engine> make_reference_engine(const Module& m, const FunctionGraph& fg) {
  return std::make_unique<ReferenceEngine>(m, fg);
}

}  // namespace tgc::driver
