// debugprint: Theano's text form of a graph, scan-aware.
#include "ir/printer.h"

#include <charconv>
#include <cstdlib>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace tgc {

namespace {

// Trees deeper than this continue as a new tree below ("(continued below)"),
// so a 20,000-node chain prints in linear, not quadratic, space.
constexpr int kMaxPrintDepth = 100;
// Constants with at most this many elements print their values.
constexpr int64_t kMaxShownElements = 10;

// ---- values -------------------------------------------------------------------

// Python's repr of a float: the shortest text that reads back to the same
// value, with ".0" on integral values so floats never look like ints.
template <class F> std::string float_text(F x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".ein") == std::string::npos) s += ".0";
  return s;
}

std::string element_text(const Tensor& t, int64_t i) {
  return visit_dtype(t.dtype(), [&](auto* p) -> std::string {
    using T = std::remove_pointer_t<decltype(p)>;
    T x = t.data<T>()[i];
    if constexpr (std::is_same_v<T, bool>) return x ? "True" : "False";
    else if constexpr (std::is_floating_point_v<T>) return float_text(x);
    else return std::to_string(x);
  });
}

// numpy's nested-list form, "[[1, 2], [3, 4]]", without recursion: before
// element i, one '[' opens for every dimension whose block starts at i.
std::string nested_text(const Tensor& t) {
  const Shape& sh = t.shape();
  if (sh.empty()) return element_text(t, 0);
  int64_t n = t.size();
  if (n == 0) return "[]";
  std::vector<int64_t> block(sh.size());  // elements in one block of dims d..end
  int64_t b = 1;
  for (size_t d = sh.size(); d-- > 0;) block[d] = b *= sh[d];
  std::string s;
  for (int64_t i = 0; i < n; ++i) {
    int opens = 0;
    for (int64_t bl : block) opens += i % bl == 0 ? 1 : 0;
    if (i > 0) s += ", ";
    s.append(size_t(opens), '[');
    s += element_text(t, i);
    int closes = 0;
    for (int64_t bl : block) closes += (i + 1) % bl == 0 ? 1 : 0;
    s.append(size_t(closes), ']');
  }
  return s;
}

bool all_equal(const Tensor& t) {
  std::string first = element_text(t, 0);
  for (int64_t i = 1; i < t.size(); ++i)
    if (element_text(t, i) != first) return false;
  return true;
}

// Names the loader makes up for inline constants ("2.0", "constant") say
// nothing the value does not; declared names ("half") do.
bool is_informative_constant_name(const std::string& name) {
  if (name.empty() || name == "constant" || name == "true" || name == "false" || name[0] == '[') return false;
  char* end = nullptr;
  std::strtod(name.c_str(), &end);
  return end != name.c_str() + name.size();
}

// ---- op labels ----------------------------------------------------------------

std::string taps_text(const std::vector<std::vector<int>>& taps) {
  std::string s = "[";
  for (size_t k = 0; k < taps.size(); ++k) {
    s += k ? ",[" : "[";
    for (size_t j = 0; j < taps[k].size(); ++j) s += (j ? "," : "") + std::to_string(taps[k][j]);
    s += "]";
  }
  return s + "]";
}

std::string scan_attrs(const ScanInfo& s) {
  std::string a = "seqs=" + taps_text(s.seq_taps) + " outs=" + taps_text(s.out_taps);
  if (s.n_shared) a += " shared=" + std::to_string(s.n_shared);
  if (s.n_nonseq) a += " nonseqs=" + std::to_string(s.n_nonseq);
  if (s.has_n_steps) a += " n_steps";
  if (s.go_backwards) a += " go_backwards";
  if (s.truncate_gradient != -1) a += " truncate_gradient=" + std::to_string(s.truncate_gradient);
  if (s.has_until) a += " until";
  return a;
}

std::string strip_prefix(std::string s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0 ? s.substr(prefix.size()) : s;
}

