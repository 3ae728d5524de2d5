// The evaluator: demand-driven, with an explicit work stack (a 20,000-node
// chain must not overflow the C++ stack), lazy `ifelse`, and dispatch to the
// op families. Each node runs at most once per evaluate() call.
#include "interp/interpreter.h"

#include <unordered_set>

#include "interp/array_util.h"
#include "interp/kernels.h"

namespace tgc::interp {

namespace detail {

namespace {

std::string value_str(const Value& v) {
  if (const Tensor* t = std::get_if<Tensor>(&v)) return Type::tensor(t->dtype(), t->shape()).str();
  if (const CsrMatrix* c = std::get_if<CsrMatrix>(&v)) return "csr " + std::string(dtype_name(c->data.dtype()));
  return "rng";
}

// Whether a value fits a static type: same kind, dtype and rank, and every
// static size equal to the run-time size.
bool fits(const Value& v, const Type& t) {
  switch (t.kind) {
    case TypeKind::Rng: return std::holds_alternative<RngState>(v);
    case TypeKind::Csr: {
      const CsrMatrix* c = std::get_if<CsrMatrix>(&v);
      return c && c->data.dtype() == t.dtype;
    }
    case TypeKind::Tensor: break;
  }
  const Tensor* x = std::get_if<Tensor>(&v);
  if (!x || x->dtype() != t.dtype || x->ndim() != t.ndim()) return false;
  for (int d = 0; d < t.ndim(); ++d)
    if (t.shape[size_t(d)] >= 0 && t.shape[size_t(d)] != x->shape()[size_t(d)]) return false;
  return true;
}

// assert(x, c0, c1, ...): every scalar condition must be nonzero; returns x.
Value eval_assert(const Node& n, const Inputs& in) {
  for (size_t k = 1; k < in.size(); ++k)
    if (!truthy(tensor_in(n, in, k))) throw run_error(n.path, "assertion failed: " + n.attrs->message);
  return *in[0];
}

std::vector<Value> eval_node(const Node& n, const Inputs& in) {
  switch (op_info(n.op).family) {
    case OpFamily::Elemwise: return {eval_elemwise(n, in)};
    case OpFamily::Cast: return {eval_cast(n, in)};
    case OpFamily::Shape: return {eval_shape_op(n, in)};
    case OpFamily::Index: return {eval_index_op(n, in)};
    case OpFamily::Reduce: return {eval_reduce(n, in)};
    case OpFamily::Linalg: return {eval_linalg(n, in)};
    case OpFamily::Sparse: return {eval_sparse(n, in)};
    case OpFamily::Neural: return {eval_neural(n, in)};
    case OpFamily::Random: return eval_random(n, in);
    case OpFamily::Check: return {eval_assert(n, in)};
    case OpFamily::Control:
      if (n.op == Op::Scan) return eval_scan(n, in);
      break;  // ifelse is handled lazily by the evaluator
    case OpFamily::Grad: throw internal_error(n.path + ": interp: grad must be expanded before evaluation");
    case OpFamily::Fused: return {eval_composite(n, in)};
  }
  throw internal_error(n.path + ": interp: no evaluation rule for " + std::string(op_name(n.op)));
}

class Evaluator {
 public:
  explicit Evaluator(const RefBindings& b) : bindings_(b) {}

  std::vector<Value> run(const std::vector<Var*>& outputs) {
    count_uses(outputs);
    for (auto it = outputs.rbegin(); it != outputs.rend(); ++it) demand(*it);
    while (!stack_.empty()) {
      size_t top = stack_.size() - 1;
      const Node* n = stack_[top].node;
      if (done_.count(n)) {
        stack_.pop_back();
        continue;
      }
      int stage = stack_[top].stage++;  // before demand(): pushing may reallocate
      if (n->op == Op::IfElse) {
        // Stage 0 needs the condition; stage 1 then needs only the selected branch.
        if (stage == 0) {
          demand(n->inputs[0]);
          continue;
        }
        if (stage == 1) {
          for (Var* v : branch(*n)) demand(v);
          continue;
        }
      } else if (stage == 0) {
        for (auto it = n->inputs.rbegin(); it != n->inputs.rend(); ++it) demand(*it);
        continue;
      }
      stack_.pop_back();
      compute(*n);
    }
    std::vector<Value> result;
    result.reserve(outputs.size());
    for (Var* v : outputs) result.push_back(*lookup(v));
    return result;
  }

 private:
  struct Frame {
    const Node* node;
    int stage;
  };

  // Counts, for every node output, its uses by the nodes the outputs may need
  // (both branches of every ifelse), so that a value is dropped once its last
  // consumer has run. Uses by an untaken branch never count down: those
  // values are merely kept. The requested outputs are never dropped.
  void count_uses(const std::vector<Var*>& outputs) {
    std::vector<const Node*> work;
    std::unordered_set<const Node*> seen;
    for (Var* v : outputs) {
      pinned_.insert(v);
      if (v && v->owner && seen.insert(v->owner).second) work.push_back(v->owner);
    }
    while (!work.empty()) {
      const Node* n = work.back();
      work.pop_back();
      for (Var* in : n->inputs) {
        ++uses_[in];
        if (in && in->owner && seen.insert(in->owner).second) work.push_back(in->owner);
      }
    }
  }

