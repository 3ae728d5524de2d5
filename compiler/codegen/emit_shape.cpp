// Shape ops. dimshuffle and transpose are views (strides permuted, 'x'
// dimensions of stride 0); reshape and flatten are views of contiguous
// inputs and copies otherwise; the rest fill new buffers.
#include "codegen/emit_context.h"
#include "ir/error.h"

namespace tgc {

namespace {

std::string scalar_i64(EmitContext& c, const Var* v) {
  return "tgc::sc::cvt<int64_t>(" + c.name(v) + ".p[0])";
}

void emit_dimshuffle(EmitContext& c, const Node& n) {
  const std::string &o = c.name(n.outputs[0]), &x = c.name(n.inputs[0]);
  c.w.line(o + ".p = " + x + ".p;");
  const auto& pat = n.attrs->pattern;
  for (size_t j = 0; j < pat.size(); ++j) {
    std::string d = std::to_string(j);
    if (pat[j] < 0) c.w.line(o + ".n[" + d + "] = 1; " + o + ".s[" + d + "] = 0;");
    else c.w.line(o + ".n[" + d + "] = " + x + ".n[" + std::to_string(pat[j]) + "]; " + o + ".s[" + d + "] = " + x +
                  ".s[" + std::to_string(pat[j]) + "];");
  }
}

void emit_transpose(EmitContext& c, const Node& n) {
  const std::string &o = c.name(n.outputs[0]), &x = c.name(n.inputs[0]);
  int nd = n.inputs[0]->type.ndim();
  std::vector<int> axes = n.attrs->axes;
  if (axes.empty())
    for (int d = nd - 1; d >= 0; --d) axes.push_back(d);
  c.w.line(o + ".p = " + x + ".p;");
  for (int j = 0; j < nd; ++j) {
    int a = axes[size_t(j)] < 0 ? axes[size_t(j)] + nd : axes[size_t(j)];
    c.w.line(o + ".n[" + std::to_string(j) + "] = " + x + ".n[" + std::to_string(a) + "]; " + o + ".s[" +
             std::to_string(j) + "] = " + x + ".s[" + std::to_string(a) + "];");
  }
}

// reshape / flatten: the target dims, then a view or a copy.
void emit_reshape(EmitContext& c, const Node& n) {
  const Var* x = n.inputs[0];
  const Var* out = n.outputs[0];
  int nd = out->type.ndim();
  const std::string& xv = c.name(x);
  std::vector<std::string> dims;
  c.w.open("");
  c.w.line("const int64_t total = tgc::rt::numel(" + xv + ");");
  if (n.op == Op::Flatten) {
    for (int d = 0; d < nd - 1; ++d) dims.push_back(xv + ".n[" + std::to_string(d) + "]");
    c.w.line("int64_t rest = 1;");
    c.w.line("for (int d = " + std::to_string(nd - 1) + "; d < " + std::to_string(x->type.ndim()) + "; ++d) rest *= " + xv + ".n[d];");
    dims.push_back("rest");
  } else {
    c.w.line("int64_t dims[" + std::to_string(std::max(nd, 1)) + "];");
    if (n.inputs.size() == 2) {
      const std::string& sh = c.name(n.inputs[1]);
      c.w.line("if (" + sh + ".n[0] != " + std::to_string(nd) + ") " +
               c.fail(n.path, "reshape: the shape vector has %lld entries, expected " + std::to_string(nd), "(long long)" + sh + ".n[0]"));
      for (int d = 0; d < nd; ++d)
        c.w.line("dims[" + std::to_string(d) + "] = tgc::sc::cvt<int64_t>(" + sh + ".p[" + std::to_string(d) + " * " + sh + ".s[0]]);");
    } else {
      for (int d = 0; d < nd; ++d) c.w.line("dims[" + std::to_string(d) + "] = " + std::to_string((*n.attrs->shape)[size_t(d)]) + ";");
    }
    // One -1 takes what the others leave; every other size must be >= 0.
    c.w.line("int64_t known = 1; int unknown = -1;");
    c.w.open("for (int d = 0; d < " + std::to_string(nd) + "; ++d)");
    c.w.line("if (dims[d] == -1 && unknown < 0) { unknown = d; continue; }");
    c.w.line("if (dims[d] < 0) " + c.fail(n.path, "reshape: invalid size %lld", "(long long)dims[d]"));
    c.w.line("known *= dims[d];");
    c.w.close();
    c.w.line("if (unknown >= 0) dims[unknown] = known == 0 ? 0 : total / known;");
    // A -1 beside a size 0 is refused even for an empty array, as numpy
    // does: the size it stands for is undetermined (the interpreter agrees).
    c.w.line("if ((unknown >= 0 && known == 0) || (unknown >= 0 ? known * dims[unknown] : known) != total) " +
             c.fail(n.path, "reshape: cannot reshape %lld elements to the requested shape", "(long long)total"));
    for (int d = 0; d < nd; ++d) dims.push_back("dims[" + std::to_string(d) + "]");
  }
  const std::string& o = c.name(out);
  if (c.views.is_view(out)) {
    c.w.line(o + ".p = " + xv + ".p;");
    for (int d = 0; d < nd; ++d) c.w.line(o + ".n[" + std::to_string(d) + "] = " + dims[size_t(d)] + ";");
    if (nd > 0) c.w.line("tgc::rt::set_contiguous_strides(" + o + ");");
  } else {
    c.alloc(out, dims, n.path);
    c.w.line("tgc::rt::copy_to_contiguous(" + xv + ", " + o + ".p);");
  }
  c.w.close();
}

void emit_fill_value(EmitContext& c, const Var* out, const std::string& literal) {
  emit_elemwise_loop(c, out, {}, {}, [&](const std::vector<std::string>&) { return literal; });
}

void emit_alloc(EmitContext& c, const Node& n) {
  const Var* value = n.inputs[0];
  const Var* out = n.outputs[0];
  int nd = out->type.ndim();
  std::vector<std::string> dims;
  for (int d = 0; d < nd; ++d) {
    std::string t = c.temp("d");
    c.w.line("const int64_t " + t + " = " + scalar_i64(c, n.inputs[size_t(d) + 1]) + ";");
    c.w.line("if (" + t + " < 0) " + c.fail(n.path, "alloc: negative dimension %lld", "(long long)" + t));
    dims.push_back(t);
  }
  int vr = value->type.ndim();
  for (int k = 0; k < vr; ++k) {
    if (value->type.broadcastable(k)) continue;
    std::string vd = c.dim(value, k), od = dims[size_t(nd - vr + k)];
    c.w.line("if (" + vd + " != " + od + ") " +
             c.fail(n.path, "alloc: the value's dimension " + std::to_string(k) + " has size %lld, the shape needs %lld",
                    "(long long)" + vd + ", (long long)" + od));
  }
  c.alloc(out, dims, n.path);
  emit_elemwise_loop(c, out, {value}, {out->type.dtype}, [](const std::vector<std::string>& ops) { return ops[0]; });
}

void emit_arange(EmitContext& c, const Node& n) {
  const Var* out = n.outputs[0];
  const std::string& o = c.name(out);
  bool ints = true;
  for (const Var* v : n.inputs) ints = ints && !is_float(v->type.dtype);
  c.w.open("");
  if (ints) {
    c.w.line("const int64_t a = " + scalar_i64(c, n.inputs[0]) + ", b = " + scalar_i64(c, n.inputs[1]) + ", s = " +
             scalar_i64(c, n.inputs[2]) + ";");
    c.w.line("if (s == 0) " + c.fail(n.path, "arange: step must not be zero"));
    c.w.line("const int64_t len = tgc::rt::arange_length(a, b, s);");
    c.alloc(out, {"len"}, n.path);
    c.w.line("for (int64_t i = 0; i < len; ++i) " + o + ".p[i] = tgc::sc::cvt<" + EmitContext::ctype(out) +
             ">(int64_t(uint64_t(a) + uint64_t(i) * uint64_t(s)));");
  } else {
    auto f = [&](const Var* v) { return "tgc::sc::cvt<double>(" + c.name(v) + ".p[0])"; };
    c.w.line("const double a = " + f(n.inputs[0]) + ", b = " + f(n.inputs[1]) + ", s = " + f(n.inputs[2]) + ";");
    c.w.line("if (s == 0) " + c.fail(n.path, "arange: step must not be zero"));
    c.w.line("const double l = std::ceil((b - a) / s);");
    c.w.line("if (!(l < 9.2e18)) " + c.fail(n.path, "arange: too many elements"));
    c.w.line("const int64_t len = l > 0 ? int64_t(l) : 0;");
    c.alloc(out, {"len"}, n.path);
    c.w.line("for (int64_t i = 0; i < len; ++i) " + o + ".p[i] = tgc::sc::cvt<" + EmitContext::ctype(out) + ">(a + double(i) * s);");
  }
  c.w.close();
}

// join: each input copied into its block of the output along `axis`;
// stack: each input copied into one index of a new axis.
void emit_join(EmitContext& c, const Node& n) {
  const Var* out = n.outputs[0];
  bool stack = n.op == Op::Stack;
  int nd = out->type.ndim();
  int in_nd = n.inputs[0]->type.ndim();
  int axis = n.attrs->axes.empty() ? 0 : n.attrs->axes[0];
  if (axis < 0) axis += nd;
  const std::string& x0 = c.name(n.inputs[0]);
  std::vector<std::string> dims;
  c.w.open("");
  std::string along = stack ? std::to_string(n.inputs.size()) : "0";
  if (!stack) {
    c.w.line("int64_t along = 0;");
    for (const Var* v : n.inputs) c.w.line("along += " + c.name(v) + ".n[" + std::to_string(axis) + "];");
    along = "along";
  }
  for (int d = 0, k = 0; d < nd; ++d) {
    if (d == axis) {
      dims.push_back(along);
      if (!stack) ++k;
      continue;
    }
    dims.push_back(x0 + ".n[" + std::to_string(k) + "]");
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      std::string vd = c.name(n.inputs[i]) + ".n[" + std::to_string(k) + "]";
      c.w.line("if (" + vd + " != " + dims.back() + ") " +
               c.fail(n.path, std::string(op_name(n.op)) + ": input " + std::to_string(i) + " has size %lld in dimension " +
                                  std::to_string(k) + ", input 0 has %lld",
                      "(long long)" + vd + ", (long long)" + dims.back()));
    }
    ++k;
  }
  c.alloc(out, dims, n.path);
  const std::string& o = c.name(out);
  c.w.line("int64_t offset = 0;");
  std::string vt = "tgc::rt::View<" + EmitContext::ctype(out) + ", " + std::to_string(in_nd) + ">";
  for (const Var* v : n.inputs) {
    const std::string& iv = c.name(v);
    c.w.open("");
    c.w.line(vt + " dst;");
    c.w.line("dst.p = " + o + ".p + offset * " + o + ".s[" + std::to_string(axis) + "];");
    for (int d = 0, k = 0; d < nd; ++d) {
      if (stack && d == axis) continue;
      c.w.line("dst.n[" + std::to_string(k) + "] = " + iv + ".n[" + std::to_string(k) + "]; dst.s[" + std::to_string(k) +
               "] = " + o + ".s[" + std::to_string(d) + "];");
      ++k;
    }
    c.w.line("tgc::rt::copy_cast(dst, " + iv + ");");
    c.w.line(stack ? "offset += 1;" : "offset += " + iv + ".n[" + std::to_string(axis) + "];");
    c.w.close();
  }
  c.w.close();
}

}  // namespace

