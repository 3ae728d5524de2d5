#include "passes/views.h"

namespace tgc {

namespace {

bool leaf_contiguous(const Var* v, const ViewInfo& info) {
  if (!v->owner) return true;  // inputs, shared, constants and params are dense
  return info.is_contiguous(v);
}

// A dimshuffle stays contiguous when it keeps the input axes in order
// (it only inserts or drops dimensions of size 1).
bool dimshuffle_keeps_order(const Node& n) {
  int last = -1;
  for (int p : n.attrs->pattern) {
    if (p < 0) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

bool transpose_is_identity(const Node& n) {
  for (size_t k = 0; k < n.attrs->axes.size(); ++k)
    if (n.attrs->axes[k] != int(k)) return false;
  return !n.attrs->axes.empty() || n.inputs[0]->type.ndim() <= 1;
}

}  // namespace

bool output_is_view(const Node& n, const ViewInfo& info) {
  // Written into an input's buffer (in-place ops write their first output).
  if (n.attrs->inplace >= 0) return n.outputs[0]->type.is_tensor();
  switch (n.op) {
    case Op::Dimshuffle:
    case Op::Transpose:
    case Op::Subtensor:
    case Op::Assert:
    case Op::IfElse: return true;
    case Op::Reshape:
    case Op::Flatten: return leaf_contiguous(n.inputs[0], info);
    default: return false;
  }
}

void analyze_node_views(const Node& n, ViewInfo& info) {
  bool view = output_is_view(n, info);
  for (size_t k = 0; k < n.outputs.size(); ++k) {
    const Var* out = n.outputs[k];
    if (!view || (n.attrs->inplace >= 0 && k > 0)) {
      info.contiguous[out] = out->type.is_tensor();
      continue;
    }
    std::vector<const Var*> bases;
    bool contig = false;
    if (n.attrs->inplace >= 0) {
      const Var* in = n.inputs[size_t(n.attrs->inplace)];
      if (out->type.is_tensor()) {
        info.bases[out] = {in};
        info.contiguous[out] = leaf_contiguous(in, info);
      }
      continue;
    }
    switch (n.op) {
      case Op::IfElse: {
        size_t m = size_t(n.attrs->n_branch);
        const Var* a = n.inputs[1 + k];
        const Var* b = n.inputs[1 + m + k];
        bases = {a, b};
        contig = leaf_contiguous(a, info) && leaf_contiguous(b, info);
        break;
      }
      case Op::Dimshuffle:
        bases = {n.inputs[0]};
        contig = leaf_contiguous(n.inputs[0], info) && dimshuffle_keeps_order(n);
        break;
      case Op::Transpose:
        bases = {n.inputs[0]};
        contig = leaf_contiguous(n.inputs[0], info) && transpose_is_identity(n);
        break;
      case Op::Reshape:
      case Op::Flatten:
      case Op::Assert:
        bases = {n.inputs[0]};
        contig = leaf_contiguous(n.inputs[0], info);
        break;
      default:  // Subtensor: strided in general
        bases = {n.inputs[0]};
        contig = false;
        break;
    }
    info.bases[out] = bases;
    info.contiguous[out] = contig;
  }
}

}  // namespace tgc
