// Elementwise ops and cast. The op table (ops.def) is the single source: each
// op's result rule picks the compute type, every input is converted to it with
// sc::cvt (numpy's casting), and the scalar function tgc::sc::<fn> is applied
// at every position of the broadcast shape.
//
// Compute type by rule:
//   Same, Float, Div   the output dtype (type inference already promoted and,
//                      for Float/Div, upcast to a float type)
//   Cmp, Logic         numpy.result_type of the inputs (Cmp gives bool)
//   Sel                switch(c, a, b): c is tested as nonzero, a and b are
//                      converted to the output dtype
#include <type_traits>

#include "interp/array_util.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

template <class T> DType dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::Int8;
  else if constexpr (std::is_same_v<T, int16_t>) return DType::Int16;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::Int32;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::Int64;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::UInt8;
  else if constexpr (std::is_same_v<T, uint16_t>) return DType::UInt16;
  else if constexpr (std::is_same_v<T, uint32_t>) return DType::UInt32;
  else if constexpr (std::is_same_v<T, uint64_t>) return DType::UInt64;
  else if constexpr (std::is_same_v<T, float>) return DType::Float32;
  else return DType::Float64;
}

DType compute_type(ElemRule rule, const Node& n, const Inputs& in) {
  switch (rule) {
    case ElemRule::Cmp:
    case ElemRule::Logic: {
      DType dt = tensor_in(n, in, 0).dtype();
      for (size_t k = 1; k < in.size(); ++k) dt = promote(dt, tensor_in(n, in, k).dtype());
      return dt;
    }
    default: return out_dtype(n);
  }
}

// The inputs converted to the compute type (borrowed when already of it).
struct Converted {
  std::vector<Tensor> owned;
  std::vector<const Tensor*> ptrs;
};
Converted convert_inputs(const Node& n, const Inputs& in, DType ct, bool sel) {
  Converted c;
  c.owned.reserve(in.size());
  for (size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = tensor_in(n, in, k);
    DType want = (sel && k == 0) ? DType::Bool : ct;  // switch's condition: nonzero test
    if (t.dtype() == want) {
      c.ptrs.push_back(&t);
    } else {
      c.owned.push_back(t.astype(want));
      c.ptrs.push_back(&c.owned.back());
    }
  }
  return c;
}

// Applies `fn` at every position: C is the compute type, O the result type.
// Arity: Hi == -1 folds left over any number of inputs (add, mul), otherwise
// the scalar function takes exactly the node's inputs.
template <ElemRule R, int Hi, class C, class F>
Tensor run_kernel(const Node& n, const Inputs& in, DType ct, F fn) {
  using O = std::conditional_t<R == ElemRule::Cmp, bool, C>;
  if (out_dtype(n) != dtype_of<O>())
    throw internal_error(n.path + ": interp: elementwise result type disagrees with type inference");
  Converted cv = convert_inputs(n, in, ct, R == ElemRule::Sel);
  std::vector<Operand> ops;
  for (size_t k = 0; k < in.size(); ++k) ops.push_back({cv.ptrs[k], &type_in(n, k)});
  Shape shape = broadcast_shapes(n, ops);
  std::vector<Strides> strides;
  for (size_t k = 0; k < ops.size(); ++k)
    strides.push_back(broadcast_strides(n, ops[k], shape, "input " + std::to_string(k)));
  Tensor out(out_dtype(n), shape);
  O* dst = out.data<O>();
  int64_t count = out.size();
  MultiIndex it(shape, std::move(strides));
  size_t nin = in.size();
  if constexpr (R == ElemRule::Sel) {
    const bool* c = cv.ptrs[0]->data<bool>();
    const C* a = cv.ptrs[1]->data<C>();
    const C* b = cv.ptrs[2]->data<C>();
    for (int64_t i = 0; i < count; ++i, it.next()) dst[i] = fn(c[it[0]], a[it[1]], b[it[2]]);
  } else {
    std::vector<const C*> src;
    for (const Tensor* t : cv.ptrs) src.push_back(t->data<C>());
    for (int64_t i = 0; i < count; ++i, it.next()) {
      if constexpr (Hi == -1) {
        C acc = src[0][it[0]];
        for (size_t k = 1; k < nin; ++k) acc = fn(acc, src[k][it[k]]);
        dst[i] = acc;
      } else if constexpr (Hi == 1) {
        dst[i] = fn(src[0][it[0]]);
      } else if constexpr (Hi == 2) {
        dst[i] = fn(src[0][it[0]], src[1][it[1]]);
      } else {
        dst[i] = fn(src[0][it[0]], src[1][it[1]], src[2][it[2]]);
      }
    }
  }
  return out;
}

// Dispatches on the compute type. Float/Div rules only ever compute in a
// float type and Logic never does: other instantiations are not generated.
template <ElemRule R, int Hi, class F>
Tensor elemwise(const Node& n, const Inputs& in, F fn) {
  if (Hi >= 0 && int(in.size()) != Hi) throw internal_error(n.path + ": interp: wrong number of inputs");
  if (in.empty()) throw internal_error(n.path + ": interp: no inputs");
  DType ct = compute_type(R, n, in);
  return visit_dtype(ct, [&](auto* p) -> Tensor {
    using C = std::remove_pointer_t<decltype(p)>;
    constexpr bool fl = std::is_floating_point_v<C>;
    if constexpr ((R == ElemRule::Float || R == ElemRule::Div) && !fl) {
      throw internal_error(n.path + ": interp: a float op computing in " + std::string(dtype_name(ct)));
    } else if constexpr (R == ElemRule::Logic && fl) {
      throw internal_error(n.path + ": interp: a bitwise op computing in " + std::string(dtype_name(ct)));
    } else {
      return run_kernel<R, Hi, C>(n, in, ct, fn);
    }
  });
}

}  // namespace

Value eval_elemwise(const Node& n, const Inputs& in) {
  switch (n.op) {
#define TGC_ELEMWISE(Id, name, lo, hi, rule, fn) \
  case Op::Id:                                   \
    return elemwise<ElemRule::rule, hi>(n, in, [](auto... a) { return tgc::sc::fn(a...); });
#include "ir/ops.def"
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not elementwise");
}

// cast: numpy's astype (sc::cvt: floats truncate toward zero; NaN and values
// out of range are defined; anything nonzero is true).
Value eval_cast(const Node& n, const Inputs& in) { return tensor_in(n, in, 0).astype(out_dtype(n)); }

}  // namespace tgc::interp::detail
