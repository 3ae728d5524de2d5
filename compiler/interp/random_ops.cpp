// Random ops: inputs (rng, size, p1, p2), or (rng, p1, p2) when attrs.shape
// holds the size; outputs [rng after the draw, sample]. Sample i (C order)
// is drawn with the samplers of tgc/philox.h from the state before the draw,
// so the CPU and CUDA targets draw the same numbers; the state then advances
// by count * blocks (blocks = 1 for uniform and normal, binomial_blocks(max n)
// for binomial). The input state is never modified.
#include <algorithm>
#include <cmath>

#include "interp/array_util.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

Shape sample_shape(const Node& n, const Inputs& in) {
  Shape size;
  if (n.attrs->shape) {
    size = *n.attrs->shape;
  } else {
    const Tensor& s = tensor_in(n, in, 1);
    for (int64_t i = 0; i < s.size(); ++i) size.push_back(s.get_i64(i));
  }
  for (int64_t d : size)
    if (d < 0) fail(n, "negative size " + shape_str(size));
  checked_numel(n, size);
  return size;
}

// A parameter as float64 values broadcast to the sample shape.
Tensor param(const Node& n, const Inputs& in, size_t k, const Shape& shape, const std::string& what) {
  Tensor v = tensor_in(n, in, k).astype(DType::Float64);
  return broadcast_to(n, {&v, &type_in(n, k)}, shape, what);
}

}  // namespace

std::vector<Value> eval_random(const Node& n, const Inputs& in) {
  const RngState* sp = std::get_if<RngState>(in.at(0));
  if (!sp) throw internal_error(n.path + ": interp: a random op needs a random state");
  const RngState s = *sp;
  Shape shape = sample_shape(n, in);
  size_t first = n.attrs->shape ? 1 : 2;
  DType dt = out_dtype(n, 1);
  Tensor out(dt, shape);
  uint64_t count = uint64_t(out.size()), blocks = 1;
  switch (n.op) {
    case Op::RandomUniform: {
      Tensor lo = param(n, in, first, shape, "low"), hi = param(n, in, first + 1, shape, "high");
      for (uint64_t i = 0; i < count; ++i) {
        double l = lo.data<double>()[i], h = hi.data<double>()[i];
        if (dt == DType::Float32)
          out.data<float>()[i] = sample_uniform_f32(s, i, sc::cvt<float>(l), sc::cvt<float>(h));
        else if (dt == DType::Float64)
          out.data<double>()[i] = sample_uniform_f64(s, i, l, h);
        else
          throw internal_error(n.path + ": interp: random_uniform of " + std::string(dtype_name(dt)));
      }
      break;
    }
    case Op::RandomNormal: {
      const Tensor& std_in = tensor_in(n, in, first + 1);
      for (int64_t i = 0; i < std_in.size(); ++i)
        if (std_in.get_f64(i) < 0) fail(n, "std must not be negative, got " + std::to_string(std_in.get_f64(i)));
      Tensor mean = param(n, in, first, shape, "mean"), sd = param(n, in, first + 1, shape, "std");
      for (uint64_t i = 0; i < count; ++i)
        out.set_f64(int64_t(i), sample_normal(s, i, mean.data<double>()[i], sd.data<double>()[i]));
      break;
    }
    case Op::RandomBinomial: {
      // n is read as an integer (numpy casts it to int64), p as float64.
      const Tensor n_in = tensor_in(n, in, first).astype(DType::Int64);
      const Tensor& p_in = tensor_in(n, in, first + 1);
      for (int64_t i = 0; i < n_in.size(); ++i)
        if (n_in.data<int64_t>()[i] < 0) fail(n, "n must not be negative, got " + std::to_string(n_in.data<int64_t>()[i]));
      for (int64_t i = 0; i < p_in.size(); ++i) {
        double p = p_in.get_f64(i);
        if (!(p >= 0 && p <= 1)) fail(n, "p must lie in [0, 1], got " + std::to_string(p));
      }
      Tensor trials = broadcast_to(n, {&n_in, &type_in(n, first)}, shape, "n");
      Tensor prob = param(n, in, first + 1, shape, "p");
      int64_t n_max = 0;
      for (uint64_t i = 0; i < count; ++i) n_max = std::max(n_max, trials.data<int64_t>()[i]);
      blocks = binomial_blocks(n_max);
      // Each sample walks n Bernoulli trials: bound the work instead of hanging.
      if (count && blocks > uint64_t(kMaxElements) / count) fail(n, "too many Bernoulli trials to draw");
      for (uint64_t i = 0; i < count; ++i) {
        int64_t k = sample_binomial(s, i, blocks, trials.data<int64_t>()[i], prob.data<double>()[i]);
        visit_dtype(dt, [&](auto* p) {
          using T = std::remove_pointer_t<decltype(p)>;
          out.data<T>()[i] = sc::cvt<T>(k);
        });
      }
      break;
    }
    default: throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not a random op");
  }
  std::vector<Value> result;
  result.emplace_back(rng_advance(s, count * blocks));
  result.emplace_back(std::move(out));
  return result;
}

}  // namespace tgc::interp::detail
