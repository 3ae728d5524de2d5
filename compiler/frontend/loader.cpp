// Graph file loading: the file, its declarations, node ordering and functions.
#include "frontend/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <queue>
#include <unordered_set>
#include <utility>

#include "frontend/limits.h"
#include "frontend/loader_impl.h"
#include "frontend/values.h"

namespace tgc::frontend {

// ---- JSON accessors ---------------------------------------------------------

const JsonValue& require(const JsonValue& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) throw graph_error(path, "expected an object");
  const JsonValue* v = obj.find(key);
  if (!v) throw graph_error(path, std::string("missing \"") + key + "\"");
  return *v;
}

std::string as_string(const JsonValue& v, const std::string& path) {
  return as_name(v, path).str();
}

Name as_name(const JsonValue& v, const std::string& path) {
  if (!v.is_string()) throw graph_error(path, "expected a string, got " + std::string(v.type_name()));
  return Name{v.str()};
}

int64_t as_int(const JsonValue& v, const std::string& path) {
  if (!v.is_number_integer()) throw graph_error(path, "expected an integer, got " + std::string(v.type_name()));
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) throw graph_error(path, "integer out of range");
  return v.get<int64_t>();
}

bool as_bool(const JsonValue& v, const std::string& path) {
  if (!v.is_boolean()) throw graph_error(path, "expected true or false, got " + std::string(v.type_name()));
  return v.get<bool>();
}

const JsonValue& as_list(const JsonValue& v, const std::string& path) {
  if (!v.is_array()) throw graph_error(path, "expected a list, got " + std::string(v.type_name()));
  return v;
}

void check_keys(const JsonValue& obj, const std::vector<std::string_view>& allowed, const std::string& path,
                std::string_view what, std::string_view op) {
  if (!obj.is_object()) throw graph_error(path, "expected an object");
  for (const JsonMember& m : obj.members()) {
    if (std::find(allowed.begin(), allowed.end(), m.key) != allowed.end()) continue;
    const std::string key(m.key);
    std::string kind = op.empty() ? std::string(what) : std::string(what) + " " + std::string(op);
    throw graph_error(path + "." + key, "unknown " + kind + " \"" + key + "\"");
  }
}

// ---- scopes -----------------------------------------------------------------

void Loader::bind(Scope& s, Name name, Var* v, const std::string& path) {
  if (name.text.empty()) throw graph_error(path, "a name must not be empty");
  if (!s.names.insert(name.text, v))
    throw graph_error(path, "name \"" + name.str() + "\" is defined twice in one scope");
  if (v->kind == VarKind::NodeOutput || v->name.empty()) v->name = name.text;
}

Var* Loader::resolve(Scope& s, Name name, const std::string& path) {
  if (Var** found = s.names.find(name.text)) return *found;
  if (!s.parent) throw graph_error(path, "unknown variable \"" + name.str() + "\"");
  Var* outer = resolve(*s.parent, name, path);
  if (outer->is_constant()) {
    // Constants are values: the body gets its own copy, no scan input needed.
    Var* c = s.graph->new_var(outer->name, outer->type, VarKind::Constant);
    c->set_value(outer->value());
    c->weak = outer->weak;
    c->set_path(outer->path());
    s.names.insert(name.text, c);
    return c;
  }
  if (s.strict)
    throw graph_error(path, "scan at " + s.scan_path + " is strict, but its body reads \"" + name.str() +
                                "\" from outside; pass it in non_sequences");
  // An implicit non-sequence (strict: false): a new body parameter.
  Var* p = s.graph->new_var(name.str(), outer->type, VarKind::Param);
  p->set_path(path);
  s.graph->params.push_back(p);
  s.captured.push_back(outer);
  s.names.insert(name.text, p);
  return p;
}

