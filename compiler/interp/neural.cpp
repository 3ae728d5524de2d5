// Neural-network ops, computed in double and rounded to the output dtype.
//   softmax(x)[..., j]     = exp(x_j - m) / sum_k exp(x_k - m),  m = max_k x_k
//   log_softmax(x)[..., j] = x_j - m - log(sum_k exp(x_k - m))
// (over the last axis; subtracting the row max keeps exp from overflowing)
//   categorical_crossentropy(p, t)[i] = -log(p[i, t[i]])        t: class indices
//                                     = -sum_j t[i, j] log(p[i, j])   t: a matrix
#include <algorithm>
#include <cmath>

#include "interp/array_util.h"

namespace tgc::interp::detail {

namespace {

Tensor softmax(const Node& n, const Tensor& x, bool log) {
  Tensor out(out_dtype(n), x.shape());
  int64_t width = x.shape().back();
  int64_t rows = width ? x.size() / width : 0;
  std::vector<double> row(static_cast<size_t>(width));
  for (int64_t r = 0; r < rows; ++r) {
    double m = -INFINITY;
    bool has_nan = false;
    for (int64_t j = 0; j < width; ++j) {
      row[size_t(j)] = x.get_f64(r * width + j);
      has_nan = has_nan || std::isnan(row[size_t(j)]);
      m = std::max(m, row[size_t(j)]);
    }
    if (has_nan) m = NAN;
    double sum = 0;
    for (int64_t j = 0; j < width; ++j) sum += std::exp(row[size_t(j)] - m);
    double log_sum = std::log(sum);
    for (int64_t j = 0; j < width; ++j) {
      double v = row[size_t(j)] - m;
      out.set_f64(r * width + j, log ? v - log_sum : std::exp(v) / sum);
    }
  }
  return out;
}

Tensor crossentropy(const Node& n, const Tensor& p, const Tensor& t) {
  int64_t rows = p.shape()[0], cols = p.shape()[1];
  if (t.shape()[0] != rows)
    fail(n, "p has " + std::to_string(rows) + " rows but t has " + std::to_string(t.shape()[0]));
  Tensor out(out_dtype(n), {rows});
  if (t.ndim() == 1) {
    for (int64_t i = 0; i < rows; ++i) {
      // Theano's CrossentropyCategorical1Hot: a class index must lie in [0, columns).
      bool big = t.dtype() == DType::UInt64 && t.data<uint64_t>()[i] > uint64_t(INT64_MAX);
      int64_t c = t.get_i64(i);
      if (big || c < 0 || c >= cols)
        fail(n, "class index " + std::to_string(c) + " of row " + std::to_string(i) + " is out of range for " +
                    std::to_string(cols) + " classes");
      out.set_f64(i, -std::log(p.get_f64(i * cols + c)));
    }
    return out;
  }
  if (t.shape() != p.shape())
    fail(n, "t has shape " + shape_str(t.shape()) + " but p has shape " + shape_str(p.shape()));
  for (int64_t i = 0; i < rows; ++i) {
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) s += t.get_f64(i * cols + j) * std::log(p.get_f64(i * cols + j));
    out.set_f64(i, -s);
  }
  return out;
}

}  // namespace

Value eval_neural(const Node& n, const Inputs& in) {
  const Tensor& x = tensor_in(n, in, 0);
  switch (n.op) {
    case Op::Softmax: return softmax(n, x, false);
    case Op::LogSoftmax: return softmax(n, x, true);
    case Op::CrossEntropy: return crossentropy(n, x, tensor_in(n, in, 1));
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not a neural op");
}

}  // namespace tgc::interp::detail
