// Elementwise ops: broadcast shape checks and one loop over the output.
// Operands that are the same shape as the output and contiguous are read
// with a flat index, so the common case is a single loop the C++ compiler
// vectorizes; broadcasting or strided operands get a loop nest whose
// innermost stride is a compile-time 0 or 1 where known.
#include <functional>

#include "codegen/emit_context.h"
#include "ir/error.h"

namespace tgc {

std::vector<std::string> emit_broadcast_dims(EmitContext& c, const Var* out, const std::vector<const Var*>& ins,
                                             const std::string& path, const std::string& what) {
  int nd = out->type.ndim();
  std::vector<std::string> dims;
  for (int d = 0; d < nd; ++d) {
    std::vector<std::pair<const Var*, int>> cands;  // inputs that do not broadcast in d
    for (const Var* in : ins) {
      int k = d - (nd - in->type.ndim());
      if (k >= 0 && !in->type.broadcastable(k)) cands.push_back({in, k});
    }
    if (cands.empty()) {
      dims.push_back("1");
      continue;
    }
    // The first input that does not broadcast defines the size (unless it is static).
    bool from_first = out->type.shape[size_t(d)] < 0;
    std::string e = from_first ? c.dim(cands[0].first, cands[0].second) : std::to_string(out->type.shape[size_t(d)]);
    if (e.find('.') != std::string::npos) {
      std::string t = c.temp("d");
      c.w.line("const int64_t " + t + " = " + e + ";");
      e = t;
    }
    for (size_t ci = from_first ? 1 : 0; ci < cands.size(); ++ci) {
      auto [in, k] = cands[ci];
      std::string x = c.dim(in, k);
      if (x == e) continue;
      if (in->type.shape[size_t(k)] >= 0 && e == std::to_string(in->type.shape[size_t(k)])) continue;
      c.w.line("if (" + x + " != " + e + ") " +
               c.fail(path, what + ": dimension " + std::to_string(d) + " has size %lld here and %lld in another input",
                      "(long long)" + x + ", (long long)" + e));
    }
    dims.push_back(e);
  }
  return dims;
}

namespace {

enum class Access { Literal, Hoisted, Flat, Strided };

std::string convert(DType from, DType to, const std::string& e) {
  if (from == to) return e;
  return "tgc::sc::cvt<" + EmitContext::ctype(to) + ">(" + e + ")";
}

}  // namespace

void emit_elemwise_loop(EmitContext& c, const Var* out, const std::vector<const Var*>& ins, const std::vector<DType>& as,
                        const std::function<std::string(const std::vector<std::string>&)>& expr) {
  emit_elemwise_loop_body(c, out, ins, as, [&](const std::vector<std::string>& ops, std::vector<std::string>&) {
    return expr(ops);
  });
}

namespace {
// "po[idx] = value;" preceded by the body's statements.
std::string assign(const ElemBody& body, const std::vector<std::string>& ops, const std::string& idx) {
  std::vector<std::string> stmts;
  std::string v = body(ops, stmts);
  if (stmts.empty()) return "po[" + idx + "] = " + v + ";";
  std::string s = "{ ";
  for (const std::string& st : stmts) s += st + " ";
  return s + "po[" + idx + "] = " + v + "; }";
}
}  // namespace

void emit_elemwise_loop_body(EmitContext& c, const Var* out, const std::vector<const Var*>& ins,
                             const std::vector<DType>& as, const ElemBody& body, bool out_aliases_input) {
  int nd = out->type.ndim();
  const std::string& o = c.name(out);
  std::vector<Access> acc;
  std::vector<std::string> ptr;
  bool any_strided = false;
  c.w.open("");
  for (size_t i = 0; i < ins.size(); ++i) {
    const Var* in = ins[i];
    int r = in->type.ndim();
    bool all_bcast = true, flat = c.contiguous(in);
    for (int k = 0; k < r; ++k) all_bcast = all_bcast && in->type.broadcastable(k);
    for (int d = 0; d < nd; ++d) {
      int k = d - (nd - r);
      bool b = k < 0 || in->type.broadcastable(k);
      if (b && out->type.shape[size_t(d)] != 1) flat = false;
    }
    Access a = c.scalar_constant(in, as[i]) ? Access::Literal
               : all_bcast                  ? Access::Hoisted
               : flat                       ? Access::Flat
                                            : Access::Strided;
    std::string p = "p" + std::to_string(i);
    if (a == Access::Hoisted)
      c.w.line("const " + EmitContext::ctype(as[i]) + " " + p + " = " + convert(in->type.dtype, as[i], c.name(in) + ".p[0]") + ";");
    else if (a != Access::Literal)
      c.w.line("const " + EmitContext::ctype(in) + "* " + (out_aliases_input ? "" : "__restrict ") + p + " = " +
               c.name(in) + ".p;");
    any_strided = any_strided || a == Access::Strided;
    acc.push_back(a);
    ptr.push_back(p);
  }
  // An in-place result shares its buffer with an input: no restrict then
  // (each element is read before it is written at the same index).
  c.w.line(EmitContext::ctype(out) + (out_aliases_input ? "* po = " : "* __restrict po = ") + o + ".p;");

  // Operand i read at flat index `idx`, or at `base + idx * inner stride`.
  // With `unit`, an inner stride known only at run time is taken as 1.
  auto inner_stride = [&](size_t i) { return ins[i]->type.ndim() > 0 ? c.stride(ins[i], ins[i]->type.ndim() - 1) : "0"; };
  auto operand = [&](size_t i, const std::string& idx, const std::string& base, bool unit = false) -> std::string {
    const Var* in = ins[i];
    switch (acc[i]) {
      case Access::Literal: return *c.scalar_constant(in, as[i]);
      case Access::Hoisted: return ptr[i];
      case Access::Flat: return convert(in->type.dtype, as[i], ptr[i] + "[" + idx + "]");
      case Access::Strided: {
        std::string s = inner_stride(i);
        if (unit && s != "0") s = "1";
        std::string at = base + (s == "0" ? "" : s == "1" ? " + " + idx : " + " + idx + " * " + s);
        return convert(in->type.dtype, as[i], ptr[i] + "[" + at + "]");
      }
    }
    return "";
  };

  if (!any_strided || nd == 0) {
    std::vector<std::string> ops;
    for (size_t i = 0; i < ins.size(); ++i) ops.push_back(operand(i, nd == 0 ? "0" : "i", "0"));
    if (nd == 0) {
      c.w.line(assign(body, ops, "0"));
    } else {
      c.w.line("const int64_t n = tgc::rt::numel(" + o + ");");
      c.w.line("for (int64_t i = 0; i < n; ++i) " + assign(body, ops, "i"));
    }
    c.w.close();
    return;
  }
  // Loop nest: level d keeps each strided operand's offset b<i>_<d> and the
  // output's row offset; the innermost level is a unit-stride loop over the output.
  std::vector<std::string> base(ins.size(), "0");
  std::string obase = "0";
  for (int d = 0; d < nd - 1; ++d) {
    std::string iv = "i" + std::to_string(d);
    c.w.open("for (int64_t " + iv + " = 0; " + iv + " < " + o + ".n[" + std::to_string(d) + "]; ++" + iv + ")");
    std::string ob = "o" + std::to_string(d);
    c.w.line("const int64_t " + ob + " = (" + obase + ") * " + o + ".n[" + std::to_string(d) + "] + " + iv + ";");
    obase = ob;
    for (size_t i = 0; i < ins.size(); ++i) {
      if (acc[i] != Access::Strided && acc[i] != Access::Flat) continue;
      int k = d - (nd - ins[i]->type.ndim());
      std::string s = k < 0 ? "0" : c.stride(ins[i], k);
      if (acc[i] == Access::Flat) continue;
      std::string b = "b" + std::to_string(i) + "_" + std::to_string(d);
      c.w.line("const int64_t " + b + " = " + base[i] + (s == "0" ? "" : " + " + iv + " * " + s) + ";");
      base[i] = b;
    }
  }
  std::string last = o + ".n[" + std::to_string(nd - 1) + "]";
  std::string orow = nd > 1 ? "(" + obase + ") * " + last : "0";
  c.w.line("const int64_t row = " + orow + ";");
  auto inner_loop = [&](bool unit) {
    std::vector<std::string> ops;
    for (size_t i = 0; i < ins.size(); ++i)
      ops.push_back(acc[i] == Access::Flat ? operand(i, "row + j", "") : operand(i, "j", base[i], unit));
    c.w.line("for (int64_t j = 0; j < " + last + "; ++j) " + assign(body, ops, "row + j"));
  };
  // Inner strides known only at run time (a column slice, say) are 1 in the
  // common case: a second copy of the loop for it, which vectorizes (the
  // strided one does not).
  std::string unit_test;
  for (size_t i = 0; i < ins.size(); ++i) {
    if (acc[i] != Access::Strided) continue;
    std::string s = inner_stride(i);
    if (s == "0" || s == "1") continue;
    unit_test += (unit_test.empty() ? "" : " && ") + s + " == 1";
  }
  if (unit_test.empty()) {
    inner_loop(false);
  } else {
    c.w.open("if (" + unit_test + ")");
    inner_loop(true);
    c.w.close();
    c.w.open("else");
    inner_loop(false);
    c.w.close();
  }
  for (int d = 0; d < nd - 1; ++d) c.w.close();
  c.w.close();
}

void emit_elemwise(EmitContext& c, const Node& n) {
  const OpInfo& info = op_info(n.op);
  const Var* out = n.outputs[0];
  std::vector<const Var*> ins(n.inputs.begin(), n.inputs.end());
  DType odt = out->type.dtype;
  std::vector<DType> as(ins.size(), odt);
  if (info.rule == ElemRule::Cmp || info.rule == ElemRule::Logic) {
    DType p = ins[0]->type.dtype;
    for (const Var* v : ins) p = promote(p, v->type.dtype);
    as.assign(ins.size(), p);
  } else if (info.rule == ElemRule::Sel) {
    as[0] = DType::Bool;
  }
  std::vector<std::string> dims = emit_broadcast_dims(c, out, ins, n.path, std::string(info.name));
  bool inplace = n.attrs->inplace >= 0;
  if (inplace) c.w.line(c.name(out) + " = " + c.name(n.inputs[size_t(n.attrs->inplace)]) + ";");
  else c.alloc(out, dims, n.path);
  std::string fn = "tgc::sc::" + std::string(info.scalar_fn);
  bool nary = n.op == Op::Add || n.op == Op::Mul;
  emit_elemwise_loop_body(c, out, ins, as, [&](const std::vector<std::string>& ops, std::vector<std::string>&) {
    if (nary) {
      std::string e = ops[0];
      for (size_t i = 1; i < ops.size(); ++i) e = fn + "(" + e + ", " + ops[i] + ")";
      return e;
    }
    std::string e = fn + "(";
    for (size_t i = 0; i < ops.size(); ++i) e += (i ? ", " : "") + ops[i];
    return e + ")";
  }, inplace);
}

void emit_cast(EmitContext& c, const Node& n) {
  const Var* out = n.outputs[0];
  const Var* in = n.inputs[0];
  std::vector<std::string> dims;
  for (int d = 0; d < in->type.ndim(); ++d) dims.push_back(c.dim(in, d));
  c.alloc(out, dims, n.path);
  emit_elemwise_loop(c, out, {in}, {out->type.dtype}, [](const std::vector<std::string>& ops) { return ops[0]; });
}

}  // namespace tgc