Var* Loader::input_ref(Scope& s, const JsonValue& ref, const std::string& path) {
  if (ref.is_string()) return resolve(s, Name{ref.str()}, path);
  if (!ref.is_object() || !ref.contains("value"))
    throw graph_error(path, "an input is a variable name or {\"value\": ...}");
  check_keys(ref, {"value", "dtype"}, path, "key");
  const JsonValue& v = ref["value"];
  Tensor t;
  WeakKind weak = WeakKind::None;
  if (ref.contains("dtype")) {
    DType dt = parse_dtype(ref["dtype"], path + ".dtype");
    Shape none;
    t = parse_value(v, dt, none, false, base_dir_, path + ".value");
  } else {
    if (v.is_object()) throw graph_error(path + ".value", "an inline value is a number, a boolean or a list");
    t = parse_untyped_literal(v, path + ".value", weak);
  }
  std::string name = v.is_array() ? "constant" : v.dump();
  Var* c = s.graph->new_constant(name, std::move(t));
  c->weak = weak;
  c->set_path(path);
  return c;
}

// ---- nodes in dependency order -------------------------------------------------

void Loader::build_nodes(Scope& s, const JsonValue& nodes, const std::string& prefix) {
  as_list(nodes, prefix);
  if (nodes.size() > limits::kMaxNodes)
    throw graph_error(prefix, "more than " + std::to_string(limits::kMaxNodes) + " nodes");
  size_t n = nodes.size();
  // Sized once for the scope's nodes: rehashing tables of tens of thousands
  // of names moves every entry again.
  NameTable<size_t> definer;
  definer.reserve(n);
  s.names.reserve(s.names.size() + n);
  std::vector<std::string_view> names;
  // One walk over the document collects what each node defines and reads
  // (the names read are kept, flat, for the dependency pass below).
  std::vector<std::string_view> reads;
  std::vector<size_t> reads_from(n + 1, 0);
  auto path_of = [&](size_t i) { return prefix + "[" + std::to_string(i) + "]"; };
  for (size_t i = 0; i < n; ++i) {
    if (!nodes[i].is_object()) throw graph_error(path_of(i), "a node must be an object");
    names.clear();
    collect_defines(nodes[i], names);
    for (std::string_view nm : names) {
      if (s.names.contains(nm) || !definer.insert(nm, i))
        throw graph_error(path_of(i), "name \"" + std::string(nm) + "\" is defined twice in one scope");
    }
    collect_reads(nodes[i], reads);
    reads_from[i + 1] = reads.size();
  }
  // Most files list each node after the nodes it reads: then the file's
  // order is the order below (the smallest ready index first builds them in
  // index order), and the nodes are built in it without the dependency
  // lists, counts and queue.
  bool in_order = true;
  for (size_t i = 0; i < n && in_order; ++i)
    for (size_t r = reads_from[i]; r < reads_from[i + 1]; ++r) {
      const size_t* def = definer.find(reads[r]);
      if (def && *def >= i) {
        in_order = false;
        break;
      }
    }
  if (in_order) {
    for (size_t i = 0; i < n; ++i) build_node(s, nodes[i], path_of(i));
    return;
  }
  std::vector<std::vector<size_t>> users(n);
  std::vector<size_t> pending(n, 0);
  std::vector<size_t> deps;
  for (size_t i = 0; i < n; ++i) {
    deps.clear();
    for (size_t r = reads_from[i]; r < reads_from[i + 1]; ++r) {
      std::string_view nm = reads[r];
      const size_t* def = definer.find(nm);
      if (!def) continue;
      if (*def == i) throw graph_error(path_of(i), "the node reads its own output \"" + std::string(nm) + "\"");
      deps.push_back(*def);
    }
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    pending[i] = deps.size();
    for (size_t d : deps) users[d].push_back(i);
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  size_t built = 0;
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    build_node(s, nodes[i], path_of(i));
    ++built;
    for (size_t u : users[i])
      if (--pending[u] == 0) ready.push(u);
  }
  if (built != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] != 0) throw graph_error(path_of(i), "the graph has a cycle through this node");
  }
}

void Loader::bind_outputs(Scope& s, Node* n, const JsonValue& names, const std::string& path, size_t count) {
  as_list(names, path);
  if (names.size() != count)
    throw graph_error(path, std::string(op_name(n->op)) + " has " + std::to_string(count) + " outputs, " +
                                std::to_string(names.size()) + " names given");
  for (size_t k = 0; k < count; ++k) {
    std::string p = path + "[" + std::to_string(k) + "]";
    // The output's own JSON path is not stored: its node's path says where
    // it was declared (Var::path).
    bind(s, as_name(names[k], p), n->outputs[k], p);
  }
}