// Attributes in braces. Attrs::str() covers most ops; a few attributes it
// leaves out (they are read only by one op) or that read better bare are
// spelled here.
std::string attrs_text(const Node& n) {
  const Attrs& a = n.attrs;
  switch (n.op) {
    case Op::Scan: return n.scan ? scan_attrs(*n.scan) : "";
    case Op::Cast: return strip_prefix(a.str(), "dtype=");
    case Op::Dimshuffle: return strip_prefix(a.str(), "pattern=");
    case Op::ShapeI: return std::to_string(a.i);
    case Op::Flatten: return "ndim=" + std::to_string(a.ndim);
    case Op::Transpose: {
      std::string s;
      for (size_t k = 0; k < a.axes.size(); ++k) s += (k ? "," : "") + std::to_string(a.axes[k]);
      return s.empty() ? "" : "axes=" + s;
    }
    case Op::Grad: {
      std::string s = "wrt=" + std::to_string(a.n_branch);
      return a.disconnected == "raise" ? s : s + " disconnected=" + a.disconnected;
    }
    default: return a.str();
  }
}

// ---- the printer ----------------------------------------------------------------

class Printer {
 public:
  std::string run(const std::vector<Var*>& outputs, const std::vector<std::string>& names);

 private:
  struct Frame {
    Var* var;
    int depth;
  };

  void print_tree(Var* root, const std::string& root_name, const std::string& margin);
  // Prints frames from `stack` until it is empty; roots of trees cut at
  // kMaxPrintDepth are queued in `continued`.
  void drain(std::vector<Frame>& stack, const std::string& root_name, const std::string& margin,
             std::deque<Var*>& continued);
  void print_inner_graph(const Node& scan);

  std::string line(const Var* v, const std::string& shown_name);
  std::string leaf_text(const Var& v, const std::string& shown_name);
  std::string id_of(const Var* v);
  std::string id_for_key(const void* key);

  std::unordered_map<const void*, int> ids_;
  std::unordered_set<const Node*> expanded_;
  std::vector<const Node*> scans_;  // in the order their subtrees were printed
  std::unordered_map<const Var*, ParamRole> roles_;
  std::string out_;
};

// Theano's ids: A..Z, then BA, BB, ... (base 26 with A as the zero digit).
std::string id_text(int n) {
  std::string s;
  do {
    s.insert(s.begin(), char('A' + n % 26));
    n /= 26;
  } while (n > 0);
  return s;
}

std::string Printer::id_for_key(const void* key) {
  auto [it, fresh] = ids_.emplace(key, int(ids_.size()));
  return "[id " + id_text(it->second) + "]";
}

// A node's outputs share the node's id, as in Theano; leaves have their own.
std::string Printer::id_of(const Var* v) {
  return id_for_key(v->owner ? static_cast<const void*>(v->owner) : static_cast<const void*>(v));
}

std::string Printer::leaf_text(const Var& v, const std::string& shown_name) {
  std::string label, role;
  switch (v.kind) {
    case VarKind::Constant: label = constant_label(v); break;
    case VarKind::Shared: role = " (shared)"; break;
    case VarKind::Param: {
      auto it = roles_.find(&v);
      role = it == roles_.end() ? " (parameter)" : " (" + it->second.role + ")";
      if (it != roles_.end() && it->second.outer) role += " -> " + id_of(it->second.outer);
      break;
    }
    default: break;
  }
  if (label.empty()) label = v.name.empty() ? "<" + v.type.str() + ">" : v.name;
  std::string named;
  bool show = v.kind == VarKind::Constant ? is_informative_constant_name(shown_name) : shown_name != v.name;
  if (show && !shown_name.empty()) named = " '" + shown_name + "'";
  return label + " " + id_of(&v) + named + " " + v.type.str() + role;
}

std::string Printer::line(const Var* v, const std::string& shown_name) {
  if (!v) return "<null>";
  if (!v->owner) return leaf_text(*v, shown_name);
  const Node& n = *v->owner;
  std::string label = node_label(n);
  if (n.outputs.size() > 1) label += "." + std::to_string(v->index);
  std::string named = shown_name.empty() ? "" : " '" + shown_name + "'";
  return label + " " + id_of(v) + named + " " + v->type.str();
}

