// CSR sparse matrices: validation, sparse_dot(S, D) and to_dense(S).
// Row r of S holds data[k] at column indices[k] for k in [indptr[r], indptr[r+1]).
// Repeated (row, column) entries add up, as scipy's toarray and dot do.
#include <type_traits>

#include "interp/array_util.h"
#include "tgc/scalar.h"

namespace tgc::interp::detail {

namespace {

const CsrMatrix& csr_in(const Node& n, const Inputs& in) {
  const CsrMatrix* s = std::get_if<CsrMatrix>(in.at(0));
  if (!s) throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " needs a CSR matrix");
  return *s;
}

// An invalid CSR value is an input error, located at the input's name as the
// command-line contract asks (../shared/spec/cli.md) and as the generated code
// reports it when it binds its inputs; a CSR matrix can only be an input.
[[noreturn]] void invalid(const Node& n, const std::string& what) {
  const Var* s = n.inputs[0];
  if (s->kind == VarKind::Input) throw run_error("input " + s->name, "invalid sparse matrix: " + what);
  fail(n, "invalid sparse matrix: " + what);
}

// The structure must be a valid CSR matrix before anything is read through it.
void validate(const Node& n, const CsrMatrix& s) {
  if (s.rows < 0 || s.cols < 0) invalid(n, "negative shape");
  if (s.rows > kMaxElements || s.cols > kMaxElements) invalid(n, "shape too large");
  if (s.data.ndim() != 1 || s.indices.ndim() != 1 || s.indptr.ndim() != 1)
    invalid(n, "data, indices and indptr must be vectors");
  if (!is_integer(s.indices.dtype()) || !is_integer(s.indptr.dtype()))
    invalid(n, "indices and indptr must be integers");
  int64_t nnz = s.data.size();
  if (s.indices.size() != nnz)
    invalid(n, std::to_string(nnz) + " values but " + std::to_string(s.indices.size()) +
                " column indices");
  if (s.indptr.size() != s.rows + 1)
    invalid(n, "indptr has " + std::to_string(s.indptr.size()) + " entries for " +
                std::to_string(s.rows) + " rows");
  if (s.indptr.get_i64(0) != 0) invalid(n, "indptr must start at 0");
  for (int64_t r = 0; r < s.rows; ++r)
    if (s.indptr.get_i64(r + 1) < s.indptr.get_i64(r)) invalid(n, "indptr must not decrease");
  if (s.indptr.get_i64(s.rows) != nnz)
    invalid(n, "indptr ends at " + std::to_string(s.indptr.get_i64(s.rows)) + ", expected " +
                std::to_string(nnz));
  bool big = s.indices.dtype() == DType::UInt64;
  for (int64_t k = 0; k < nnz; ++k) {
    int64_t c = s.indices.get_i64(k);
    if ((big && s.indices.data<uint64_t>()[k] > uint64_t(INT64_MAX)) || c < 0 || c >= s.cols)
      invalid(n, "column index " + std::to_string(c) + " out of range for " +
                  std::to_string(s.cols) + " columns");
  }
}

// S (rows x cols) . D (cols x p, or a vector of cols) in the output dtype.
Tensor sparse_dot(const Node& n, const CsrMatrix& s, const Tensor& d0) {
  DType dt = out_dtype(n);
  if (d0.shape()[0] != s.cols)
    fail(n, "inner dimensions differ: the sparse matrix has " + std::to_string(s.cols) +
                " columns, the dense operand has shape " + shape_str(d0.shape()));
  Tensor data = s.data.astype(dt), d = d0.astype(dt);
  int64_t p = d.ndim() == 2 ? d.shape()[1] : 1;
  Shape shape = {s.rows};
  if (d.ndim() == 2) shape.push_back(p);
  Tensor out(dt, shape);
  visit_dtype(dt, [&](auto* ptr) {
    using D = std::remove_pointer_t<decltype(ptr)>;
    using Acc = std::conditional_t<std::is_floating_point_v<D>, double, D>;
    const D* v = data.data<D>();
    const D* m = d.data<D>();
    for (int64_t r = 0; r < s.rows; ++r)
      for (int64_t j = 0; j < p; ++j) {
        Acc acc(0);
        for (int64_t k = s.indptr.get_i64(r); k < s.indptr.get_i64(r + 1); ++k) {
          D x = v[k], y = m[s.indices.get_i64(k) * p + j];
          if constexpr (std::is_floating_point_v<D>) acc += double(x) * double(y);
          else acc = sc::add(acc, sc::mul(x, y));
        }
        out.data<D>()[r * p + j] = D(acc);
      }
  });
  return out;
}

Tensor to_dense(const Node& n, const CsrMatrix& s) {
  checked_numel(n, {s.rows, s.cols});
  Tensor out(out_dtype(n), {s.rows, s.cols});
  Tensor data = s.data.astype(out_dtype(n));
  visit_dtype(out.dtype(), [&](auto* ptr) {
    using D = std::remove_pointer_t<decltype(ptr)>;
    for (int64_t r = 0; r < s.rows; ++r)
      for (int64_t k = s.indptr.get_i64(r); k < s.indptr.get_i64(r + 1); ++k) {
        D& e = out.data<D>()[r * s.cols + s.indices.get_i64(k)];
        e = sc::add(e, data.data<D>()[k]);
      }
  });
  return out;
}

}  // namespace

Value eval_sparse(const Node& n, const Inputs& in) {
  const CsrMatrix& s = csr_in(n, in);
  validate(n, s);
  switch (n.op) {
    case Op::SparseDot: return sparse_dot(n, s, tensor_in(n, in, 1));
    case Op::ToDense: return to_dense(n, s);
    default: break;
  }
  throw internal_error(n.path + ": interp: " + std::string(op_name(n.op)) + " is not a sparse op");
}

}  // namespace tgc::interp::detail