  // n has consumed `inputs`: drop the values nothing else will read.
  void release(const std::vector<Var*>& inputs) {
    for (Var* v : inputs) {
      auto it = uses_.find(v);
      if (it != uses_.end() && --it->second == 0 && !pinned_.count(v)) computed_.erase(v);
    }
  }

  // Queues the node producing v unless v already has a value.
  void demand(const Var* v) {
    if (!v) throw internal_error("interp: a missing variable");
    if (v->kind != VarKind::NodeOutput || computed_.count(v)) return;
    if (!v->owner) throw internal_error("interp: variable \"" + v->name + "\" has no producing node");
    stack_.push_back({v->owner, 0});
  }

  // The inputs of the branch an ifelse selects (its condition is computed).
  std::vector<Var*> branch(const Node& n) {
    const Value* c = lookup(n.inputs[0]);
    const Tensor* t = std::get_if<Tensor>(c);
    if (!t) throw internal_error(n.path + ": interp: ifelse condition is not a tensor");
    size_t m = size_t(n.attrs->n_branch);
    if (n.inputs.size() != 1 + 2 * m) throw internal_error(n.path + ": interp: malformed ifelse");
    size_t first = truthy(*t) ? 1 : 1 + m;
    return std::vector<Var*>(n.inputs.begin() + long(first), n.inputs.begin() + long(first + m));
  }

  const Value* lookup(const Var* v) {
    switch (v->kind) {
      case VarKind::Constant:
        if (!v->value()) throw internal_error("interp: constant \"" + v->name + "\" has no value");
        return v->value().get();
      case VarKind::NodeOutput: {
        auto it = computed_.find(v);
        if (it == computed_.end()) throw internal_error("interp: \"" + v->name + "\" used before it was computed");
        return &it->second;
      }
      case VarKind::Input:
      case VarKind::Shared:
      case VarKind::Param: break;
    }
    const Value* val = nullptr;
    auto it = bindings_.find(v);
    if (it != bindings_.end()) val = it->second;
    else if (v->kind == VarKind::Shared && v->value()) val = v->value().get();
    if (!val) throw internal_error("interp: no value bound for \"" + v->name + "\"");
    if (checked_.insert(v).second && !fits(*val, v->type))
      throw run_error(v->path().empty() ? v->name : v->path(),
                      "the value of \"" + v->name + "\" is " + value_str(*val) + ", but its type is " + v->type.str());
    return val;
  }

  void compute(const Node& n) {
    std::vector<Value> out;
    std::vector<Var*> consumed;
    if (n.op == Op::IfElse) {
      consumed = branch(n);
      for (Var* v : consumed) out.push_back(*lookup(v));
      consumed.push_back(n.inputs[0]);
    } else {
      Inputs in;
      in.reserve(n.inputs.size());
      for (Var* v : n.inputs) in.push_back(lookup(v));
      out = eval_node(n, in);
      consumed = n.inputs;
    }
    if (out.size() != n.outputs.size())
      throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " gave " + std::to_string(out.size()) +
                           " values for " + std::to_string(n.outputs.size()) + " outputs");
    for (size_t k = 0; k < out.size(); ++k) {
      // The values must agree with type inference; a disagreement is a bug in one of the two.
      if (!fits(out[k], n.outputs[k]->type))
        throw internal_error(n.path + ": interp: output " + std::to_string(k) + " of " + std::string(op_name(n.op)) +
                             " is " + value_str(out[k]) + " but its inferred type is " + n.outputs[k]->type.str());
      computed_.insert_or_assign(n.outputs[k], std::move(out[k]));
    }
    done_.insert(&n);
    release(consumed);
  }

  const RefBindings& bindings_;
  std::unordered_map<const Var*, Value> computed_;  // node outputs (references stay valid on insert)
  std::unordered_set<const Node*> done_;
  std::unordered_set<const Var*> checked_;  // bound values already checked against their types
  std::unordered_map<const Var*, int64_t> uses_;  // uses not yet consumed (see count_uses)
  std::unordered_set<const Var*> pinned_;         // the requested outputs
  std::vector<Frame> stack_;
};

}  // namespace

std::vector<Value> evaluate_refs(const std::vector<Var*>& outputs, const RefBindings& bindings) {
  Evaluator e(bindings);
  return e.run(outputs);
}

}  // namespace detail

std::vector<Value> evaluate(const std::vector<Var*>& outputs, const Bindings& bindings) {
  detail::RefBindings refs;
  refs.reserve(bindings.size());
  for (const auto& [var, value] : bindings) refs.emplace(var, &value);
  return detail::evaluate_refs(outputs, refs);
}

}  // namespace tgc::interp