// ---- declarations -------------------------------------------------------------

void Loader::load_inputs(const JsonValue& list) {
  as_list(list, "inputs");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "inputs[" + std::to_string(i) + "]";
    const JsonValue& d = list[i];
    check_keys(d, {"name", "dtype", "shape", "ndim", "format"}, path, "key");
    Name name = as_name(require(d, "name", path), path + ".name");
    DType dt = parse_dtype(require(d, "dtype", path), path + ".dtype");
    Type t;
    if (d.contains("format")) {
      if (as_string(d["format"], path + ".format") != "csr")
        throw graph_error(path + ".format", "unknown format \"" + d["format"].get<std::string>() + "\" (expected \"csr\")");
      t = Type::csr(dt);
      if (d.contains("shape")) {
        Shape s = parse_shape(d["shape"], path + ".shape");
        if (s.size() != 2) throw graph_error(path + ".shape", "a CSR input is a matrix");
        t.shape = s;
      }
    } else if (d.contains("shape") && d.contains("ndim")) {
      throw graph_error(path, "give either \"shape\" or \"ndim\", not both");
    } else if (d.contains("shape")) {
      t = Type::tensor(dt, parse_shape(d["shape"], path + ".shape"));
    } else if (d.contains("ndim")) {
      int64_t nd = as_int(d["ndim"], path + ".ndim");
      if (nd < 0 || nd > limits::kMaxRank) throw graph_error(path + ".ndim", "ndim out of range");
      t = Type::tensor(dt, Shape(size_t(nd), -1));
    } else {
      throw graph_error(path, "missing \"shape\" (or \"ndim\")");
    }
    Var* v = top_.graph->new_var(name.str(), t, VarKind::Input);
    v->set_path(path);
    bind(top_, name, v, path + ".name");
    m_.inputs.push_back(v);
  }
}

void Loader::load_shared(const JsonValue& list) {
  as_list(list, "shared");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "shared[" + std::to_string(i) + "]";
    const JsonValue& d = list[i];
    if (!d.is_object()) throw graph_error(path, "expected an object");
    Name name = as_name(require(d, "name", path), path + ".name");
    Var* v;
    if (d.contains("type")) {
      check_keys(d, {"name", "type", "seed"}, path, "key");
      if (as_string(d["type"], path + ".type") != "rng")
        throw graph_error(path + ".type", "unknown type \"" + d["type"].get<std::string>() + "\" (expected \"rng\")");
      int64_t seed = d.contains("seed") ? as_int(d["seed"], path + ".seed") : 0;
      v = top_.graph->new_var(name.str(), Type::rng(), VarKind::Shared);
      v->set_value(std::make_shared<const Value>(rng_from_seed(uint64_t(seed))));
    } else {
      check_keys(d, {"name", "dtype", "shape", "value"}, path, "key");
      DType dt = parse_dtype(require(d, "dtype", path), path + ".dtype");
      bool has_shape = d.contains("shape");
      Shape s = has_shape ? parse_shape(d["shape"], path + ".shape") : Shape{};
      Tensor t = parse_value(require(d, "value", path), dt, s, has_shape, base_dir_, path + ".value");
      // The declared shape is the variable's type; values assigned later must fit it.
      Shape type_shape = has_shape ? s : Shape(size_t(t.ndim()), -1);
      v = top_.graph->new_var(name.str(), Type::tensor(dt, type_shape), VarKind::Shared);
      v->set_value(std::make_shared<const Value>(std::move(t)));
    }
    v->set_path(path);
    bind(top_, name, v, path + ".name");
    m_.shared.push_back(v);
  }
}

void Loader::load_constants(const JsonValue& list) {
  as_list(list, "constants");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "constants[" + std::to_string(i) + "]";
    const JsonValue& d = list[i];
    check_keys(d, {"name", "dtype", "shape", "value"}, path, "key");
    Name name = as_name(require(d, "name", path), path + ".name");
    DType dt = parse_dtype(require(d, "dtype", path), path + ".dtype");
    bool has_shape = d.contains("shape");
    Shape s = has_shape ? parse_shape(d["shape"], path + ".shape") : Shape{};
    Var* v = top_.graph->new_constant(name.str(), parse_value(require(d, "value", path), dt, s, has_shape, base_dir_, path + ".value"));
    v->set_path(path);
    bind(top_, name, v, path + ".name");
  }
}

