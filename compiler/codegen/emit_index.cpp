// Indexing: subtensor is a view (pointer offset and strides), inc/set
// subtensor copy x and update a region of the copy, advanced indexing
// gathers or scatters rows. Every index is range-checked at run time.
#include "codegen/emit_context.h"
#include "ir/error.h"

namespace tgc {

namespace {

std::string bound_expr(EmitContext& c, const Node& n, const IdxBound& b) {
  if (b.kind == IdxBound::Const) return "int64_t(" + std::to_string(b.value) + "ll)";
  // index_value: a uint64 beyond the int64 range must not wrap to a negative index.
  return "tgc::index_value(" + c.name(n.inputs[size_t(b.input)]) + ".p[0])";
}

// Emits `dst` (a view local named dst, rank of the result) as src[idx]:
// integer entries drop their dimension, slices keep it.
void emit_region(EmitContext& c, const Node& n, const std::string& src, int src_nd, const std::string& dst) {
  const auto& idx = n.attrs->idx;
  c.w.line(dst + ".p = " + src + ".p;");
  int od = 0;
  for (int d = 0; d < src_nd; ++d) {
    std::string D = std::to_string(d), O = std::to_string(od);
    if (size_t(d) >= idx.size()) {
      c.w.line(dst + ".n[" + O + "] = " + src + ".n[" + D + "]; " + dst + ".s[" + O + "] = " + src + ".s[" + D + "];");
      ++od;
      continue;
    }
    const IdxEntry& e = idx[size_t(d)];
    c.w.open("");
    if (!e.is_slice) {
      c.w.line("int64_t j = 0;");
      c.w.line("const int64_t i = " + bound_expr(c, n, e.point) + ";");
      c.w.line("if (!tgc::wrap_index(i, " + src + ".n[" + D + "], &j)) " +
               c.fail(n.path, std::string(op_name(n.op)) + ": index %lld is out of range for dimension " + D + " of size %lld",
                      "(long long)i, (long long)" + src + ".n[" + D + "]"));
      c.w.line(dst + ".p += j * " + src + ".s[" + D + "];");
    } else {
      std::string step = e.step.kind == IdxBound::None ? "int64_t(1)" : bound_expr(c, n, e.step);
      c.w.line("const int64_t step = " + step + ";");
      c.w.line("if (step == 0) " + c.fail(n.path, std::string(op_name(n.op)) + ": slice step must not be zero"));
      c.w.line("int64_t first = 0, len = 0;");
      std::string hs = e.start.kind == IdxBound::None ? "false" : "true";
      std::string he = e.stop.kind == IdxBound::None ? "false" : "true";
      std::string sv = e.start.kind == IdxBound::None ? "0" : bound_expr(c, n, e.start);
      std::string ev = e.stop.kind == IdxBound::None ? "0" : bound_expr(c, n, e.stop);
      c.w.line("tgc::slice_indices(" + src + ".n[" + D + "], " + hs + ", " + sv + ", " + he + ", " + ev +
               ", step, &first, &len);");
      c.w.line("if (len > 0) " + dst + ".p += first * " + src + ".s[" + D + "];");
      // A dimension of at most one element never moves: stride 0 also keeps
      // stride * step from overflowing for steps near the int64 limits.
      c.w.line(dst + ".n[" + O + "] = len; " + dst + ".s[" + O + "] = len > 1 ? " + src + ".s[" + D + "] * step : 0;");
      ++od;
    }
    c.w.close();
  }
}

// A view `name` of y broadcast to `region` (rank nd): y's dims align on the
// right; static-1 dims get stride 0, others must equal the region's.
void emit_broadcast_to(EmitContext& c, const Node& n, const Var* y, const std::string& region, int nd,
                       const std::string& name) {
  const std::string& yv = c.name(y);
  int yr = y->type.ndim();
  c.w.line("tgc::rt::View<" + EmitContext::ctype(y) + ", " + std::to_string(nd) + "> " + name + ";");
  c.w.line(name + ".p = " + yv + ".p;");
  for (int d = 0; d < nd; ++d) {
    int k = d - (nd - yr);
    std::string D = std::to_string(d);
    c.w.line(name + ".n[" + D + "] = " + region + ".n[" + D + "];");
    if (k < 0 || y->type.broadcastable(k)) {
      c.w.line(name + ".s[" + D + "] = 0;");
      continue;
    }
    std::string K = std::to_string(k);
    c.w.line("if (" + yv + ".n[" + K + "] != " + region + ".n[" + D + "]) " +
             c.fail(n.path, std::string(op_name(n.op)) + ": the value has size %lld in dimension " + K +
                                ", the indexed region %lld",
                    "(long long)" + yv + ".n[" + K + "], (long long)" + region + ".n[" + D + "]"));
    c.w.line(name + ".s[" + D + "] = " + yv + ".s[" + K + "];");
  }
}

std::string region_type(const Var* x, int nd) {
  return "tgc::rt::View<" + EmitContext::ctype(x) + ", " + std::to_string(nd) + ">";
}

int region_rank(const Node& n, int x_nd) {
  int r = x_nd;
  for (const IdxEntry& e : n.attrs->idx) r -= e.is_slice ? 0 : 1;
  return r;
}

void emit_inc_set(EmitContext& c, const Node& n) {
  const Var* x = n.inputs[0];
  const Var* y = n.inputs[1];
  const Var* out = n.outputs[0];
  if (n.attrs->inplace == 0) c.w.line(c.name(out) + " = " + c.name(x) + ";  // in place: x is dead after this node");
  else c.emit_copy(x, out, n.path);
  int rn = region_rank(n, x->type.ndim());
  c.w.open("");
  c.w.line(region_type(out, rn) + " region;");
  emit_region(c, n, c.name(out), x->type.ndim(), "region");
  emit_broadcast_to(c, n, y, "region", rn, "value");
  std::string T = EmitContext::ctype(out);
  if (n.op == Op::SetSubtensor) c.w.line("tgc::rt::copy_cast(region, value);");
  else c.w.line("tgc::rt::update_view(region, value, [](" + T + " a, " + T + " b) { return tgc::sc::add(a, b); });");
  c.w.close();
}

// Row k of an advanced index list, wrapped and range-checked into `j`.
void emit_row_index(EmitContext& c, const Node& n, const Var* ilist, const std::string& rows) {
  const std::string& il = c.name(ilist);
  c.w.line("int64_t j = 0;");
  // index_value: a uint64 beyond the int64 range must not wrap to a negative index.
  c.w.line("const int64_t i = tgc::index_value(" + il + ".p[k * " + il + ".s[0]]);");
  c.w.line("if (!tgc::wrap_index(i, " + rows + ", &j)) " +
           c.fail(n.path, std::string(op_name(n.op)) + ": index %lld is out of range for %lld rows",
                  "(long long)i, (long long)" + rows));
}

// A view named `name` of row `row` of `src` (dimension 0 dropped).
void emit_row_view(EmitContext& c, const std::string& src, int nd, const std::string& ctype, const std::string& row,
                   const std::string& name) {
  c.w.line("tgc::rt::View<" + ctype + ", " + std::to_string(nd - 1) + "> " + name + ";");
  c.w.line(name + ".p = " + src + ".p + " + row + " * " + src + ".s[0];");
  for (int d = 1; d < nd; ++d)
    c.w.line(name + ".n[" + std::to_string(d - 1) + "] = " + src + ".n[" + std::to_string(d) + "]; " + name + ".s[" +
             std::to_string(d - 1) + "] = " + src + ".s[" + std::to_string(d) + "];");
}

void emit_adv_subtensor1(EmitContext& c, const Node& n) {
  const Var* x = n.inputs[0];
  const Var* ilist = n.inputs[1];
  const Var* out = n.outputs[0];
  int nd = x->type.ndim();
  const std::string &xv = c.name(x), &o = c.name(out);
  std::vector<std::string> dims = {c.name(ilist) + ".n[0]"};
  for (int d = 1; d < nd; ++d) dims.push_back(xv + ".n[" + std::to_string(d) + "]");
  c.alloc(out, dims, n.path);
  std::string T = EmitContext::ctype(out);
  c.w.open("for (int64_t k = 0; k < " + c.name(ilist) + ".n[0]; ++k)");
  emit_row_index(c, n, ilist, xv + ".n[0]");
  emit_row_view(c, xv, nd, T, "j", "src");
  emit_row_view(c, o, nd, T, "k", "dst");
  c.w.line("tgc::rt::copy_cast(dst, src);");
  c.w.close();
}

void emit_adv_inc_set1(EmitContext& c, const Node& n) {
  const Var* x = n.inputs[0];
  const Var* y = n.inputs[1];
  const Var* ilist = n.inputs[2];
  const Var* out = n.outputs[0];
  int nd = x->type.ndim();
  if (n.attrs->inplace == 0) c.w.line(c.name(out) + " = " + c.name(x) + ";  // in place: x is dead after this node");
  else c.emit_copy(x, out, n.path);
  const std::string& o = c.name(out);
  std::string T = EmitContext::ctype(out);
  c.w.open("");
  // The value broadcast to (len(ilist),) + x.shape[1:].
  c.w.line(region_type(out, nd) + " region;");
  c.w.line("region.p = " + o + ".p; region.n[0] = " + c.name(ilist) + ".n[0]; region.s[0] = 0;");
  for (int d = 1; d < nd; ++d)
    c.w.line("region.n[" + std::to_string(d) + "] = " + o + ".n[" + std::to_string(d) + "]; region.s[" + std::to_string(d) +
             "] = " + o + ".s[" + std::to_string(d) + "];");
  emit_broadcast_to(c, n, y, "region", nd, "value");
  c.w.open("for (int64_t k = 0; k < region.n[0]; ++k)");
  emit_row_index(c, n, ilist, o + ".n[0]");
  emit_row_view(c, o, nd, T, "j", "dst");
  emit_row_view(c, "value", nd, EmitContext::ctype(y), "k", "src");
  if (n.op == Op::AdvSetSubtensor1) c.w.line("tgc::rt::copy_cast(dst, src);");
  else c.w.line("tgc::rt::update_view(dst, src, [](" + T + " a, " + T + " b) { return tgc::sc::add(a, b); });");
  c.w.close();
  c.w.close();
}

}  // namespace

void emit_index_op(EmitContext& c, const Node& n) {
  switch (n.op) {
    case Op::Subtensor: {
      c.w.open("");
      emit_region(c, n, c.name(n.inputs[0]), n.inputs[0]->type.ndim(), c.name(n.outputs[0]));
      c.w.close();
      return;
    }
    case Op::IncSubtensor:
    case Op::SetSubtensor: return emit_inc_set(c, n);
    case Op::AdvSubtensor1: return emit_adv_subtensor1(c, n);
    case Op::AdvIncSubtensor1:
    case Op::AdvSetSubtensor1: return emit_adv_inc_set1(c, n);
    default: break;
  }
  throw internal_error("codegen: " + n.path + ": not an indexing op");
}

}  // namespace tgc
