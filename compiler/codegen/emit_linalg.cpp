// Linear algebra through the BLAS wrappers of tgc/blas.h: dot in its four
// Theano forms (GEMM, GEMV, DOT), outer, batched_dot, gemm/gemv/ger, and the
// CSR sparse ops. Operands of another dtype than the result are converted
// into scratch first (BLAS needs one type).
#include "codegen/emit_context.h"
#include "ir/error.h"

namespace tgc {

namespace {

// A view of v's data in dtype dt: v itself, or a converted contiguous copy.
std::string as_dtype(EmitContext& c, const Var* v, DType dt, const std::string& path) {
  if (v->type.dtype == dt) return c.name(v);
  std::string t = c.temp("conv");
  std::string ct = EmitContext::ctype(dt);
  std::string vt = "tgc::rt::View<" + ct + ", " + std::to_string(v->type.ndim()) + ">";
  c.alloc_scratch(t + "_p", ct, "tgc::rt::numel(" + c.name(v) + ")", path);
  c.w.line(vt + " " + t + ";");
  c.w.line(t + ".p = " + t + "_p;");
  for (int d = 0; d < v->type.ndim(); ++d) c.w.line(t + ".n[" + std::to_string(d) + "] = " + c.name(v) + ".n[" + std::to_string(d) + "];");
  if (v->type.ndim() > 0) c.w.line("tgc::rt::set_contiguous_strides(" + t + ");");
  c.w.line("tgc::rt::copy_cast(" + t + ", " + c.name(v) + ");");
  return t;
}

std::string scalar_as(EmitContext& c, const Var* v, DType dt) {
  return "tgc::sc::cvt<" + EmitContext::ctype(dt) + ">(" + c.name(v) + ".p[0])";
}

void check_eq(EmitContext& c, const Node& n, const std::string& a, const std::string& b, const std::string& what) {
  c.w.line("if (" + a + " != " + b + ") " +
           c.fail(n.path, std::string(op_name(n.op)) + ": " + what + " differ: %lld and %lld",
                  "(long long)" + a + ", (long long)" + b));
}

// Two scratch buffers for BLAS operand copies.
std::pair<std::string, std::string> blas_scratch(EmitContext& c) {
  int a = c.plan.new_scratch(), b = c.plan.new_scratch();
  return {c.ws + "[" + std::to_string(a) + "]", c.ws + "[" + std::to_string(b) + "]"};
}

void oom_check(EmitContext& c, const Node& n, const std::string& call) {
  c.w.line("if (!" + call + ") " + c.fail(n.path, "out of memory"));
}

void emit_dot(EmitContext& c, const Node& n) {
  const Var *a = n.inputs[0], *b = n.inputs[1], *out = n.outputs[0];
  DType dt = out->type.dtype;
  std::string T = EmitContext::ctype(dt);
  int ra = a->type.ndim(), rb = b->type.ndim();
  if (ra == 0 || rb == 0) {  // Theano: dot with a scalar is elementwise multiplication
    c.alloc(out, emit_broadcast_dims(c, out, {a, b}, n.path, "dot"), n.path);
    emit_elemwise_loop(c, out, {a, b}, {dt, dt}, [](const std::vector<std::string>& ops) {
      return "tgc::sc::mul(" + ops[0] + ", " + ops[1] + ")";
    });
    return;
  }
  c.w.open("");
  std::string av = as_dtype(c, a, dt, n.path), bv = as_dtype(c, b, dt, n.path);
  check_eq(c, n, av + ".n[" + std::to_string(ra - 1) + "]", bv + ".n[0]", "inner dimensions");
  const std::string& o = c.name(out);
  if (ra == 1 && rb == 1) {
    c.alloc(out, {}, n.path);
    c.w.line(o + ".p[0] = tgc::rt::dot(" + av + ", " + bv + ");");
  } else if (ra == 2 && rb == 1) {
    c.alloc(out, {av + ".n[0]"}, n.path);
    auto [s1, s2] = blas_scratch(c);
    oom_check(c, n, "tgc::rt::gemv(" + av + ", " + bv + ", " + T + "(1), " + T + "(0), " + o + ".p, " + s1 + ", " + s2 + ")");
  } else if (ra == 1 && rb == 2) {
    // x . B = B^T x
    c.alloc(out, {bv + ".n[1]"}, n.path);
    c.w.line("tgc::rt::View<" + T + ", 2> bt;");
    c.w.line("bt.p = " + bv + ".p; bt.n[0] = " + bv + ".n[1]; bt.n[1] = " + bv + ".n[0]; bt.s[0] = " + bv + ".s[1]; bt.s[1] = " + bv + ".s[0];");
    auto [s1, s2] = blas_scratch(c);
    oom_check(c, n, "tgc::rt::gemv(bt, " + av + ", " + T + "(1), " + T + "(0), " + o + ".p, " + s1 + ", " + s2 + ")");
  } else {
    c.alloc(out, {av + ".n[0]", bv + ".n[1]"}, n.path);
    auto [s1, s2] = blas_scratch(c);
    oom_check(c, n, "tgc::rt::gemm(" + av + ", " + bv + ", " + T + "(1), " + T + "(0), " + o + ".p, " + s1 + ", " + s2 + ")");
  }
  c.w.close();
}

void emit_outer(EmitContext& c, const Node& n) {
  const Var *a = n.inputs[0], *b = n.inputs[1], *out = n.outputs[0];
  std::string T = EmitContext::ctype(out);
  const std::string &av = c.name(a), &bv = c.name(b), &o = c.name(out);
  c.alloc(out, {av + ".n[0]", bv + ".n[0]"}, n.path);
  c.w.open("for (int64_t i = 0; i < " + av + ".n[0]; ++i)");
  c.w.line("const " + T + " x = tgc::sc::cvt<" + T + ">(" + av + ".p[i * " + av + ".s[0]]);");
  c.w.line("for (int64_t j = 0; j < " + bv + ".n[0]; ++j) " + o + ".p[i * " + o + ".n[1] + j] = tgc::sc::mul(x, tgc::sc::cvt<" +
           T + ">(" + bv + ".p[j * " + bv + ".s[0]]));");
  c.w.close();
}

// A view named `name` of batch `b` of `src` (dimension 0 dropped).
void batch_view(EmitContext& c, const std::string& src, int nd, const std::string& T, const std::string& name) {
  c.w.line("tgc::rt::View<" + T + ", " + std::to_string(nd - 1) + "> " + name + ";");
  c.w.line(name + ".p = " + src + ".p + b * " + src + ".s[0];");
  for (int d = 1; d < nd; ++d)
    c.w.line(name + ".n[" + std::to_string(d - 1) + "] = " + src + ".n[" + std::to_string(d) + "]; " + name + ".s[" +
             std::to_string(d - 1) + "] = " + src + ".s[" + std::to_string(d) + "];");
}

void emit_batched_dot(EmitContext& c, const Node& n) {
  const Var *a = n.inputs[0], *b = n.inputs[1], *out = n.outputs[0];
  DType dt = out->type.dtype;
  std::string T = EmitContext::ctype(dt);
  int ra = a->type.ndim(), rb = b->type.ndim();
  c.w.open("");
  std::string av = as_dtype(c, a, dt, n.path), bv = as_dtype(c, b, dt, n.path);
  check_eq(c, n, av + ".n[0]", bv + ".n[0]", "batch sizes");
  check_eq(c, n, av + ".n[" + std::to_string(ra - 1) + "]", bv + ".n[1]", "inner dimensions");
  std::vector<std::string> dims = {av + ".n[0]"};
  if (ra == 3) dims.push_back(av + ".n[1]");
  if (rb == 3) dims.push_back(bv + ".n[2]");
  c.alloc(out, dims, n.path);
  const std::string& o = c.name(out);
  auto [s1, s2] = blas_scratch(c);
  c.w.open("for (int64_t b = 0; b < " + av + ".n[0]; ++b)");
  batch_view(c, av, ra, T, "x");
  batch_view(c, bv, rb, T, "y");
  std::string dst = o + ".p + b * " + (int(dims.size()) > 1 ? o + ".s[0]" : std::string("1"));
  if (ra == 2 && rb == 2) c.w.line("*(" + dst + ") = tgc::rt::dot(x, y);");
  else if (ra == 3 && rb == 2) oom_check(c, n, "tgc::rt::gemv(x, y, " + T + "(1), " + T + "(0), " + dst + ", " + s1 + ", " + s2 + ")");
  else if (ra == 2 && rb == 3) {
    c.w.line("tgc::rt::View<" + T + ", 2> yt;");
    c.w.line("yt.p = y.p; yt.n[0] = y.n[1]; yt.n[1] = y.n[0]; yt.s[0] = y.s[1]; yt.s[1] = y.s[0];");
    oom_check(c, n, "tgc::rt::gemv(yt, x, " + T + "(1), " + T + "(0), " + dst + ", " + s1 + ", " + s2 + ")");
  } else {
    oom_check(c, n, "tgc::rt::gemm(x, y, " + T + "(1), " + T + "(0), " + dst + ", " + s1 + ", " + s2 + ")");
  }
  c.w.close();
  c.w.close();
}

// gemm(z, alpha, x, y, beta), gemv(z, alpha, A, x, beta), ger(A, alpha, x, y):
// the result starts as a copy of z (or A) and BLAS updates it.
void emit_blas_update(EmitContext& c, const Node& n) {
  const Var* out = n.outputs[0];
  DType dt = out->type.dtype;
  std::string T = EmitContext::ctype(dt);
  const Var* z = n.inputs[0];
  c.w.open("");
  std::string zv = as_dtype(c, z, dt, n.path);
  std::vector<std::string> dims;
  for (int d = 0; d < z->type.ndim(); ++d) dims.push_back(zv + ".n[" + std::to_string(d) + "]");
  const std::string& o = c.name(out);
  if (n.attrs->inplace == 0 && zv == c.name(z)) {
    c.w.line(o + " = " + zv + ";  // in place: z's buffer is dead after this node");
  } else {
    c.alloc(out, dims, n.path);
    c.w.line("tgc::rt::copy_to_contiguous(" + zv + ", " + o + ".p);");
  }
  std::string alpha = scalar_as(c, n.inputs[1], dt);
  auto [s1, s2] = blas_scratch(c);
  if (n.op == Op::Gemm) {
    std::string xv = as_dtype(c, n.inputs[2], dt, n.path), yv = as_dtype(c, n.inputs[3], dt, n.path);
    check_eq(c, n, xv + ".n[1]", yv + ".n[0]", "inner dimensions");
    check_eq(c, n, xv + ".n[0]", o + ".n[0]", "rows of x and z");
    check_eq(c, n, yv + ".n[1]", o + ".n[1]", "columns of y and z");
    oom_check(c, n, "tgc::rt::gemm(" + xv + ", " + yv + ", " + alpha + ", " + scalar_as(c, n.inputs[4], dt) + ", " + o + ".p, " + s1 + ", " + s2 + ")");
  } else if (n.op == Op::Gemv) {
    std::string av = as_dtype(c, n.inputs[2], dt, n.path), xv = as_dtype(c, n.inputs[3], dt, n.path);
    check_eq(c, n, av + ".n[1]", xv + ".n[0]", "inner dimensions");
    check_eq(c, n, av + ".n[0]", o + ".n[0]", "rows of A and z");
    oom_check(c, n, "tgc::rt::gemv(" + av + ", " + xv + ", " + alpha + ", " + scalar_as(c, n.inputs[4], dt) + ", " + o + ".p, " + s1 + ", " + s2 + ")");
  } else {
    std::string xv = as_dtype(c, n.inputs[2], dt, n.path), yv = as_dtype(c, n.inputs[3], dt, n.path);
    check_eq(c, n, xv + ".n[0]", o + ".n[0]", "rows of A and x");
    check_eq(c, n, yv + ".n[0]", o + ".n[1]", "columns of A and y");
    c.w.line("tgc::rt::ger(" + o + ".p, " + o + ".n[0], " + o + ".n[1], " + alpha + ", " + xv + ", " + yv + ");");
  }
  c.w.close();
}

}  // namespace

void emit_linalg(EmitContext& c, const Node& n) {
  switch (n.op) {
    case Op::Dot:
    case Op::Dot22: return emit_dot(c, n);
    case Op::Outer: return emit_outer(c, n);
    case Op::BatchedDot: return emit_batched_dot(c, n);
    case Op::Gemm:
    case Op::Gemv:
    case Op::Ger: return emit_blas_update(c, n);
    default: break;
  }
  throw internal_error("codegen: " + n.path + ": not a linear-algebra op");
}

void emit_sparse(EmitContext& c, const Node& n) {
  const Var* s = n.inputs[0];
  const Var* out = n.outputs[0];
  const std::string &sv = c.name(s), &o = c.name(out);
  std::string T = EmitContext::ctype(out);
  if (n.op == Op::ToDense) {
    c.alloc(out, {sv + ".rows", sv + ".cols"}, n.path);
    c.w.line("for (int64_t i = 0; i < " + sv + ".rows * " + sv + ".cols; ++i) " + o + ".p[i] = " + T + "(0);");
    c.w.line("for (int64_t r = 0; r < " + sv + ".rows; ++r)");
    c.w.line("  for (int64_t k = " + sv + ".indptr.p[r]; k < " + sv + ".indptr.p[r + 1]; ++k)");
    c.w.line("    " + o + ".p[r * " + sv + ".cols + " + sv + ".indices.p[k]] = tgc::sc::add(" + o + ".p[r * " + sv +
             ".cols + " + sv + ".indices.p[k]], tgc::sc::cvt<" + T + ">(" + sv + ".data.p[k]));");
    return;
  }
  // sparse_dot(S, D): out[r, :] = sum_k data[k] * D[indices[k], :]
  const Var* d = n.inputs[1];
  const std::string& dv = c.name(d);
  bool vec = d->type.ndim() == 1;
  c.w.line("if (" + dv + ".n[0] != " + sv + ".cols) " +
           c.fail(n.path, "sparse_dot: the sparse matrix has %lld columns, the dense operand %lld rows",
                  "(long long)" + sv + ".cols, (long long)" + dv + ".n[0]"));
  std::string cols = vec ? "1" : dv + ".n[1]";
  if (vec) c.alloc(out, {sv + ".rows"}, n.path);
  else c.alloc(out, {sv + ".rows", dv + ".n[1]"}, n.path);
  c.w.open("");
  c.w.line("const int64_t nc = " + cols + ";");
  c.w.line("for (int64_t i = 0; i < " + sv + ".rows * nc; ++i) " + o + ".p[i] = " + T + "(0);");
  c.w.open("for (int64_t r = 0; r < " + sv + ".rows; ++r)");
  c.w.open("for (int64_t k = " + sv + ".indptr.p[r]; k < " + sv + ".indptr.p[r + 1]; ++k)");
  c.w.line("const " + T + " a = tgc::sc::cvt<" + T + ">(" + sv + ".data.p[k]);");
  c.w.line("const int64_t row = " + sv + ".indices.p[k];");
  std::string dsrc = vec ? dv + ".p[row * " + dv + ".s[0]]" : dv + ".p[row * " + dv + ".s[0] + j * " + dv + ".s[1]]";
  c.w.line("for (int64_t j = 0; j < nc; ++j) " + o + ".p[r * nc + j] = tgc::sc::add(" + o + ".p[r * nc + j], tgc::sc::mul(a, tgc::sc::cvt<" +
           T + ">(" + dsrc + ")));");
  c.w.close();
  c.w.close();
  c.w.close();
}

}  // namespace tgc
