// to_dot: Graphviz source, with scan bodies as clusters.
#include "ir/dot.h"

#include <unordered_map>
#include <unordered_set>

#include "ir/printer.h"

namespace tgc {

namespace {

// A DOT string literal: quotes and backslashes escaped, control characters
// dropped (a newline in a name would otherwise end the label's line).
std::string quoted(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    r += c;
  }
  return r + "\"";
}

// Labels are built from parts joined by DOT's centered line break.
std::string label_attr(const std::vector<std::string>& lines) {
  std::string joined;
  for (const std::string& l : lines) {
    if (l.empty()) continue;
    std::string q = quoted(l);
    joined += (joined.empty() ? "" : "\\n") + q.substr(1, q.size() - 2);
  }
  return "label=\"" + joined + "\"";
}

// Nodes reachable from `roots` without entering scan bodies, inputs before
// the nodes that read them. Iterative, and safe on cycles (each node once).
std::vector<const Node*> collect_nodes(const std::vector<Var*>& roots) {
  std::vector<const Node*> order;
  std::unordered_set<const Node*> seen;
  std::vector<std::pair<const Node*, size_t>> stack;
  for (const Var* r : roots) {
    if (!r || !r->owner || !seen.insert(r->owner).second) continue;
    stack.push_back({r->owner, 0});
    while (!stack.empty()) {
      auto& [n, k] = stack.back();
      if (k < n->inputs.size()) {
        const Var* in = n->inputs[k++];
        if (in && in->owner && seen.insert(in->owner).second) stack.push_back({in->owner, 0});
      } else {
        order.push_back(n);
        stack.pop_back();
      }
    }
  }
  return order;
}

class DotWriter {
 public:
  std::string run(const std::vector<Var*>& outputs, const std::vector<std::string>& names);

 private:
  // Emits the declarations of one scope; a scan's body becomes a nested
  // cluster. Recurses once per level of scan nesting, which the loader bounds.
  void emit_scope(const std::vector<Var*>& roots, const std::string& indent);
  void emit_scan_body(const Node& scan, const std::string& indent);
  void emit_node(const Node& n, const std::string& indent);
  void declare_var(const Var* v, const std::string& indent, const std::string& role = "");
  std::string var_id(const Var* v);
  std::string node_id(const Node* n);

  std::unordered_map<const void*, int> ids_;
  std::unordered_set<const Var*> declared_;
  std::unordered_map<const Var*, std::string> output_names_;
  int clusters_ = 0;
  std::string decls_;
  std::string edges_;  // after every declaration, so no edge places a node in a cluster
};

std::string DotWriter::var_id(const Var* v) {
  auto [it, fresh] = ids_.emplace(v, int(ids_.size()));
  return "v" + std::to_string(it->second);
}

std::string DotWriter::node_id(const Node* n) {
  auto [it, fresh] = ids_.emplace(n, int(ids_.size()));
  return "n" + std::to_string(it->second);
}

std::string var_style(const Var& v, bool is_output) {
  if (is_output) return "style=filled, fillcolor=lightblue";
  switch (v.kind) {
    case VarKind::Input: return "style=filled, fillcolor=palegreen";
    case VarKind::Shared: return "style=filled, fillcolor=lightsalmon";
    case VarKind::Constant: return "style=filled, fillcolor=lightgrey";
    case VarKind::Param: return "style=filled, fillcolor=lightyellow";
    case VarKind::NodeOutput: break;
  }
  return "style=solid";
}

void DotWriter::declare_var(const Var* v, const std::string& indent, const std::string& role) {
  if (!v || !declared_.insert(v).second) return;
  auto out = output_names_.find(v);
  std::string name = out != output_names_.end() ? out->second : v->name;
  std::vector<std::string> lines;
  if (v->kind == VarKind::Constant) lines.push_back(constant_label(*v));
  if (v->kind != VarKind::Constant || name != v->name) lines.push_back(name);
  lines.push_back(v->type.str());
  if (!role.empty()) lines.push_back("(" + role + ")");
  decls_ += indent + var_id(v) + " [shape=ellipse, " + label_attr(lines) + ", " +
            var_style(*v, out != output_names_.end()) + "];\n";
}

void DotWriter::emit_node(const Node& n, const std::string& indent) {
  std::string id = node_id(&n);
  decls_ += indent + id + " [shape=box, " + label_attr({node_label(n)}) + "];\n";
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const Var* in = n.inputs[k];
    if (!in) continue;
    declare_var(in, indent);
    std::string label = n.inputs.size() > 1 ? " [label=\"" + std::to_string(k) + "\"]" : "";
    edges_ += "  " + var_id(in) + " -> " + id + label + ";\n";
  }
  for (size_t k = 0; k < n.outputs.size(); ++k) {
    const Var* out = n.outputs[k];
    if (!out) continue;
    declare_var(out, indent);
    std::string label = n.outputs.size() > 1 ? " [label=\"." + std::to_string(k) + "\"]" : "";
    edges_ += "  " + id + " -> " + var_id(out) + label + ";\n";
  }
  if (n.op == Op::Scan && n.scan && n.scan->body) emit_scan_body(n, indent);
}

void DotWriter::emit_scan_body(const Node& scan, const std::string& indent) {
  const Graph& body = *scan.scan->body;
  std::string inner = indent + "  ";
  decls_ += indent + "subgraph cluster_" + std::to_string(clusters_++) + " {\n";
  decls_ += inner + label_attr({"scan body " + scan.path}) + ";\n" + inner + "style=dashed;\n";
  std::vector<ParamRole> roles = scan_param_roles(scan);
  for (size_t k = 0; k < body.params.size(); ++k) {
    const Var* p = body.params[k];
    const ParamRole* r = k < roles.size() ? &roles[k] : nullptr;
    declare_var(p, inner, r ? r->role : "parameter");
    if (p && r && r->outer) edges_ += "  " + var_id(r->outer) + " -> " + var_id(p) + " [style=dashed];\n";
  }
  emit_scope(body.outputs, inner);
  decls_ += indent + "}\n";
  // Body output k feeds scan output k (stacked outputs, then shared states);
  // the `until` condition, last, feeds the loop itself.
  for (size_t k = 0; k < body.outputs.size(); ++k) {
    const Var* b = body.outputs[k];
    if (!b) continue;
    if (k < scan.outputs.size() && scan.outputs[k])
      edges_ += "  " + var_id(b) + " -> " + var_id(scan.outputs[k]) + " [style=dashed];\n";
    else
      edges_ += "  " + var_id(b) + " -> " + node_id(&scan) + " [style=dashed, label=\"until\"];\n";
  }
}

void DotWriter::emit_scope(const std::vector<Var*>& roots, const std::string& indent) {
  for (const Node* n : collect_nodes(roots)) emit_node(*n, indent);
  for (const Var* r : roots) declare_var(r, indent);  // roots that no node produces
}

std::string DotWriter::run(const std::vector<Var*>& outputs, const std::vector<std::string>& names) {
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (!outputs[k]) continue;
    std::string name = k < names.size() && !names[k].empty() ? names[k] : outputs[k]->name;
    output_names_.emplace(outputs[k], name);
  }
  emit_scope(outputs, "  ");
  return "digraph tgc {\n  node [fontname=\"Helvetica\"];\n" + decls_ + edges_ + "}\n";
}

}  // namespace

std::string to_dot(const std::vector<Var*>& outputs, const std::vector<std::string>& names) {
  return DotWriter().run(outputs, names);
}

}  // namespace tgc
