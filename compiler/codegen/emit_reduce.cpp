// Reductions: one pass over the input in C order, accumulating into the
// output (or a wider accumulator) through an output stride that is 0 along
// reduced dimensions. float32 sums and means accumulate in double; integer
// sums/prods wrap in int64 (numpy's accumulator); max/min propagate NaN;
// argmax/argmin keep the first extreme (a NaN counts as extreme, as numpy).
#include <functional>

#include "codegen/emit_context.h"
#include "ir/error.h"
#include "ir/infer_util.h"

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

ReduceSpec spec_of(const Node& n, DType elem, int nd) {
  const Var* out = n.outputs[0];
  ReduceSpec s;
  s.reduced.assign(size_t(nd), n.attrs->axis_all);
  if (!n.attrs->axis_all)
    for (int a : n.attrs->axes) s.reduced[size_t(a < 0 ? a + nd : a)] = true;
  std::string xt = EmitContext::ctype(elem), ot = EmitContext::ctype(out);
  bool xf = is_float(elem);
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


// The elements being reduced: input 0's, or, for a reduction fused with its
// elementwise input (reduce_fusion), a program's values over the inputs,
// which all have the reduced tensor's shape or are 0-d (hoisted as h<k>).
struct Elements {
  const Node& n;
  const Var* shape;        // the input whose dims are the reduced tensor's
  DType dtype;             // element type
  std::vector<size_t> arrays;  // inputs read per element (not 0-d)

  bool fused() const { return n.attrs->program != nullptr; }
  // The value at per-input offsets off(k) (statements of a program appended).
  std::string value(const std::function<std::string(size_t)>& at, std::vector<std::string>& stmts) const {
    if (!fused()) return at(0);
    std::vector<std::string> ops;
    std::vector<DType> types;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ops.push_back(n.inputs[k]->type.ndim() == 0 ? "h" + std::to_string(k) : at(k));
      types.push_back(n.inputs[k]->type.dtype);
    }
    return emit_program(*n.attrs->program, ops, types, dtype, stmts);
  }
};

Elements elements_of(const Node& n) {
  if (!n.attrs->program) return {n, n.inputs[0], n.inputs[0]->type.dtype, {0}};
  Elements e{n, nullptr, infer::infer_composite(n)[0].dtype, {}};
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    if (n.inputs[k]->type.ndim() == 0) continue;
    e.arrays.push_back(k);
    if (!e.shape) e.shape = n.inputs[k];
  }
  return e;
}

// "{ statements v = value; update }" for one element.
std::string element_block(const std::vector<std::string>& stmts, const std::string& assign) {
  if (stmts.empty()) return assign;
  std::string b = "{ ";
  for (const std::string& st : stmts) b += st + " ";
  return b + assign + " }";
}

