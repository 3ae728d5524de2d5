// Gradients of shape and indexing ops: the gradient is moved back to where
// the value came from (inverse permutation, reshape to the input's shape,
// inc_subtensor into zeros, slices of a join).
#include <algorithm>

#include "grad/backprop.h"
#include "ir/error.h"

namespace tgc {

std::vector<Var*> grad_shape(Builder& b, const Node& n, Var* gz) {
  std::vector<Var*> g(n.inputs.size(), nullptr);
  Var* x = n.inputs[0];
  switch (n.op) {
    case Op::Dimshuffle: {
      // Output dim j came from input dim pattern[j] ('x' dims are size 1 and
      // are dropped); input dims dropped by the pattern (size 1) come back as 'x'.
      std::vector<int> pat = n.attrs->pattern;
      // gz is of size 1 in the 'x' dims at run time, but not always
      // statically (the gradients of join, reshape, flatten and ifelse do not
      // keep a static 1): drop those by taking their element 0, which is
      // the whole dimension.
      std::vector<IdxEntry> first;
      std::vector<int> rest;
      bool index = false;
      for (size_t j = 0; j < pat.size(); ++j) {
        bool drop = pat[j] < 0 && !gz->type.broadcastable(int(j));
        index = index || drop;
        first.push_back(drop ? Builder::point(0) : Builder::slice(std::nullopt, std::nullopt));
        if (!drop) rest.push_back(pat[j]);
      }
      if (index) {
        gz = b.subtensor(gz, first);
        pat = rest;
      }
      std::vector<int> inv;
      for (int d = 0; d < x->type.ndim(); ++d) {
        auto it = std::find(pat.begin(), pat.end(), d);
        inv.push_back(it == pat.end() ? -1 : int(it - pat.begin()));
      }
      // Drop the 'x' dims of gz first (they are static 1), keeping the order of the rest.
      std::vector<int> keep;
      for (size_t j = 0; j < pat.size(); ++j)
        if (pat[j] >= 0) keep.push_back(int(j));
      Var* gk = b.dimshuffle(gz, keep);
      // Now gk's dim i is input dim pat[keep[i]]; permute to input order.
      std::vector<int> order;
      for (int d = 0; d < x->type.ndim(); ++d) {
        auto it = std::find(pat.begin(), pat.end(), d);
        if (it == pat.end()) order.push_back(-1);
        else order.push_back(int(std::find(keep.begin(), keep.end(), int(it - pat.begin())) - keep.begin()));
      }
      g[0] = b.dimshuffle(gk, order);
      return g;
    }
    case Op::Transpose: {
      int nd = x->type.ndim();
      std::vector<int> axes = n.attrs->axes;
      if (axes.empty())
        for (int d = nd - 1; d >= 0; --d) axes.push_back(d);
      std::vector<int> inv(size_t(nd), 0);
      for (int j = 0; j < nd; ++j) inv[size_t(axes[size_t(j)] < 0 ? axes[size_t(j)] + nd : axes[size_t(j)])] = j;
      g[0] = b.transpose(gz, inv);
      return g;
    }
    case Op::Reshape:
    case Op::Flatten: g[0] = b.reshape(gz, b.shape_of(x)); return g;
    case Op::Alloc: g[0] = b.unbroadcast(gz, x); return g;
    case Op::Fill: g[1] = b.unbroadcast(gz, n.inputs[1]); return g;
    case Op::Join: {
      int nd = gz->type.ndim();
      int axis = n.attrs->axes.empty() ? 0 : n.attrs->axes[0];
      if (axis < 0) axis += nd;
      Var* start = b.int64(0);
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        Var* stop = b.add(start, b.shape_i(n.inputs[i], axis));
        std::vector<IdxEntry> idx(size_t(axis), Builder::slice(std::nullopt, std::nullopt));
        IdxEntry e = Builder::slice(std::nullopt, std::nullopt);
        e.start = {IdxBound::Input, 0, 1};
        e.stop = {IdxBound::Input, 0, 2};
        idx.push_back(e);
        g[i] = b.cast_like(b.subtensor(gz, idx, {start, stop}), n.inputs[i]);
        start = stop;
      }
      return g;
    }
    case Op::Stack: {
      int axis = n.attrs->axes.empty() ? 0 : n.attrs->axes[0];
      if (axis < 0) axis += gz->type.ndim();
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        std::vector<IdxEntry> idx(size_t(axis), Builder::slice(std::nullopt, std::nullopt));
        idx.push_back(Builder::point(int64_t(i)));
        g[i] = b.cast_like(b.subtensor(gz, idx), n.inputs[i]);
      }
      return g;
    }
    default: return g;  // shape, shape_i, zeros_like, ones_like, arange: constant in their inputs' values
  }
}

