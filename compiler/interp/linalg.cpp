// Linear algebra, Theano's definitions. Every operand is cast to the output
// dtype first; float products accumulate in double and are rounded once,
// integer products wrap (sc::add / sc::mul).
//   dot(a, b)          vector.vector -> 0-d, matrix.vector, vector.matrix,
//                      matrix.matrix; a 0-d operand multiplies elementwise
//   outer(a, b)        c[i, j] = a[i] * b[j]
//   batched_dot(a, b)  c[i] = dot(a[i], b[i]) for (B,n,m)x(B,m,p), (B,n)x(B,n),
//                      (B,n,m)x(B,m), (B,n)x(B,n,p)
//   gemm(z, alpha, x, y, beta) = beta * z + alpha * dot(x, y)
//   gemv(z, alpha, A, x, beta) = beta * z + alpha * dot(A, x)
//   ger(A, alpha, x, y)        = A + alpha * outer(x, y)
//   dot22(a, b)                = matrix.matrix
// gemm and gemv follow BLAS (and Theano's Gemm): with beta == 0, z is not
// read, so a NaN or Inf in z does not reach the result.
#include <type_traits>

#include "interp/array_util.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

template <class D> using acc_t = std::conditional_t<std::is_floating_point_v<D>, double, D>;

// A matrix operand: element (i, j) is at data[i * rs + j * cs]. A vector on
// the left is one row (1 x k); a vector on the right is one column (k x 1).
template <class D> struct Mat {
  const D* data;
  int64_t rows, cols, rs, cs;
};

template <class D> Mat<D> as_left(const D* data, const Shape& s) {
  int64_t k = s.back();
  if (s.size() == 1) return {data, 1, k, 0, 1};
  return {data, s[0], k, k, 1};
}
template <class D> Mat<D> as_right(const D* data, const Shape& s) {
  if (s.size() == 1) return {data, s[0], 1, 1, 0};
  return {data, s[0], s[1], s[1], 1};
}

// a . b accumulated (row-major rows x cols of the result).
template <class D> std::vector<acc_t<D>> matmul(const Mat<D>& a, const Mat<D>& b) {
  std::vector<acc_t<D>> c(size_t(a.rows * b.cols), acc_t<D>(0));
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t j = 0; j < b.cols; ++j) {
      acc_t<D> s(0);
      for (int64_t k = 0; k < a.cols; ++k) {
        D x = a.data[i * a.rs + k * a.cs], y = b.data[k * b.rs + j * b.cs];
        if constexpr (std::is_floating_point_v<D>) s += double(x) * double(y);
        else s = sc::add(s, sc::mul(x, y));
      }
      c[size_t(i * b.cols + j)] = s;
    }
  return c;
}

void check_inner(const Node& n, const Tensor& a, const Tensor& b, int64_t ka, int64_t kb) {
  if (ka != kb)
    fail(n, "inner dimensions differ: " + shape_str(a.shape()) + " and " + shape_str(b.shape()));
}

Tensor dot(const Node& n, const Tensor& a0, const Tensor& b0) {
  DType dt = out_dtype(n);
  Tensor a = a0.astype(dt), b = b0.astype(dt);
  if (a.ndim() == 0 || b.ndim() == 0) {  // Theano: a scalar operand multiplies elementwise
    const Tensor& s = a.ndim() == 0 ? a : b;
    const Tensor& t = a.ndim() == 0 ? b : a;
    Tensor out(dt, t.shape());
    visit_dtype(dt, [&](auto* p) {
      using D = std::remove_pointer_t<decltype(p)>;
      D sv = s.data<D>()[0];
      for (int64_t i = 0; i < t.size(); ++i)
        out.data<D>()[i] = a.ndim() == 0 ? sc::mul(sv, t.data<D>()[i]) : sc::mul(t.data<D>()[i], sv);
    });
    return out;
  }
  if (a.ndim() > 2 || b.ndim() > 2) throw internal_error(n.path + ": interp: dot of more than 2 dimensions");
  check_inner(n, a, b, a.shape().back(), b.shape()[0]);
  Shape shape;
  if (a.ndim() == 2) shape.push_back(a.shape()[0]);
  if (b.ndim() == 2) shape.push_back(b.shape()[1]);
  Tensor out(dt, shape);
  visit_dtype(dt, [&](auto* p) {
    using D = std::remove_pointer_t<decltype(p)>;
    auto c = matmul(as_left(a.data<D>(), a.shape()), as_right(b.data<D>(), b.shape()));
    for (size_t i = 0; i < c.size(); ++i) out.data<D>()[i] = D(c[i]);
  });
  return out;
}