void emit_shape_op(EmitContext& c, const Node& n) {
  const Var* out = n.outputs[0];
  const std::string& o = c.name(out);
  switch (n.op) {
    case Op::Dimshuffle: return emit_dimshuffle(c, n);
    case Op::Transpose: return emit_transpose(c, n);
    case Op::Reshape:
    case Op::Flatten: return emit_reshape(c, n);
    case Op::ShapeOf: {
      const Var* x = n.inputs[0];
      c.alloc(out, {std::to_string(x->type.ndim())}, n.path);
      for (int d = 0; d < x->type.ndim(); ++d) c.w.line(o + ".p[" + std::to_string(d) + "] = " + c.name(x) + ".n[" + std::to_string(d) + "];");
      return;
    }
    case Op::ShapeI:
      c.alloc(out, {}, n.path);
      c.w.line(o + ".p[0] = " + c.name(n.inputs[0]) + ".n[" + std::to_string(n.attrs->i) + "];");
      return;
    case Op::Alloc: return emit_alloc(c, n);
    case Op::Fill: {
      std::vector<const Var*> ins = {n.inputs[0], n.inputs[1]};
      c.alloc(out, emit_broadcast_dims(c, out, ins, n.path, "fill"), n.path);
      emit_elemwise_loop(c, out, {n.inputs[1]}, {out->type.dtype}, [](const std::vector<std::string>& ops) { return ops[0]; });
      return;
    }
    case Op::ZerosLike:
    case Op::OnesLike: {
      std::vector<std::string> dims;
      for (int d = 0; d < n.inputs[0]->type.ndim(); ++d) dims.push_back(c.dim(n.inputs[0], d));
      c.alloc(out, dims, n.path);
      Tensor one(out->type.dtype, {});
      one.set_f64(0, n.op == Op::OnesLike ? 1.0 : 0.0);
      emit_fill_value(c, out, c_literal(one, 0));
      return;
    }
    case Op::Arange: return emit_arange(c, n);
    case Op::Join:
    case Op::Stack: return emit_join(c, n);
    default: break;
  }
  throw internal_error("codegen: " + n.path + ": not a shape op");
}

}  // namespace tgc