// The dense fast paths of contiguous inputs whose reduced dimensions are a
// suffix (each output reduces one contiguous block: four independent
// accumulators in registers) or a prefix (each input row is combined into
// the whole output row: a loop the compiler vectorizes). Returns false when
// neither applies (the general loop nest runs).
bool emit_dense_paths(EmitContext& c, const Elements& el, const ReduceSpec& sp) {
  int nd = el.shape->type.ndim();
  if (sp.arg || nd == 0) return false;
  for (size_t k : el.arrays)
    if (!c.contiguous(el.n.inputs[k])) return false;
  int k = nd;
  while (k > 0 && sp.reduced[size_t(k - 1)]) --k;  // reduced dims are [k, nd)?
  bool suffix = true, prefix = true;
  for (int d = 0; d < nd; ++d) {
    suffix = suffix && (sp.reduced[size_t(d)] == (d >= k));
  }
  int p = 0;
  while (p < nd && sp.reduced[size_t(p)]) ++p;  // reduced dims are [0, p)?
  for (int d = 0; d < nd; ++d) prefix = prefix && (sp.reduced[size_t(d)] == (d < p));
  std::string A = sp.acc_type;
  auto conv = [&](const std::string& v) { return sp.convert.empty() ? v : sp.convert + "(" + v + ")"; };
  auto comb = [&](const std::string& a, const std::string& b) { return sp.combine_fn + "(" + a + ", " + b + ")"; };
  // Row pointers row<k> into each array read, at `start`.
  auto rows = [&](const std::string& start) {
    for (size_t a : el.arrays)
      c.w.line("const " + EmitContext::ctype(el.n.inputs[a]) + "* __restrict row" + std::to_string(a) + " = " +
               c.name(el.n.inputs[a]) + ".p + " + start + ";");
  };
  // acc = comb(acc, element idx of the rows), with a program's locals in a block.
  auto accumulate = [&](const std::string& acc, const std::string& idx) {
    std::vector<std::string> stmts;
    std::string v = el.value([&](size_t a) { return "row" + std::to_string(a) + "[" + idx + "]"; }, stmts);
    return element_block(stmts, acc + " = " + comb(acc, conv(v)) + ";");
  };
  if (suffix) {
    c.w.open("for (int64_t o = 0; o < nout; ++o)");
    rows("o * count");
    c.w.line(A + " a0 = " + sp.init + ", a1 = " + sp.init + ", a2 = " + sp.init + ", a3 = " + sp.init + ";");
    c.w.line("int64_t i = 0;");
    c.w.open("for (; i + 4 <= count; i += 4)");
    for (int q = 0; q < 4; ++q) c.w.line(accumulate("a" + std::to_string(q), "i + " + std::to_string(q)));
    c.w.close();
    c.w.line("for (; i < count; ++i) " + accumulate("a0", "i"));
    c.w.line("acc[o] = " + comb(comb("a0", "a1"), comb("a2", "a3")) + ";");
    c.w.close();
    return true;
  }
  if (prefix) {
    c.w.open("for (int64_t r = 0; r < count; ++r)");
    rows("r * nout");
    c.w.line("for (int64_t o = 0; o < nout; ++o) " + accumulate("acc[o]", "o"));
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
  const Elements el = elements_of(n);
  const Var* x = el.shape;
  const Var* out = n.outputs[0];
  int nd = x->type.ndim();
  ReduceSpec sp = spec_of(n, el.dtype, nd);
  const std::string &xv = c.name(x), &o = c.name(out);
  std::string ot = EmitContext::ctype(out);

  // Output dims and the count of reduced elements.
  std::vector<std::string> dims;
  c.w.open("");
  if (el.fused()) {
    // The program's inputs are read at the same index: their sizes must agree.
    for (size_t a : el.arrays) {
      const Var* in = n.inputs[a];
      if (in == x) continue;
      for (int d = 0; d < nd; ++d) {
        std::string D = std::to_string(d);
        c.w.line("if (" + c.name(in) + ".n[" + D + "] != " + xv + ".n[" + D + "]) " +
                 c.fail(n.path, std::string(op_name(n.op)) + ": dimension " + D + " has size %lld here and %lld in another input",
                        "(long long)" + c.name(in) + ".n[" + D + "], (long long)" + xv + ".n[" + D + "]"));
      }
    }
    for (size_t k = 0; k < n.inputs.size(); ++k)
      if (n.inputs[k]->type.ndim() == 0)
        c.w.line("const " + EmitContext::ctype(n.inputs[k]) + " h" + std::to_string(k) + " = " + c.name(n.inputs[k]) + ".p[0];");
  }
  c.w.line("int64_t count = 1;");
  for (int d = 0; d < nd; ++d) {
    if (sp.reduced[size_t(d)]) {
      c.w.line("count *= " + xv + ".n[" + std::to_string(d) + "];");
      if (n.attrs->keepdims) dims.push_back("1");
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

  if (emit_dense_paths(c, el, sp)) {
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
  const std::string vt = EmitContext::ctype(el.dtype);
  std::vector<std::string> stmts;
  // Loop nest over the input; x<a>_<d>: offset of array a at depth d.
  if (nd == 0) {
    c.w.line("const int64_t o = 0, ridx = 0; (void)ridx;");
    std::string v = el.value([&](size_t a) { return c.name(n.inputs[a]) + ".p[0]"; }, stmts);
    c.w.line(element_block(stmts, "const " + vt + " v = " + v + "; " + sp.update));
  } else {
    std::vector<std::string> xoff(n.inputs.size(), "0");
    std::string ooff = "0", roff = "0";
    for (int d = 0; d < nd; ++d) {
      std::string D = std::to_string(d), i = "i" + D;
      c.w.open("for (int64_t " + i + " = 0; " + i + " < " + xv + ".n[" + D + "]; ++" + i + ")");
      for (size_t a : el.arrays) {
        std::string xo = "x" + std::to_string(a) + "_" + D;
        c.w.line("const int64_t " + xo + " = " + xoff[a] + " + " + i + " * " + c.name(n.inputs[a]) + ".s[" + D + "];");
        xoff[a] = xo;
      }
      c.w.line("const int64_t o" + D + " = " + ooff + " + " + i + " * ost[" + D + "];");
      c.w.line("const int64_t r" + D + " = " + roff + " + " + i + " * rst[" + D + "];");
      c.w.line("(void)r" + D + ";");
      ooff = "o" + D;
      roff = "r" + D;
    }
    c.w.line("const int64_t o = " + ooff + ", ridx = " + roff + "; (void)ridx;");
    std::string v = el.value([&](size_t a) { return c.name(n.inputs[a]) + ".p[" + xoff[a] + "]"; }, stmts);
    c.w.line(element_block(stmts, "const " + vt + " v = " + v + "; " + sp.update));
    for (int d = 0; d < nd; ++d) c.w.close();
  }
  finish(c, n, sp, o, ot, direct);
  c.w.close();
}

}  // namespace tgc
