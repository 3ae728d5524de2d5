#include "codegen/profile_emit.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "ir/error.h"
#include "ir/printer.h"

namespace tgc {

namespace {

std::mutex g_mutex;
std::unordered_map<const EmitContext*, NodeProfiler*> g_attached;

std::string shorten(std::string s, size_t max) {
  for (char& ch : s)
    if (ch == '\n') ch = ' ';
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

std::string arg_label(const Var* v) {
  if (v->is_constant()) return constant_label(*v);
  if (!v->name.empty()) return v->name;
  if (v->owner) return node_label(*v->owner) + "." + std::to_string(v->index);
  return "?";
}

// One letter per tensor output: created (its own slot), in place (written
// into an input's buffer), view (shares another value's storage).
char output_kind(const EmitContext& c, const Node& n, size_t k) {
  const Var* out = n.outputs[k];
  if (!c.views.is_view(out)) return 'c';
  return n.attrs->inplace >= 0 && k == 0 ? 'i' : 'v';
}

}  // namespace

std::string family_name(OpFamily f) {
  switch (f) {
    case OpFamily::Elemwise: return "elemwise";
    case OpFamily::Cast: return "cast";
    case OpFamily::Shape: return "shape";
    case OpFamily::Index: return "index";
    case OpFamily::Reduce: return "reduce";
    case OpFamily::Linalg: return "linalg";
    case OpFamily::Sparse: return "sparse";
    case OpFamily::Neural: return "neural";
    case OpFamily::Random: return "random";
    case OpFamily::Check: return "check";
    case OpFamily::Control: return "control";
    case OpFamily::Grad: return "grad";
    case OpFamily::Fused: return "fused";
  }
  return "?";
}

std::string apply_label(const Node& n) {
  std::string s = shorten(node_label(n), 80) + "(";
  for (size_t k = 0; k < n.inputs.size(); ++k) s += (k ? ", " : "") + shorten(arg_label(n.inputs[k]), 48);
  return shorten(s + ")", 200);
}

void NodeProfiler::begin(EmitContext& c, const Node& n) {
  ProfiledNode p;
  p.index = int(nodes_.size());
  p.parent = open_.empty() ? -1 : open_.back();
  p.depth = int(open_.size());
  p.path = n.path;
  p.op = shorten(node_label(n), 160);
  p.op_type = std::string(op_name(n.op));
  p.family = family_name(op_info(n.op).family);
  p.apply = apply_label(n);
  for (size_t k = 0; k < n.outputs.size(); ++k)
    if (n.outputs[k]->type.is_tensor()) p.outputs += output_kind(c, n, k);
  nodes_.push_back(p);
  open_.push_back(p.index);
  c.w.line("const uint64_t tgc_prof_t" + std::to_string(p.index) + " = tgc::prof::now();");
}

void NodeProfiler::end(EmitContext& c, const Node& n) {
  if (open_.empty()) throw internal_error("codegen: profiling: a node ended that did not begin");
  int idx = open_.back();
  open_.pop_back();
  std::string counter = "tgc_prof[" + std::to_string(idx) + "]";
  c.w.line("tgc::prof::stop(" + counter + ", tgc_prof_t" + std::to_string(idx) + ");");
  // Output sizes, outside the timed statements.
  std::string bytes[3];
  for (size_t k = 0; k < n.outputs.size(); ++k) {
    const Var* out = n.outputs[k];
    if (!out->type.is_tensor()) continue;
    char kind = output_kind(c, n, k);
    int slot = kind == 'c' ? 0 : kind == 'i' ? 1 : 2;
    std::string term = "int64_t(sizeof(" + EmitContext::ctype(out) + ")) * tgc::rt::numel(" + c.name(out) + ")";
    bytes[slot] += (bytes[slot].empty() ? "" : " + ") + term;
  }
  for (int j = 0; j < 3; ++j)
    if (!bytes[j].empty()) c.w.line(counter + ".bytes[" + std::to_string(j) + "] = " + bytes[j] + ";");
}

namespace {

std::string quoted(const std::string& s) { return "\"" + c_string(s) + "\""; }

}  // namespace

std::vector<std::string> profile_tables(const std::vector<ProfiledFunction>& fns) {
  std::vector<std::string> lines;
  for (const ProfiledFunction& f : fns) {
    if (f.nodes.empty()) {
      lines.push_back("const tgc::prof::NodeInfo* const kProf_" + f.member + " = nullptr;");
    } else {
      lines.push_back("const tgc::prof::NodeInfo kProf_" + f.member + "[] = {");
      for (const ProfiledNode& n : f.nodes)
        lines.push_back("    tgc::prof::NodeInfo{" + std::to_string(n.index) + ", " + std::to_string(n.parent) + ", " +
                        std::to_string(n.depth) + ", " + quoted(n.path) + ", " + quoted(n.op) + ", " + quoted(n.op_type) +
                        ", " + quoted(n.family) + ", " + quoted(n.apply) + ", " + quoted(n.outputs) + "},");
      lines.push_back("};");
    }
    std::string v;
    for (size_t k = 0; k < f.slot_values.size(); ++k) v += (k ? ", " : "") + std::to_string(f.slot_values[k]);
    lines.push_back("const int32_t kProfValues_" + f.member + "[" + std::to_string(f.slot_values.size()) + "] = {" + v + "};");
  }
  return lines;
}

std::vector<std::string> profile_members(const std::vector<ProfiledFunction>& fns) {
  std::vector<std::string> lines;
  for (const ProfiledFunction& f : fns) {
    size_t n = std::max<size_t>(f.nodes.size(), 1);
    lines.push_back("tgc::prof::Counter tgc_prof_" + f.member + "[" + std::to_string(n) + "] = {};  // per node");
    lines.push_back("tgc::prof::Counter tgc_prof_" + f.member + "_fn = {};  // the whole function");
  }
  return lines;
}

std::string profile_exports(const std::string& prefix, const std::vector<ProfiledFunction>& fns) {
  CodeWriter w;
  auto each = [&](const std::string& body) {
    for (const ProfiledFunction& f : fns) {
      std::string b = body;
      for (size_t at; (at = b.find("$F")) != std::string::npos;) b.replace(at, 2, f.member);
      for (size_t at; (at = b.find("$N")) != std::string::npos;) b.replace(at, 2, std::to_string(f.nodes.size()));
      for (size_t at; (at = b.find("$B")) != std::string::npos;) b.replace(at, 2, std::to_string(f.slot_values.size()));
      w.line("if (std::strcmp(function, " + quoted(f.name) + ") == 0) " + b);
    }
  };
  w.line("// Profiling counters (generated with --profile; see tgc/profile.h).");
  w.open("int " + prefix + "_profile(" + prefix + "_model* m, const char* function, tgc_profile_record* records, int capacity)");
  w.line("if (!m || !function) return -1;");
  each("return tgc::prof::fill(kProf_$F, m->tgc_prof_$F, $N, records, capacity);");
  w.line("return -1;");
  w.close();
  w.blank();
  w.open("int " + prefix + "_profile_function(" + prefix + "_model* m, const char* function, tgc_profile_function* out)");
  w.line("if (!m || !function || !out) return -1;");
  each("{ out->calls = m->tgc_prof_$F_fn.calls; out->ns = m->tgc_prof_$F_fn.ns; out->n_nodes = $N; out->n_buffers = $B; return 0; }");
  w.line("return -1;");
  w.close();
  w.blank();
  w.open("int " + prefix + "_profile_buffers(" + prefix + "_model* m, const char* function, tgc_profile_buffer* buffers, int capacity)");
  w.line("if (!m || !function) return -1;");
  each("return tgc::prof::fill_buffers(m->ws_$F, kProfValues_$F, $B, buffers, capacity);");
  w.line("return -1;");
  w.close();
  return w.take();
}

std::string profile_decls(const std::string& prefix) {
  std::string m = prefix + "_model* m";
  return "/* Profiling counters (generated with --profile; see tgc/profile.h). */\n"
         "struct tgc_profile_record;\nstruct tgc_profile_function;\nstruct tgc_profile_buffer;\n"
         "int " + prefix + "_profile(" + m + ", const char* function, struct tgc_profile_record* records, int capacity);\n"
         "int " + prefix + "_profile_function(" + m + ", const char* function, struct tgc_profile_function* out);\n"
         "int " + prefix + "_profile_buffers(" + m + ", const char* function, struct tgc_profile_buffer* buffers, int capacity);\n";
}

NodeProfiler* node_profiler(const EmitContext& c) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_attached.find(&c);
  return it == g_attached.end() ? nullptr : it->second;
}

AttachProfiler::AttachProfiler(const EmitContext& c, NodeProfiler& p) : c_(&c) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_attached[c_] = &p;
}

AttachProfiler::~AttachProfiler() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_attached.erase(c_);
}

}  // namespace tgc