Tensor outer(const Node& n, const Tensor& a0, const Tensor& b0) {
  DType dt = out_dtype(n);
  Tensor a = a0.astype(dt), b = b0.astype(dt);
  Tensor out(dt, {a.size(), b.size()});
  visit_dtype(dt, [&](auto* p) {
    using D = std::remove_pointer_t<decltype(p)>;
    for (int64_t i = 0; i < a.size(); ++i)
      for (int64_t j = 0; j < b.size(); ++j) out.data<D>()[i * b.size() + j] = sc::mul(a.data<D>()[i], b.data<D>()[j]);
  });
  return out;
}

Tensor batched_dot(const Node& n, const Tensor& a0, const Tensor& b0) {
  DType dt = out_dtype(n);
  Tensor a = a0.astype(dt), b = b0.astype(dt);
  if (a.shape()[0] != b.shape()[0])
    fail(n, "batch sizes differ: " + shape_str(a.shape()) + " and " + shape_str(b.shape()));
  check_inner(n, a, b, a.shape().back(), b.shape()[1]);
  int64_t batch = a.shape()[0];
  Shape shape = {batch};
  if (a.ndim() == 3) shape.push_back(a.shape()[1]);
  if (b.ndim() == 3) shape.push_back(b.shape()[2]);
  Tensor out(dt, shape);
  int64_t a_step = batch ? a.size() / batch : 0, b_step = batch ? b.size() / batch : 0;
  int64_t c_step = batch ? out.size() / batch : 0;
  // One batch element: the operand without its batch axis (a vector or a matrix).
  Shape a_item(a.shape().begin() + 1, a.shape().end()), b_item(b.shape().begin() + 1, b.shape().end());
  visit_dtype(dt, [&](auto* p) {
    using D = std::remove_pointer_t<decltype(p)>;
    for (int64_t i = 0; i < batch; ++i) {
      auto c = matmul(as_left(a.data<D>() + i * a_step, a_item), as_right(b.data<D>() + i * b_step, b_item));
      for (size_t j = 0; j < c.size(); ++j) out.data<D>()[i * c_step + int64_t(j)] = D(c[j]);
    }
  });
  return out;
}

// beta * z + alpha * dot(x, y) for gemm (x, y matrices) and gemv (y a vector).
Tensor gemm_like(const Node& n, const Inputs& in) {
  DType dt = out_dtype(n);
  Tensor z = tensor_in(n, in, 0).astype(dt), x = tensor_in(n, in, 2).astype(dt), y = tensor_in(n, in, 3).astype(dt);
  double alpha = tensor_in(n, in, 1).astype(dt).get_f64(0), beta = tensor_in(n, in, 4).astype(dt).get_f64(0);
  check_inner(n, x, y, x.shape()[1], y.shape()[0]);
  Shape want = {x.shape()[0]};
  if (y.ndim() == 2) want.push_back(y.shape()[1]);
  if (z.shape() != want)
    fail(n, "z has shape " + shape_str(z.shape()) + " but the product has shape " + shape_str(want));
  Tensor out(dt, want);
  visit_dtype(dt, [&](auto* p) {
    using D = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_floating_point_v<D>) {
      auto c = matmul(as_left(x.data<D>(), x.shape()), as_right(y.data<D>(), y.shape()));
      for (size_t i = 0; i < c.size(); ++i) {
        double v = alpha * c[i];
        if (beta != 0) v += beta * double(z.data<D>()[i]);
        out.data<D>()[i] = D(v);
      }
    } else {
      throw internal_error(n.path + ": interp: gemm/gemv need float operands");
    }
  });
  return out;
}

Tensor ger(const Node& n, const Inputs& in) {
  DType dt = out_dtype(n);
  Tensor a = tensor_in(n, in, 0).astype(dt), x = tensor_in(n, in, 2).astype(dt), y = tensor_in(n, in, 3).astype(dt);
  double alpha = tensor_in(n, in, 1).astype(dt).get_f64(0);
  if (a.shape()[0] != x.size() || a.shape()[1] != y.size())
    fail(n, "A has shape " + shape_str(a.shape()) + " but outer(x, y) has shape (" + std::to_string(x.size()) + ", " +
                std::to_string(y.size()) + ")");
  Tensor out(dt, a.shape());
  for (int64_t i = 0; i < x.size(); ++i)
    for (int64_t j = 0; j < y.size(); ++j) {
      int64_t k = i * y.size() + j;
      out.set_f64(k, a.get_f64(k) + alpha * (x.get_f64(i) * y.get_f64(j)));
    }
  return out;
}

}  // namespace

Value eval_linalg(const Node& n, const Inputs& in) {
  switch (n.op) {
    case Op::Dot:
    case Op::Dot22: return dot(n, tensor_in(n, in, 0), tensor_in(n, in, 1));
    case Op::Outer: return outer(n, tensor_in(n, in, 0), tensor_in(n, in, 1));
    case Op::BatchedDot: return batched_dot(n, tensor_in(n, in, 0), tensor_in(n, in, 1));
    case Op::Gemm:
    case Op::Gemv: return gemm_like(n, in);
    case Op::Ger: return ger(n, in);
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not a linear-algebra op");
}

}  // namespace tgc::interp::detail
