#include "codegen/emit_context.h"

#include <cmath>
#include <cstdio>

#include "ir/error.h"

namespace tgc {

std::string c_string(const std::string& s) {
  std::string r;
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      r += '\\';
      r += char(ch);
    } else if (ch < 0x20 || ch >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", ch);
      r += buf;
    } else {
      r += char(ch);
    }
  }
  return r;
}

std::string c_format_string(const std::string& s) {
  std::string r;
  for (char ch : c_string(s)) {
    if (ch == '%') r += '%';
    r += ch;
  }
  return r;
}

std::string sanitize(const std::string& name, size_t max_len) {
  std::string r;
  for (char ch : name) {
    if (r.size() >= max_len) break;
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    r += ok ? ch : '_';
  }
  return r;
}

std::string c_literal(const Tensor& t, int64_t i) {
  char buf[64];
  switch (t.dtype()) {
    case DType::Float32:
    case DType::Float64: {
      double x = t.get_f64(i);
      bool f32 = t.dtype() == DType::Float32;
      const char* ty = f32 ? "float" : "double";
      if (std::isnan(x)) return std::string("std::numeric_limits<") + ty + ">::quiet_NaN()";
      if (std::isinf(x)) return std::string(x > 0 ? "" : "-") + "std::numeric_limits<" + ty + ">::infinity()";
      std::snprintf(buf, sizeof buf, f32 ? "%.9g" : "%.17g", x);
      std::string s = buf;
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return f32 ? s + "f" : s;
    }
    case DType::Bool: return t.get_i64(i) ? "true" : "false";
    case DType::UInt64: {
      uint64_t u = t.data<uint64_t>()[i];
      std::snprintf(buf, sizeof buf, "uint64_t(%lluull)", (unsigned long long)u);
      return buf;
    }
    default: {
      int64_t v = t.get_i64(i);
      std::string ty(dtype_ctype(t.dtype()));
      if (v == INT64_MIN) return ty + "(-9223372036854775807ll - 1)";
      std::snprintf(buf, sizeof buf, "%lldll", (long long)v);
      return ty + "(" + buf + ")";
    }
  }
}

std::string EmitContext::dtype_enum(DType t) {
  std::string n(dtype_name(t));
  for (char& ch : n) ch = char(std::toupper(ch));
  return "TGC_" + n;
}

std::string EmitContext::view_type(const Var* v) {
  return "tgc::rt::View<" + ctype(v) + ", " + std::to_string(v->type.ndim()) + ">";
}

const std::string& EmitContext::name(const Var* v) {
  int known = name_index_.find(v);
  if (known >= 0) return name_list_[size_t(known)];
  std::string nm = "v" + std::to_string(counter_++);
  std::string suffix = sanitize(v->name);
  if (!suffix.empty()) nm += "_" + suffix;
  switch (v->type.kind) {
    case TypeKind::Tensor: decls.push_back(view_type(v) + " " + nm + ";"); break;
    case TypeKind::Rng: decls.push_back("tgc::RngState " + nm + "{};"); break;
    case TypeKind::Csr: decls.push_back("tgc::rt::Csr<" + ctype(v) + "> " + nm + ";"); break;
  }
  name_index_[v] = int(name_list_.size());
  name_list_.push_back(std::move(nm));
  return name_list_.back();
}

std::string EmitContext::temp(const std::string& stem) { return stem + std::to_string(temps_++); }

std::string EmitContext::dim(const Var* v, int d) {
  int64_t s = static_dim(v, d);
  if (s >= 0) return std::to_string(s);
  return name(v) + ".n[" + std::to_string(d) + "]";
}

std::string EmitContext::stride(const Var* v, int d) {
  if (v->type.broadcastable(d)) return "0";
  if (d == v->type.ndim() - 1 && contiguous(v)) return "1";
  return name(v) + ".s[" + std::to_string(d) + "]";
}

bool EmitContext::contiguous(const Var* v) const {
  if (!v->owner) return true;
  return views.is_contiguous(v);
}

std::optional<std::string> EmitContext::scalar_constant(const Var* v, DType as) const {
  const Tensor* t = v->constant_tensor();
  if (!t || t->size() != 1) return std::nullopt;
  // Only a constant whose type broadcasts everywhere may stand as a literal.
  for (int d = 0; d < v->type.ndim(); ++d)
    if (!v->type.broadcastable(d)) return std::nullopt;
  return c_literal(t->astype(as), 0);
}