// ---- functions ------------------------------------------------------------------

Function Loader::load_function(const JsonValue& d, const std::string& path) {
  check_keys(d, {"name", "inputs", "outputs", "updates", "givens", "mode"}, path, "key");
  Function f;
  f.path = path;
  f.name = as_string(require(d, "name", path), path + ".name");
  std::unordered_set<Var*> seen;
  const JsonValue& ins = as_list(require(d, "inputs", path), path + ".inputs");
  for (size_t k = 0; k < ins.size(); ++k) {
    std::string p = path + ".inputs[" + std::to_string(k) + "]";
    Var* v = resolve(top_, as_name(ins[k], p), p);
    if (v->kind != VarKind::Input) throw graph_error(p, "\"" + v->name + "\" is not a declared input");
    if (!seen.insert(v).second) throw graph_error(p, "input \"" + v->name + "\" is listed twice");
    f.inputs.push_back(v);
  }
  const JsonValue& outs = as_list(require(d, "outputs", path), path + ".outputs");
  std::unordered_set<std::string> out_names;
  for (size_t k = 0; k < outs.size(); ++k) {
    std::string p = path + ".outputs[" + std::to_string(k) + "]";
    std::string nm = as_string(outs[k], p);
    if (!out_names.insert(nm).second) throw graph_error(p, "output \"" + nm + "\" is listed twice");
    f.outputs.push_back(resolve(top_, as_name(outs[k], p), p));
    f.output_names.push_back(nm);
  }
  if (d.contains("updates") && !d["updates"].is_null()) {
    const JsonValue& u = d["updates"];
    if (!u.is_object()) throw graph_error(path + ".updates", "expected an object");
    for (const JsonMember& m : u.members()) {
      const std::string key(m.key);
      std::string p = path + ".updates." + key;
      Var* sv = resolve(top_, Name{m.key}, p);
      if (sv->kind != VarKind::Shared) throw graph_error(p, "\"" + key + "\" is not a shared variable");
      Var* nv = resolve(top_, as_name(m.value, p), p);
      const Type &a = sv->type, &b = nv->type;
      bool ok = a.kind == b.kind && a.dtype == b.dtype && a.ndim() == b.ndim();
      for (int k = 0; ok && k < a.ndim(); ++k) ok = a.shape[size_t(k)] < 0 || b.shape[size_t(k)] < 0 || a.shape[size_t(k)] == b.shape[size_t(k)];
      if (!ok) throw graph_error(p, "the new value of \"" + key + "\" is " + b.str() + ", the variable is " + a.str());
      f.updates.push_back({sv, nv});
    }
  }
  if (d.contains("givens") && !d["givens"].is_null()) {
    const JsonValue& g = d["givens"];
    if (!g.is_object()) throw graph_error(path + ".givens", "expected an object");
    for (const JsonMember& m : g.members()) {
      const std::string key(m.key);
      std::string p = path + ".givens." + key;
      Var* a = resolve(top_, Name{m.key}, p);
      Var* b = input_ref(top_, m.value, p);
      if (a->type.kind != b->type.kind || a->type.dtype != b->type.dtype || a->type.ndim() != b->type.ndim())
        throw graph_error(p, "replacement is " + b->type.str() + ", but \"" + key + "\" is " + a->type.str());
      f.givens.push_back({a, b});
    }
  }
  if (d.contains("mode")) {
    std::string ms = as_string(d["mode"], path + ".mode");
    f.mode = mode_from_name(ms);
    if (!f.mode) throw graph_error(path + ".mode", "unknown mode \"" + ms + "\" (FAST_RUN, FAST_COMPILE or DEBUG)");
  }
  return f;
}

