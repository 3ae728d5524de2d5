// Theano's scan (see ScanInfo in ir/graph.h for the layout of inputs, body
// parameters, body outputs and node outputs).
//
// Sequences: with go_backwards each is reversed along axis 0 first. With taps
// T, mn = min(min T, 0) and mx = max(max T, 0), step t reads seq[t + tap - mn]
// (the sequence is consumed from index -mn), so a sequence allows
// len - (mx - mn) steps. The scan runs the shortest allowance, or exactly
// n_steps when given (more than the shortest allowance is an error).
//
// A recurrent output with taps T (all negative) and depth D = -min(T) keeps a
// buffer [initial steps..., step 0, step 1, ...]: with T == [-1] the initial
// value is one step, otherwise the first D entries of its leading axis
// (Theano's initial[:D]). At step t, tap k reads buffer[t + D + k].
//
// Shared states: the parameter holds the current value, replaced after each
// step by the body's update. `until` stops the loop after the step in which it
// is nonzero. Outer output k stacks every step's value along a new axis 0.
#include <algorithm>
#include <cstring>

#include "interp/array_util.h"

namespace tgc::interp::detail {

namespace {

Tensor reversed(const Tensor& t) {
  if (t.size() == 0) return t;
  Strides st = c_strides(t.shape());
  int64_t offset = (t.shape()[0] - 1) * st[0];
  st[0] = -st[0];
  return gather(t, t.shape(), st, offset);
}

// The history of one scan output: for a recurrent output the buffer above
// (its first `depth` entries are initial steps), otherwise the steps alone.
struct History {
  std::vector<Value> buf;
  size_t depth = 0;
  bool recurrent = false;
};

const Tensor& as_tensor(const Value& v, const Node& n) {
  const Tensor* t = std::get_if<Tensor>(&v);
  if (!t) throw internal_error(n.path + ": interp: a scan output is not a tensor");
  return *t;
}

// Outer output k: every step stacked along a new leading axis.
Tensor stack_steps(const Node& n, int k, const History& h) {
  const Graph& body = *n.scan->body;
  size_t count = h.buf.size() - h.depth;
  Shape step;
  if (!h.buf.empty()) {
    step = as_tensor(h.buf.front(), n).shape();
  } else {
    // Zero steps and no initial value: the static step shape, unknown sizes as 0.
    for (int64_t d : body.outputs[size_t(k)]->type.shape) step.push_back(std::max<int64_t>(d, 0));
  }
  Shape shape = step;
  shape.insert(shape.begin(), int64_t(count));
  Tensor out(out_dtype(n, size_t(k)), shape);
  size_t bytes = size_t(num_elements(step) * dtype_size(out.dtype()));
  for (size_t i = 0; i < count; ++i) {
    const Tensor& t = as_tensor(h.buf[h.depth + i], n);
    if (t.dtype() != out.dtype()) throw internal_error(n.path + ": interp: scan output dtype changed");
    if (bytes) std::memcpy(static_cast<uint8_t*>(out.raw()) + i * bytes, t.raw(), bytes);
  }
  return out;
}

}  // namespace

std::vector<Value> eval_scan(const Node& n, const Inputs& in) {
  if (!n.scan || !n.scan->body) throw internal_error(n.path + ": interp: scan without a body");
  const ScanInfo& si = *n.scan;
  const Graph& body = *si.body;
  size_t n_outs = size_t(si.n_outs()), n_shared = size_t(si.n_shared);

  size_t n_params = 0;
  for (const auto& taps : si.seq_taps) n_params += taps.size();
  for (const auto& taps : si.out_taps) n_params += taps.size();
  n_params += n_shared + size_t(si.n_nonseq);
  if (body.params.size() != n_params || body.outputs.size() != n_outs + n_shared + (si.has_until ? 1 : 0) ||
      in.size() != size_t(si.nonseq_input(si.n_nonseq)))
    throw internal_error(n.path + ": interp: the scan's signature does not match its body");

  // ---- how many steps ----
  int64_t n_steps = -1;
  if (si.has_n_steps) {
    n_steps = scalar_i64(tensor_in(n, in, 0));
    if (n_steps < 0) fail(n, "n_steps must not be negative, got " + std::to_string(n_steps));
  }
  std::vector<Tensor> seqs;
  std::vector<int64_t> seq_base;  // -mn: the index step 0's tap 0 reads
  int64_t shortest = -1;
  for (int k = 0; k < si.n_seqs(); ++k) {
    const Tensor& raw = tensor_in(n, in, size_t(si.seq_input(k)));
    seqs.push_back(si.go_backwards ? reversed(raw) : raw);
    const auto& taps = si.seq_taps[size_t(k)];
    int64_t mn = std::min(*std::min_element(taps.begin(), taps.end()), 0);
    int64_t mx = std::max(*std::max_element(taps.begin(), taps.end()), 0);
    int64_t allowed = std::max<int64_t>(seqs.back().shape()[0] - (mx - mn), 0);
    shortest = shortest < 0 ? allowed : std::min(shortest, allowed);
    seq_base.push_back(-mn);
  }
  int64_t steps;
  if (si.n_seqs() > 0) {
    if (si.has_n_steps && n_steps > shortest)
      fail(n, "n_steps is " + std::to_string(n_steps) + " but the sequences allow only " + std::to_string(shortest) +
                  " steps");
    steps = si.has_n_steps ? n_steps : shortest;
  } else {
    if (!si.has_n_steps) throw internal_error(n.path + ": interp: scan without sequences or n_steps");
    steps = n_steps;
  }

  // ---- outputs, their initial steps, and shared states ----
  std::vector<History> hist(n_outs);
  for (int k = 0; k < si.n_outs(); ++k) {
    const auto& taps = si.out_taps[size_t(k)];
    if (taps.empty()) continue;
    History& h = hist[size_t(k)];
    h.recurrent = true;
    h.depth = size_t(si.init_depth(k));
    const Tensor& init = tensor_in(n, in, size_t(si.init_input(k)));
    if (taps.size() == 1 && taps[0] == -1) {
      h.buf.push_back(init);
    } else {
      if (init.ndim() < 1 || init.shape()[0] < int64_t(h.depth))
        fail(n, "output " + std::to_string(k) + " reads " + std::to_string(h.depth) +
                    " steps back, but its initial value has shape " + shape_str(init.shape()));
      for (size_t i = 0; i < h.depth; ++i) h.buf.push_back(row_of(init, int64_t(i)));
    }
    // The first step would fail the shape check below anyway; checking now
    // also covers zero steps, where the stacked output takes this step shape.
    const Shape& s0 = as_tensor(h.buf.front(), n).shape();
    const Type& bt = body.outputs[size_t(k)]->type;
    bool fits = int(s0.size()) == bt.ndim();
    for (size_t d = 0; fits && d < s0.size(); ++d) fits = bt.shape[d] < 0 || bt.shape[d] == s0[d];
    if (!fits)
      fail(n, "output " + std::to_string(k) + " has initial steps of shape " + shape_str(s0) +
                  ", but the body gives " + bt.str());
  }
  std::vector<Value> state;
  for (size_t k = 0; k < n_shared; ++k) state.push_back(*in[size_t(si.shared_input(int(k)))]);

  // ---- the loop ----
  RefBindings b;
  size_t n_seq_params = 0;
  for (const auto& taps : si.seq_taps) n_seq_params += taps.size();
  std::vector<Value> seq_vals(n_seq_params);
  for (int64_t t = 0; t < steps; ++t) {
    size_t pi = 0, si_val = 0;
    for (size_t k = 0; k < seqs.size(); ++k)
      for (int tap : si.seq_taps[k]) {
        seq_vals[si_val] = row_of(seqs[k], t + tap + seq_base[k]);
        b[body.params[pi++]] = &seq_vals[si_val++];
      }
    for (size_t k = 0; k < n_outs; ++k)
      for (int tap : si.out_taps[k]) b[body.params[pi++]] = &hist[k].buf[size_t(t + int64_t(hist[k].depth) + tap)];
    for (size_t k = 0; k < n_shared; ++k) b[body.params[pi++]] = &state[k];
    for (int k = 0; k < si.n_nonseq; ++k) b[body.params[pi++]] = in[size_t(si.nonseq_input(k))];

    std::vector<Value> res = evaluate_refs(body.outputs, b);

    for (size_t k = 0; k < n_outs; ++k) {
      History& h = hist[k];
      const Tensor& r = as_tensor(res[k], n);
      // Every step has the shape of the first one (a recurrent output: of its initial step).
      if (!h.buf.empty() && r.shape() != as_tensor(h.buf.front(), n).shape())
        fail(n, "output " + std::to_string(k) + " has shape " + shape_str(r.shape()) + " at step " +
                    std::to_string(t) + ", but " + (h.recurrent ? "its initial value has shape " : "step 0 had shape ") +
                    shape_str(as_tensor(h.buf.front(), n).shape()));
      h.buf.push_back(std::move(res[k]));
    }
    for (size_t k = 0; k < n_shared; ++k) state[k] = std::move(res[n_outs + k]);
    if (si.has_until && truthy(as_tensor(res.back(), n))) break;
  }

  std::vector<Value> out;
  for (int k = 0; k < si.n_outs(); ++k) out.emplace_back(stack_steps(n, k, hist[size_t(k)]));
  for (Value& v : state) out.push_back(std::move(v));
  return out;
}

}  // namespace tgc::interp::detail