namespace tgc {

std::string emit_program(const ScalarProgram& p, const std::vector<std::string>& operands, const std::vector<DType>& types,
                         DType out, std::vector<std::string>& stmts) {
  std::vector<std::string> operand = operands;
  std::vector<DType> ty = types;
  for (size_t j = 0; j < p.instrs.size(); ++j) {
    const ScalarInstr& in = p.instrs[j];
    std::vector<DType> as = instr_compute_types(in, ty);
    std::vector<std::string> args;
    for (size_t k = 0; k < in.args.size(); ++k) {
      const std::string& a = operand[size_t(in.args[k])];
      DType from = ty[size_t(in.args[k])];
      args.push_back(from == as[k] ? a : "tgc::sc::cvt<" + EmitContext::ctype(as[k]) + ">(" + a + ")");
    }
    std::string e;
    if (in.op == Op::Cast) {
      e = args[0];
    } else {
      std::string fn = "tgc::sc::" + std::string(op_info(in.op).scalar_fn);
      if (in.op == Op::Add || in.op == Op::Mul) {
        e = args[0];
        for (size_t k = 1; k < args.size(); ++k) e = fn + "(" + e + ", " + args[k] + ")";
      } else {
        e = fn + "(";
        for (size_t k = 0; k < args.size(); ++k) e += (k ? ", " : "") + args[k];
        e += ")";
      }
    }
    std::string t = "t" + std::to_string(j);
    stmts.push_back("const " + EmitContext::ctype(in.dtype) + " " + t + " = " + e + ";");
    operand.push_back(t);
    ty.push_back(in.dtype);
  }
  const std::string& r = operand[size_t(p.output)];
  DType rt = ty[size_t(p.output)];
  return rt == out ? r : "tgc::sc::cvt<" + EmitContext::ctype(out) + ">(" + r + ")";
}

// A fused program: one loop, each instruction a local of the loop body.
void emit_composite(EmitContext& c, const Node& n) {
  const ScalarProgram& p = *n.attrs->program;
  const Var* out = n.outputs[0];
  std::vector<const Var*> ins(n.inputs.begin(), n.inputs.end());
  std::vector<DType> loaded;
  for (const Var* v : ins) loaded.push_back(v->type.dtype);
  bool inplace = n.attrs->inplace >= 0;
  if (inplace) {
    c.w.line(c.name(out) + " = " + c.name(n.inputs[size_t(n.attrs->inplace)]) + ";");
  } else {
    c.alloc(out, emit_broadcast_dims(c, out, ins, n.path, "composite"), n.path);
  }
  emit_elemwise_loop_body(
      c, out, ins, loaded,
      [&](const std::vector<std::string>& ops, std::vector<std::string>& stmts) {
        return emit_program(p, ops, loaded, out->type.dtype, stmts);
      },
      inplace);
}

}  // namespace tgc
