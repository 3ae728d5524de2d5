// The CPU target: the module's header, its model struct (shared variables and
// workspaces), create/destroy, shared-variable access, and one entry point
// per function (inputs checked and bound, nodes, outputs, updates).
#include "codegen/cpu_target.h"

#include <algorithm>
#include <optional>
#include <set>

#include "codegen/emit_context.h"
#include "codegen/emit_control.h"
#include "codegen/profile_emit.h"
#include "codegen/templates.h"
#include "ir/error.h"
#include "passes/memory_plan.h"
#include "passes/schedule.h"
#include "passes/views.h"

namespace tgc {

std::string symbol_prefix(const std::string& module_name) {
  std::string s = sanitize(module_name, 48);
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "g" + s;
  return "tgc_" + s;
}

namespace {

std::string shape_array(const Type& t) {
  std::string s = "{";
  for (int d = 0; d < std::max(t.ndim(), 1); ++d) s += (d ? ", " : "") + std::to_string(d < t.ndim() ? t.shape[size_t(d)] : 0);
  return s + "}";
}

// Member name of a shared variable in the model struct.
std::string shared_member(const Var* v, size_t index) { return "sh" + std::to_string(index) + "_" + sanitize(v->name); }

// Number of C-ABI tensors an input takes (a CSR matrix takes four).
int abi_width(const Var* v) { return v->type.kind == TypeKind::Csr ? 4 : 1; }

std::string signature_comment(const FunctionGraph& fg) {
  std::string s = "/* " + fg.name + "(";
  for (size_t k = 0; k < fg.inputs.size(); ++k)
    s += (k ? ", " : "") + fg.inputs[k]->name + ": " + fg.inputs[k]->type.str();
  s += ") -> (";
  for (size_t k = 0; k < fg.outputs.size(); ++k)
    s += (k ? ", " : "") + fg.output_names[k] + ": " + fg.outputs[k]->type.str();
  s += ")";
  if (!fg.updates.empty()) {
    s += "; updates";
    for (auto& u : fg.updates) s += " " + u.first->name;
  }
  return s + " */";
}

class FunctionEmitter {
 public:
  FunctionEmitter(const FunctionGraph& fg, const std::string& prefix, FileScope& file_scope, bool profile = false)
      : fg_(fg), prefix_(prefix), views_(fg.graph.get()), plan_(fg.graph.get()), c_(body_, views_, plan_, fg.graph.get()),
        profile_(profile) {
    body_.indent();  // the body sits inside the entry point's braces
    // Up to a kilobyte of C++ per node (about 920 bytes for the broadcasting
    // float32 expressions of the compile-time benchmark), reserved once:
    // growing the text of a large graph copies it again at each step, and
    // the last function's buffer is a part of the source as it is
    // (SourceText). Pages of the reserve never written are never touched.
    body_.reserve(fg.graph->nodes().size() * 1024);
    c_.file_scope = &file_scope;
  }

  // The text of an entry point: its signature and checks, the body, the end.
  struct EntryPoint {
    std::string head, body, tail;
    size_t size() const { return head.size() + body.size() + tail.size(); }
  };

