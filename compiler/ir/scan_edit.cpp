#include "ir/scan_edit.h"

#include <algorithm>

#include "ir/error.h"

namespace tgc::scan_edit {

namespace {

Type drop_leading(const Type& t) {
  Type r = t;
  r.shape.erase(r.shape.begin());
  return r;
}

void renumber(Node& scan) {
  for (size_t k = 0; k < scan.outputs.size(); ++k) scan.outputs[k]->index = int(k);
}

}  // namespace

size_t first_seq_param(const ScanInfo& s, int seq) {
  size_t p = 0;
  for (int j = 0; j < seq; ++j) p += s.seq_taps[size_t(j)].size();
  return p;
}

size_t first_tap_param(const ScanInfo& s, int out) {
  size_t p = first_seq_param(s, s.n_seqs());
  for (int k = 0; k < out; ++k) p += s.out_taps[size_t(k)].size();
  return p;
}

size_t first_state_param(const ScanInfo& s) { return first_tap_param(s, s.n_outs()); }
size_t first_nonseq_param(const ScanInfo& s) { return first_state_param(s) + size_t(s.n_shared); }

Var* add_nonseq(Node& scan, Var* outer, const std::string& name) {
  ScanInfo& s = *scan.scan;
  Var* p = s.body->new_var(name, outer->type, VarKind::Param);
  s.body->params.push_back(p);
  scan.inputs.push_back(outer);
  s.n_nonseq += 1;
  return p;
}

Var* add_sequence(Node& scan, Var* outer, const std::string& name) {
  ScanInfo& s = *scan.scan;
  size_t param_at = first_seq_param(s, s.n_seqs());
  size_t input_at = size_t(s.seq_input(s.n_seqs()));
  Var* p = s.body->new_var(name, drop_leading(outer->type), VarKind::Param);
  s.body->params.insert(s.body->params.begin() + long(param_at), p);
  scan.inputs.insert(scan.inputs.begin() + long(input_at), outer);
  s.seq_taps.push_back({0});
  return p;
}

Var* add_nitsot(Graph& scope, Node& scan, Var* v, const std::string& name) {
  ScanInfo& s = *scan.scan;
  int pos = s.n_outs();
  s.out_taps.insert(s.out_taps.begin() + pos, std::vector<int>{});
  if (!s.keep.empty()) s.keep.insert(s.keep.begin() + pos, 0);
  s.body->outputs.insert(s.body->outputs.begin() + pos, v);
  Type t = infer_types(scan)[size_t(pos)];
  Var* out = scope.new_var(name, t, VarKind::NodeOutput);
  out->owner = &scan;
  scan.outputs.insert(scan.outputs.begin() + pos, out);
  renumber(scan);
  return out;
}

void remove_output(Node& scan, int k) {
  ScanInfo& s = *scan.scan;
  const auto taps = s.out_taps[size_t(k)];
  if (!taps.empty()) {
    size_t p = first_tap_param(s, k);
    s.body->params.erase(s.body->params.begin() + long(p), s.body->params.begin() + long(p + taps.size()));
    scan.inputs.erase(scan.inputs.begin() + s.init_input(k));
  }
  s.out_taps.erase(s.out_taps.begin() + k);
  if (size_t(k) < s.keep.size()) s.keep.erase(s.keep.begin() + k);
  s.body->outputs.erase(s.body->outputs.begin() + k);
  scan.outputs.erase(scan.outputs.begin() + k);
  renumber(scan);
}

void remove_sequence(Node& scan, int j) {
  ScanInfo& s = *scan.scan;
  size_t p = first_seq_param(s, j), n = s.seq_taps[size_t(j)].size();
  s.body->params.erase(s.body->params.begin() + long(p), s.body->params.begin() + long(p + n));
  scan.inputs.erase(scan.inputs.begin() + s.seq_input(j));
  s.seq_taps.erase(s.seq_taps.begin() + j);
}

void remove_nonseq(Node& scan, int k) {
  ScanInfo& s = *scan.scan;
  size_t p = first_nonseq_param(s) + size_t(k);
  s.body->params.erase(s.body->params.begin() + long(p));
  scan.inputs.erase(scan.inputs.begin() + s.nonseq_input(k));
  s.n_nonseq -= 1;
}

void refresh_types(Node& scan) {
  std::vector<Type> t = infer_types(scan);
  if (t.size() != scan.outputs.size()) throw internal_error("scan_edit: outputs and types disagree at " + scan.path);
  for (size_t k = 0; k < t.size(); ++k) scan.outputs[k]->type = t[k];
}

Var* step_count(Builder& b, const Node& scan) {
  const ScanInfo& s = *scan.scan;
  if (s.has_until) throw internal_error(scan.path + ": step_count of a scan with until");
  if (s.has_n_steps) return b.cast(scan.inputs[0], DType::Int64);
  Var* shortest = nullptr;
  for (int j = 0; j < s.n_seqs(); ++j) {
    const std::vector<int>& taps = s.seq_taps[size_t(j)];
    int64_t lo = std::min(*std::min_element(taps.begin(), taps.end()), 0);
    int64_t hi = std::max(*std::max_element(taps.begin(), taps.end()), 0);
    Var* len = b.shape_i(scan.inputs[size_t(s.seq_input(j))], 0);
    if (hi - lo > 0) len = b.op(Op::Maximum, {b.sub(len, b.int64(hi - lo)), b.int64(0)});
    shortest = shortest ? b.op(Op::Minimum, {shortest, len}) : len;
  }
  if (!shortest) throw internal_error(scan.path + ": scan without sequences or n_steps");
  return shortest;
}

}  // namespace tgc::scan_edit
