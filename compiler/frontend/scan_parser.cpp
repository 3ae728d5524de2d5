// scan and its convenience forms (map, reduce, foldl, foldr), Theano's
// semantics: sequences with taps, recurrent outputs with taps, shared
// variables updated in the body, non-sequences (explicit, or captured when
// strict is false), n_steps, go_backwards, until.
#include <algorithm>
#include <set>

#include "frontend/limits.h"
#include "frontend/loader_impl.h"
#include "frontend/values.h"

namespace tgc::frontend {

namespace {

std::vector<int> parse_taps(const JsonValue& v, const std::string& path, bool outputs) {
  const JsonValue& l = as_list(v, path);
  if (l.empty()) throw graph_error(path, "taps must not be empty");
  if (l.size() > 1024) throw graph_error(path, "too many taps");
  std::vector<int> taps;
  std::set<int> seen;
  for (size_t k = 0; k < l.size(); ++k) {
    std::string p = path + "[" + std::to_string(k) + "]";
    int64_t t = as_int(l[k], p);
    if (t < -1000000 || t > 1000000) throw graph_error(p, "tap out of range");
    if (outputs && t >= 0) throw graph_error(p, "an output tap must be negative (it reads an earlier step)");
    if (!seen.insert(int(t)).second) throw graph_error(p, "tap " + std::to_string(t) + " is repeated");
    taps.push_back(int(t));
  }
  return taps;
}

Type drop_leading(const Type& t) {
  Type r = t;
  r.shape.erase(r.shape.begin());
  return r;
}

struct SeqArg {
  Var* var;
  std::vector<int> taps;
};
struct OutArg {
  Var* init = nullptr;  // null: no recurrence
  std::vector<int> taps;
  Type step_type;       // the type of one step
};

}  // namespace

void Loader::build_scan_like(Scope& s, const JsonValue& node, const std::string& path, const std::string& form) {
  bool is_map = form == "map", last_only = form == "reduce" || form == "foldl" || form == "foldr";
  std::vector<std::string_view> keys = {"op", "sequences", "non_sequences", "n_steps", "go_backwards", "strict",
                                        "truncate_gradient", "allow_gc", "body", "outputs", "updates_out"};
  if (!is_map) keys.push_back("outputs_info");
  check_keys(node, keys, path, "attribute for op", form);
  if (s.depth + 1 > limits::kMaxScanNesting)
    throw graph_error(path, "scans nest deeper than " + std::to_string(limits::kMaxScanNesting) + " levels");

  auto info = std::make_unique<ScanInfo>();
  std::vector<Var*> inputs;

  // n_steps
  Var* n_steps = nullptr;
  if (node.contains("n_steps") && !node["n_steps"].is_null()) {
    const JsonValue& ns = node["n_steps"];
    if (ns.is_number_integer()) {
      int64_t steps = as_int(ns, path + ".n_steps");
      Tensor t(DType::Int64, {});
      t.data<int64_t>()[0] = steps;
      n_steps = s.graph->new_constant(std::to_string(steps), std::move(t));
    } else {
      n_steps = resolve(s, as_name(ns, path + ".n_steps"), path + ".n_steps");
      const Type& t = n_steps->type;
      if (!t.is_tensor() || t.ndim() != 0 || !is_integer(t.dtype))
        throw graph_error(path + ".n_steps", "n_steps must be an integer scalar, got " + t.str());
    }
    info->has_n_steps = true;
    inputs.push_back(n_steps);
  }

  // sequences
  std::vector<SeqArg> seqs;
  if (node.contains("sequences")) {
    const JsonValue& l = as_list(node["sequences"], path + ".sequences");
    for (size_t k = 0; k < l.size(); ++k) {
      std::string p = path + ".sequences[" + std::to_string(k) + "]";
      SeqArg a;
      if (l[k].is_object() && l[k].contains("input")) {
        check_keys(l[k], {"input", "taps"}, p, "key");
        a.var = input_ref(s, l[k]["input"], p + ".input");
        a.taps = l[k].contains("taps") ? parse_taps(l[k]["taps"], p + ".taps", false) : std::vector<int>{0};
      } else {
        a.var = input_ref(s, l[k], p);
        a.taps = {0};
      }
      if (!a.var->type.is_tensor() || a.var->type.ndim() < 1)
        throw graph_error(p, "a sequence must be a tensor with at least one dimension, got " + a.var->type.str());
      seqs.push_back(a);
    }
  }
  if (!n_steps && seqs.empty()) throw graph_error(path, form + " without sequences needs n_steps");

  // outputs_info
  const JsonValue& body = require(node, "body", path);
  std::string bpath = path + ".body";
  check_keys(body, {"inputs", "nodes", "outputs", "updates", "until"}, bpath, "body key");
  const JsonValue& body_outs = as_list(require(body, "outputs", bpath), bpath + ".outputs");
  std::vector<OutArg> outs;
  if (is_map || !node.contains("outputs_info") || node["outputs_info"].is_null()) {
    outs.resize(body_outs.size());
  } else {
    const JsonValue& l = as_list(node["outputs_info"], path + ".outputs_info");
    for (size_t k = 0; k < l.size(); ++k) {
      std::string p = path + ".outputs_info[" + std::to_string(k) + "]";
      OutArg a;
      if (l[k].is_null()) {
      } else if (l[k].is_object() && l[k].contains("initial")) {
        check_keys(l[k], {"initial", "taps"}, p, "key");
        a.init = input_ref(s, l[k]["initial"], p + ".initial");
        a.taps = l[k].contains("taps") ? parse_taps(l[k]["taps"], p + ".taps", true) : std::vector<int>{-1};
      } else {
        a.init = input_ref(s, l[k], p);
        a.taps = {-1};
      }
      if (a.init) {
        const Type& t = a.init->type;
        if (!t.is_tensor()) throw graph_error(p, "an initial value must be a tensor, got " + t.str());
        bool one_step = a.taps.size() == 1 && a.taps[0] == -1;
        if (!one_step && t.ndim() < 1)
          throw graph_error(p, "with taps other than [-1] the initial value carries the leading steps, so it needs a leading dimension");
        a.step_type = one_step ? t : drop_leading(t);
      }
      outs.push_back(a);
    }
  }
  if (outs.size() != body_outs.size())
    throw graph_error(path, "outputs_info has " + std::to_string(outs.size()) + " entries but the body has " +
                                std::to_string(body_outs.size()) + " outputs");

  // non-sequences
  std::vector<Var*> nonseqs;
  if (node.contains("non_sequences")) {
    const JsonValue& l = as_list(node["non_sequences"], path + ".non_sequences");
    for (size_t k = 0; k < l.size(); ++k) nonseqs.push_back(input_ref(s, l[k], path + ".non_sequences[" + std::to_string(k) + "]"));
  }

  // shared variables updated in the body
  std::vector<std::pair<Name, Var*>> states;  // each shared variable the body updates
  if (body.contains("updates") && !body["updates"].is_null()) {
    const JsonValue& u = body["updates"];
    if (!u.is_object()) throw graph_error(bpath + ".updates", "expected an object");
    for (const JsonMember& m : u.members()) {
      const std::string key(m.key);
      std::string p = bpath + ".updates." + key;
      Var* v = resolve(s, Name{m.key}, p);
      if (v->kind != VarKind::Shared && !(v->kind == VarKind::Param && s.is_body))
        throw graph_error(p, "\"" + key + "\" is not a shared variable or random state");
      states.push_back({Name{m.key}, v});
    }
  }

  info->go_backwards = node.contains("go_backwards") && as_bool(node["go_backwards"], path + ".go_backwards");
  if (form == "foldr") info->go_backwards = !info->go_backwards;
  bool strict = node.contains("strict") && as_bool(node["strict"], path + ".strict");
  if (node.contains("truncate_gradient")) {
    int64_t tg = as_int(node["truncate_gradient"], path + ".truncate_gradient");
    if (tg == 0 || tg < -1) throw graph_error(path + ".truncate_gradient", "expected -1 or a positive number of steps");
    info->truncate_gradient = int(std::min<int64_t>(tg, INT32_MAX));
  }
  if (node.contains("allow_gc")) as_bool(node["allow_gc"], path + ".allow_gc");

  // ---- the body ----
  info->body = std::make_unique<Graph>(s.graph);
  Graph& g = *info->body;
  Scope bs;
  bs.graph = &g;
  bs.parent = &s;
  bs.is_body = true;
  bs.strict = strict;
  bs.scan_path = path;
  bs.depth = s.depth + 1;

  std::vector<Var*> named_params;  // in the order body.inputs names them
  for (const SeqArg& a : seqs)
    for (size_t t = 0; t < a.taps.size(); ++t) named_params.push_back(g.new_var("", drop_leading(a.var->type), VarKind::Param));
  for (const OutArg& a : outs)
    for (size_t t = 0; t < a.taps.size(); ++t) named_params.push_back(g.new_var("", a.step_type, VarKind::Param));
  std::vector<Var*> state_params;
  for (auto& [nm, v] : states) state_params.push_back(g.new_var(nm.str(), v->type, VarKind::Param));
  for (Var* v : nonseqs) named_params.push_back(g.new_var("", v->type, VarKind::Param));
  // Parameter order: sequence taps, recurrent taps, shared states, non-sequences.
  size_t n_front = named_params.size() - nonseqs.size();
  g.params.assign(named_params.begin(), named_params.begin() + long(n_front));
  g.params.insert(g.params.end(), state_params.begin(), state_params.end());
  g.params.insert(g.params.end(), named_params.begin() + long(n_front), named_params.end());

  const JsonValue no_inputs = JsonValue::array(nullptr, 0);
  const JsonValue& bin = as_list(body.contains("inputs") ? body["inputs"] : no_inputs, bpath + ".inputs");
  if (bin.size() != named_params.size())
    throw graph_error(bpath + ".inputs", "the body takes " + std::to_string(named_params.size()) +
                                             " inputs (sequence taps, output taps, non-sequences), " +
                                             std::to_string(bin.size()) + " names given");
  for (size_t k = 0; k < bin.size(); ++k) {
    std::string p = bpath + ".inputs[" + std::to_string(k) + "]";
    bind(bs, as_name(bin[k], p), named_params[k], p);
    named_params[k]->set_path(p);
  }
  for (size_t k = 0; k < states.size(); ++k)
    bs.names.insert(states[k].first.text, state_params[k]);  // unless the body names it already

  if (body.contains("nodes")) build_nodes(bs, body["nodes"], bpath + ".nodes");

  // A body result must keep the dtype and ndim of its recurrent state; a safe
  // upcast is inserted, a downcast is Theano's refused implicit downcast.
  auto conform = [&](Var* v, const Type& want, const std::string& p, const std::string& what) -> Var* {
    const Type& t = v->type;
    if (t.kind != want.kind || t.ndim() != want.ndim())
      throw graph_error(path, form + ": " + what + " is " + t.str() + " but its initial value is " + want.str() + " (at " + p + ")");
    for (int d = 0; d < t.ndim(); ++d)
      if (want.broadcastable(d) && !t.broadcastable(d))
        throw graph_error(path, form + ": " + what + " is " + t.str() + " but its initial value is " + want.str() +
                                    ": dimension " + std::to_string(d) + " must have static size 1 (at " + p + ")");
    if (t.dtype == want.dtype) return v;
    if (t.is_tensor() && promote(t.dtype, want.dtype) == want.dtype) {
      Attrs a;
      a.dtype = want.dtype;
      return g.add_node(Op::Cast, {v}, a, p)->outputs[0];
    }
    throw graph_error(path, form + ": " + what + " is " + std::string(dtype_name(t.dtype)) + " but its initial value is " +
                                std::string(dtype_name(want.dtype)) +
                                ": an implicit downcast, which scan refuses; give the initial value dtype " +
                                std::string(dtype_name(t.dtype)) + " (at " + p + ")");
  };

  std::vector<Var*> results;
  for (size_t k = 0; k < body_outs.size(); ++k) {
    std::string p = bpath + ".outputs[" + std::to_string(k) + "]";
    Var* v = resolve(bs, as_name(body_outs[k], p), p);
    if (!v->type.is_tensor()) throw graph_error(p, "a scan output must be a tensor");
    if (outs[k].init) v = conform(v, outs[k].step_type, p, "output " + std::to_string(k));
    results.push_back(v);
  }
  for (size_t k = 0; k < states.size(); ++k) {
    const std::string name = states[k].first.str();
    std::string p = bpath + ".updates." + name;
    Var* v = resolve(bs, as_name(body["updates"][name], p), p);
    results.push_back(conform(v, states[k].second->type, p, "the update of \"" + name + "\""));
  }
  if (body.contains("until") && !body["until"].is_null()) {
    std::string p = bpath + ".until";
    Var* c = resolve(bs, as_name(body["until"], p), p);
    if (!c->type.is_tensor() || c->type.ndim() != 0) throw graph_error(p, "until must be a scalar, got " + c->type.str());
    results.push_back(c);
    info->has_until = true;
  }
  g.outputs = results;

  // ---- the scan node ----
  for (const SeqArg& a : seqs) {
    inputs.push_back(a.var);
    info->seq_taps.push_back(a.taps);
  }
  for (const OutArg& a : outs) info->out_taps.push_back(a.taps);
  for (const OutArg& a : outs)
    if (a.init) inputs.push_back(a.init);
  for (auto& st : states) inputs.push_back(st.second);
  info->n_shared = int(states.size());
  for (Var* v : nonseqs) inputs.push_back(v);
  for (Var* v : bs.captured) inputs.push_back(v);
  info->n_nonseq = int(nonseqs.size() + bs.captured.size());

  Node* n = s.graph->add_node(Op::Scan, std::move(inputs), Attrs{}, path, std::move(info));
  const ScanInfo& si = *n->scan;
  for (int k = 0; k < si.n_shared; ++k) n->outputs[size_t(si.n_outs() + k)]->name = states[size_t(k)].first.str() + "_after";

  const JsonValue& names = as_list(require(node, "outputs", path), path + ".outputs");
  if (names.size() != size_t(si.n_outs()))
    throw graph_error(path + ".outputs", form + " has " + std::to_string(si.n_outs()) + " outputs, " +
                                             std::to_string(names.size()) + " names given");
  for (size_t k = 0; k < names.size(); ++k) {
    std::string p = path + ".outputs[" + std::to_string(k) + "]";
    Name nm = as_name(names[k], p);
    Var* stacked = n->outputs[k];
    if (!last_only) {
      bind(s, nm, stacked, p);
      continue;
    }
    // reduce / foldl / foldr name only the last value: stacked[-1].
    stacked->name = nm.str() + "_steps";
    Attrs a;
    IdxEntry e;
    e.point.kind = IdxBound::Const;
    e.point.value = -1;
    a.idx = {e};
    a.n_tensor_inputs = 1;
    Node* last = s.graph->add_node(Op::Subtensor, {stacked}, a, path);
    bind(s, nm, last->outputs[0], p);
  }
  if (node.contains("updates_out") && !node["updates_out"].is_null()) {
    const JsonValue& u = node["updates_out"];
    if (!u.is_object()) throw graph_error(path + ".updates_out", "expected an object");
    for (const JsonMember& m : u.members()) {
      const std::string key(m.key);
      std::string p = path + ".updates_out." + key;
      size_t k = 0;
      while (k < states.size() && states[k].first.text != m.key) ++k;
      if (k == states.size()) throw graph_error(p, "\"" + key + "\" is not updated in the body (body.updates)");
      Var* v = n->outputs[size_t(si.n_outs()) + k];
      bind(s, as_name(m.value, p), v, p);
    }
  }
}

}  // namespace tgc::frontend