  // Emits the entry point; returns its text. `n_slots` receives the workspace size.
  EntryPoint emit(int& n_slots) {
    std::vector<Var*> roots = fg_.roots();
    Schedule s = schedule_scope(roots);
    plan_scope_memory(s, views_, roots, plan_);
    bind_inputs();
    bind_leaves(s);
    std::optional<AttachProfiler> attach;
    if (profile_) attach.emplace(c_, prof_);
    emit_scope(c_, s, 0);
    emit_outputs();
    emit_updates();
    n_slots = std::max(plan_.n_slots, 1);

    CodeWriter w;
    w.line(signature_comment(fg_));
    w.open("int " + prefix_ + "_" + sanitize(fg_.name, 64) + "(" + prefix_ +
           "_model* m, const tgc_tensor* in, int n_in, tgc_tensor* out, int n_out, tgc_status* st)");
    w.line("if (st) { st->code = TGC_OK; st->message[0] = 0; }");
    w.line("if (!m) return tgc::rt::fail(st, TGC_USAGE, \"" + c_format_string(fg_.name) + ": null model\");");
    w.line("if (n_in != " + std::to_string(n_abi_inputs_) + ") return tgc::rt::fail(st, TGC_USAGE, \"" +
           c_format_string(fg_.name) + ": expected " + std::to_string(n_abi_inputs_) + " input tensors, got %d\", n_in);");
    w.line("if (n_out != " + std::to_string(fg_.outputs.size()) + ") return tgc::rt::fail(st, TGC_USAGE, \"" +
           c_format_string(fg_.name) + ": expected " + std::to_string(fg_.outputs.size()) + " outputs, got %d\", n_out);");
    w.line("if ((n_in > 0 && !in) || (n_out > 0 && !out)) return tgc::rt::fail(st, TGC_USAGE, \"" +
           c_format_string(fg_.name) + ": null tensor array\");");
    w.line("tgc::rt::Buffer* " + c_.ws + " = m->ws_" + sanitize(fg_.name, 64) + ";");
    w.line("(void)" + c_.ws + ";");
    for (const std::string& d : c_.decls) w.line(d);
    std::string counters = "m->tgc_prof_" + sanitize(fg_.name, 64);
    if (profile_) {
      w.line("tgc::prof::Counter* const tgc_prof = " + counters + ";");
      w.line("(void)tgc_prof;");
      w.line("const uint64_t tgc_prof_t = tgc::prof::now();");
    }
    EntryPoint e;
    e.head = w.take();
    e.body = body_.take();  // moved, not copied: it is most of the output
    CodeWriter tail;
    tail.indent();
    if (profile_) tail.line("tgc::prof::stop(" + counters + "_fn, tgc_prof_t);");
    tail.line("return TGC_OK;");
    tail.dedent();
    tail.line("}");
    e.tail = tail.take();
    return e;
  }

  int n_abi_inputs() const { return n_abi_inputs_; }
  // After emit(), with profiling: the nodes in emission order, and how many
  // values the memory plan keeps in each workspace slot (0: scratch).
  const std::vector<ProfiledNode>& profiled_nodes() const { return prof_.nodes(); }
  std::vector<int> slot_values(int n_slots) const {
    std::vector<int> n(size_t(n_slots), 0);
    plan_.slot.for_each_value([&](int slot) {
      if (slot >= 0 && slot < n_slots) ++n[size_t(slot)];
    });
    return n;
  }

 private:
  void bind_inputs() {
    body_.line("// inputs");
    int pos = 0;
    for (const Var* v : fg_.inputs) {
      const std::string& nm = c_.name(v);
      std::string quoted = "\"" + c_string(v->name) + "\"";
      if (v->type.kind == TypeKind::Csr) {
        int a = plan_.new_scratch(), b = plan_.new_scratch();
        body_.line("if (int rc = tgc::rt::bind_csr(st, in + " + std::to_string(pos) + ", " +
                   EmitContext::dtype_enum(v->type.dtype) + ", " + quoted + ", " + nm + ", " + c_.ws + "[" +
                   std::to_string(a) + "], " + c_.ws + "[" + std::to_string(b) + "])) return rc;");
      } else {
        body_.open("");
        body_.line("static const int64_t declared[] = " + shape_array(v->type) + ";");
        body_.line("if (int rc = tgc::rt::bind_input(st, in[" + std::to_string(pos) + "], " +
                   EmitContext::dtype_enum(v->type.dtype) + ", declared, " + quoted + ", " + nm + ")) return rc;");
        body_.close();
      }
      pos += abi_width(v);
    }
    n_abi_inputs_ = pos;
  }

