// Gradients of elementwise ops: d/dx_i of z = f(x_0, ...), times gz, summed
// over the dimensions x_i was broadcast in. Rounding ops and int_div of
// floats have a zero gradient (connected, as in Theano); comparisons, logic
// and integer-valued results have none (disconnected).
#include <cmath>

#include "grad/backprop.h"
#include "ir/error.h"

namespace tgc {

namespace {

// A float constant of the gradient's dtype.
Var* k(Builder& b, double v, const Var* like) { return b.scalar(v, like->type.dtype); }

// The float version of an input (integer inputs of float-valued ops).
Var* as_float(Builder& b, Var* x, const Var* like) { return b.cast_like(x, like); }

}  // namespace

std::vector<Var*> grad_elemwise(Builder& b, const Node& n, Var* gz) {
  const Var* z = n.outputs[0];
  std::vector<Var*> g(n.inputs.size(), nullptr);
  if (!differentiable(z)) return g;
  Var* x = n.inputs[0];
  Var* y = n.inputs.size() > 1 ? n.inputs[1] : nullptr;
  Var* out = n.outputs[0];
  auto fx = [&]() { return as_float(b, x, out); };
  auto fy = [&]() { return as_float(b, y, out); };
  auto done = [&](std::vector<Var*> r) {
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i] && differentiable(n.inputs[i])) r[i] = b.unbroadcast(r[i], n.inputs[i]);
      else r[i] = nullptr;
    return r;
  };
  switch (n.op) {
    case Op::Cast: return {differentiable(x) ? b.cast_like(gz, x) : nullptr};
    case Op::Add:
      for (size_t i = 0; i < n.inputs.size(); ++i) g[i] = gz;
      return done(g);
    case Op::Sub: return done({gz, b.neg(gz)});
    case Op::Mul:
      // d/dx_i prod_j x_j = prod_{j != i} x_j
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        Var* p = gz;
        for (size_t j = 0; j < n.inputs.size(); ++j)
          if (j != i) p = b.mul(p, as_float(b, n.inputs[j], out));
        g[i] = p;
      }
      return done(g);
    case Op::TrueDiv:  // z = x / y: dz/dx = 1/y, dz/dy = -x/y^2 = -z/y
      return done({b.div(gz, fy()), b.neg(b.div(b.mul(gz, out), fy()))});
    case Op::IntDiv:  // floor(x / y) is piecewise constant: d/dx = d/dy = 0 (connected, as Theano's IntDiv.grad)
      return done({b.zeros_like(fx()), b.zeros_like(fy())});
    case Op::Mod:  // x - floor(x/y) y: dz/dx = 1, dz/dy = -floor(x/y)
      return done({gz, b.neg(b.mul(gz, b.op(Op::IntDiv, {fx(), fy()})))});
    case Op::Pow: {  // z = x^y: dz/dx = y x^(y-1), dz/dy = log(x) x^y
      Var* gx = b.mul(gz, b.mul(fy(), b.op(Op::Pow, {fx(), b.sub(fy(), k(b, 1, out))})));
      Var* gy = b.mul(gz, b.mul(b.unary(Op::Log, fx()), out));
      return done({gx, gy});
    }
    case Op::Maximum:
    case Op::Minimum: {  // the gradient goes to whichever input equals the result (both on ties, as Theano)
      Var* ex = b.cast_like(b.op(Op::Eq, {out, fx()}), out);
      Var* ey = b.cast_like(b.op(Op::Eq, {out, fy()}), out);
      return done({b.mul(gz, ex), b.mul(gz, ey)});
    }
    case Op::Neg: return done({b.neg(gz)});
    case Op::Abs: return done({b.mul(gz, b.unary(Op::Sgn, fx()))});
    case Op::Exp: return done({b.mul(gz, out)});
    case Op::Exp2: return done({b.mul(gz, b.mul(out, k(b, std::log(2.0), out)))});
    case Op::Expm1: return done({b.mul(gz, b.add(out, k(b, 1, out)))});
    case Op::Log: return done({b.div(gz, fx())});
    case Op::Log2: return done({b.div(gz, b.mul(fx(), k(b, std::log(2.0), out)))});
    case Op::Log10: return done({b.div(gz, b.mul(fx(), k(b, std::log(10.0), out)))});
    case Op::Log1p: return done({b.div(gz, b.add(fx(), k(b, 1, out)))});
    case Op::Sqrt: return done({b.div(b.mul(gz, k(b, 0.5, out)), out)});
    case Op::Sqr: return done({b.mul(gz, b.mul(fx(), k(b, 2, out)))});
    case Op::Reciprocal: return done({b.neg(b.mul(gz, b.mul(out, out)))});
    case Op::Sin: return done({b.mul(gz, b.unary(Op::Cos, fx()))});
    case Op::Cos: return done({b.neg(b.mul(gz, b.unary(Op::Sin, fx())))});
    case Op::Tan: return done({b.mul(gz, b.add(k(b, 1, out), b.mul(out, out)))});
    case Op::Tanh: return done({b.mul(gz, b.sub(k(b, 1, out), b.mul(out, out)))});
    case Op::Sigmoid: return done({b.mul(gz, b.mul(out, b.sub(k(b, 1, out), out)))});
    case Op::Softplus: return done({b.mul(gz, b.unary(Op::Sigmoid, fx()))});
    case Op::Relu: return done({b.mul(gz, b.cast_like(b.op(Op::Gt, {fx(), k(b, 0, out)}), out))});
    case Op::Erf: {  // 2/sqrt(pi) exp(-x^2)
      Var* e = b.unary(Op::Exp, b.neg(b.mul(fx(), fx())));
      return done({b.mul(gz, b.mul(e, k(b, 2.0 / std::sqrt(M_PI), out)))});
    }
    case Op::Sgn:
    case Op::Floor:
    case Op::Ceil:
    case Op::Round:  // piecewise constant: d/dx = 0 where defined; connected, as Theano's L_op returns zeros
      return done({b.zeros_like(fx())});
    case Op::Switch: {  // switch(c, a, b): the gradient goes where c selected
      Var* zero = b.zeros_like(gz);
      return done({nullptr, b.switch_(x, gz, zero), b.switch_(x, zero, gz)});
    }
    case Op::Clip: {  // clip(x, lo, hi): x where lo <= x <= hi, else the bound
      Var* lo = as_float(b, n.inputs[1], out);
      Var* hi = as_float(b, n.inputs[2], out);
      Var* inside = b.op(Op::And, {b.op(Op::Ge, {fx(), lo}), b.op(Op::Le, {fx(), hi})});
      Var* below = b.op(Op::Lt, {fx(), lo});
      Var* above = b.op(Op::Gt, {fx(), hi});
      return done({b.mul(gz, b.cast_like(inside, out)), b.mul(gz, b.cast_like(below, out)),
                   b.mul(gz, b.cast_like(above, out))});
    }
    default: return g;  // comparisons, logic, isnan, isinf, invert: not differentiable
  }
}

}  // namespace tgc
