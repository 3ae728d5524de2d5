// Neural-network ops (softmax, log_softmax, categorical_crossentropy),
// random draws on the Philox stream, and assert.
#include "codegen/emit_context.h"
#include "ir/error.h"

namespace tgc {

namespace {

// softmax / log_softmax over the last axis, row by row on a contiguous copy:
// m = max(x), s = sum(exp(x - m)); softmax = exp(x - m) / s and
// log_softmax = x - m - log(s), so neither overflows.
void emit_softmax(EmitContext& c, const Node& n) {
  const Var *x = n.inputs[0], *out = n.outputs[0];
  std::string T = EmitContext::ctype(out);
  const std::string &xv = c.name(x), &o = c.name(out);
  int nd = x->type.ndim();
  std::vector<std::string> dims;
  for (int d = 0; d < nd; ++d) dims.push_back(xv + ".n[" + std::to_string(d) + "]");
  c.alloc(out, dims, n.path);
  c.w.line("tgc::rt::copy_cast(" + o + ", " + xv + ");");
  c.w.open("");
  c.w.line("const int64_t cols = " + o + ".n[" + std::to_string(nd - 1) + "];");
  c.w.line("const int64_t rows = cols == 0 ? 0 : tgc::rt::numel(" + o + ") / cols;");
  c.w.open("for (int64_t r = 0; r < rows; ++r)");
  c.w.line(T + "* row = " + o + ".p + r * cols;");
  c.w.line(T + " m = -std::numeric_limits<" + T + ">::infinity();");
  c.w.line("for (int64_t j = 0; j < cols; ++j) m = tgc::sc::maximum(m, row[j]);");
  c.w.line("if (m == -std::numeric_limits<" + T + ">::infinity()) m = 0;  // all -inf: keep exp finite");
  c.w.line("double s = 0;");
  if (n.op == Op::Softmax) {
    c.w.line("for (int64_t j = 0; j < cols; ++j) { row[j] = std::exp(row[j] - m); s += double(row[j]); }");
    c.w.line("for (int64_t j = 0; j < cols; ++j) row[j] = " + T + "(double(row[j]) / s);");
  } else {
    c.w.line("for (int64_t j = 0; j < cols; ++j) s += double(std::exp(row[j] - m));");
    c.w.line("const " + T + " ls = " + T + "(std::log(s));");
    c.w.line("for (int64_t j = 0; j < cols; ++j) row[j] = row[j] - m - ls;");
  }
  c.w.close();
  c.w.close();
}

// categorical_crossentropy(p, t): -log(p[i, t[i]]) for class indices,
// -sum_j t[i, j] * log(p[i, j]) for a matrix of targets.
void emit_crossentropy(EmitContext& c, const Node& n) {
  const Var *p = n.inputs[0], *t = n.inputs[1], *out = n.outputs[0];
  std::string T = EmitContext::ctype(out);
  const std::string &pv = c.name(p), &tv = c.name(t), &o = c.name(out);
  c.w.line("if (" + tv + ".n[0] != " + pv + ".n[0]) " +
           c.fail(n.path, "categorical_crossentropy: p has %lld rows, t %lld", "(long long)" + pv + ".n[0], (long long)" + tv + ".n[0]"));
  c.alloc(out, {pv + ".n[0]"}, n.path);
  c.w.open("for (int64_t i = 0; i < " + pv + ".n[0]; ++i)");
  if (t->type.ndim() == 1) {
    c.w.line("const int64_t k = tgc::sc::cvt<int64_t>(" + tv + ".p[i * " + tv + ".s[0]]);");
    c.w.line("if (k < 0 || k >= " + pv + ".n[1]) " +
             c.fail(n.path, "categorical_crossentropy: class index %lld out of range for %lld classes",
                    "(long long)k, (long long)" + pv + ".n[1]"));
    c.w.line(o + ".p[i] = -std::log(tgc::sc::cvt<" + T + ">(" + pv + ".p[i * " + pv + ".s[0] + k * " + pv + ".s[1]]));");
  } else {
    c.w.line("if (" + tv + ".n[1] != " + pv + ".n[1]) " +
             c.fail(n.path, "categorical_crossentropy: p has %lld columns, t %lld", "(long long)" + pv + ".n[1], (long long)" + tv + ".n[1]"));
    c.w.line(T + " s = 0;");
    c.w.line("for (int64_t j = 0; j < " + pv + ".n[1]; ++j) s += tgc::sc::cvt<" + T + ">(" + tv + ".p[i * " + tv + ".s[0] + j * " + tv +
             ".s[1]]) * std::log(tgc::sc::cvt<" + T + ">(" + pv + ".p[i * " + pv + ".s[0] + j * " + pv + ".s[1]]));");
    c.w.line(o + ".p[i] = -s;");
  }
  c.w.close();
}

// Parameter k of a random op as an N-d view broadcast to the sample shape.
std::string param_view(EmitContext& c, const Node& n, const Var* p, const Var* out, const std::string& name) {
  int nd = out->type.ndim(), pr = p->type.ndim();
  const std::string &pv = c.name(p), &o = c.name(out);
  c.w.line("tgc::rt::View<" + EmitContext::ctype(p) + ", " + std::to_string(nd) + "> " + name + ";");
  c.w.line(name + ".p = " + pv + ".p;");
  for (int d = 0; d < nd; ++d) {
    int k = d - (nd - pr);
    std::string D = std::to_string(d);
    c.w.line(name + ".n[" + D + "] = " + o + ".n[" + D + "];");
    if (k < 0 || p->type.broadcastable(k)) {
      c.w.line(name + ".s[" + D + "] = 0;");
      continue;
    }
    std::string K = std::to_string(k);
    c.w.line("if (" + pv + ".n[" + K + "] != " + o + ".n[" + D + "]) " +
             c.fail(n.path, std::string(op_name(n.op)) + ": a parameter has size %lld in dimension " + K + ", the sample %lld",
                    "(long long)" + pv + ".n[" + K + "], (long long)" + o + ".n[" + D + "]"));
    c.w.line(name + ".s[" + D + "] = " + pv + ".s[" + K + "];");
  }
  return name;
}

// Offset of flat sample i in a broadcast parameter view (odometer-free).
std::string offset_expr(const std::string& view, int nd) {
  if (nd == 0) return "0";
  return "tgc::rt::flat_offset(" + view + ", i)";
}

}  // namespace

void emit_neural(EmitContext& c, const Node& n) {
  if (n.op == Op::CrossEntropy) return emit_crossentropy(c, n);
  emit_softmax(c, n);
}

// random_*(rng, size, a, b) -> [rng_next, sample]: sample i draws from the
// state before the op (tgc/philox.h); the new state is advanced past every
// block used.
void emit_random(EmitContext& c, const Node& n) {
  const Var* rng = n.inputs[0];
  const Var *next = n.outputs[0], *out = n.outputs[1];
  int nd = out->type.ndim();
  bool size_attr = n.attrs->shape.has_value();
  size_t first = size_attr ? 1 : 2;
  std::string T = EmitContext::ctype(out);
  c.w.open("");
  std::vector<std::string> dims;
  for (int d = 0; d < nd; ++d) {
    std::string t = c.temp("d");
    if (size_attr) {
      c.w.line("const int64_t " + t + " = " + std::to_string((*n.attrs->shape)[size_t(d)]) + ";");
    } else {
      const std::string& sv = c.name(n.inputs[1]);
      if (d == 0)
        c.w.line("if (" + sv + ".n[0] != " + std::to_string(nd) + ") " +
                 c.fail(n.path, std::string(op_name(n.op)) + ": size has %lld entries, expected " + std::to_string(nd), "(long long)" + sv + ".n[0]"));
      c.w.line("const int64_t " + t + " = tgc::sc::cvt<int64_t>(" + sv + ".p[" + std::to_string(d) + " * " + sv + ".s[0]]);");
    }
    c.w.line("if (" + t + " < 0) " + c.fail(n.path, std::string(op_name(n.op)) + ": negative size %lld", "(long long)" + t));
    dims.push_back(t);
  }
  c.alloc(out, dims, n.path);
  const std::string &o = c.name(out), &r = c.name(rng);
  std::string a = param_view(c, n, n.inputs[first], out, "pa");
  std::string b = param_view(c, n, n.inputs[first + 1], out, "pb");
  c.w.line("const int64_t count = tgc::rt::numel(" + o + ");");
  std::string av = "tgc::sc::cvt<double>(pa.p[" + offset_expr("pa", nd) + "])";
  std::string bv = "tgc::sc::cvt<double>(pb.p[" + offset_expr("pb", nd) + "])";
  c.w.line("uint64_t blocks = 1;");
  switch (n.op) {
    case Op::RandomUniform:
      if (out->type.dtype == DType::Float32)
        c.w.line("for (int64_t i = 0; i < count; ++i) " + o + ".p[i] = tgc::sample_uniform_f32(" + r +
                 ", uint64_t(i), float(" + av + "), float(" + bv + "));");
      else
        c.w.line("for (int64_t i = 0; i < count; ++i) " + o + ".p[i] = tgc::sample_uniform_f64(" + r + ", uint64_t(i), " + av + ", " + bv + ");");
      break;
    case Op::RandomNormal:
      c.w.open("for (int64_t i = 0; i < count; ++i)");
      c.w.line("const double sd = " + bv + ";");
      c.w.line("if (!(sd >= 0)) " + c.fail(n.path, "random_normal: std must be >= 0, got %g", "sd"));
      c.w.line(o + ".p[i] = " + T + "(tgc::sample_normal(" + r + ", uint64_t(i), " + av + ", sd));");
      c.w.close();
      break;
    case Op::RandomBinomial:
      // Every sample spans the blocks the largest n needs, so sample i's
      // numbers do not depend on the other samples' n.
      c.w.line("int64_t nmax = 0;");
      c.w.open("for (int64_t i = 0; i < count; ++i)");
      c.w.line("const double nn = " + av + ", pp = " + bv + ";");
      c.w.line("if (!(nn >= 0) || !(pp >= 0 && pp <= 1)) " +
               c.fail(n.path, "random_binomial: needs n >= 0 and 0 <= p <= 1, got n = %g, p = %g", "nn, pp"));
      c.w.line("if (int64_t(nn) > nmax) nmax = int64_t(nn);");
      c.w.close();
      c.w.line("blocks = tgc::binomial_blocks(nmax);");
      c.w.line("for (int64_t i = 0; i < count; ++i) " + o + ".p[i] = tgc::sc::cvt<" + T + ">(tgc::sample_binomial(" + r +
               ", uint64_t(i), blocks, int64_t(" + av + "), " + bv + "));");
      break;
    default: throw internal_error("codegen: " + n.path + ": not a random op");
  }
  c.w.line(c.name(next) + " = tgc::rng_advance(" + r + ", uint64_t(count) * blocks);");
  c.w.close();
}

void emit_assert(EmitContext& c, const Node& n) {
  for (size_t k = 1; k < n.inputs.size(); ++k)
    c.w.line("if (!tgc::sc::cvt<bool>(" + c.name(n.inputs[k]) + ".p[0])) " +
             c.fail(n.path, "assertion failed: " + c_format_string(n.attrs->message.empty() ? "condition " + std::to_string(k - 1) + " is false" : n.attrs->message)));
  c.w.line(c.name(n.outputs[0]) + " = " + c.name(n.inputs[0]) + ";");
}

}  // namespace tgc