void Printer::drain(std::vector<Frame>& stack, const std::string& root_name, const std::string& margin,
                    std::deque<Var*>& continued) {
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    std::string prefix = margin;
    for (int d = 0; d < f.depth; ++d) prefix += " |";
    bool is_root = f.depth == 0;
    out_ += prefix + line(f.var, is_root ? root_name : (f.var ? f.var->name : ""));
    Node* n = f.var ? f.var->owner : nullptr;
    if (n && !expanded_.count(n) && f.depth >= kMaxPrintDepth) {
      out_ += " (continued below)";
      continued.push_back(f.var);
      n = nullptr;
    }
    out_ += "\n";
    if (!n || !expanded_.insert(n).second) continue;
    if (n->op == Op::Scan && n->scan && n->scan->body) scans_.push_back(n);
    // Reversed, so that the stack pops inputs in their order.
    for (size_t k = n->inputs.size(); k-- > 0;) stack.push_back({n->inputs[k], f.depth + 1});
  }
}

void Printer::print_tree(Var* root, const std::string& root_name, const std::string& margin) {
  std::deque<Var*> continued;
  std::vector<Frame> stack{{root, 0}};
  drain(stack, root_name, margin, continued);
  while (!continued.empty()) {
    Var* v = continued.front();
    continued.pop_front();
    stack.push_back({v, 0});
    drain(stack, v->name, margin, continued);
  }
}

void Printer::print_inner_graph(const Node& scan) {
  const Graph& body = *scan.scan->body;
  std::vector<ParamRole> roles = scan_param_roles(scan);
  for (size_t k = 0; k < body.params.size() && k < roles.size(); ++k) roles_[body.params[k]] = roles[k];
  out_ += node_label(scan) + " " + id_for_key(&scan) + "\n";
  for (Var* v : body.outputs) print_tree(v, v ? v->name : "", " >");
}

std::string Printer::run(const std::vector<Var*>& outputs, const std::vector<std::string>& names) {
  for (size_t k = 0; k < outputs.size(); ++k) {
    Var* v = outputs[k];
    std::string name = k < names.size() && !names[k].empty() ? names[k] : (v ? v->name : "");
    print_tree(v, name, "");
  }
  // Printing a body can find nested scans; they are appended and printed in turn.
  for (size_t k = 0; k < scans_.size(); ++k) {
    out_ += k == 0 ? "\nInner graphs:\n\n" : "\n";
    print_inner_graph(*scans_[k]);
  }
  return std::move(out_);
}

}  // namespace

std::string node_label(const Node& n) {
  std::string a = attrs_text(n);
  std::string name(op_name(n.op));
  return a.empty() ? name : name + "{" + a + "}";
}

std::string constant_label(const Var& v) {
  const Tensor* t = v.constant_tensor();
  if (!t) return "Constant{" + v.type.str() + "}";
  if (t->size() <= kMaxShownElements) return "TensorConstant{" + nested_text(*t) + "}";
  if (all_equal(*t)) return "TensorConstant{" + shape_str(t->shape()) + " of " + element_text(*t, 0) + "}";
  return "TensorConstant{...}";
}

std::vector<ParamRole> scan_param_roles(const Node& scan) {
  std::vector<ParamRole> roles;
  if (!scan.scan) return roles;
  const ScanInfo& s = *scan.scan;
  auto input = [&](int k) { return k >= 0 && size_t(k) < scan.inputs.size() ? scan.inputs[size_t(k)] : nullptr; };
  for (int q = 0; q < s.n_seqs(); ++q)
    for (int tap : s.seq_taps[size_t(q)])
      roles.push_back({"sequence " + std::to_string(q) + ", tap " + std::to_string(tap), input(s.seq_input(q))});
  for (int o = 0; o < s.n_outs(); ++o)
    for (int tap : s.out_taps[size_t(o)])
      roles.push_back({"output " + std::to_string(o) + ", tap " + std::to_string(tap), input(s.init_input(o))});
  for (int k = 0; k < s.n_shared; ++k) roles.push_back({"shared state " + std::to_string(k), input(s.shared_input(k))});
  for (int k = 0; k < s.n_nonseq; ++k) roles.push_back({"non-sequence " + std::to_string(k), input(s.nonseq_input(k))});
  return roles;
}

std::string debugprint(const std::vector<Var*>& outputs, const std::vector<std::string>& names) {
  return Printer().run(outputs, names);
}

}  // namespace tgc