  // Shared variables and constants read anywhere in the function.
  void bind_leaves(const Schedule& s) {
    std::set<const Var*> leaves;
    auto add = [&](const Var* v) {
      if (v->kind == VarKind::Shared || v->kind == VarKind::Constant) leaves.insert(v);
    };
    for (const Var* v : s.leaves) add(v);
    for (const Var* r : fg_.roots()) add(r);
    body_.line("// shared variables and constants");
    for (size_t k = 0; k < fg_.shared.size(); ++k) {
      const Var* v = fg_.shared[k];
      if (!leaves.count(v)) continue;
      std::string member = "m->" + shared_member(v, k);
      if (v->type.kind == TypeKind::Rng) body_.line(c_.name(v) + " = " + member + ";");
      else body_.line(c_.name(v) + " = tgc::rt::shared_view<" + EmitContext::ctype(v) + ", " +
                      std::to_string(v->type.ndim()) + ">(" + member + ");");
    }
    std::vector<const Var*> consts;
    for (const Var* v : leaves)
      if (v->kind == VarKind::Constant) consts.push_back(v);
    std::sort(consts.begin(), consts.end(), [](const Var* a, const Var* b) { return a->id < b->id; });
    for (const Var* v : consts) c_.bind_constant(v);
  }

  void emit_outputs() {
    body_.line("// outputs (owned by the model until its next call)");
    for (size_t k = 0; k < fg_.outputs.size(); ++k) {
      const Var* v = fg_.outputs[k];
      std::string o = "out[" + std::to_string(k) + "]";
      if (v->type.kind == TypeKind::Rng) {
        std::string p = c_.temp("rngw");
        c_.alloc_scratch(p, "uint64_t", "3", fg_.path);
        body_.line("tgc::rng_to_words(" + c_.name(v) + ", " + p + ");");
        body_.line(o + ".dtype = TGC_UINT64; " + o + ".ndim = 1; " + o + ".shape[0] = 3; " + o + ".data = " + p + ";");
        continue;
      }
      if (v->type.kind != TypeKind::Tensor) throw internal_error("codegen: a sparse matrix cannot be an output");
      std::string src = c_.name(v);
      if (plan_.slot_of(v) < 0) {
        // Inputs, shared variables, constants and views get a copy the model owns.
        std::string t = c_.temp("outcopy");
        std::string p = t + "_p";
        c_.alloc_scratch(p, EmitContext::ctype(v), "tgc::rt::numel(" + src + ")", fg_.path);
        body_.line("tgc::rt::copy_to_contiguous(" + src + ", " + p + ");");
        body_.line(EmitContext::view_type(v) + " " + t + " = " + src + ";");
        body_.line(t + ".p = " + p + ";");
        src = t;
      }
      body_.line("tgc::rt::set_output(" + o + ", " + EmitContext::dtype_enum(v->type.dtype) + ", " + src + ");");
    }
  }

  // All outputs are computed: stage values that live outside the workspace,
  // reserve every shared buffer, then assign (nothing can fail after reserving).
  void emit_updates() {
    if (fg_.updates.empty()) return;
    body_.line("// updates, applied together after the outputs");
    std::vector<std::string> values;
    for (auto& [sv, nv] : fg_.updates) {
      std::string src = c_.name(nv);
      if (nv->type.kind == TypeKind::Tensor && plan_.slot_of(nv) < 0) {
        std::string t = c_.temp("staged");
        std::string p = t + "_p";
        c_.alloc_scratch(p, EmitContext::ctype(nv), "tgc::rt::numel(" + src + ")", fg_.path);
        body_.line("tgc::rt::copy_to_contiguous(" + src + ", " + p + ");");
        body_.line(EmitContext::view_type(nv) + " " + t + " = " + src + ";");
        body_.line(t + ".p = " + p + ";");
        body_.line("tgc::rt::set_contiguous_strides(" + t + ");");
        src = t;
      }
      values.push_back(src);
    }
    for (size_t k = 0; k < fg_.updates.size(); ++k) {
      const Var* sv = fg_.updates[k].first;
      if (sv->type.kind != TypeKind::Tensor) continue;
      size_t idx = size_t(std::find(fg_.shared.begin(), fg_.shared.end(), sv) - fg_.shared.begin());
      body_.line("if (!tgc::rt::reserve_shared(m->" + shared_member(sv, idx) + ", tgc::rt::numel(" + values[k] +
                 ") * int64_t(sizeof(" + EmitContext::ctype(sv) + ")))) " +
                 c_.fail(fg_.path, "out of memory applying the update of " + c_format_string(sv->name)));
    }
    for (size_t k = 0; k < fg_.updates.size(); ++k) {
      const Var* sv = fg_.updates[k].first;
      size_t idx = size_t(std::find(fg_.shared.begin(), fg_.shared.end(), sv) - fg_.shared.begin());
      std::string member = "m->" + shared_member(sv, idx);
      if (sv->type.kind == TypeKind::Rng) body_.line(member + " = " + values[k] + ";");
      else body_.line("tgc::rt::assign_shared(" + member + ", " + values[k] + ");");
    }
  }

