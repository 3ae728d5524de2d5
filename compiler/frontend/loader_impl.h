// Internal state of the graph loader, shared by loader.cpp (file, inputs,
// functions, node ordering), node_parser.cpp (ops and attributes) and
// scan_parser.cpp (scan, map, reduce, foldl, foldr).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/error.h"
#include "frontend/json_doc.h"
#include "frontend/name_table.h"
#include "ir/graph.h"

namespace tgc::frontend {

// A variable name as the document writes it: a view into the document,
// valid for the whole load, so scopes key on it without copying. Only
// as_name() and object keys make one, never a temporary string.
struct Name {
  std::string_view text;
  std::string str() const { return std::string(text); }
};

// A naming scope: the file's top level, or a scan body.
struct Scope {
  Graph* graph = nullptr;
  Scope* parent = nullptr;
  NameTable<Var*> names;  // keys: Name::text
  bool is_body = false;
  bool strict = false;
  std::string scan_path;       // the scan node owning this body
  std::vector<Var*> captured;  // outer values read by the body (implicit non-sequences)
  int depth = 0;
};

// Small JSON accessors that report the path of what is wrong.
const JsonValue& require(const JsonValue& obj, const char* key, const std::string& path);
std::string as_string(const JsonValue& v, const std::string& path);
Name as_name(const JsonValue& v, const std::string& path);
int64_t as_int(const JsonValue& v, const std::string& path);
bool as_bool(const JsonValue& v, const std::string& path);
const JsonValue& as_list(const JsonValue& v, const std::string& path);
// Every key of `obj` is in `allowed`, or graph_error("unknown <what> [<op>] \"key\"").
void check_keys(const JsonValue& obj, const std::vector<std::string_view>& allowed, const std::string& path,
                std::string_view what, std::string_view op = {});

class Loader {
 public:
  Loader(Module& m, std::string base_dir) : m_(m), base_dir_(std::move(base_dir)) {}
  void load(const JsonValue& root);

  // ---- used by the node and scan parsers ----
  Var* resolve(Scope& s, Name name, const std::string& path);
  // A name, or an inline constant {"value": ..., "dtype": ...}.
  Var* input_ref(Scope& s, const JsonValue& ref, const std::string& path);
  void bind(Scope& s, Name name, Var* v, const std::string& path);
  // Builds a list of nodes in dependency order (any order in the file).
  void build_nodes(Scope& s, const JsonValue& nodes, const std::string& prefix);
  void build_node(Scope& s, const JsonValue& node, const std::string& path);
  void build_scan_like(Scope& s, const JsonValue& node, const std::string& path, const std::string& form);
  void bind_outputs(Scope& s, Node* n, const JsonValue& names, const std::string& path, size_t count);
  const std::string& base_dir() const { return base_dir_; }

 private:
  void load_inputs(const JsonValue& list);
  void load_shared(const JsonValue& list);
  void load_constants(const JsonValue& list);
  void load_functions(const JsonValue& list);
  Function load_function(const JsonValue& f, const std::string& path);
  void check_function_inputs(const Function& f);

  Module& m_;
  std::string base_dir_;
  Scope top_;
};

// Names a node reads (inputs, index variables, branches, scan operands and
// the free names of scan bodies) and names it defines.
void collect_reads(const JsonValue& node, std::vector<std::string_view>& out);
void collect_defines(const JsonValue& node, std::vector<std::string_view>& out);

}  // namespace tgc::frontend
