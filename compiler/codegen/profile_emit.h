// Profiling instrumentation of generated code (CodegenOptions::profile):
// around each scheduled node, a clock read before its statements and, after
// them, its counter updated (calls, nanoseconds) and the bytes of its tensor
// outputs recorded by kind (created, in place, view). Nodes are numbered in
// emission order, so a scan's body nodes and an ifelse's branch nodes follow
// their container, and each knows its parent.
//
// Assumes: the per-node emission of emit_scope, with the function's counters
// in a local `tgc_prof` (tgc::prof::Counter*) and views analyzed for the scope.
// Guarantees: nothing is emitted unless a profiler is attached to the
// EmitContext, so code generated without profiling is unchanged; the lines
// are statements at the node's own scope (no braces), so locals a node's
// statements declare stay visible to later nodes.
#pragma once
#include <string>
#include <vector>

#include "codegen/emit_context.h"

namespace tgc {

struct ProfiledNode {
  int index = 0, parent = -1, depth = 0;
  std::string path, op, op_type, family, apply, outputs;
};

class NodeProfiler {
 public:
  // Before the node's statements (after its comment line).
  void begin(EmitContext& c, const Node& n);
  // After them.
  void end(EmitContext& c, const Node& n);
  const std::vector<ProfiledNode>& nodes() const { return nodes_; }

 private:
  std::vector<ProfiledNode> nodes_;
  std::vector<int> open_;  // nodes whose statements are being emitted (scan, ifelse)
};

// The profiler attached to `c`, or null (no profiling).
NodeProfiler* node_profiler(const EmitContext& c);

// Attaches a profiler to a context for the lifetime of this object.
class AttachProfiler {
 public:
  AttachProfiler(const EmitContext& c, NodeProfiler& p);
  ~AttachProfiler();
  AttachProfiler(const AttachProfiler&) = delete;
  AttachProfiler& operator=(const AttachProfiler&) = delete;

 private:
  const EmitContext* c_;
};

// What the module-level profiling code needs of one generated function.
struct ProfiledFunction {
  std::string name;    // the function's name
  std::string member;  // its sanitized name (entry point suffix, workspace ws_<member>)
  std::vector<ProfiledNode> nodes;
  std::vector<int> slot_values;  // per workspace slot: values the plan keeps in it (0: scratch)
};

// Module-level profiling code, emitted only with CodegenOptions::profile:
// the static tables of each function (file scope), the counters of the
// model struct, the exported functions (inside extern "C") and their
// declarations for the header.
std::vector<std::string> profile_tables(const std::vector<ProfiledFunction>& fns);
std::vector<std::string> profile_members(const std::vector<ProfiledFunction>& fns);
std::string profile_exports(const std::string& prefix, const std::vector<ProfiledFunction>& fns);
std::string profile_decls(const std::string& prefix);

// "dot22(x, W1)": the node's label and its inputs (names, constants, or the
// label of the producing node), shortened when long.
std::string apply_label(const Node& n);
// "elemwise", "linalg", ...
std::string family_name(OpFamily f);

}  // namespace tgc
