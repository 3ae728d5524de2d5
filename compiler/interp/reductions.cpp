// Reductions over an axis list (attrs.axes, negative counting from the end) or
// every axis (attrs.axis_all), with keepdims. The input is first rearranged as
// (kept axes..., reduced axes...) in C order, so that output element o
// reduces the contiguous run [o * m, (o + 1) * m) of m elements; with every
// axis reduced that run is the flattened C-order array (argmax/argmin index it).
//   sum, prod   in the output dtype: integers wrap (sc::add / sc::mul), floats
//               accumulate in double and are rounded once
//   mean        sum / m accumulated in double, in the output dtype's precision;
//               m == 0 gives NaN
//   max, min    NaN propagates; an empty reduction is a run-time error
//   argmax/min  int64, first occurrence; a NaN counts as the extreme
//   all, any    bool, nonzero test
#include <cmath>
#include <limits>

#include "interp/array_util.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

struct Layout {
  Tensor data;        // (kept..., reduced...) in C order, the input's dtype
  Shape out_shape;    // the result's shape (keepdims applied)
  int64_t outer = 1;  // output elements
  int64_t inner = 1;  // elements reduced into each
};

Layout arrange(const Node& n, const Tensor& x) {
  std::vector<bool> reduced(size_t(x.ndim()), n.attrs->axis_all);
  if (!n.attrs->axis_all)
    for (int a : n.attrs->axes) {
      if (x.ndim() == 0) continue;  // a 0-d tensor reduced over axis 0: its value
      reduced[size_t(normalize_axis(n, a, x.ndim()))] = true;
    }
  Strides st = c_strides(x.shape()), perm_st;
  Shape perm_shape;
  Layout l;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t d = 0; d < size_t(x.ndim()); ++d) {
      if (reduced[d] != (pass == 1)) continue;
      perm_shape.push_back(x.shape()[d]);
      perm_st.push_back(st[d]);
      if (pass == 0) l.outer *= x.shape()[d];
      else l.inner *= x.shape()[d];
    }
  for (size_t d = 0; d < size_t(x.ndim()); ++d) {
    if (!reduced[d]) l.out_shape.push_back(x.shape()[d]);
    else if (n.attrs->keepdims) l.out_shape.push_back(1);
  }
  l.data = gather(x, perm_shape, perm_st, 0);
  return l;
}

template <class T> bool nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// sum/prod/mean: the input converted to the output dtype D first (numpy's
// reduction with dtype= casts each element).
Tensor accumulate(const Node& n, const Layout& l) {
  DType dt = out_dtype(n);
  Tensor src = l.data.astype(dt);
  Tensor out(dt, l.out_shape);
  bool is_prod = n.op == Op::Prod, is_mean = n.op == Op::Mean;
  visit_dtype(dt, [&](auto* p) {
    using D = std::remove_pointer_t<decltype(p)>;
    const D* s = src.data<D>();
    D* o = out.data<D>();
    for (int64_t i = 0; i < l.outer; ++i) {
      const D* run = s + i * l.inner;
      if constexpr (std::is_floating_point_v<D>) {
        double acc = is_prod ? 1.0 : 0.0;
        for (int64_t k = 0; k < l.inner; ++k) acc = is_prod ? acc * double(run[k]) : acc + double(run[k]);
        if (is_mean) acc = l.inner ? acc / double(l.inner) : std::numeric_limits<double>::quiet_NaN();
        o[i] = D(acc);
      } else {
        D acc = is_prod ? D(1) : D(0);
        for (int64_t k = 0; k < l.inner; ++k) acc = is_prod ? sc::mul(acc, run[k]) : sc::add(acc, run[k]);
        // mean with an integer dtype: the true quotient cast back (numpy).
        if (is_mean)
          acc = sc::cvt<D>(l.inner ? double(acc) / double(l.inner) : std::numeric_limits<double>::quiet_NaN());
        o[i] = acc;
      }
    }
  });
  return out;
}

Tensor extreme(const Node& n, const Layout& l) {
  bool is_max = n.op == Op::Max;
  if (l.inner == 0) fail(n, "zero-size array to a reduction that has no identity");
  Tensor out(l.data.dtype(), l.out_shape);
  visit_dtype(l.data.dtype(), [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    const T* s = l.data.data<T>();
    T* o = out.data<T>();
    for (int64_t i = 0; i < l.outer; ++i) {
      const T* run = s + i * l.inner;
      T acc = run[0];
      for (int64_t k = 1; k < l.inner; ++k) acc = is_max ? sc::maximum(acc, run[k]) : sc::minimum(acc, run[k]);
      o[i] = acc;
    }
  });
  return out;
}

Tensor arg_extreme(const Node& n, const Layout& l) {
  bool is_max = n.op == Op::Argmax;
  if (l.inner == 0) fail(n, "attempt to get " + std::string(op_name(n.op)) + " of an empty sequence");
  Tensor out(DType::Int64, l.out_shape);
  visit_dtype(l.data.dtype(), [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    const T* s = l.data.data<T>();
    int64_t* o = out.data<int64_t>();
    for (int64_t i = 0; i < l.outer; ++i) {
      const T* run = s + i * l.inner;
      int64_t best = 0;
      for (int64_t k = 1; k < l.inner && !nan(run[best]); ++k) {
        if (nan(run[k]) || (is_max ? run[best] < run[k] : run[k] < run[best])) best = k;
      }
      o[i] = best;
    }
  });
  return out;
}

Tensor logical(const Node& n, const Layout& l) {
  bool is_all = n.op == Op::All;
  Tensor truth = l.data.astype(DType::Bool);
  Tensor out(DType::Bool, l.out_shape);
  const bool* s = truth.data<bool>();
  bool* o = out.data<bool>();
  for (int64_t i = 0; i < l.outer; ++i) {
    bool acc = is_all;
    for (int64_t k = 0; k < l.inner; ++k) acc = is_all ? (acc && s[i * l.inner + k]) : (acc || s[i * l.inner + k]);
    o[i] = acc;
  }
  return out;
}

}  // namespace

Value eval_reduce(const Node& n, const Inputs& in) {
  // Fused with its elementwise input (reduce_fusion): the program's values
  // first, then the reduction of them.
  Value fused;
  if (n.attrs->program) fused = eval_composite(n, in);
  const Tensor& x = n.attrs->program ? std::get<Tensor>(fused) : tensor_in(n, in, 0);
  Layout l = arrange(n, x);
  switch (n.op) {
    case Op::Sum:
    case Op::Prod:
    case Op::Mean: return accumulate(n, l);
    case Op::Max:
    case Op::Min: return extreme(n, l);
    case Op::Argmax:
    case Op::Argmin: return arg_extreme(n, l);
    case Op::All:
    case Op::Any: return logical(n, l);
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not a reduction");
}

}  // namespace tgc::interp::detail
