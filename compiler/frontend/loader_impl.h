// Internal state of the graph loader, shared by loader.cpp (file, inputs,
// functions, node ordering), node_parser.cpp (ops and attributes) and
// scan_parser.cpp (scan, map, reduce, foldl, foldr).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/error.h"
#include "frontend/json_arena.h"
#include "ir/graph.h"

namespace tgc::frontend {

// Documents live in the load's arena (frontend/json_arena.h).
using json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, double,
                                  JsonAllocator>;

// A naming scope: the file's top level, or a scan body.
struct Scope {
  Graph* graph = nullptr;
  Scope* parent = nullptr;
  std::unordered_map<std::string, Var*> names;
  bool is_body = false;
  bool strict = false;
  std::string scan_path;       // the scan node owning this body
  std::vector<Var*> captured;  // outer values read by the body (implicit non-sequences)
  int depth = 0;
};

// Small JSON accessors that report the path of what is wrong.
const json& require(const json& obj, const char* key, const std::string& path);
std::string as_string(const json& v, const std::string& path);
int64_t as_int(const json& v, const std::string& path);
bool as_bool(const json& v, const std::string& path);
const json& as_list(const json& v, const std::string& path);
void check_keys(const json& obj, const std::vector<std::string>& allowed, const std::string& path,
                const std::string& what);

class Loader {
 public:
  Loader(Module& m, std::string base_dir) : m_(m), base_dir_(std::move(base_dir)) {}
  void load(const json& root);

  // ---- used by the node and scan parsers ----
  Var* resolve(Scope& s, const std::string& name, const std::string& path);
  // A name, or an inline constant {"value": ..., "dtype": ...}.
  Var* input_ref(Scope& s, const json& ref, const std::string& path);
  void bind(Scope& s, const std::string& name, Var* v, const std::string& path);
  // Builds a list of nodes in dependency order (any order in the file).
  void build_nodes(Scope& s, const json& nodes, const std::string& prefix);
  void build_node(Scope& s, const json& node, const std::string& path);
  void build_scan_like(Scope& s, const json& node, const std::string& path, const std::string& form);
  void bind_outputs(Scope& s, Node* n, const json& names, const std::string& path, size_t count);
  const std::string& base_dir() const { return base_dir_; }

 private:
  void load_inputs(const json& list);
  void load_shared(const json& list);
  void load_constants(const json& list);
  void load_functions(const json& list);
  Function load_function(const json& f, const std::string& path);
  void check_function_inputs(const Function& f);

  Module& m_;
  std::string base_dir_;
  Scope top_;
};

// Names a node reads (inputs, index variables, branches, scan operands and
// the free names of scan bodies) and names it defines.
void collect_reads(const json& node, std::vector<std::string>& out);
void collect_defines(const json& node, std::vector<std::string>& out);

}  // namespace tgc::frontend
