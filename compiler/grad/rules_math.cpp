// Gradients of reductions, linear algebra and the neural ops.
#include <algorithm>
#include <cmath>

#include "grad/backprop.h"
#include "ir/error.h"

namespace tgc {

namespace {

std::vector<bool> reduced_dims(const Node& n) {
  int nd = n.inputs[0]->type.ndim();
  std::vector<bool> r(size_t(nd), n.attrs->axis_all);
  if (!n.attrs->axis_all)
    for (int a : n.attrs->axes) r[size_t(a < 0 ? a + nd : a)] = true;
  return r;
}

// gz with the reduced dimensions put back as size-1 dimensions, so it
// broadcasts against the reduction's input.
Var* expand_reduced(Builder& b, const Node& n, Var* gz) {
  if (n.attrs->keepdims) return gz;
  std::vector<bool> r = reduced_dims(n);
  std::vector<int> pattern;
  int k = 0;
  for (bool red : r) pattern.push_back(red ? -1 : k++);
  return b.dimshuffle(gz, pattern);
}

Var* swap_last(Builder& b, Var* x) {  // transpose of the last two dimensions
  int nd = x->type.ndim();
  std::vector<int> axes;
  for (int d = 0; d < nd; ++d) axes.push_back(d);
  std::swap(axes[size_t(nd - 1)], axes[size_t(nd - 2)]);
  return b.transpose(x, axes);
}

}  // namespace

std::vector<Var*> grad_reduce(Builder& b, const Node& n, Var* gz) {
  std::vector<Var*> g(n.inputs.size(), nullptr);
  Var* x = n.inputs[0];
  if (!differentiable(x) || !differentiable(n.outputs[0])) return g;
  Var* ge = b.cast_like(expand_reduced(b, n, gz), x);
  switch (n.op) {
    case Op::Sum: g[0] = b.fill(x, ge); return g;
    case Op::Mean: {
      std::vector<bool> r = reduced_dims(n);
      Var* count = b.int64(1);
      for (size_t d = 0; d < r.size(); ++d)
        if (r[d]) count = b.mul(count, b.shape_i(x, int(d)));
      g[0] = b.div(b.fill(x, ge), b.cast(count, x->type.dtype));
      return g;
    }
    case Op::Prod: {
      // d/dx_i prod_j x_j = prod_{j != i} x_j, also where x_i = 0 (prod / x_i
      // would be 0/0 there), as Theano's Prod gradient: with P the product of
      // the group's nonzero elements and Z its number of zeros,
      //   Z = 0: P / x_i;   Z = 1: P at the zero, 0 elsewhere;   Z >= 2: 0.
      Attrs keep = n.attrs;
      keep.keepdims = true;
      Var* zero = b.scalar(0, x->type.dtype);
      Var* one = b.scalar(1, x->type.dtype);
      Var* is_zero = b.op(Op::Eq, {x, zero});
      Var* nonzero = b.switch_(is_zero, one, x);
      Var* p = b.cast_like(b.op(Op::Prod, {nonzero}, keep), x);
      Var* zeros = b.cast_like(b.op(Op::Sum, {b.cast_like(is_zero, x)}, keep), x);
      Var* at_zero = b.switch_(b.op(Op::Eq, {zeros, one}), p, zero);
      Var* elsewhere = b.switch_(b.op(Op::Eq, {zeros, zero}), b.div(p, nonzero), zero);
      g[0] = b.mul(b.fill(x, ge), b.switch_(is_zero, at_zero, elsewhere));
      return g;
    }
    case Op::Max:
    case Op::Min: {  // to the elements equal to the extreme (all of them on ties, as Theano)
      Var* me = expand_reduced(b, n, n.outputs[0]);
      g[0] = b.mul(b.fill(x, ge), b.cast_like(b.op(Op::Eq, {x, me}), x));
      return g;
    }
    default: return g;  // argmax, argmin, all, any
  }
}

std::vector<Var*> grad_linalg(Builder& b, const Node& n, Var* gz) {
  std::vector<Var*> g(n.inputs.size(), nullptr);
  const Var* z = n.outputs[0];
  if (!differentiable(z)) return g;
  auto f = [&](Var* v) { return b.cast_like(v, z); };
  Var* a = n.inputs[0];
  Var* c = n.inputs.size() > 1 ? n.inputs[1] : nullptr;
  auto set = [&](size_t i, Var* v) {
    if (differentiable(n.inputs[i])) g[i] = b.cast_like(v, n.inputs[i]);
  };
  switch (n.op) {
    case Op::Dot:
    case Op::Dot22: {
      int ra = a->type.ndim(), rc = c->type.ndim();
      if (ra == 0 || rc == 0) {  // scalar times tensor
        set(0, b.unbroadcast(b.mul(gz, f(c)), a));
        set(1, b.unbroadcast(b.mul(gz, f(a)), c));
      } else if (ra == 2 && rc == 2) {  // dA = gz B^T, dB = A^T gz
        set(0, b.dot(gz, b.transpose(f(c))));
        set(1, b.dot(b.transpose(f(a)), gz));
      } else if (ra == 2 && rc == 1) {  // z = A x: dA = outer(gz, x), dx = A^T gz
        set(0, b.outer(gz, f(c)));
        set(1, b.dot(b.transpose(f(a)), gz));
      } else if (ra == 1 && rc == 2) {  // z = x B: dx = B gz, dB = outer(x, gz)
        set(0, b.dot(f(c), gz));
        set(1, b.outer(f(a), gz));
      } else {  // vector . vector
        set(0, b.mul(gz, f(c)));
        set(1, b.mul(gz, f(a)));
      }
      return g;
    }
    case Op::Outer:  // z_ij = a_i c_j: da = gz c, dc = a gz
      set(0, b.dot(gz, f(c)));
      set(1, b.dot(f(a), gz));
      return g;
    case Op::BatchedDot: {
      int ra = a->type.ndim(), rc = c->type.ndim();
      if (ra == 3 && rc == 3) {
        set(0, b.op(Op::BatchedDot, {gz, swap_last(b, f(c))}));
        set(1, b.op(Op::BatchedDot, {swap_last(b, f(a)), gz}));
      } else if (ra == 2 && rc == 2) {  // z_b = sum_i a_bi c_bi
        Var* ge = b.dimshuffle(gz, {0, -1});
        set(0, b.mul(ge, f(c)));
        set(1, b.mul(ge, f(a)));
      } else if (ra == 3 && rc == 2) {  // z_bn = sum_m a_bnm c_bm
        set(0, b.mul(b.dimshuffle(gz, {0, 1, -1}), b.dimshuffle(f(c), {0, -1, 1})));
        set(1, b.op(Op::BatchedDot, {b.transpose(f(a), {0, 2, 1}), gz}));
      } else {  // (B,n) x (B,n,p): z_bp = sum_n a_bn c_bnp
        set(0, b.op(Op::BatchedDot, {f(c), gz}));
        set(1, b.mul(b.dimshuffle(f(a), {0, 1, -1}), b.dimshuffle(gz, {0, -1, 1})));
      }
      return g;
    }
    case Op::Gemm: {  // z = beta Z + alpha X Y
      Var *Z = n.inputs[0], *al = f(n.inputs[1]), *X = f(n.inputs[2]), *Y = f(n.inputs[3]), *be = f(n.inputs[4]);
      set(0, b.mul(gz, be));
      set(1, b.sum_all(b.mul(gz, b.dot(X, Y))));
      set(2, b.mul(b.dot(gz, b.transpose(Y)), al));
      set(3, b.mul(b.dot(b.transpose(X), gz), al));
      set(4, b.sum_all(b.mul(gz, f(Z))));
      return g;
    }
    case Op::Gemv: {  // z = beta z0 + alpha A x
      Var *Z = n.inputs[0], *al = f(n.inputs[1]), *A = f(n.inputs[2]), *X = f(n.inputs[3]), *be = f(n.inputs[4]);
      set(0, b.mul(gz, be));
      set(1, b.sum_all(b.mul(gz, b.dot(A, X))));
      set(2, b.mul(b.outer(gz, X), al));
      set(3, b.mul(b.dot(b.transpose(A), gz), al));
      set(4, b.sum_all(b.mul(gz, f(Z))));
      return g;
    }
    case Op::Ger: {  // z = A + alpha outer(x, y)
      Var *al = f(n.inputs[1]), *X = f(n.inputs[2]), *Y = f(n.inputs[3]);
      set(0, gz);
      set(1, b.sum_all(b.mul(gz, b.outer(X, Y))));
      set(2, b.mul(b.dot(gz, Y), al));
      set(3, b.mul(b.dot(X, gz), al));
      return g;
    }
    case Op::SparseDot:  // z = S D: dD = S^T gz (the sparse operand gets no gradient)
      set(1, b.dot(b.transpose(b.cast_like(b.op(Op::ToDense, {a}), z)), gz));
      return g;
    default: return g;
  }
}

std::vector<Var*> grad_neural(Builder& b, const Node& n, Var* gz) {
  std::vector<Var*> g(n.inputs.size(), nullptr);
  Var* x = n.inputs[0];
  Var* z = n.outputs[0];
  int last = x->type.ndim() - 1;
  switch (n.op) {
    case Op::Softmax:  // dx = (gz - sum(gz * sm, -1)) * sm
      g[0] = b.mul(b.sub(gz, b.sum(b.mul(gz, z), {last}, true)), z);
      break;
    case Op::LogSoftmax:  // dx = gz - exp(lsm) * sum(gz, -1)
      g[0] = b.sub(gz, b.mul(b.unary(Op::Exp, z), b.sum(gz, {last}, true)));
      break;
    case Op::CrossEntropy: {
      Var* t = n.inputs[1];
      Var* p = b.cast_like(x, z);
      Var* ge = b.dimshuffle(gz, {0, -1});
      if (t->type.ndim() == 1) {
        // -log(p[i, t_i]): d/dp = -onehot(t) / p
        Var* cols = b.op(Op::Arange, {b.int64(0), b.shape_i(x, 1), b.int64(1)});
        Var* onehot = b.cast_like(b.op(Op::Eq, {b.dimshuffle(cols, {-1, 0}), b.dimshuffle(t, {0, -1})}), z);
        g[0] = b.neg(b.div(b.mul(ge, onehot), p));
      } else {  // -sum_j t_ij log p_ij
        Var* tf = b.cast_like(t, z);
        g[0] = b.neg(b.div(b.mul(ge, tf), p));
        if (differentiable(t)) g[1] = b.cast_like(b.neg(b.mul(ge, b.unary(Op::Log, p))), t);
      }
      break;
    }
    default: break;
  }
  if (g[0]) g[0] = differentiable(x) ? b.cast_like(g[0], x) : nullptr;
  return g;
}

}  // namespace tgc