// Every input reached from the outputs and update values (after givens) must
// be one of the function's inputs.
void Loader::check_function_inputs(const Function& f) {
  std::unordered_map<const Var*, Var*> given;
  for (auto& [a, b] : f.givens) given[a] = b;
  std::unordered_set<const Var*> listed(f.inputs.begin(), f.inputs.end());
  // Values of the top-level graph are marked by id (dense per graph: below
  // the number of variables and nodes made), any other in a set.
  const Graph& top = *m_.root;
  std::vector<char> seen_top(top.vars().size() + top.nodes().size(), 0);
  std::unordered_set<const Var*> seen_other;
  auto first_visit = [&](const Var* v) {
    if (v->scope == &top && size_t(v->id) < seen_top.size()) return !std::exchange(seen_top[size_t(v->id)], char(1));
    return seen_other.insert(v).second;
  };
  // Each value reached is tagged with the result it was reached from (an
  // index into `why`), for the error message.
  std::vector<std::string> why;
  std::vector<std::pair<Var*, size_t>> stack;
  for (size_t k = 0; k < f.outputs.size(); ++k) {
    why.push_back("output \"" + f.output_names[k] + "\"");
    stack.push_back({f.outputs[k], why.size() - 1});
  }
  for (auto& [sv, nv] : f.updates) {
    why.push_back("the update of \"" + sv->name + "\"");
    stack.push_back({nv, why.size() - 1});
  }
  while (!stack.empty()) {
    auto [v, from] = stack.back();
    stack.pop_back();
    if (auto it = given.find(v); it != given.end()) v = it->second;
    if (!first_visit(v)) continue;
    if (v->kind == VarKind::Input && !listed.count(v))
      throw graph_error(f.path + ".inputs",
                        why[from] + " needs input \"" + v->name + "\", which is not in the function's inputs");
    if (v->owner)
      for (Var* in : v->owner->inputs) stack.push_back({in, from});
  }
}

void Loader::load_functions(const JsonValue& list) {
  as_list(list, "functions");
  std::unordered_set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "functions[" + std::to_string(i) + "]";
    Function f = load_function(list[i], path);
    if (!names.insert(f.name).second) throw graph_error(path + ".name", "function \"" + f.name + "\" is defined twice");
    check_function_inputs(f);
    m_.functions.push_back(std::move(f));
  }
}

void Loader::load(const JsonValue& root) {
  if (!root.is_object()) throw graph_error("", "a graph file is a JSON object");
  check_keys(root, {"format", "version", "name", "inputs", "shared", "constants", "nodes", "functions"}, "", "top-level key");
  if (as_string(require(root, "format", "format"), "format") != "tgc-graph")
    throw graph_error("format", "expected \"tgc-graph\"");
  if (as_int(require(root, "version", "version"), "version") != 1)
    throw graph_error("version", "unsupported version " + root["version"].dump() + " (this tgc reads version 1)");
  m_.name = root.contains("name") ? as_string(root["name"], "name") : "graph";
  top_.graph = m_.root.get();
  if (root.contains("inputs")) load_inputs(root["inputs"]);
  if (root.contains("shared")) load_shared(root["shared"]);
  if (root.contains("constants")) load_constants(root["constants"]);
  if (root.contains("nodes")) build_nodes(top_, root["nodes"], "nodes");
  load_functions(require(root, "functions", "functions"));
}

// ---- entry points -------------------------------------------------------------------

Module load_graph_text(const std::string& text, const std::string& file, const std::string& base_dir) {
  JsonDocument doc(text, limits::kMaxJsonDepth);
  Module m;
  m.file = file;
  Loader(m, base_dir).load(doc.root());
  return m;
}

Module load_graph_file(const std::string& file) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec) throw graph_error("", "cannot read the graph file: " + ec.message());
  if (size > limits::kMaxFileBytes) throw graph_error("", "the graph file is larger than the 1 GiB limit");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw graph_error("", "cannot open the graph file");
  // Read straight into one buffer of the file's size (a stringstream grows
  // its buffer by doubling and then copies it out: three passes over the
  // text instead of one); then whatever the file grew by since its size
  // was taken.
  std::string text(size_t(size), '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  char more[1 << 16];
  while (in.read(more, sizeof more) || in.gcount() > 0) {
    text.append(more, size_t(in.gcount()));
    if (text.size() > limits::kMaxFileBytes) throw graph_error("", "the graph file is larger than the 1 GiB limit");
  }
  std::string dir = std::filesystem::path(file).parent_path().string();
  return load_graph_text(text, file, dir.empty() ? "." : dir);
}

}  // namespace tgc::frontend