  const FunctionGraph& fg_;
  std::string prefix_;
  CodeWriter body_;
  ViewInfo views_;
  MemoryPlan plan_;
  EmitContext c_;
  int n_abi_inputs_ = 0;
  bool profile_ = false;
  NodeProfiler prof_;
};

std::string initial_value_array(const Tensor& t, const std::string& name) {
  std::string s = "const " + std::string(dtype_ctype(t.dtype())) + " " + name + "[" + std::to_string(std::max<int64_t>(t.size(), 1)) + "] = {";
  for (int64_t i = 0; i < t.size(); ++i) {
    if (i) s += ", ";
    if (i % 8 == 0 && t.size() > 8) s += "\n    ";
    s += c_literal(t, i);
  }
  return s + "};";
}

}  // namespace

GeneratedUnit generate_cpu(const Module& m, const std::vector<const FunctionGraph*>& fns, const CodegenOptions& opt) {
  GeneratedUnit u;
  u.prefix = symbol_prefix(m.name);
  u.stem = sanitize(m.name, 64);
  if (u.stem.empty()) u.stem = "graph";
  std::vector<const Var*> shared = fns.empty() ? std::vector<const Var*>{} : std::vector<const Var*>(fns[0]->shared.begin(), fns[0]->shared.end());

  FileScope file_scope;
  std::vector<FunctionEmitter::EntryPoint> entry_points;
  std::vector<std::string> decls, methods, workspaces;
  int n_nodes = 0;
  std::vector<ProfiledFunction> profiled;
  for (const FunctionGraph* fg : fns) {
    FunctionEmitter fe(*fg, u.prefix, file_scope, opt.profile);
    int n_slots = 0;
    entry_points.push_back(fe.emit(n_slots));
    std::string fname = sanitize(fg->name, 64);
    if (opt.profile) profiled.push_back({fg->name, fname, fe.profiled_nodes(), fe.slot_values(n_slots)});
    workspaces.push_back("  tgc::rt::Buffer ws_" + fname + "[" + std::to_string(n_slots) + "];");
    decls.push_back(signature_comment(*fg) + "\nint " + u.prefix + "_" + fname + "(" + u.prefix +
                    "_model* m, const tgc_tensor* in, int n_in, tgc_tensor* out, int n_out, tgc_status* st);");
    methods.push_back("  int " + fname + "(const tgc_tensor* in, int n_in, tgc_tensor* out, int n_out, tgc_status* st) { return " +
                      u.prefix + "_" + fname + "(m_, in, n_in, out, n_out, st); }");
    n_nodes += int(fg->graph->nodes().size());
  }

  std::string fdecls, cmethods;
  for (auto& d : decls) fdecls += d + "\n";
  for (auto& d : methods) cmethods += d + "\n";
  if (opt.profile) fdecls += profile_decls(u.prefix);
  std::string guard = "TGC_GENERATED_" + u.stem + "_H";
  for (char& ch : guard) ch = char(std::toupper(ch));
  u.header = render_template("cpu_header.h.in", {{"source", m.file},
                                                 {"graph", c_string(m.name)},
                                                 {"stem", u.stem},
                                                 {"guard", guard},
                                                 {"prefix", u.prefix},
                                                 {"namespace", u.prefix},
                                                 {"function_decls", fdecls},
                                                 {"cpp_methods", cmethods}});

  CodeWriter w;
  Mode mode = fns.empty() ? Mode::FastRun : fns[0]->mode;
  w.raw(render_template("cpu_source_prologue.cpp.in",
                        {{"source", m.file},
                         {"graph", c_string(m.name)},
                         {"stem", u.stem},
                         {"mode", std::string(mode_name(mode))},
                         {"summary", std::to_string(fns.size()) + " function(s), " + std::to_string(n_nodes) + " nodes"}}));
  if (opt.profile) w.line("#include <tgc/profile.h>");

  // Initial values of shared variables.
  std::vector<std::string> inits;
  for (size_t k = 0; k < shared.size(); ++k) {
    const Var* v = shared[k];
    std::string nm = "kInit" + std::to_string(k);
    if (const auto* r = std::get_if<RngState>(v->value().get())) {
      uint64_t words[3];
      rng_to_words(*r, words);
      inits.push_back("const uint64_t " + nm + "[3] = {" + std::to_string(words[0]) + "ull, " + std::to_string(words[1]) +
                      "ull, " + std::to_string(words[2]) + "ull};");
    } else if (const auto* t = std::get_if<Tensor>(v->value().get())) {
      inits.push_back(initial_value_array(*t, nm));
    }
  }
  w.blank();
  w.line("namespace {");
  for (const std::string& s : inits) w.line(s);
  for (const std::string& s : file_scope.defs) w.line(s);
  if (opt.profile)
    for (const std::string& s : profile_tables(profiled)) w.line(s);
  w.line("}  // namespace");
  w.blank();

  // The model: shared variables and one workspace per function.
  w.open("struct " + u.prefix + "_model");
  for (size_t k = 0; k < shared.size(); ++k) {
    const Var* v = shared[k];
    w.line(std::string(v->type.kind == TypeKind::Rng ? "tgc::RngState " : "tgc::rt::SharedTensor ") +
           shared_member(v, k) + "{};  // " + v->name + ": " + v->type.str());
    if (v->type.kind == TypeKind::Rng) w.line("uint64_t " + shared_member(v, k) + "_words[3] = {};");
  }
  for (const std::string& s : workspaces) w.raw(s + "\n");
  if (opt.profile)
    for (const std::string& s : profile_members(profiled)) w.line(s);
  w.close(";");
  w.blank();

  w.line("extern \"C\" {");
  w.blank();
  w.open(u.prefix + "_model* " + u.prefix + "_create(void)");
  w.line(u.prefix + "_model* m = new (std::nothrow) " + u.prefix + "_model();");
  w.line("if (!m) return nullptr;");
  w.line("tgc_status st;");
  w.line("(void)st;");
  for (size_t k = 0; k < shared.size(); ++k) {
    const Var* v = shared[k];
    std::string member = "m->" + shared_member(v, k);
    std::string nm = "kInit" + std::to_string(k);
    if (v->type.kind == TypeKind::Rng) {
      w.line(member + " = tgc::rng_from_words(" + nm + ");");
      continue;
    }
    const Tensor& t = std::get<Tensor>(*v->value());
    w.open("");
    w.line("tgc_tensor t{};");
    w.line("t.dtype = " + EmitContext::dtype_enum(t.dtype()) + ";");
    w.line("t.ndim = " + std::to_string(t.ndim()) + ";");
    for (int d = 0; d < t.ndim(); ++d) w.line("t.shape[" + std::to_string(d) + "] = " + std::to_string(t.shape()[size_t(d)]) + ";");
    w.line("t.data = const_cast<void*>(static_cast<const void*>(" + nm + "));");
    w.line("static const int64_t declared[] = " + shape_array(v->type) + ";");
    w.line("if (tgc::rt::load_shared(&st, " + member + ", t, t.dtype, t.ndim, declared, " +
           std::to_string(dtype_size(t.dtype())) + ", \"" + c_string(v->name) + "\")) { delete m; return nullptr; }");
    w.close();
  }
  w.line("return m;");
  w.close();
  w.blank();
  w.line("void " + u.prefix + "_destroy(" + u.prefix + "_model* m) { delete m; }");
  w.blank();

  // Shared variable access by name.
  w.open("int " + u.prefix + "_get_shared(" + u.prefix + "_model* m, const char* name, tgc_tensor* out, tgc_status* st)");
  w.line("if (!m || !name || !out) return tgc::rt::fail(st, TGC_USAGE, \"get_shared: null argument\");");
  for (size_t k = 0; k < shared.size(); ++k) {
    const Var* v = shared[k];
    std::string member = "m->" + shared_member(v, k);
    w.open("if (std::strcmp(name, \"" + c_string(v->name) + "\") == 0)");
    if (v->type.kind == TypeKind::Rng) {
      w.line("tgc::rng_to_words(" + member + ", " + member + "_words);");
      w.line("out->dtype = TGC_UINT64; out->ndim = 1; out->shape[0] = 3; out->data = " + member + "_words;");
    } else {
      w.line("out->dtype = " + EmitContext::dtype_enum(v->type.dtype) + "; out->ndim = " + std::to_string(v->type.ndim()) + ";");
      w.line("for (int d = 0; d < out->ndim; ++d) out->shape[d] = " + member + ".n[d];");
      w.line("out->data = " + member + ".buf.p;");
    }
    w.line("return TGC_OK;");
    w.close();
  }
  w.line("return tgc::rt::fail(st, TGC_USAGE, \"get_shared: no shared variable %s\", name);");
  w.close();
  w.blank();
  w.open("int " + u.prefix + "_set_shared(" + u.prefix + "_model* m, const char* name, const tgc_tensor* value, tgc_status* st)");
  w.line("if (!m || !name || !value) return tgc::rt::fail(st, TGC_USAGE, \"set_shared: null argument\");");
  for (size_t k = 0; k < shared.size(); ++k) {
    const Var* v = shared[k];
    std::string member = "m->" + shared_member(v, k);
    w.open("if (std::strcmp(name, \"" + c_string(v->name) + "\") == 0)");
    if (v->type.kind == TypeKind::Rng) {
      w.line("if (value->dtype != TGC_UINT64 || value->ndim != 1 || value->shape[0] != 3 || !value->data)");
      w.line("  return tgc::rt::fail(st, TGC_RUNTIME, \"shared %s: a random state is a uint64 vector of 3 words\", name);");
      w.line(member + " = tgc::rng_from_words(static_cast<const uint64_t*>(value->data));");
      w.line("return TGC_OK;");
    } else {
      w.line("static const int64_t declared[] = " + shape_array(v->type) + ";");
      w.line("return tgc::rt::load_shared(st, " + member + ", *value, " + EmitContext::dtype_enum(v->type.dtype) + ", " +
             std::to_string(v->type.ndim()) + ", declared, " + std::to_string(dtype_size(v->type.dtype)) + ", name);");
    }
    w.close();
  }
  w.line("return tgc::rt::fail(st, TGC_USAGE, \"set_shared: no shared variable %s\", name);");
  w.close();
  w.blank();
  // The last entry point's body (C++ for each of its nodes: most of the
  // output) is a part of the source as it was emitted, between the text
  // before it and the text after it (SourceText). Copying it into a new
  // buffer, or inserting the text before it in front of it, read and wrote
  // megabytes of a large graph's code once more.
  for (size_t k = 0; k + 1 < entry_points.size(); ++k) {
    const auto& e = entry_points[k];
    w.raw(e.head);
    w.raw(e.body);
    w.raw(e.tail);
    w.blank();
  }
  CodeWriter end;  // what follows the last body
  std::string last_body;
  if (!entry_points.empty()) {
    auto& last = entry_points.back();
    w.raw(last.head);
    end.raw(last.tail);
    end.blank();
    last_body = std::move(last.body);
  }
  if (opt.profile) {
    end.raw(profile_exports(u.prefix, profiled));
    end.blank();
  }
  end.line("}  // extern \"C\"");
  u.source.parts.push_back(w.str());
  u.source.parts.push_back(std::move(last_body));
  u.source.parts.push_back(end.str());
  return u;
}

size_t SourceText::size() const {
  size_t n = 0;
  for (const std::string& p : parts) n += p.size();
  return n;
}

std::string SourceText::str() const {
  std::string s;
  s.reserve(size());
  for (const std::string& p : parts) s += p;
  return s;
}

std::ostream& operator<<(std::ostream& out, const SourceText& t) {
  for (const std::string& p : t.parts) out << p;
  return out;
}

}  // namespace tgc