std::string EmitContext::fail(const std::string& path, const std::string& fmt, const std::string& args) const {
  std::string f = c_format_string(path) + ": " + fmt;
  return "return tgc::rt::fail(st, TGC_RUNTIME, \"" + f + "\"" + (args.empty() ? "" : ", " + args) + ");";
}

void EmitContext::alloc(const Var* out, const std::vector<std::string>& dims, const std::string& path) {
  if (auto ext = external.find(out); ext != external.end()) {
    const std::string& v = name(out);
    for (size_t d = 0; d < dims.size(); ++d) {
      w.line(v + ".n[" + std::to_string(d) + "] = " + dims[d] + ";");
      if (ext->second.dims.empty()) continue;
      w.line("if (" + v + ".n[" + std::to_string(d) + "] != " + ext->second.dims[d] + ") " +
             fail(path, "scan: a step's result has size %lld in dimension " + std::to_string(d) + ", its initial value %lld",
                  "(long long)" + v + ".n[" + std::to_string(d) + "], (long long)" + ext->second.dims[d]));
    }
    for (const std::string& st : ext->second.prepare) w.line(st);
    w.line(v + ".p = " + ext->second.ptr + ";");
    if (!dims.empty()) w.line("tgc::rt::set_contiguous_strides(" + v + ");");
    return;
  }
  int slot = plan.slot_of(out);
  if (slot < 0) throw internal_error("codegen: " + path + ": output has no slot");
  const std::string& v = name(out);
  std::string count = "int64_t(1)";
  for (size_t d = 0; d < dims.size(); ++d) {
    w.line(v + ".n[" + std::to_string(d) + "] = " + dims[d] + ";");
    count += " * " + v + ".n[" + std::to_string(d) + "]";
  }
  w.line(v + ".p = tgc::rt::alloc<" + ctype(out) + ">(" + ws + "[" + std::to_string(slot) + "], " +
         (dims.empty() ? std::string("1") : count) + ");");
  w.line("if (!" + v + ".p) " + fail(path, "out of memory"));
  if (!dims.empty()) w.line("tgc::rt::set_contiguous_strides(" + v + ");");
}

void EmitContext::alloc_scratch(const std::string& ptr, const std::string& ct, const std::string& count,
                                const std::string& path) {
  int slot = plan.new_scratch();
  w.line(ct + "* " + ptr + " = tgc::rt::alloc<" + ct + ">(" + ws + "[" + std::to_string(slot) + "], " + count + ");");
  w.line("if (!" + ptr + ") " + fail(path, "out of memory"));
}

void EmitContext::emit_copy(const Var* src, const Var* dst, const std::string& path) {
  std::vector<std::string> dims;
  for (int d = 0; d < src->type.ndim(); ++d) dims.push_back(dim(src, d));
  alloc(dst, dims, path);
  w.line("tgc::rt::copy_to_contiguous(" + name(src) + ", " + name(dst) + ".p);");
}

std::string FileScope::constant_array(const std::string& ctype, int64_t n, const std::string& values) {
  std::string key = ctype + "[" + std::to_string(n) + "]={" + values + "}";
  auto it = by_content.find(key);
  if (it != by_content.end()) return it->second;
  std::string arr = "kConst" + std::to_string(by_content.size());
  defs.push_back("const " + ctype + " " + arr + "[" + std::to_string(n) + "] = {" + values + "};");
  by_content.emplace(std::move(key), arr);
  return arr;
}

void EmitContext::bind_constant(const Var* v) {
  if (!bound_constants_.insert(v).second) return;
  const Tensor* t = v->constant_tensor();
  if (!t) throw internal_error("codegen: constant without a tensor value");
  std::string values;
  for (int64_t i = 0; i < t->size(); ++i) {
    if (i) values += ", ";
    if (i % 8 == 0 && t->size() > 8) values += "\n    ";
    values += c_literal(*t, i);
  }
  std::string arr = file_scope->constant_array(ctype(v), std::max<int64_t>(t->size(), 1), values);
  const std::string& nm = name(v);
  decls.push_back(nm + ".p = const_cast<" + ctype(v) + "*>(" + arr + ");");
  for (int d = 0; d < t->ndim(); ++d) decls.push_back(nm + ".n[" + std::to_string(d) + "] = " + std::to_string(t->shape()[size_t(d)]) + ";");
  if (t->ndim() > 0) decls.push_back("tgc::rt::set_contiguous_strides(" + nm + ");");
}

}  // namespace tgc