std::vector<Var*> grad_index(Builder& b, const Node& n, Var* gz) {
  std::vector<Var*> g(n.inputs.size(), nullptr);
  Var* x = n.inputs[0];
  // Index variables are inputs after the tensors; pass them on unchanged.
  int nt = n.attrs->n_tensor_inputs;
  std::vector<Var*> index_inputs(n.inputs.begin() + (n.op == Op::Subtensor || n.op == Op::IncSubtensor || n.op == Op::SetSubtensor ? nt : long(n.inputs.size())), n.inputs.end());
  auto shifted = [&](int by) {
    // The idx of n, with its input positions renumbered for a node whose
    // tensor inputs number `nt + by`.
    std::vector<IdxEntry> idx = n.attrs->idx;
    for (IdxEntry& e : idx)
      for (IdxBound* bd : {&e.point, &e.start, &e.stop, &e.step})
        if (bd->kind == IdxBound::Input) bd->input += by;
    return idx;
  };
  switch (n.op) {
    case Op::Subtensor:  // the slice's gradient, placed back into zeros
      g[0] = b.inc_subtensor(b.zeros_like(x), gz, shifted(1), index_inputs);
      return g;
    case Op::IncSubtensor: {
      g[0] = gz;
      g[1] = b.unbroadcast(b.subtensor(gz, shifted(-1), index_inputs), n.inputs[1]);
      return g;
    }
    case Op::SetSubtensor: {  // the overwritten region of x gets no gradient
      Var* zero = b.zeros_like(n.inputs[1]);
      g[0] = b.inc_subtensor(gz, b.cast_like(zero, gz), shifted(0), index_inputs, true);
      g[1] = b.unbroadcast(b.subtensor(gz, shifted(-1), index_inputs), n.inputs[1]);
      return g;
    }
    case Op::AdvSubtensor1:
      g[0] = b.op(Op::AdvIncSubtensor1, {b.zeros_like(x), gz, n.inputs[1]});
      return g;
    case Op::AdvIncSubtensor1:
      g[0] = gz;
      g[1] = b.unbroadcast(b.op(Op::AdvSubtensor1, {gz, n.inputs[2]}), n.inputs[1]);
      return g;
    case Op::AdvSetSubtensor1: {
      // z = x with rows ilist[k] set to y[k], the last write winning: y[k]
      // gets gz[ilist[k]] only when no later k' writes the same row. The
      // winner of each row is found by setting k into those rows (last write
      // wins) and reading back: winner[k] = (last[ilist[k]] == k).
      Var* il = n.inputs[2];
      g[0] = b.op(Op::AdvSetSubtensor1, {gz, b.cast_like(b.zeros_like(n.inputs[1]), gz), il});
      Var* pos = b.op(Op::Arange, {b.int64(0), b.shape_i(il, 0), b.int64(1)});
      Var* last = b.op(Op::AdvSetSubtensor1, {b.alloc(b.int64(-1), {b.shape_i(x, 0)}), pos, il});
      Var* winner = b.cast_like(b.op(Op::Eq, {b.op(Op::AdvSubtensor1, {last, il}), pos}), gz);
      std::vector<int> pat = {0};
      for (int d = 1; d < x->type.ndim(); ++d) pat.push_back(-1);
      g[1] = b.unbroadcast(b.mul(b.op(Op::AdvSubtensor1, {gz, il}), b.dimshuffle(winner, pat)), n.inputs[1]);
      return g;
    }
    default: break;
  }
  throw internal_error("grad: not an indexing op at " + n.path);
}

}  // namespace tgc
