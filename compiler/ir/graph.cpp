#include "ir/graph.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <unordered_set>

#include "ir/error.h"
#include "ir/topo_walk.h"

namespace tgc {

std::string Type::str() const {
  switch (kind) {
    case TypeKind::Rng: return "rng";
    case TypeKind::Csr: return "csr " + std::string(dtype_name(dtype));
    case TypeKind::Tensor: break;
  }
  return std::string(dtype_name(dtype)) + " " + shape_str(shape);
}

bool Attrs::operator==(const Attrs& o) const {
  return dtype == o.dtype && axis_all == o.axis_all && axes == o.axes && keepdims == o.keepdims &&
         pattern == o.pattern && shape == o.shape && ndim == o.ndim && i == o.i && idx == o.idx &&
         message == o.message && n_tensor_inputs == o.n_tensor_inputs && n_branch == o.n_branch &&
         disconnected == o.disconnected && inplace == o.inplace &&
         (program == o.program || (program && o.program && *program == *o.program));
}

const Attrs& NodeAttrs::defaults() {
  static const Attrs none;
  return none;
}

NodeAttrs& NodeAttrs::operator=(Attrs a) {
  if (a == defaults())
    p_.reset();
  else if (p_ && p_.use_count() == 1)
    *p_ = std::move(a);
  else
    p_ = std::make_shared<Attrs>(std::move(a));
  return *this;
}

Attrs& NodeAttrs::edit() {
  if (!p_)
    p_ = std::make_shared<Attrs>();
  else if (p_.use_count() > 1)
    p_ = std::make_shared<Attrs>(*p_);  // another node shares these: write a copy
  return *p_;
}

namespace {
std::string bound_str(const IdxBound& b) {
  switch (b.kind) {
    case IdxBound::None: return "";
    case IdxBound::Const: return std::to_string(b.value);
    case IdxBound::Input: return "$" + std::to_string(b.input);
  }
  return "";
}
// A dimshuffle pattern writes a new broadcastable dimension (-1) as "x";
// axes are plain integers (negative ones count from the end).
std::string ints_str(const std::vector<int>& v, bool pattern) {
  std::string s;
  for (size_t k = 0; k < v.size(); ++k) s += (k ? "," : "") + (pattern && v[k] < 0 ? std::string("x") : std::to_string(v[k]));
  return s;
}
}  // namespace

std::string Attrs::str() const {
  std::string s;
  auto add = [&](const std::string& kv) { s += (s.empty() ? "" : " ") + kv; };
  if (dtype) add("dtype=" + std::string(dtype_name(*dtype)));
  if (!axis_all) add("axis=" + ints_str(axes, false));
  if (keepdims) add("keepdims");
  if (!pattern.empty()) add("pattern=" + ints_str(pattern, true));
  if (shape) {
    std::string v;
    for (size_t k = 0; k < shape->size(); ++k) v += (k ? "," : "") + std::to_string((*shape)[k]);
    add("shape=[" + v + "]");
  }
  if (!idx.empty()) {
    std::string v;
    for (size_t k = 0; k < idx.size(); ++k) {
      const IdxEntry& e = idx[k];
      v += k ? "," : "";
      if (e.is_slice) {
        v += bound_str(e.start) + ":" + bound_str(e.stop);
        if (e.step.kind != IdxBound::None) v += ":" + bound_str(e.step);
      } else {
        v += bound_str(e.point);
      }
    }
    add("idx=[" + v + "]");
  }
  if (!message.empty()) add("message=\"" + message + "\"");
  if (program) add(program->str());
  if (inplace >= 0) add("inplace=" + std::to_string(inplace));
  return s;
}

int ScanInfo::n_recurrent() const {
  int n = 0;
  for (const auto& t : out_taps) n += t.empty() ? 0 : 1;
  return n;
}

int ScanInfo::init_input(int out) const {
  int pos = seq_input(n_seqs());
  for (int k = 0; k < out; ++k) pos += out_taps[size_t(k)].empty() ? 0 : 1;
  return pos;
}

int ScanInfo::init_depth(int out) const {
  const auto& t = out_taps[size_t(out)];
  return t.empty() ? 0 : -*std::min_element(t.begin(), t.end());
}

const Var::Decl Var::kNoDecl{};

Var* Graph::new_var(std::string name, Type type, VarKind kind) {
  Var* v = var_pool_.make();
  v->id = next_id_++;
  v->name = std::move(name);
  v->type = std::move(type);
  v->kind = kind;
  v->scope = this;
  vars_.push_back(v);
  return v;
}

Var* Graph::new_constant(std::string name, Tensor value) {
  Var* v = new_var(std::move(name), Type::tensor(value.dtype(), value.shape()), VarKind::Constant);
  v->set_value(std::make_shared<const Value>(std::move(value)));
  return v;
}

namespace {
// Under NEP 50 a weak scalar takes the type of the tensors it meets in an
// elementwise op; replace each weak constant input by a concrete constant.
void resolve_weak_inputs(Graph& g, Op op, std::vector<Var*>& inputs, const std::string& path) {
  size_t first = op == Op::Switch ? 1 : 0;  // switch's condition does not take part
  bool any_weak = false, any_strong = false;
  DType strong = DType::Bool;
  WeakKind widest = WeakKind::None;
  for (size_t k = first; k < inputs.size(); ++k) {
    Var* v = inputs[k];
    if (v->weak != WeakKind::None) {
      any_weak = true;
      widest = std::max(widest, v->weak);
    } else if (v->type.is_tensor()) {
      strong = any_strong ? promote(strong, v->type.dtype) : v->type.dtype;
      any_strong = true;
    }
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    Var* v = inputs[k];
    if (v->weak == WeakKind::None) continue;
    DType target = (k < first || !any_strong) ? weak_default(k < first ? v->weak : widest)
                                              : weak_meets(v->weak, strong);
    const Tensor* t = v->constant_tensor();
    if (!t) continue;
    if (is_integer(target) && v->weak == WeakKind::Int) {
      double x = t->get_f64(0);
      Tensor probe = Tensor(DType::Float64, {}).astype(target);
      probe.set_f64(0, x);
      if (probe.get_f64(0) != x)
        throw graph_error(path + ".inputs[" + std::to_string(k) + "]",
                          "integer constant " + std::to_string(int64_t(x)) + " is out of range for " +
                              std::string(dtype_name(target)));
    }
    Var* c = g.new_constant(v->name, t->astype(target));
    c->set_path(v->path());
    inputs[k] = c;
  }
  (void)any_weak;
}
}  // namespace

namespace {
// What inference reads of a node about to be made or rebuilt (weak scalar
// inputs of an elementwise op resolved), in a node of no graph.
Node probe_node(Graph& g, Op op, std::vector<Var*> inputs, NodeAttrs attrs, std::string path,
                std::unique_ptr<ScanInfo> scan) {
  if (is_elemwise(op)) resolve_weak_inputs(g, op, inputs, path);
  Node probe;
  probe.op = op;
  probe.inputs = std::move(inputs);
  probe.attrs = std::move(attrs);
  probe.path = std::move(path);
  probe.scan = std::move(scan);
  return probe;
}
}  // namespace

Node* Graph::add_node(Op op, std::vector<Var*> inputs, NodeAttrs attrs, std::string path,
                      std::unique_ptr<ScanInfo> scan) {
  Node probe = probe_node(*this, op, std::move(inputs), std::move(attrs), std::move(path), std::move(scan));
  std::vector<Type> types = infer_types(probe);
  return add_node_typed(op, std::move(probe.inputs), std::move(probe.attrs), std::move(probe.path),
                        std::move(probe.scan), types);
}

Node* Graph::add_node_typed(Op op, std::vector<Var*> inputs, NodeAttrs attrs, std::string path,
                            std::unique_ptr<ScanInfo> scan, const std::vector<Type>& out_types) {
  Node* n = node_pool_.make();
  n->id = next_id_++;
  n->op = op;
  n->inputs = std::move(inputs);
  n->attrs = std::move(attrs);
  n->path = std::move(path);
  n->scan = std::move(scan);
  if (n->scan && n->scan->body) n->scan->body->set_parent(this);
  for (size_t k = 0; k < out_types.size(); ++k) {
    Var* v = new_var("", out_types[k], VarKind::NodeOutput);
    v->owner = n;
    v->index = int(k);
    n->outputs.push_back(v);
  }
  nodes_.push_back(n);
  ++op_count_[size_t(op)];
  return n;
}

bool Graph::rebuild_node(Node& n, Op op, std::vector<Var*> inputs, NodeAttrs attrs) {
  if (n.is_scan() || op == Op::Scan) throw internal_error("rebuild_node on a scan at " + n.path);
  Node probe = probe_node(*this, op, std::move(inputs), std::move(attrs), n.path, nullptr);
  std::vector<Type> types = infer_types(probe);
  if (types.size() != n.outputs.size()) throw internal_error("rebuild_node changed the number of outputs at " + n.path);
  for (size_t k = 0; k < types.size(); ++k)
    if (types[k].dtype != n.outputs[k]->type.dtype) throw internal_error("rebuild_node changed a dtype at " + n.path);
  for (size_t k = 0; k < types.size(); ++k)
    if (types[k] != n.outputs[k]->type) return false;
  --op_count_[size_t(n.op)];
  ++op_count_[size_t(op)];
  n.op = op;
  n.inputs = std::move(probe.inputs);
  n.attrs = std::move(probe.attrs);
  return true;
}

void Graph::keep_nodes(std::vector<Node*> live) {
  std::fill(op_count_.begin(), op_count_.end(), 0);
  for (const Node* n : live) ++op_count_[size_t(n->op)];
  nodes_ = std::move(live);
}

std::optional<Mode> mode_from_name(std::string_view s) {
  if (s == "FAST_RUN") return Mode::FastRun;
  if (s == "FAST_COMPILE") return Mode::FastCompile;
  if (s == "DEBUG") return Mode::Debug;
  return std::nullopt;
}

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::FastRun: return "FAST_RUN";
    case Mode::FastCompile: return "FAST_COMPILE";
    case Mode::Debug: return "DEBUG";
  }
  return "FAST_RUN";
}

const Function* Module::find_function(std::string_view name) const {
  for (const Function& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

void mark_ops_present(const Graph& g, std::vector<bool>& present) {
  for (size_t op = 0; op < present.size(); ++op)
    if (g.has_op(Op(op))) present[op] = true;
  if (g.has_op(Op::Scan))
    for (const Node* n : g.nodes())
      if (n->scan) mark_ops_present(*n->scan->body, present);
}

std::vector<Node*> scans_in(const Graph& g, const std::vector<Node*>& order) {
  std::vector<Node*> scans;
  if (g.has_op(Op::Scan))
    for (Node* n : order)
      if (n->is_scan()) scans.push_back(n);
  return scans;
}

uint32_t new_visit_epoch() {
  // One counter for all threads, so no traversal ever mistakes another's
  // marks for its own.
  static std::atomic<uint32_t> epoch_counter{0};
  return ++epoch_counter;
}

std::vector<Node*> topo_order(const std::vector<Var*>& roots) {
  std::vector<Node*> order;
  topo_walk(roots, [&](Node* n) { order.push_back(n); });
  return order;
}

}  // namespace tgc
