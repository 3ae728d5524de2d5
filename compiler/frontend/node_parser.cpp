// Node parsing: the op, its inputs, its attributes, and its outputs.
#include <algorithm>
#include <set>

#include "frontend/limits.h"
#include "frontend/loader_impl.h"
#include "frontend/values.h"

namespace tgc::frontend {

namespace {

bool is_scan_form(std::string_view op) {
  return op == "scan" || op == "map" || op == "reduce" || op == "foldl" || op == "foldr";
}

// Attributes each op accepts besides "op", "inputs" and "outputs".
std::vector<std::string_view> attribute_keys(Op op) {
  switch (op) {
    case Op::Cast: return {"dtype"};
    case Op::Dimshuffle: return {"pattern"};
    case Op::Reshape: return {"shape"};
    case Op::Flatten: return {"ndim"};
    case Op::Transpose: return {"axes"};
    case Op::ShapeI: return {"i"};
    case Op::ZerosLike:
    case Op::OnesLike:
    case Op::Arange: return {"dtype"};
    case Op::Join:
    case Op::Stack: return {"axis"};
    case Op::Subtensor:
    case Op::IncSubtensor:
    case Op::SetSubtensor: return {"idx"};
    case Op::Sum:
    case Op::Prod:
    case Op::Mean: return {"axis", "keepdims", "dtype"};
    case Op::Max:
    case Op::Min:
    case Op::Argmax:
    case Op::Argmin:
    case Op::All:
    case Op::Any: return {"axis", "keepdims"};
    case Op::RandomUniform:
    case Op::RandomNormal:
    case Op::RandomBinomial: return {"dtype", "size"};
    case Op::Assert: return {"message"};
    case Op::IfElse: return {"then", "else"};
    case Op::Grad: return {"wrt", "consider_constant", "disconnected_inputs"};
    default: return {};
  }
}

void push_name(const JsonValue& v, std::vector<std::string_view>& out) {
  if (v.is_string()) out.push_back(v.str());
}

void collect_list(const JsonValue& node, const char* key, std::vector<std::string_view>& out) {
  if (!node.contains(key) || !node[key].is_array()) return;
  for (const JsonValue& e : node[key]) push_name(e, out);
}

void collect_idx(const JsonValue& idx, std::vector<std::string_view>& out) {
  if (!idx.is_array()) return;
  for (const JsonValue& e : idx) {
    if (!e.is_object()) continue;
    if (e.contains("var")) push_name(e["var"], out);
    for (const char* k : {"start", "stop", "step"})
      if (e.contains(k) && e[k].is_object() && e[k].contains("var")) push_name(e[k]["var"], out);
  }
}

// Free names of a scan body: names it reads minus names it defines.
void collect_body_free(const JsonValue& body, std::vector<std::string_view>& out) {
  if (!body.is_object()) return;
  std::set<std::string_view> defined;
  if (body.contains("inputs") && body["inputs"].is_array())
    for (const JsonValue& e : body["inputs"])
      if (e.is_string()) defined.insert(e.str());
  std::vector<std::string_view> reads, defs;
  if (body.contains("nodes") && body["nodes"].is_array())
    for (const JsonValue& n : body["nodes"]) {
      if (!n.is_object()) continue;
      collect_reads(n, reads);
      collect_defines(n, defs);
    }
  defined.insert(defs.begin(), defs.end());
  collect_list(body, "outputs", reads);
  if (body.contains("until")) push_name(body["until"], reads);
  if (body.contains("updates") && body["updates"].is_object())
    for (const JsonMember& m : body["updates"].members()) {
      reads.push_back(m.key);
      push_name(m.value, reads);
    }
  for (std::string_view r : reads)
    if (!defined.count(r)) out.push_back(r);
}

}  // namespace

void collect_reads(const JsonValue& node, std::vector<std::string_view>& out) {
  collect_list(node, "inputs", out);
  if (node.contains("idx")) collect_idx(node["idx"], out);
  collect_list(node, "then", out);
  collect_list(node, "else", out);
  collect_list(node, "wrt", out);
  collect_list(node, "consider_constant", out);
  if (node.contains("op") && node["op"].is_string() && is_scan_form(node["op"].str())) {
    if (node.contains("sequences") && node["sequences"].is_array())
      for (const JsonValue& e : node["sequences"]) {
        push_name(e, out);
        if (e.is_object() && e.contains("input")) push_name(e["input"], out);
      }
    if (node.contains("outputs_info") && node["outputs_info"].is_array())
      for (const JsonValue& e : node["outputs_info"]) {
        push_name(e, out);
        if (e.is_object() && e.contains("initial")) push_name(e["initial"], out);
      }
    collect_list(node, "non_sequences", out);
    if (node.contains("n_steps")) push_name(node["n_steps"], out);
    if (node.contains("body")) collect_body_free(node["body"], out);
  }
}

void collect_defines(const JsonValue& node, std::vector<std::string_view>& out) {
  collect_list(node, "outputs", out);
  if (node.contains("updates_out") && node["updates_out"].is_object())
    for (const JsonMember& m : node["updates_out"].members()) push_name(m.value, out);
}

namespace {

std::vector<int> parse_axes(const JsonValue& v, const std::string& path) {
  std::vector<int> axes;
  if (v.is_number_integer()) {
    axes.push_back(int(std::clamp<int64_t>(as_int(v, path), -1000, 1000)));
    return axes;
  }
  as_list(v, path);
  for (size_t k = 0; k < v.size(); ++k)
    axes.push_back(int(std::clamp<int64_t>(as_int(v[k], path + "[" + std::to_string(k) + "]"), -1000, 1000)));
  return axes;
}

// An index bound: integer, null/absent, or {"var": name} (appended to inputs).
IdxBound parse_bound(Loader& L, Scope& s, const JsonValue* v, const std::string& path, std::vector<Var*>& inputs) {
  IdxBound b;
  if (!v || v->is_null()) return b;
  if (v->is_number_integer()) {
    b.kind = IdxBound::Const;
    b.value = as_int(*v, path);
    return b;
  }
  if (v->is_object() && v->contains("var")) {
    check_keys(*v, {"var"}, path, "key");
    b.kind = IdxBound::Input;
    b.input = int(inputs.size());
    inputs.push_back(L.resolve(s, as_name((*v)["var"], path + ".var"), path + ".var"));
    return b;
  }
  throw graph_error(path, "an index is an integer, null, or {\"var\": name}");
}

std::vector<IdxEntry> parse_idx(Loader& L, Scope& s, const JsonValue& idx, const std::string& path,
                                std::vector<Var*>& inputs) {
  as_list(idx, path);
  if (int(idx.size()) > limits::kMaxRank) throw graph_error(path, "too many index entries");
  std::vector<IdxEntry> out;
  for (size_t k = 0; k < idx.size(); ++k) {
    std::string p = path + "[" + std::to_string(k) + "]";
    const JsonValue& e = idx[k];
    IdxEntry en;
    if (e.is_number_integer() || (e.is_object() && e.contains("var"))) {
      en.point = parse_bound(L, s, &e, p, inputs);
    } else if (e.is_object()) {
      check_keys(e, {"start", "stop", "step"}, p, "slice key");
      en.is_slice = true;
      auto get = [&](const char* key) { return e.contains(key) ? &e[key] : nullptr; };
      en.start = parse_bound(L, s, get("start"), p + ".start", inputs);
      en.stop = parse_bound(L, s, get("stop"), p + ".stop", inputs);
      en.step = parse_bound(L, s, get("step"), p + ".step", inputs);
      if (en.step.kind == IdxBound::Const && en.step.value == 0) throw graph_error(p + ".step", "slice step must not be zero");
    } else {
      throw graph_error(p, "an index entry is an integer, {\"var\": name}, or a slice object");
    }
    out.push_back(en);
  }
  return out;
}

void parse_attributes(Loader& L, Scope& s, Op op, const JsonValue& node, const std::string& path, Attrs& a,
                      std::vector<Var*>& inputs) {
  auto has = [&](const char* k) { return node.contains(k); };
  if (has("dtype")) a.dtype = parse_dtype(node["dtype"], path + ".dtype");
  if (has("axis")) {
    if (node["axis"].is_null()) a.axis_all = true;
    else {
      a.axis_all = false;
      a.axes = parse_axes(node["axis"], path + ".axis");
      if ((op == Op::Join || op == Op::Stack) && a.axes.size() != 1)
        throw graph_error(path + ".axis", "expected one integer axis");
    }
  }
  if (has("keepdims")) a.keepdims = as_bool(node["keepdims"], path + ".keepdims");
  if (has("pattern")) {
    const JsonValue& p = as_list(node["pattern"], path + ".pattern");
    if (int(p.size()) > limits::kMaxRank) throw graph_error(path + ".pattern", "too many dimensions");
    for (size_t k = 0; k < p.size(); ++k) {
      std::string pp = path + ".pattern[" + std::to_string(k) + "]";
      if (p[k].is_string() && p[k].get<std::string>() == "x") a.pattern.push_back(-1);
      else {
        int64_t d = as_int(p[k], pp);
        if (d < 0 || d >= limits::kMaxRank) throw graph_error(pp, "axis out of range");
        a.pattern.push_back(int(d));
      }
    }
  } else if (op == Op::Dimshuffle) {
    throw graph_error(path, "dimshuffle needs a \"pattern\"");
  }
  if (has("shape") || has("size")) {
    const char* key = has("shape") ? "shape" : "size";
    const JsonValue& v = as_list(node[key], path + "." + key);
    if (int(v.size()) > limits::kMaxRank) throw graph_error(path + "." + key, "too many dimensions");
    Shape sh;
    for (size_t k = 0; k < v.size(); ++k) {
      int64_t d = as_int(v[k], path + "." + key + "[" + std::to_string(k) + "]");
      if (d < -1 || d > limits::kMaxDim) throw graph_error(path + "." + key, "size out of range");
      sh.push_back(d);
    }
    a.shape = sh;
  }
  if (has("ndim")) a.ndim = int(std::clamp<int64_t>(as_int(node["ndim"], path + ".ndim"), -1, 1000));
  if (has("axes")) a.axes = parse_axes(node["axes"], path + ".axes");
  if (has("i")) a.i = int(std::clamp<int64_t>(as_int(node["i"], path + ".i"), -1, 1000));
  if (has("message")) a.message = as_string(node["message"], path + ".message");
  if (has("idx")) a.idx = parse_idx(L, s, node["idx"], path + ".idx", inputs);
  else if (op == Op::Subtensor || op == Op::IncSubtensor || op == Op::SetSubtensor)
    throw graph_error(path, std::string(op_name(op)) + " needs an \"idx\"");
}

}  // namespace

void Loader::build_node(Scope& s, const JsonValue& node, const std::string& path) {
  std::string opname = as_string(require(node, "op", path), path + ".op");
  if (is_scan_form(opname)) return build_scan_like(s, node, path, opname);
  auto op = op_from_name(opname);
  if (!op || is_internal(*op)) throw graph_error(path + ".op", "unknown op \"" + opname + "\"");
  std::vector<std::string_view> keys = attribute_keys(*op);
  keys.insert(keys.end(), {"op", "inputs", "outputs"});
  check_keys(node, keys, path, "attribute for op", opname);

  std::vector<Var*> inputs;
  const JsonValue& ins = as_list(require(node, "inputs", path), path + ".inputs");
  for (size_t k = 0; k < ins.size(); ++k) inputs.push_back(input_ref(s, ins[k], path + ".inputs[" + std::to_string(k) + "]"));
  Attrs a;
  // The subtensor family's index inputs follow its tensors (other ops keep
  // the default, so their attributes stay the shared defaults: ir/graph.h).
  if (std::find(keys.begin(), keys.end(), "idx") != keys.end()) a.n_tensor_inputs = int(inputs.size());
  if (*op == Op::IfElse) {
    const JsonValue& th = as_list(require(node, "then", path), path + ".then");
    const JsonValue& el = as_list(require(node, "else", path), path + ".else");
    if (inputs.size() != 1) throw graph_error(path + ".inputs", "ifelse takes one input, the condition");
    if (th.size() != el.size()) throw graph_error(path, "\"then\" and \"else\" must have the same number of values");
    for (size_t k = 0; k < th.size(); ++k) inputs.push_back(input_ref(s, th[k], path + ".then[" + std::to_string(k) + "]"));
    for (size_t k = 0; k < el.size(); ++k) inputs.push_back(input_ref(s, el[k], path + ".else[" + std::to_string(k) + "]"));
    a.n_branch = int(th.size());
  } else if (*op == Op::Grad) {
    if (inputs.size() != 1) throw graph_error(path + ".inputs", "grad takes one input, the cost");
    const JsonValue& wrt = as_list(require(node, "wrt", path), path + ".wrt");
    for (size_t k = 0; k < wrt.size(); ++k) inputs.push_back(resolve(s, as_name(wrt[k], path + ".wrt[" + std::to_string(k) + "]"), path + ".wrt[" + std::to_string(k) + "]"));
    a.n_branch = int(wrt.size());
    if (node.contains("consider_constant")) {
      const JsonValue& cc = as_list(node["consider_constant"], path + ".consider_constant");
      for (size_t k = 0; k < cc.size(); ++k) {
        std::string p = path + ".consider_constant[" + std::to_string(k) + "]";
        inputs.push_back(resolve(s, as_name(cc[k], p), p));
      }
    }
    if (node.contains("disconnected_inputs")) {
      a.disconnected = as_string(node["disconnected_inputs"], path + ".disconnected_inputs");
      if (a.disconnected != "raise" && a.disconnected != "warn" && a.disconnected != "ignore")
        throw graph_error(path + ".disconnected_inputs", "expected \"raise\", \"warn\" or \"ignore\"");
    }
  }
  parse_attributes(*this, s, *op, node, path, a, inputs);
  Node* n = s.graph->add_node(*op, std::move(inputs), std::move(a), path);
  bind_outputs(s, n, require(node, "outputs", path), path + ".outputs", n->outputs.size());
}

}  // namespace tgc::frontend
