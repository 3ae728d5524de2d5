// Reductions: one pass over the input in C order, accumulating into the
// output (or a wider accumulator) through an output stride that is 0 along
// reduced dimensions. float32 sums and means accumulate in double; integer
// sums/prods wrap in int64 (numpy's accumulator); max/min propagate NaN;
// argmax/argmin keep the first extreme (a NaN counts as extreme, as numpy).
#include "codegen/emit_context.h"
#include "ir/error.h"

namespace tgc {

namespace {

struct ReduceSpec {
  std::string combine_fn;  // binary combination of accumulators ("tgc::sc::add"), "" for arg*
  std::string convert;     // conversion of an input element to the accumulator ("tgc::sc::cvt<double>")
  std::vector<bool> reduced;
  std::string acc_type;   // accumulator element type
  std::string init;       // identity of the accumulation
  std::string update;     // statement updating acc[o] from value v (and ridx for arg*)
  bool arg = false;
};

std::string lowest(const std::string& t, bool is_f) {
  return is_f ? "-std::numeric_limits<" + t + ">::infinity()" : "std::numeric_limits<" + t + ">::lowest()";
}
std::string highest(const std::string& t, bool is_f) {
  return is_f ? "std::numeric_limits<" + t + ">::infinity()" : "std::numeric_limits<" + t + ">::max()";
}

ReduceSpec spec_of(const Node& n) {
  const Var* x = n.inputs[0];
  const Var* out = n.outputs[0];
  ReduceSpec s;
  int nd = x->type.ndim();
  s.reduced.assign(size_t(nd), n.attrs.axis_all);
  if (!n.attrs.axis_all)
    for (int a : n.attrs.axes) s.reduced[size_t(a < 0 ? a + nd : a)] = true;
  std::string xt = EmitContext::ctype(x), ot = EmitContext::ctype(out);
  bool xf = is_float(x->type.dtype);
  switch (n.op) {
    case Op::Sum:
    case Op::Mean:
      s.acc_type = is_float(out->type.dtype) ? "double" : ot;
      s.init = s.acc_type + "(0)";
      s.update = "acc[o] = tgc::sc::add(acc[o], tgc::sc::cvt<" + s.acc_type + ">(v));";
      s.combine_fn = "tgc::sc::add";
      s.convert = "tgc::sc::cvt<" + s.acc_type + ">";
      break;
    case Op::Prod:
      s.acc_type = is_float(out->type.dtype) ? "double" : ot;
      s.init = s.acc_type + "(1)";
      s.update = "acc[o] = tgc::sc::mul(acc[o], tgc::sc::cvt<" + s.acc_type + ">(v));";
      s.combine_fn = "tgc::sc::mul";
      s.convert = "tgc::sc::cvt<" + s.acc_type + ">";
      break;
    case Op::Max:
      s.acc_type = xt;
      s.init = lowest(xt, xf);
      s.update = "acc[o] = tgc::sc::maximum(acc[o], v);";
      s.combine_fn = "tgc::sc::maximum";
      break;
    case Op::Min:
      s.acc_type = xt;
      s.init = highest(xt, xf);
      s.update = "acc[o] = tgc::sc::minimum(acc[o], v);";
      s.combine_fn = "tgc::sc::minimum";
      break;
    case Op::All:
      s.acc_type = "bool";
      s.init = "true";
      s.update = "acc[o] = acc[o] && tgc::sc::cvt<bool>(v);";
      s.combine_fn = "tgc::sc::and_";
      s.convert = "tgc::sc::cvt<bool>";
      break;
    case Op::Any:
      s.acc_type = "bool";
      s.init = "false";
      s.update = "acc[o] = acc[o] || tgc::sc::cvt<bool>(v);";
      s.combine_fn = "tgc::sc::or_";
      s.convert = "tgc::sc::cvt<bool>";
      break;
    case Op::Argmax:
    case Op::Argmin: {
      s.arg = true;
      s.acc_type = xt;
      s.init = n.op == Op::Argmax ? lowest(xt, xf) : highest(xt, xf);
      std::string better = n.op == Op::Argmax ? "v > acc[o]" : "v < acc[o]";
      if (xf) better += " || (v != v && acc[o] == acc[o])";
      s.update = "if (arg[o] < 0 || " + better + ") { acc[o] = v; arg[o] = ridx; }";
      break;
    }
    default: throw internal_error("codegen: " + n.path + ": not a reduction");
  }
  return s;
}


// The dense fast paths of a contiguous input whose reduced dimensions are a
// suffix (each output reduces one contiguous block: four independent
// accumulators in registers) or a prefix (each input row is combined into
// the whole output row: a loop the compiler vectorizes). Returns false when
// neither applies (the general loop nest runs).
bool emit_dense_paths(EmitContext& c, const Var* x, const ReduceSpec& sp) {
  int nd = x->type.ndim();
  if (sp.arg || nd == 0 || !c.contiguous(x)) return false;
  int k = nd;
  while (k > 0 && sp.reduced[size_t(k - 1)]) --k;  // reduced dims are [k, nd)?
  bool suffix = true, prefix = true;
  for (int d = 0; d < nd; ++d) {
    suffix = suffix && (sp.reduced[size_t(d)] == (d >= k));
  }
  int p = 0;
  while (p < nd && sp.reduced[size_t(p)]) ++p;  // reduced dims are [0, p)?
  for (int d = 0; d < nd; ++d) prefix = prefix && (sp.reduced[size_t(d)] == (d < p));
  const std::string& xv = c.name(x);
  std::string xt = EmitContext::ctype(x), A = sp.acc_type;
  auto conv = [&](const std::string& v) { return sp.convert.empty() ? v : sp.convert + "(" + v + ")"; };
  auto comb = [&](const std::string& a, const std::string& b) { return sp.combine_fn + "(" + a + ", " + b + ")"; };
  if (suffix) {
    c.w.open("for (int64_t o = 0; o < nout; ++o)");
    c.w.line("const " + xt + "* __restrict row = " + xv + ".p + o * count;");
    c.w.line(A + " a0 = " + sp.init + ", a1 = " + sp.init + ", a2 = " + sp.init + ", a3 = " + sp.init + ";");
    c.w.line("int64_t i = 0;");
    c.w.open("for (; i + 4 <= count; i += 4)");
    for (int q = 0; q < 4; ++q) {
      std::string a = "a" + std::to_string(q);
      c.w.line(a + " = " + comb(a, conv("row[i + " + std::to_string(q) + "]")) + ";");
    }
    c.w.close();
    c.w.line("for (; i < count; ++i) a0 = " + comb("a0", conv("row[i]")) + ";");
    c.w.line("acc[o] = " + comb(comb("a0", "a1"), comb("a2", "a3")) + ";");
    c.w.close();
    return true;
  }
  if (prefix) {
    c.w.open("for (int64_t r = 0; r < count; ++r)");
    c.w.line("const " + xt + "* __restrict row = " + xv + ".p + r * nout;");
    c.w.line("for (int64_t o = 0; o < nout; ++o) acc[o] = " + comb("acc[o]", conv("row[o]")) + ";");
    c.w.close();
    return true;
  }
  return false;
}

// Mean divides, arg* stores indices, wide accumulators narrow.
void finish(EmitContext& c, const Node& n, const ReduceSpec& sp, const std::string& o, const std::string& ot, bool direct) {
  if (n.op == Op::Mean)
    // The quotient in double, as numpy's mean (true_divide, then a cast to
    // the dtype): an integer accumulator must not divide as integers
    // (division by an empty count would trap, and numpy rounds the sum to
    // double first).
    c.w.line("for (int64_t o = 0; o < nout; ++o) " + o + ".p[o] = tgc::sc::cvt<" + ot +
             ">(double(acc[o]) / double(count));");
  else if (sp.arg)
    c.w.line("for (int64_t o = 0; o < nout; ++o) " + o + ".p[o] = arg[o];");
  else if (!direct)
    c.w.line("for (int64_t o = 0; o < nout; ++o) " + o + ".p[o] = tgc::sc::cvt<" + ot + ">(acc[o]);");
}

}  // namespace

void emit_reduce(EmitContext& c, const Node& n) {
  const Var* x = n.inputs[0];
  const Var* out = n.outputs[0];
  ReduceSpec sp = spec_of(n);
  int nd = x->type.ndim();
  const std::string &xv = c.name(x), &o = c.name(out);
  std::string ot = EmitContext::ctype(out);

  // Output dims and the count of reduced elements.
  std::vector<std::string> dims;
  c.w.open("");
  c.w.line("int64_t count = 1;");
  for (int d = 0; d < nd; ++d) {
    if (sp.reduced[size_t(d)]) {
      c.w.line("count *= " + xv + ".n[" + std::to_string(d) + "];");
      if (n.attrs.keepdims) dims.push_back("1");
    } else {
      dims.push_back(xv + ".n[" + std::to_string(d) + "]");
    }
  }
  c.alloc(out, dims, n.path);
  bool extreme = n.op == Op::Max || n.op == Op::Min || sp.arg;
  if (extreme)
    // numpy refuses an empty reduced axis even when the result is empty too
    // ((0, 0).max(axis=1)); the interpreter agrees.
    c.w.line("if (count == 0) " +
             c.fail(n.path, std::string(op_name(n.op)) + ": the reduced axes are empty"));
  c.w.line("const int64_t nout = tgc::rt::numel(" + o + ");");
  bool direct = sp.acc_type == ot && !sp.arg;
  if (direct) {
    c.w.line(sp.acc_type + "* acc = " + o + ".p;");
  } else {
    c.alloc_scratch("acc", sp.acc_type, "nout", n.path);
  }
  if (sp.arg) c.alloc_scratch("arg", "int64_t", "nout", n.path);
  c.w.line("for (int64_t o = 0; o < nout; ++o) acc[o] = " + sp.init + ";");
  if (sp.arg) c.w.line("for (int64_t o = 0; o < nout; ++o) arg[o] = -1;");

  if (emit_dense_paths(c, x, sp)) {
    finish(c, n, sp, o, ot, direct);
    c.w.close();
    return;
  }
  // Output stride of each input dimension (0 when reduced), and for arg*
  // the C-order stride within the reduced dimensions.
  c.w.line("int64_t ost[" + std::to_string(std::max(nd, 1)) + "] = {}, rst[" + std::to_string(std::max(nd, 1)) + "] = {};");
  c.w.line("int64_t so = 1, sr = 1;");
  for (int d = nd - 1; d >= 0; --d) {
    std::string D = std::to_string(d);
    if (sp.reduced[size_t(d)]) c.w.line("rst[" + D + "] = sr; sr *= " + xv + ".n[" + D + "];");
    else c.w.line("ost[" + D + "] = so; so *= " + xv + ".n[" + D + "];");
  }
  c.w.line("(void)rst; (void)ost;");
  // Loop nest over the input.
  if (nd == 0) {
    c.w.line("const int64_t o = 0, ridx = 0; (void)ridx;");
    c.w.line("const " + EmitContext::ctype(x) + " v = " + xv + ".p[0];");
    c.w.line(sp.update);
  } else {
    std::string xoff = "0", ooff = "0", roff = "0";
    for (int d = 0; d < nd; ++d) {
      std::string D = std::to_string(d), i = "i" + D;
      c.w.open("for (int64_t " + i + " = 0; " + i + " < " + xv + ".n[" + D + "]; ++" + i + ")");
      c.w.line("const int64_t x" + D + " = " + xoff + " + " + i + " * " + xv + ".s[" + D + "];");
      c.w.line("const int64_t o" + D + " = " + ooff + " + " + i + " * ost[" + D + "];");
      c.w.line("const int64_t r" + D + " = " + roff + " + " + i + " * rst[" + D + "];");
      c.w.line("(void)r" + D + ";");
      xoff = "x" + D;
      ooff = "o" + D;
      roff = "r" + D;
    }
    c.w.line("const int64_t o = " + ooff + ", ridx = " + roff + "; (void)ridx;");
    c.w.line("const " + EmitContext::ctype(x) + " v = " + xv + ".p[" + xoff + "];");
    c.w.line(sp.update);
    for (int d = 0; d < nd; ++d) c.w.close();
  }
  finish(c, n, sp, o, ot, direct);
  c.w.close();
}

}  // namespace tgc
